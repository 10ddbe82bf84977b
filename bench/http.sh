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
# The first route is the baseline of the ratios. With `.ci/with-services`, the stores can be
# compared too: ROUTES="bare hook hook-redis hook-postgres", and under Ack::Immediately
# "now now-redis now-postgres", and the destinations (with NATS too): "publish-nats publish-redis".
ROUTES=${ROUTES:-"bare hook hook-nostore"}

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
pin_server=() pin_wrk=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
    pin_server=(taskset -c 0) pin_wrk=(taskset -c 1)
fi

# SERVER=<binary> runs a prebuilt server instead (to compare two builds, run by run).
if [ -z "${SERVER:-}" ]; then
    cargo build --release --all-features --example bench_server >&2
    SERVER=target/release/examples/bench_server
fi
# Whatever answers on a taken port is not this run's server: refuse rather than measure it.
if (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null; then
    echo "port $PORT is taken (PORT=<n> picks another)" >&2
    exit 1
fi
PORT=$PORT TOKIO_WORKER_THREADS=1 "${pin_server[@]}" "$SERVER" >&2 &
server=$!
# Waited for, so that a run started right after this one finds the port free.
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
    (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break
    sleep 0.1
done
if ! kill -0 "$server" 2>/dev/null; then
    echo "the bench server exited" >&2
    exit 1
fi

results=$(mktemp)
for conns in $CONNS; do
    for round in $(seq "$ROUNDS"); do
        for route in $ROUTES; do
            before=$(awk '{print $14+$15}' /proc/$server/stat)
            out=$("${pin_wrk[@]}" wrk -t1 -c"$conns" -d"${DURATION}s" --latency -s bench/sign.lua \
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
            p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
            p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
            echo "$conns $round $route $rps $((after - before)) $requests $p50 $p99" >>"$results"
            echo "c=$conns round $round /$route: $rps req/s" >&2
        done
    done
done

python3 - "$results" "$(getconf CLK_TCK)" "$ROUTES" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
tck, routes = int(sys.argv[2]), sys.argv[3].split()
def ms(text):
    # wrk prints 812.00us, 1.23ms, 2.01s
    for unit, scale in (("us", 1e-3), ("ms", 1.0), ("s", 1e3)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * scale
    return float("nan")
by = {}
for conns, _, route, rps, ticks, requests, p50, p99 in rows:
    by.setdefault((int(conns), route), []).append(
        (float(rps), int(ticks) / tck * 1e6 / int(requests), ms(p50), ms(p99)))
base = routes[0]
head = " | ".join(f"/{r} req/s" + ("" if r == base else f" | /{r} vs /{base}") for r in routes)
print(f"| connections | {head} | server CPU µs/req ({', '.join(routes)}) |")
print("|---|" + "---|" * (2 * len(routes) - 1) + "---|")
for conns in sorted({c for c, _ in by}):
    med = {r: statistics.median(x[0] for x in by[(conns, r)]) for r in routes}
    cpu = {r: statistics.median(x[1] for x in by[(conns, r)]) for r in routes}
    cells = " | ".join(f"{med[r]:,.0f}" + ("" if r == base else f" | {med[r] / med[base]:.2f}x") for r in routes)
    print(f"| {conns} | {cells} | {', '.join(f'{cpu[r]:.1f}' for r in routes)} |")
print()
print(f"| connections | " + " | ".join(f"/{r} p50 / p99 ms" for r in routes) + " |")
print("|---|" + "---|" * len(routes))
for conns in sorted({c for c, _ in by}):
    cells = " | ".join(
        f"{statistics.median(x[2] for x in by[(conns, r)]):.2f} / {statistics.median(x[3] for x in by[(conns, r)]):.2f}"
        for r in routes)
    print(f"| {conns} | {cells} |")
rounds = len(rows) // (len(routes) * len({c for c, _ in by}))
print(f"(medians of {rounds} interleaved rounds; 1 KiB bodies unless BODY_SIZE says otherwise)")
PY
