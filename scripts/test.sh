#!/usr/bin/env bash
# The whole FoodBridge test suite: formatting, clippy on both sides, unit, domain and router
# tests on SQLite and on the real PostgreSQL and Redis, the fault test on a cluster of its own,
# then Playwright journeys in Chromium.
#
# Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth) and Redis at 127.0.0.1:6379,
# or TEST_DATABASE_URL / TEST_REDIS_URL pointing elsewhere. Every run makes its own databases
# and key prefixes and removes them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
source scripts/env.sh

step() { printf '\n\033[1;34m== %s\033[0m\n' "$*"; }

step "format"
cargo fmt --all -- --check

step "clippy: server side"
cargo clippy --workspace --exclude frontend --all-targets --locked -- -D warnings

step "clippy: browser side (wasm32)"
cargo clippy -p frontend --target wasm32-unknown-unknown --locked \
  --target-dir "$CARGO_TARGET_DIR/front" -- -D warnings

step "unit, domain and router tests"
cargo test --workspace --exclude frontend --locked

step "the WASM budget: release WASM + JS at most 250 KB gzipped"
scripts/wasm-budget.sh

step "build the site"
cargo leptos build

step "the cluster's files: docker-compose.yml and HAProxy's configuration"
docker-compose -f docker-compose.yml config -q
LB_BIND=127.0.0.1:1 STATS_BIND=127.0.0.1:2 PG_BIND=127.0.0.1:3 WEB1=127.0.0.1:4 WEB2=127.0.0.1:5 \
  WEB3=127.0.0.1:6 PG1=127.0.0.1:7 PG2=127.0.0.1:8 haproxy -c -q -f deploy/haproxy.cfg

step "fault test: three replicas, HAProxy, PostgreSQL primary and standby, Redis (short form)"
CLUSTER_PROFILE=debug scripts/faults.sh

step "end-to-end journeys in Chromium"
E2E_DATA_DIR="$(mktemp -d)"
export E2E_DATA_DIR
trap 'rm -rf "$E2E_DATA_DIR"' EXIT
(cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npx playwright test)
