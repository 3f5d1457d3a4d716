#!/usr/bin/env bash
# The budget of a page's code on a slow phone: the release WASM and its JavaScript, as the
# server sends them (precompressed), at most 250 KB gzipped and 200 KB brotli. Builds the
# release site files only, prints their sizes and fails over budget. It leaves release files
# in target/site/pkg: build the site again (`cargo leptos build`) before a debug server uses it.
set -euo pipefail
cd "$(dirname "$0")/.."

GZIP_BUDGET_KB=250
BROTLI_BUDGET_KB=200

scripts/build.sh --release --frontend-only

kb() { echo $(( ($(cat "$@" | wc -c) + 1023) / 1024 )); }
raw=$(kb target/site/pkg/*.wasm target/site/pkg/*.js)
gzip=$(kb target/site/pkg/*.wasm.gz target/site/pkg/*.js.gz)
brotli=$(kb target/site/pkg/*.wasm.br target/site/pkg/*.js.br)
echo "WASM + JS, release: ${raw} KB raw, ${gzip} KB gzip (budget ${GZIP_BUDGET_KB}), ${brotli} KB brotli (budget ${BROTLI_BUDGET_KB})"
if (( gzip > GZIP_BUDGET_KB || brotli > BROTLI_BUDGET_KB )); then
  echo "over budget: see bench/phone.sh and CONTRIBUTING.md (Islands)" >&2
  exit 1
fi
