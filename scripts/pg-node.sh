#!/usr/bin/env bash
# One PostgreSQL node of the cluster, run in the foreground: compose's `pg-primary` and
# `pg-standby` services run this script, and so does scripts/cluster.sh, so both set the
# nodes up with the very same steps. Run it as the user that owns the data (never root).
#
#   scripts/pg-node.sh primary DATA_DIR PORT
#   scripts/pg-node.sh standby DATA_DIR PORT PRIMARY_HOST PRIMARY_PORT
#
# An empty DATA_DIR is set up first: the primary with initdb, a database `foodbridge` owned by
# the role `foodbridge`, a `replicator` role and the `haproxy_check` role (which may only log in
# to ask whether the node is the primary); the standby with `pg_basebackup -R` from the primary
# (waiting for it), after which it follows the primary's WAL stream. A data directory that is
# already set up is started as it is.
#
# Environment:
#   PG_LISTEN         addresses to listen on (default 127.0.0.1; `*` in containers)
#   PG_AUTH           trust (default: a one-machine cluster) or scram-sha-256
#   PG_APP_PASSWORD   password of `foodbridge` (needed with scram-sha-256)
#   PG_REPL_PASSWORD  password of `replicator` (needed with scram-sha-256)
#   PG_SYNCHRONOUS    on: every commit waits until the standby has it (a promotion loses
#                     nothing, but writes stop while no standby is connected); off (default):
#                     asynchronous, a promotion can lose the last moments of commits
#   PG_BIN            folder of initdb/postgres/pg_basebackup (default: found on PATH or in
#                     /usr/lib/postgresql/<newest>/bin)
set -euo pipefail

role="${1:?primary or standby}"
data="$(realpath -m "${2:?data directory}")"
port="${3:?port}"
listen="${PG_LISTEN:-127.0.0.1}"
auth="${PG_AUTH:-trust}"
sockets="$(dirname "$data")"

if [ -z "${PG_BIN:-}" ]; then
  if command -v initdb >/dev/null; then
    PG_BIN="$(dirname "$(command -v initdb)")"
  else
    PG_BIN="$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d | sort -V | tail -1)"
  fi
fi
export PATH="$PG_BIN:$PATH"

log() { printf 'pg-node %s: %s\n' "$role" "$*" >&2; }

# Settings given on the command line, so they hold for a standby copied from the primary too.
# The socket goes beside the data directory: never the machine's own /var/run/postgresql.
start_options=(-D "$data" -p "$port" -c "listen_addresses=$listen" -c "unix_socket_directories=$sockets")

init_primary() {
  log "initialising $data"
  if [ "$auth" != trust ]; then
    : "${PG_APP_PASSWORD:?PG_APP_PASSWORD is needed with PG_AUTH=$auth}"
    : "${PG_REPL_PASSWORD:?PG_REPL_PASSWORD is needed with PG_AUTH=$auth}"
  fi
  initdb -D "$data" -U postgres --auth-local=trust --auth-host="$auth" --encoding=UTF8 \
    --locale=C.UTF-8 >/dev/null
  cat >>"$data/postgresql.conf" <<EOF

# FoodBridge cluster (scripts/pg-node.sh)
wal_level = replica
max_wal_senders = 10
wal_keep_size = 512MB
hot_standby = on
EOF
  if [ "${PG_SYNCHRONOUS:-off}" = on ]; then
    echo "synchronous_standby_names = '*'" >>"$data/postgresql.conf"
  fi
  cat >"$data/pg_hba.conf" <<EOF
# TYPE  DATABASE     USER           ADDRESS  METHOD
local   all          all                     trust
host    postgres     haproxy_check  all      trust
host    replication  replicator     all      $auth
host    foodbridge   foodbridge     all      $auth
EOF
  # Set up through the socket only, before anyone can connect over the network.
  pg_ctl -D "$data" -w -s -o "-p $port -c listen_addresses='' -c unix_socket_directories=$sockets" start
  psql -h "$sockets" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -v app_password="${PG_APP_PASSWORD:-}" -v repl_password="${PG_REPL_PASSWORD:-}" <<'EOF'
CREATE ROLE foodbridge LOGIN;
CREATE ROLE replicator LOGIN REPLICATION;
CREATE ROLE haproxy_check LOGIN;
CREATE DATABASE foodbridge OWNER foodbridge;
SELECT :'app_password' <> '' AS has_app_password, :'repl_password' <> '' AS has_repl_password \gset
\if :has_app_password
  ALTER ROLE foodbridge PASSWORD :'app_password';
\endif
\if :has_repl_password
  ALTER ROLE replicator PASSWORD :'repl_password';
\endif
EOF
  pg_ctl -D "$data" -w -s stop -m fast
}

init_standby() {
  local host="${1:?primary host}" primary_port="${2:?primary port}"
  log "copying the primary at $host:$primary_port into $data"
  export PGPASSWORD="${PG_REPL_PASSWORD:-}"
  until pg_basebackup -h "$host" -p "$primary_port" -U replicator -D "$data" -R -X stream \
    -c fast 2>/dev/null; do
    rm -rf "${data:?}"/*
    log "the primary is not ready yet, trying again"
    sleep 1
  done
}

mkdir -p "$data"
chmod 700 "$data"
if [ ! -s "$data/PG_VERSION" ]; then
  case "$role" in
    primary) init_primary ;;
    standby) init_standby "${4:-}" "${5:-}" ;;
    *) echo "unknown role: $role (primary or standby)" >&2; exit 2 ;;
  esac
fi
log "starting on port $port"
exec postgres "${start_options[@]}"
