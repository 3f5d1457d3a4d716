#!/usr/bin/env bash
# Installs what FoodBridge needs to build, idempotently: each tool is checked at its pinned
# version and installed only when missing or different.
#
#   scripts/setup.sh              build tools (wasm32 target, cargo-leptos, wasm-bindgen)
#   scripts/setup.sh --release    also wasm-opt (release builds only)
#   scripts/setup.sh --test       also Chromium, HAProxy, PostgreSQL's server programs and
#                                 docker-compose (Debian), and the end2end npm packages
#
# On a cold 2-core machine the cargo installs take 15 to 25 minutes, the first time only.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.130 # must equal the wasm-bindgen crate in Cargo.lock
WASM_OPT_VERSION=116

release=false
test=false
for arg in "$@"; do
  case "$arg" in
    --release) release=true ;;
    --test) test=true ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

say() { printf '\033[1;32m==>\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v cargo >/dev/null; then
  echo "cargo not found: install Rust with rustup (https://rustup.rs) and run this again." >&2
  exit 1
fi
export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null)" != "cargo-leptos $CARGO_LEPTOS_VERSION" ]; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 15 minutes on 2 cores)"
  cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION"
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes)"
  # Not --locked: its lock file names a crate version the registry no longer has.
  cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" --force
fi

if $release && ! wasm-opt --version 2>/dev/null | grep -q "version $WASM_OPT_VERSION"; then
  say "installing wasm-opt $WASM_OPT_VERSION (about 10 minutes)"
  # Never Debian's binaryen: its older wasm-opt produces WASM that fails to hydrate.
  cargo install wasm-opt --locked --force
fi

if $test; then
  if [ ! -x /usr/bin/chromium ]; then
    say "installing Chromium (Debian package)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  fi
  # The fault test's cluster (scripts/cluster.sh) and the check of docker-compose.yml.
  packages=()
  command -v haproxy >/dev/null || packages+=(haproxy)
  command -v docker-compose >/dev/null || packages+=(docker-compose)
  command -v redis-server >/dev/null || packages+=(redis-server)
  ls /usr/lib/postgresql/*/bin/pg_basebackup >/dev/null 2>&1 || packages+=(postgresql)
  if [ ${#packages[@]} -gt 0 ]; then
    say "installing ${packages[*]} (Debian packages)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}"
  fi
  if ! command -v npm >/dev/null; then
    say "installing Node.js (Debian package)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
  fi
  # Playwright drives Debian's Chromium; it must never download a browser of its own.
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
  # npm writes node_modules/.package-lock.json on every install: older than the lock file
  # (or missing) means the packages are not the ones locked.
  if [ ! end2end/node_modules/.package-lock.json -nt end2end/package-lock.json ]; then
    say "installing the end2end npm packages"
    (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
