#!/usr/bin/env bash
# The fault test: starts a cluster of its own (scripts/cluster.sh, in a temporary folder, on
# ports from CLUSTER_PORT, default 28080), keeps a steady mixed load going through its load
# balancer while it kills a replica, restarts every replica in turn, restarts Redis, restarts
# PostgreSQL and promotes the standby, prints the figures of each phase and fails when a target
# is missed (README, "Running as a cluster"). The cluster is removed afterwards, even on failure.
#
#   scripts/faults.sh                  the short form, about 3 minutes (part of scripts/test.sh)
#   FAULTS=long scripts/faults.sh      the long form: 32 clients, 60 s of load after each fault,
#                                      and a sixth phase: the primary crashes (SIGKILL), the
#                                      standby is promoted
#
# CLUSTER_PROFILE=debug runs the debug build of scripts/build.sh (the test suite does, having
# built it already); the default is the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

profile="${CLUSTER_PROFILE:-release}"
export CLUSTER_PROFILE="$profile"
export CLUSTER_PORT="${CLUSTER_PORT:-28080}"
CLUSTER_DIR="$(mktemp -d /var/tmp/foodbridge-faults.XXXXXX)"
export CLUSTER_DIR

finish() {
  status=$?
  if [ "$status" -ne 0 ] && [ -d "$CLUSTER_DIR/logs" ]; then
    for log in "$CLUSTER_DIR"/logs/*.log; do
      echo "--- last lines of $(basename "$log")"
      tail -n 15 "$log"
    done
  fi
  scripts/cluster.sh down >/dev/null 2>&1 || true
  rm -rf "$CLUSTER_DIR"
  exit "$status"
}
trap finish EXIT

cargo build --locked --profile "$([ "$profile" = debug ] && echo dev || echo release)" \
  -p bench --bin faults --bin mailsink
# The load's clients claim far more than a person may: the fair share has tests of its own.
export CLAIMS_MAX_LIVE=1000000 CLAIMS_MAX_PER_DAY=1000000
scripts/cluster.sh up

if [ "${FAULTS:-short}" = long ]; then
  settings=(CLIENTS=32 SETTLE_SECS=60 LISTINGS=20000 CRASH=1)
else
  settings=(CLIENTS=8 SETTLE_SECS=8 LISTINGS=3000)
fi
env "${settings[@]}" \
  BASE="http://127.0.0.1:$CLUSTER_PORT" \
  DATABASE_URL="postgres://foodbridge@127.0.0.1:$((CLUSTER_PORT + 10))/foodbridge" \
  MAIL_DIR="$CLUSTER_DIR/mail" \
  CLUSTER=scripts/cluster.sh \
  "$CARGO_TARGET_DIR/$profile/faults"
