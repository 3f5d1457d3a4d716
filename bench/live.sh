#!/usr/bin/env bash
# Live events under load: two release replicas sharing PostgreSQL and Redis, 1,000 event
# streams held open across them, claims through both in turn. Prints the delay from each
# claim's response to the last stream receiving it (p50, p99, max) and each replica's memory
# idle and with the streams open.
#
#   bench/live.sh                      # STREAMS=1000 CLAIMS=50 by default
#   STREAMS=2000 CLAIMS=100 bench/live.sh
#
# Uses the PostgreSQL and Redis of the tests (TEST_DATABASE_URL, TEST_REDIS_URL), in a
# database and key prefix of its own that it removes afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

PG_ADMIN="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
REDIS="${TEST_REDIS_URL:-redis://127.0.0.1:6379}"
DB="foodbridge_bench_$$"
PREFIX="fbbench$$:"
DB_URL="${PG_ADMIN%/*}/$DB"
LOGS="$(mktemp -d)"

# Each stream is a connection on both sides.
ulimit -n "$(ulimit -Hn)"

cargo build --release --locked -p server -p bench

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null || true
  redis-cli -u "$REDIS" --scan --pattern "$PREFIX*" | xargs -r redis-cli -u "$REDIS" del >/dev/null || true
  rm -rf "$LOGS"
}
trap cleanup EXIT

psql "$PG_ADMIN" -qc "CREATE DATABASE $DB"
bases=()
# Its clients claim far more than a person may: the fair share has tests of its own.
for port in 3401 3402; do
  CLAIMS_MAX_LIVE=1000000 CLAIMS_MAX_PER_DAY=1000000 DATABASE_URL="$DB_URL" REDIS_URL="$REDIS" REDIS_KEY_PREFIX="$PREFIX" \
    LISTEN_ADDR="127.0.0.1:$port" MAIL_DIR="$LOGS/mail" RUST_LOG=warn \
    "$CARGO_TARGET_DIR/release/server" >"$LOGS/server-$port.log" 2>&1 &
  pids+=("$!")
  bases+=("http://127.0.0.1:$port")
  # One at a time: the first applies the migrations.
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break
    sleep 0.2
  done
done

BASES="$(IFS=,; echo "${bases[*]}")" PIDS="$(IFS=,; echo "${pids[*]}")" DATABASE_URL="$DB_URL" \
  STREAMS="${STREAMS:-1000}" CLAIMS="${CLAIMS:-50}" "$CARGO_TARGET_DIR/release/live"
