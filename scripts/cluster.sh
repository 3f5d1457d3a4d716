#!/usr/bin/env bash
# FoodBridge's production topology on one machine, without Docker: three replicas behind
# HAProxy, a PostgreSQL primary with a streaming standby, Redis with AOF and an SMTP catcher,
# each on a port of its own (never the machine's PostgreSQL or Redis). It is the twin of
# docker-compose.yml and runs the same scripts (README, "Running as a cluster").
#
#   scripts/cluster.sh up          build (release), start everything, print the URL
#   scripts/cluster.sh status      what runs, what HAProxy sees, which node is the primary
#   scripts/cluster.sh down        stop everything and remove the cluster's data
#
# Operations (what the fault test does; NAME is web1 web2 web3 redis pg1 pg2 haproxy mail, or
# primary / standby for the PostgreSQL node in that role now):
#   scripts/cluster.sh kill NAME       SIGKILL
#   scripts/cluster.sh stop NAME       SIGTERM (PostgreSQL: fast shutdown), waits for the exit
#   scripts/cluster.sh start NAME      and wait until it works (a replica: back in rotation)
#   scripts/cluster.sh restart NAME    stop, then start
#   scripts/cluster.sh promote         stop the primary and promote the standby
#   scripts/cluster.sh promote --crash the same, the primary killed (SIGKILL) as in a crash
#   scripts/cluster.sh rebuild pgN     make pgN a fresh standby of the current primary
#
# Settings: CLUSTER_DIR (data, logs and pids; default /var/tmp/foodbridge-cluster),
# CLUSTER_PORT (the site's port, default 8080; the others follow it: replicas +1..+3, HAProxy's
# status page +4, PostgreSQL through HAProxy +10, the nodes +11 and +12, Redis +20, SMTP +25),
# CLUSTER_PROFILE (release, or debug to run the build of `scripts/build.sh`),
# PG_SYNCHRONOUS=on (synchronous replication: a promotion loses no commit).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

dir="$(realpath -m "${CLUSTER_DIR:-/var/tmp/foodbridge-cluster}")"
base="${CLUSTER_PORT:-8080}"
profile="${CLUSTER_PROFILE:-release}"

lb_port=$base
web_ports=($((base + 1)) $((base + 2)) $((base + 3)))
stats_port=$((base + 4))
pg_proxy_port=$((base + 10))
pg_ports=($((base + 11)) $((base + 12)))
redis_port=$((base + 20))
smtp_port=$((base + 25))

say() { printf '\033[1;32m==>\033[0m %s\n' "$*"; }
die() { echo "cluster: $*" >&2; exit 1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# PostgreSQL refuses to run as root: as root, its nodes run as the `postgres` user.
as_pg=()
pg_user="$(id -un)"
if [ "$(id -u)" -eq 0 ]; then
  pg_user=postgres
  as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups --)
fi

pg_bin() { find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -1; }

