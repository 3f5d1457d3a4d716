#!/usr/bin/env bash
# Builds the site and the server: a debug build, or with --release the optimised build the
# Docker image and scripts/cluster.sh run (target/release/server and target/site under
# CARGO_TARGET_DIR). Installs the build tools first when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  "") scripts/setup.sh; source scripts/env.sh; cargo leptos build ;;
  --release) scripts/setup.sh --release; source scripts/env.sh; cargo leptos build --release --precompress ;;
  *) echo "usage: scripts/build.sh [--release]" >&2; exit 2 ;;
esac
