#!/usr/bin/env bash
# The peers bench over real HTTP: the routes of bench/peers/routes.rs (hand-written, the peer
# crates, ours), served by one bench server (examples/bench_server.rs, which checks every route
# in process before it listens: 2xx, a duplicate handled once, a forgery refused) and loaded by
# wrk with the same pre-signed unique deliveries (bench/sign.lua). bench/http.sh measures, and
# refuses to report if any answer is not 200 or an id repeats. Ratios are to the first route of
# each table: the hand-written one of the same scheme.
#
#   bash bench/peers.sh          # CONNS="16 256" DURATION=3 ROUNDS=3
#
# In process (no sockets): cargo bench --bench peers.
set -euo pipefail
cd "$(dirname "$0")/.."
export CONNS=${CONNS:-"16 256"}
# Enough unique deliveries for one 3 s run at these rates, signed in wrk's init.
export POOL=${POOL:-250000}
PORT=${PORT:-3900}
if [ -z "${SERVER:-}" ]; then
    cargo build --release --all-features --example bench_server >&2
    export SERVER=target/release/examples/bench_server
fi
echo "Standard Webhooks:"
PORT=$PORT SCHEME=standard-webhooks ROUTES="peers/hand-written peers/bare peers/webhook-verify peers/standardwebhooks peers/axum-standardwebhooks peers/ours peers/ours-nostore" \
    bash bench/http.sh
echo
echo "YCloud:"
# A port of its own: the first server may still hold its port while it exits.
PORT=$((PORT + 1)) SCHEME=ycloud ROUTES="peers/hand-written-ycloud peers/ours-ycloud" bash bench/http.sh
