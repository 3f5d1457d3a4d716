#!/usr/bin/env bash
# Speed beside the database's own limit, in one run: one release replica on PostgreSQL + Redis,
# driven over HTTP by wrk (logged-in clients with their session cookies, claims on distinct
# listings), and pgbench on the SQL the same requests send. Prints one table: rate, p50, p99
# and the ratio to pgbench's rate.
#
#   bench/speed.sh                        # LISTINGS=100000, DURATION=10 (seconds a workload)
#   LISTINGS=20000 DURATION=5 GROWTH=0 bench/speed.sh   # a quicker look, without the 1M step
#   SERVER=/tmp/server-before bench/speed.sh              # another build of the server, as it is
#   WORKLOADS="claims" PERF_DIR=/tmp/perf bench/speed.sh  # some workloads, each under `perf record`
#
# Workloads: browse page (HTML) and list_listings (JSON) at 16 and 64 connections; claims at 64;
# logins, and browse p99 during them; growth (browse with 1,000 and 1,000,000 listings); server
# RSS idle, under browse load and after 100,000 claims. The load generator shares the machine,
# so compare ratios, not absolute figures. Uses the PostgreSQL and Redis of the tests
# (TEST_DATABASE_URL, TEST_REDIS_URL), in a database and key prefix of its own that it removes
# afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

