#!/usr/bin/env bash
# How the site does on a slow phone: the release build (scripts/build.sh --release), on a fresh
# SQLite database, in Chromium throttled to Slow 3G (400 kbit/s each way, 400 ms round trip)
# at 390 × 844. Prints when the browse page and a listing's page become readable and
# interactive, first visit and repeat visit, and what of the site's files each fetched; then the
# sizes of the WASM and its JavaScript as sent (gzip, brotli).
#
#   bench/phone.sh                       # builds the release first
#   SKIP_BUILD=1 bench/phone.sh          # the release build as it is
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
source scripts/env.sh
[ -n "${SKIP_BUILD:-}" ] || scripts/build.sh --release

PHONE_DATA_DIR="$(mktemp -d)"
export PHONE_DATA_DIR
trap 'rm -rf "$PHONE_DATA_DIR"' EXIT
(cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npx playwright test -c phone.config.mjs)

echo
echo "| the site's files (release) | raw | gzip | brotli |"
echo "|---|---|---|---|"
for file in target/site/pkg/*.wasm target/site/pkg/*.js target/site/pkg/*.css; do
  size() { if [ -f "$1" ]; then echo "$(( $(stat -c %s "$1") / 1024 )) KB"; else echo "—"; fi; }
  echo "| ${file#target/site/} | $(size "$file") | $(size "$file.gz") | $(size "$file.br") |"
done
