#!/usr/bin/env bash
# Runs one FoodBridge replica behind the load balancer, in the foreground. The Docker image runs
# this script, and so does scripts/cluster.sh for each of its replicas, so both start replicas
# the same way. Configuration only through the environment (README, "Configuration"); the
# defaults here are the ones every replica behind a load balancer wants:
#   TRUST_PROXY=true         the client address comes from the load balancer's X-Forwarded-For
#   SHUTDOWN_DRAIN_MS=3000   on SIGTERM, fail /readyz and keep serving 3 s (HAProxy checks every
#                            1 s and needs 2 failures), then finish and exit
#   LOG_FORMAT=json          one JSON object per log line, for the log collector
#   FOODBRIDGE_BIN           the server binary (default: the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
export TRUST_PROXY="${TRUST_PROXY:-true}"
export SHUTDOWN_DRAIN_MS="${SHUTDOWN_DRAIN_MS:-3000}"
export LOG_FORMAT="${LOG_FORMAT:-json}"
if [ -z "${FOODBRIDGE_BIN:-}" ]; then
  source scripts/env.sh
  FOODBRIDGE_BIN="$CARGO_TARGET_DIR/release/server"
fi
exec "$FOODBRIDGE_BIN"