LISTINGS="${LISTINGS:-100000}"
DURATION="${DURATION:-10}"
GROWTH="${GROWTH:-1}"
# Any of: browse claims logins growth memory.
WORKLOADS="${WORKLOADS:-browse claims logins growth memory}"
[ "$GROWTH" = 1 ] || WORKLOADS="${WORKLOADS/growth/}"
# Where `perf record` writes a profile of the server for each wrk run (unset: no profiling).
PERF_DIR="${PERF_DIR:-}"
PG_ADMIN="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
REDIS="${TEST_REDIS_URL:-redis://127.0.0.1:6379}"
DB="foodbridge_speed_$$"
PREFIX="fbspeed$$:"
DB_URL="${PG_ADMIN%/*}/$DB"
PORT="${PORT:-3461}"
BASE="http://127.0.0.1:$PORT"
WORK="$(mktemp -d)"
THREADS=2
# Logged-in clients. Claims go to them in turn: with 1,024, each makes 5-10 claims in a run,
# about what the fair share lets a person make in a day (5). With 128 each made 40-90, and the
# counts the fair share reads grew with them (claims 31% of pgbench's rate instead of 39-40%).
CLIENTS="${CLIENTS:-1024}"
PASSWORD="mangue-plantain-2026"
export WRK_DIR="$PWD/bench/wrk" THREADS

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v pgbench >/dev/null || missing+=(postgresql-client)
[ -z "$PERF_DIR" ] || command -v perf >/dev/null || missing+=(linux-perf)
if [ ${#missing[@]} -gt 0 ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

if [ -z "${SERVER:-}" ]; then
  cargo build --release --locked -p server
  SERVER="$CARGO_TARGET_DIR/release/server"
fi

server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null || true
  redis-cli -u "$REDIS" --scan --pattern "$PREFIX*" | xargs -r redis-cli -u "$REDIS" del >/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 130" INT TERM

psql "$PG_ADMIN" -qc "CREATE DATABASE $DB"
# Its clients claim far more than a person may: the fair share has tests of its own.
CLAIMS_MAX_LIVE=100000000 CLAIMS_MAX_PER_DAY=100000000 DATABASE_URL="$DB_URL" REDIS_URL="$REDIS" \
  REDIS_KEY_PREFIX="$PREFIX" LISTEN_ADDR="127.0.0.1:$PORT" MAIL_DIR="$WORK/mail" RUST_LOG=warn \
  "$SERVER" >"$WORK/server.log" 2>&1 &
server=$!
for _ in $(seq 150); do
  curl -fs "$BASE/readyz" >/dev/null && break
  sleep 0.2
done
curl -fs "$BASE/readyz" >/dev/null || { cat "$WORK/server.log"; exit 1; }

rss() { ps -o rss= -p "$server" | awk '{ printf "%.1f", $1 / 1024 }'; }
# The server's CPU time so far (user + system), in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$server/stat"; }
seed() { psql "$DB_URL" -q -v ON_ERROR_STOP=1 -v from="$1" -v to="$2" -f bench/pgbench/seed.sql >/dev/null; }

# The clients, registered over HTTP: their session cookies, and their logins.
# register EMAIL N: registers a client; prints its session cookie.
register() {
  curl -fs -o /dev/null -D - "$BASE/api/register" \
    --data-urlencode role=client --data-urlencode "display_name=Client $2" \
    --data-urlencode "email=$1" --data-urlencode "phone=699$(printf %06d "$2")" \
    --data-urlencode "password=$PASSWORD" |
    sed -n 's/^[Ss]et-[Cc]ookie: \(foodbridge_session=[^;]*\).*/\1/p'
}
# clients FROM TO: registers clients FROM..TO, four at a time (each hashes a password); their
# cookies in $WORK/cookies, their logins in $WORK/logins.
clients() {
  local pids=()
  mkdir -p "$WORK/new"
  for i in $(seq "$1" "$2"); do
    register "bench-client-$i@example.cm" "$i" >"$WORK/new/$i" &
    pids+=($!)
    [ ${#pids[@]} -lt 4 ] || { wait "${pids[@]}"; pids=(); }
  done
  [ ${#pids[@]} -eq 0 ] || wait "${pids[@]}"
  : >"$WORK/cookies"
  : >"$WORK/logins"
  for i in $(seq "$1" "$2"); do
    [ -s "$WORK/new/$i" ] || { echo "registering bench-client-$i failed" >&2; exit 1; }
    cat "$WORK/new/$i" >>"$WORK/cookies"
    echo "bench-client-$i@example.cm $PASSWORD" >>"$WORK/logins"
  done
  rm -r "$WORK/new"
}
clients 1 "$CLIENTS"
export COOKIE="$(head -1 "$WORK/cookies")" COOKIES="$WORK/cookies" LOGINS="$WORK/logins"
# pgbench's claims are made by a client of their own: made by one of wrk's clients, their tens
# of thousands made that client's fair-share counts (unbounded here) slow for wrk.
[ -n "$(register bench-pgbench@example.cm 0)" ] || { echo "registering pgbench's client failed" >&2; exit 1; }
client_id=$(psql "$DB_URL" -tAc "SELECT id FROM users WHERE email = 'bench-pgbench@example.cm'")
idle_rss=$(rss)

rows=()
# row LABEL RESULT-LINE [LIMIT-RATE | TEXT]: one line of the table (TEXT in the share column).
row() {
  read -r _ rate p50 p99 ok other cpu <<<"$2"
  local ratio="${3:-—}"
  [[ "$ratio" =~ ^[0-9.]+$ ]] && ratio="$(awk -v a="$rate" -v b="$3" 'BEGIN { printf "%.0f%%", 100 * a / b }')"
  [ "$cpu" = "—" ] || cpu="$cpu µs"
  rows+=("$(printf '| %s | %.0f/s | %s ms | %s ms | %s | %s | %s |' "$1" "$rate" "$p50" "$p99" "$ratio" "$cpu" "$other")")
}
# drive CONNECTIONS SCRIPT [ENV…]: one wrk run; prints its RESULT line, and after it the
# server's CPU time per request in microseconds (a steadier figure than the rate when the
# machine is shared: it does not count what the database and the load generator use).
drive() {
  local connections=$1 script=$2 perf=""
  shift 2
  if [ -n "$PERF_DIR" ]; then
    mkdir -p "$PERF_DIR"
    perf record -q -e cpu-clock -F 499 -g -p "$server" -o "$PERF_DIR/${script%.lua}-$connections-$(date +%s%N).data" \
      -- sleep "$DURATION" >/dev/null 2>&1 &
    perf=$!
  fi
  local before result
  before=$(cpu_ticks)
  result=$(env "$@" wrk -t"$THREADS" -c"$connections" -d"${DURATION}s" --latency -s "bench/wrk/$script" "$BASE" |
    grep '^RESULT') || { echo "wrk failed" >&2; exit 1; }
  read -r _ rate _ <<<"$result"
  echo "$result $(awk -v t="$(( $(cpu_ticks) - before ))" -v hz="$(getconf CLK_TCK)" -v n="$rate" -v d="$DURATION" \
    'BEGIN { printf "%.0f", 1e6 * t / hz / (n * d) }')"
  [ -z "$perf" ] || wait "$perf" || true
}
want() { [[ " $WORKLOADS " == *" $1 "* ]]; }
# Waits (up to 10 minutes) until the emails the claims queued are sent: the workloads after the
# claims are measured on a server as quiet as the first ones were (during the claims' ~15,000
# emails, browse p99 read 9-20 ms instead of 3-6). At ~2,000 claims a second the confirmations
# alone are ~20,000 emails, more than 2 minutes of sending.
settle() {
  for _ in $(seq 1200); do
    [ "$(curl -fs "$BASE/metrics" | awk '$1 == "foodbridge_outbox_backlog_emails" { print $2 }')" = 0 ] && return
    sleep 0.5
  done
  echo "the outbox still has emails to send: the next figures are not on a quiet server" >&2
}
# limit CONNECTIONS FILE [-D VAR=VALUE…]: pgbench's transactions per second, p50 and p99 (ms,
# from its log of every transaction).
limit() {
  local connections=$1 file=$2 out
  shift 2
  rm -f "$WORK"/pgbench.log*
  out=$(pgbench -n -M prepared -c "$connections" -j "$THREADS" -T "$DURATION" --log --log-prefix="$WORK/pgbench.log" \
    "$@" -f "bench/pgbench/$file" "$DB_URL" 2>&1) || { echo "pgbench failed: $out" >&2; exit 1; }
  # Each line of the log: client, transaction, its latency in µs, …
  echo "$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out")" \
    "$(cut -d' ' -f3 "$WORK"/pgbench.log* | sort -n | awk '{ v[NR] = $1 }
      END { printf "%.2f %.2f", v[int(NR * 0.5)] / 1000, v[int(NR * 0.99)] / 1000 }')"
}
browse=(WRK_PATH=/browse)
json=(WRK_PATH=/api/list_listings WRK_BODY=)
# A second of browsing, not counted: the pool's connections opened and the caches filled before
# the first figure (the first workload's p99 read 70-90 ms without it, the others' 10-20 ms).
warm() { wrk -t"$THREADS" -c16 -d1s -H "Cookie: $COOKIE" "$BASE/browse" >/dev/null; }

# Growth, first step: a site with 1,000 listings. Each growth step runs three times as long as
# the others: a p99 compared across two runs moved by up to a fifth with 5 s runs (the browse
# rows of one run read 4.3-5.6 ms), as much as the target allows.
growth_duration=$(( DURATION * 3 ))
if want growth; then
  seed 1 1000
  warm
  small=$(DURATION=$growth_duration drive 16 get.lua "${browse[@]}")
fi
seed "$(( $(psql "$DB_URL" -tAc 'SELECT coalesce(max(id), 0) FROM listings') + 1 ))" "$LISTINGS"
warm

load_rss="—"
if want browse; then
  for c in 16 64; do
    pg=$(limit "$c" browse.sql | cut -d' ' -f1)
    if [ "$c" = 16 ]; then
      drive 16 get.lua "${browse[@]}" >"$WORK/browse16" &
      sleep "$(( DURATION / 2 ))"
      load_rss=$(rss)
      wait $!
      browse16=$(cat "$WORK/browse16")
      row "browse page (HTML), 16 connections" "$browse16" "$pg"
    else
      row "browse page (HTML), 64 connections" "$(drive 64 get.lua "${browse[@]}")" "$pg"
    fi
    row "list_listings (JSON), $c connections" "$(drive "$c" post.lua "${json[@]}")" "$pg"
  done
fi

if want claims; then
  # pgbench on listings added for it (enough for 30,000 claims a second), FoodBridge on the
  # others, each a listing once.
  top=$(psql "$DB_URL" -tAc 'SELECT max(id) FROM listings')
  seed "$(( top + 1 ))" "$(( top + 30000 * DURATION ))"
  pg=$(limit 64 claim.sql -D n=0 -D first="$top" -D clients=64 -D client="$client_id")
  read -r pg pg_p50 pg_p99 <<<"$pg"
  claims=$(drive 64 claim.lua FIRST_ID=1)
  row "claim_listing, 64 connections" "$claims" "$pg"
  # The limit's own latency: what the database alone, with the bare SQL, gives 64 connections.
  row "the limit: pgbench's UPDATE + INSERT, 64 connections" "RESULT $pg $pg_p50 $pg_p99 — — —"
fi

if want logins; then
  # Browse at 16 connections alone, then beside logins (argon2id) at 4 connections; the
  # share column gives the second's p99 against the first's.
  settle
  before=$(drive 16 get.lua "${browse[@]}")
  drive 4 login.lua >"$WORK/logins.result" &
  logins_pid=$!
  sleep 1
  during=$(drive 16 get.lua "${browse[@]}")
  wait "$logins_pid"
  p99s="$(awk -v a="$(cut -d' ' -f4 <<<"$during")" -v b="$(cut -d' ' -f4 <<<"$before")" 'BEGIN { printf "p99 %.2f×", a / b }')"
  row "browse page, 16 connections, before logins" "$before"
  # Run together, their CPU times cannot be told apart.
  row "login, 4 connections" "$(cut -d' ' -f1-6 "$WORK/logins.result") —"
  row "browse page, 16 connections, during logins" "$(cut -d' ' -f1-6 <<<"$during") —" "$p99s"
fi

if want growth; then
  # To 1,000,000 listings besides those claimed (pgbench's claims had some added).
  top=$(psql "$DB_URL" -tAc 'SELECT max(id) FROM listings')
  claimed=$(psql "$DB_URL" -tAc "SELECT count(*) FROM listings WHERE status = 'claimed'")
  seed "$(( top + 1 ))" "$(( 1000000 + claimed ))"
  settle
  warm
  large=$(DURATION=$growth_duration drive 16 get.lua "${browse[@]}")
  row "browse page, 16 connections, 1,000 listings" "$small"
  row "browse page, 16 connections, 1,000,000 listings" "$large"
fi

after_claims_rss="—"
target=100000
if want memory; then
  # Memory after 100,000 claims, on listings added for them.
  top=$(psql "$DB_URL" -tAc 'SELECT max(id) FROM listings')
  seed "$(( top + 1 ))" "$(( top + target ))"
  next_id() { psql "$DB_URL" -tAc "SELECT coalesce(max(listing_id), $top) + 1 FROM claims WHERE listing_id > $top"; }
  # New clients every fourth run: a person's claims are bounded by the fair share (lifted
  # here); the same clients' hundreds of claims each made their counts the figure.
  round=0
  while next=$(next_id) && [ "$next" -le "$(( top + target ))" ]; do
    round=$(( round + 1 ))
    [ $(( round % 4 )) != 1 ] || clients "$(( round * CLIENTS + 1 ))" "$(( (round + 1) * CLIENTS ))"
    drive 64 claim.lua FIRST_ID="$next" >/dev/null
    # What autovacuum does on a production server (off on the PostgreSQL this was measured
    # with: `SHOW autovacuum`): without it the claimed listings' and sent emails' dead rows
    # and statistics never made for the new claims slowed each run more (140 claims/s at 40,000).
    psql "$DB_URL" -qc 'VACUUM (ANALYZE) listings, claims, outbox' >/dev/null
  done
  after_claims_rss=$(rss)
fi

cat <<EOF

FoodBridge speed: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs),
one release replica on PostgreSQL $(psql "$PG_ADMIN" -tAc 'SHOW server_version' | cut -d' ' -f1) + Redis,
$LISTINGS listings, ${DURATION} s a workload (growth: $growth_duration s), wrk and pgbench on the same machine.
"limit" is pgbench on the same SQL with the same connections, in this run.

| workload | rate | p50 | p99 | of the limit | server CPU a request | non-2xx |
|---|---|---|---|---|---|---|
$(printf '%s\n' "${rows[@]}")

Server RSS: idle $idle_rss MB, under browse load $load_rss MB, after $target more claims $after_claims_rss MB.
EOF
