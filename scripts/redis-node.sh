#!/usr/bin/env bash
# The cluster's Redis, in the foreground, with AOF persistence (sessions, login limits and the
# live event stream survive a restart). Compose's `redis` service and scripts/cluster.sh both
# run this script.
#
#   scripts/redis-node.sh DATA_DIR PORT [BIND]      BIND defaults to 127.0.0.1
set -euo pipefail
data="${1:?data directory}"
port="${2:?port}"
mkdir -p "$data"
exec redis-server --port "$port" --bind "${3:-127.0.0.1}" --dir "$data" --save "" \
  --appendonly yes --appendfsync everysec --protected-mode no