install_missing() {
  local packages=()
  command -v haproxy >/dev/null || packages+=(haproxy)
  command -v redis-server >/dev/null || packages+=(redis-server)
  [ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/pg_basebackup" ] || packages+=(postgresql)
  command -v psql >/dev/null || packages+=(postgresql-client)
  command -v curl >/dev/null || packages+=(curl)
  if [ ${#packages[@]} -gt 0 ]; then
    say "installing ${packages[*]} (Debian packages)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
  fi
}

pidfile() { echo "$dir/run/$1.pid"; }

running() {
  local pid
  pid="$(cat "$(pidfile "$1")" 2>/dev/null)" || return 1
  kill -0 "$pid" 2>/dev/null
}

# Starts NAME in the background, detached from this shell, its output appended to its log.
spawn() {
  local name="$1"
  shift
  running "$name" && return 0
  setsid "$@" >>"$dir/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$name")"
}

# Sends SIGNAL to NAME and waits until it has exited (SIGKILL after 30 s).
signal() {
  local name="$1" sig="$2" pid
  running "$name" || return 0
  pid="$(cat "$(pidfile "$name")")"
  if [ "$sig" = KILL ]; then
    # A crash: the part and every process it started (PostgreSQL's backends) at once.
    kill -KILL -- "-$pid" 2>/dev/null || true
  else
    kill "-$sig" "$pid" 2>/dev/null || true
  fi
  for _ in $(seq 300); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "cluster: $name did not stop in 30 s, killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$(pidfile "$name")"
}

# The node (pg1 or pg2) that is the primary now, and the other one.
primary() { cat "$dir/pg/primary"; }
standby() { if [ "$(primary)" = pg1 ]; then echo pg2; else echo pg1; fi; }
pg_port() { echo "${pg_ports[${1#pg} - 1]}"; }

start() {
  local name="$1"
  case "$name" in
    web1 | web2 | web3)
      local port="${web_ports[${name#web} - 1]}"
      spawn "$name" env \
        DATABASE_URL="postgres://foodbridge@127.0.0.1:$pg_proxy_port/foodbridge" \
        REDIS_URL="redis://127.0.0.1:$redis_port" \
        SMTP_URL="smtp://127.0.0.1:$smtp_port" \
        LISTEN_ADDR="127.0.0.1:$port" \
        PUBLIC_URL="http://127.0.0.1:$lb_port" \
        LEPTOS_SITE_ROOT="$PWD/target/site" \
        SESSION_SECRET="$(cat "$dir/session-secret")" \
        FOODBRIDGE_BIN="$CARGO_TARGET_DIR/$profile/server" \
        RUST_LOG="${RUST_LOG:-info,sqlx=warn}" \
        scripts/replica.sh
      ;;
    pg1 | pg2)
      if [ "$name" = "$(primary)" ]; then
        spawn "$name" "${as_pg[@]}" env PG_SYNCHRONOUS="${PG_SYNCHRONOUS:-off}" \
          scripts/pg-node.sh primary "$dir/pg/$name" "$(pg_port "$name")"
      else
        # A node that was the primary before a promotion would come back as a second primary.
        if [ -s "$dir/pg/$name/PG_VERSION" ] && [ ! -e "$dir/pg/$name/standby.signal" ]; then
          die "$name was the primary before $(primary) was promoted; make it a standby with: scripts/cluster.sh rebuild $name"
        fi
        spawn "$name" "${as_pg[@]}" scripts/pg-node.sh standby "$dir/pg/$name" "$(pg_port "$name")" \
          127.0.0.1 "$(pg_port "$(primary)")"
      fi
      ;;
    redis) spawn redis scripts/redis-node.sh "$dir/redis" "$redis_port" ;;
    haproxy)
      spawn haproxy env LB_BIND="127.0.0.1:$lb_port" STATS_BIND="127.0.0.1:$stats_port" \
        WEB1="127.0.0.1:${web_ports[0]}" WEB2="127.0.0.1:${web_ports[1]}" \
        WEB3="127.0.0.1:${web_ports[2]}" PG_BIND="127.0.0.1:$pg_proxy_port" \
        PG1="127.0.0.1:${pg_ports[0]}" PG2="127.0.0.1:${pg_ports[1]}" \
        haproxy -db -f deploy/haproxy.cfg
      ;;
    mail)
      spawn mail "$CARGO_TARGET_DIR/$profile/mailsink" --listen "127.0.0.1:$smtp_port" \
        --dir "$dir/mail"
      ;;
    *) die "unknown part: $name (web1 web2 web3 redis pg1 pg2 haproxy mail)" ;;
  esac
}

stop() {
  case "$1" in
    # PostgreSQL's fast shutdown: roll back open transactions, then stop cleanly.
    pg1 | pg2) signal "$1" INT ;;
    *) signal "$1" TERM ;;
  esac
}

# Waits until `check` succeeds (up to 60 s).
wait_for() {
  local what="$1"
  shift
  for _ in $(seq 600); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "$what did not come up in 60 s (logs: $dir/logs)"
}

pg_is() {
  [ "$(psql -h 127.0.0.1 -p "$2" -U haproxy_check -d postgres -Atc 'select pg_is_in_recovery()')" = "$1" ]
}

# HAProxy has NAME in rotation (UP on its status page).
in_rotation() {
  curl -fs "http://127.0.0.1:$stats_port/;csv" | awk -F, -v s="$1" '$2 == s && $18 == "UP" {found = 1} END {exit !found}'
}

# Waits until NAME does its work: a replica is ready and back in HAProxy's rotation, a
# PostgreSQL node answers in its role, Redis answers.
wait_ready() {
  local name="$1"
  case "$name" in
    web1 | web2 | web3)
      wait_for "replica $name" curl -fs "http://127.0.0.1:${web_ports[${name#web} - 1]}/readyz"
      if running haproxy; then wait_for "HAProxy's check of $name" in_rotation "$name"; fi
      ;;
    pg1 | pg2)
      if [ "$name" = "$(primary)" ]; then
        wait_for "the PostgreSQL primary $name" pg_is f "$(pg_port "$name")"
        if running haproxy; then wait_for "HAProxy's check of $name" in_rotation "$name"; fi
      else
        wait_for "the PostgreSQL standby $name" pg_is t "$(pg_port "$name")"
      fi
      ;;
    redis) wait_for "Redis" redis-cli -p "$redis_port" ping ;;
    haproxy) wait_for "HAProxy" curl -fs "http://127.0.0.1:$stats_port/" ;;
    mail) wait_for "the SMTP catcher" bash -c "exec 3<>/dev/tcp/127.0.0.1/$smtp_port" ;;
  esac
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

