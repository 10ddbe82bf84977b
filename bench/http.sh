#!/usr/bin/env bash
# End to end over real HTTP on loopback: the same axum app with and without the layer, same load
# generator (wrk, same script), same run, rounds interleaved. Prints requests/s, the ratio to the
# bare app, and the server's CPU time per request (from /proc, so a generator-bound run shows).
#
#   bash bench/http.sh            # DURATION=3 ROUNDS=3 CONNS="1 16 256" BODY_SIZE=1024
#
# The server runs on CPU 0 with one tokio worker, wrk on CPU 1 with one thread: each side has a
# core of its own, and the server is what saturates. Needs wrk (apt-get install wrk) and
# libcrypto (OpenSSL), which bench/sign.lua signs with.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-3}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-"1 16 256"}
PORT=${PORT:-3900}
export POOL=${POOL:-600000} BODY_SIZE=${BODY_SIZE:-1024}
ROUTES="bare hook hook-nostore"

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
pin_server=() pin_wrk=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
    pin_server=(taskset -c 0) pin_wrk=(taskset -c 1)
fi

cargo build --release --example bench_server >&2
PORT=$PORT TOKIO_WORKER_THREADS=1 "${pin_server[@]}" target/release/examples/bench_server >&2 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 50); do
    (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break
    sleep 0.1
done

results=$(mktemp)
for conns in $CONNS; do
    for round in $(seq "$ROUNDS"); do
        for route in $ROUTES; do
            before=$(awk '{print $14+$15}' /proc/$server/stat)
            out=$("${pin_wrk[@]}" wrk -t1 -c"$conns" -d"${DURATION}s" -s bench/sign.lua \
                "http://127.0.0.1:$PORT/$route")
            after=$(awk '{print $14+$15}' /proc/$server/stat)
            if grep -q "POOL EXHAUSTED" <<<"$out"; then
                echo "ids repeated: raise POOL (now $POOL)" >&2; echo "$out" >&2; exit 1
            fi
            if ! grep -q "^non-200: 0$" <<<"$out"; then
                echo "non-200 answers on /$route:" >&2; echo "$out" >&2; exit 1
            fi
            rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
            requests=$(awk '/requests in/{print $1}' <<<"$out")
            echo "$conns $round $route $rps $((after - before)) $requests" >>"$results"
            echo "c=$conns round $round /$route: $rps req/s" >&2
        done
    done
done

python3 - "$results" "$(getconf CLK_TCK)" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
tck = int(sys.argv[2])
by = {}
for conns, _, route, rps, ticks, requests in rows:
    by.setdefault((int(conns), route), []).append((float(rps), int(ticks) / tck * 1e6 / int(requests)))
print("| connections | bare req/s | layer req/s | layer / bare | layer, no-op store req/s | no-op / bare | server CPU µs/req: bare, layer, no-op |")
print("|---|---|---|---|---|---|---|")
for conns in sorted({c for c, _ in by}):
    med = {r: statistics.median(x[0] for x in by[(conns, r)]) for r in ("bare", "hook", "hook-nostore")}
    cpu = {r: statistics.median(x[1] for x in by[(conns, r)]) for r in ("bare", "hook", "hook-nostore")}
    print(f"| {conns} | {med['bare']:,.0f} | {med['hook']:,.0f} | {med['hook']/med['bare']:.2f}x "
          f"| {med['hook-nostore']:,.0f} | {med['hook-nostore']/med['bare']:.2f}x "
          f"| {cpu['bare']:.1f}, {cpu['hook']:.1f}, {cpu['hook-nostore']:.1f} |")
print(f"(medians of {len(rows) // (3 * len({c for c, _ in by}))} interleaved rounds; 1 KiB bodies unless BODY_SIZE says otherwise)")
PY
