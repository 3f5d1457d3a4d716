#!/usr/bin/env bash
# Builds FoodBridge and runs it on the embedded default: SQLite in ./data, sessions in the same
# database, events in-process. Open the URL it prints. Stop with Ctrl-C.
# Settings (DATABASE_URL, REDIS_URL, LISTEN_ADDR, ...) come from the environment or .env;
# see .env.example.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
source scripts/env.sh
echo
echo "FoodBridge: http://${LISTEN_ADDR:-127.0.0.1:3000}"
echo
exec "$CARGO_TARGET_DIR/debug/server"