up() {
  install_missing
  if [ "$profile" = release ]; then
    scripts/build.sh --release
  fi
  cargo build --locked --profile "$([ "$profile" = debug ] && echo dev || echo release)" \
    -p bench --bin mailsink
  [ -x "$CARGO_TARGET_DIR/$profile/server" ] || die "no $profile build: run scripts/build.sh first"

  if [ ! -d "$dir/run" ]; then
    for port in "$lb_port" "${web_ports[@]}" "$stats_port" "$pg_proxy_port" "${pg_ports[@]}" \
      "$redis_port" "$smtp_port"; do
      port_free "$port" || die "port $port is taken: choose other ports with CLUSTER_PORT"
    done
    mkdir -p "$dir"/{run,logs,pg,redis,mail}
    chmod 755 "$dir"
    chown "$pg_user" "$dir/pg"
    echo pg1 >"$dir/pg/primary"
    openssl rand -hex 32 >"$dir/session-secret"
  fi

  say "PostgreSQL primary ($(primary), port $(pg_port "$(primary)")) and standby ($(standby), port $(pg_port "$(standby)"))"
  start "$(primary)"
  wait_ready "$(primary)"
  start "$(standby)"
  wait_ready "$(standby)"
  say "Redis (port $redis_port, AOF), SMTP catcher (port $smtp_port), HAProxy (port $lb_port)"
  for name in redis mail haproxy; do
    start "$name"
    wait_ready "$name"
  done
  wait_for "HAProxy's door to the primary" psql -h 127.0.0.1 -p "$pg_proxy_port" -U foodbridge -d foodbridge -c 'select 1'
  # One at a time: the first replica applies the migrations.
  for name in web1 web2 web3; do
    say "replica $name (port ${web_ports[${name#web} - 1]})"
    start "$name"
    wait_ready "$name"
  done
  wait_for "the load balancer" curl -fs "http://127.0.0.1:$lb_port/readyz"
  echo
  echo "FoodBridge cluster: http://127.0.0.1:$lb_port   (HAProxy status: http://127.0.0.1:$stats_port)"
  echo "Emails: $dir/mail   Logs: $dir/logs   Stop and remove: scripts/cluster.sh down"
}

down() {
  [ -d "$dir" ] || return 0
  for name in haproxy web1 web2 web3 mail redis pg1 pg2; do
    stop "$name"
  done
  rm -rf "$dir"
  say "cluster stopped and removed"
}

status() {
  [ -d "$dir/run" ] || { echo "no cluster in $dir"; return 0; }
  for name in haproxy web1 web2 web3 redis pg1 pg2 mail; do
    if running "$name"; then
      printf '%-8s running (pid %s)\n' "$name" "$(cat "$(pidfile "$name")")"
    else
      printf '%-8s stopped\n' "$name"
    fi
  done
  echo "primary: $(primary) (port $(pg_port "$(primary)")), standby: $(standby)"
  if running haproxy; then
    echo "HAProxy sees:"
    curl -fs "http://127.0.0.1:$stats_port/;csv" | awk -F, '$2 ~ /^(web|pg)[0-9]$/ {print "  " $2 " " $18}'
  fi
  echo "site: http://127.0.0.1:$lb_port"
}

promote() {
  local old new
  old="$(primary)"
  new="$(standby)"
  running "$new" || die "the standby $new is not running"
  if [ "${1:-}" = --crash ]; then
    say "crashing the primary $old (SIGKILL), promoting $new"
    signal "$old" KILL
  else
    say "stopping the primary $old, promoting $new"
    stop "$old"
  fi
  "${as_pg[@]}" "$(pg_bin)/pg_ctl" -D "$dir/pg/$new" -w -s promote
  echo "$new" >"$dir/pg/primary"
  wait_ready "$new"
  say "$new is the primary; $old is stopped (make it the new standby: scripts/cluster.sh rebuild $old)"
}

rebuild() {
  local name="$1"
  [ "$name" != "$(primary)" ] || die "$name is the primary"
  stop "$name"
  rm -rf "${dir:?}/pg/$name"
  start "$name"
  wait_ready "$name"
  say "$name is a standby of $(primary) again"
}

command="${1:-}"
case "$command" in
  up) up ;;
  down) down ;;
  status) status ;;
  promote) promote "${2:-}" ;;
  start | stop | restart | kill | rebuild)
    name="${2:?which part? web1 web2 web3 redis pg1 pg2 haproxy mail}"
    [ -d "$dir/run" ] || die "no cluster in $dir: scripts/cluster.sh up"
    case "$name" in
      primary) name="$(primary)" ;;
      standby) name="$(standby)" ;;
    esac
    case "$command" in
      start) start "$name"; wait_ready "$name" ;;
      stop) stop "$name" ;;
      restart) stop "$name"; start "$name"; wait_ready "$name" ;;
      kill) signal "$name" KILL ;;
      rebuild) rebuild "$name" ;;
    esac
    ;;
  *) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2 ;;
esac
