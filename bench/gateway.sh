#!/usr/bin/env bash
# The gateway's forwarding throughput against a direct post to the upstream, same load generator
# (wrk, bench/sign.lua: unique signed YCloud deliveries, 1 KiB), rounds interleaved:
#
#   bash bench/gateway.sh          # DURATION=3 ROUNDS=3 CONNS="16 256" ACK=immediately (or always)
#
# direct:  wrk -> upstream (bench_server's /bare: reads the body, answers 200)
# gateway: wrk -> `webhooks serve` (verify, dedup in memory, 200 at once) -> its worker forwards
#          each delivery to the same upstream /bare
# The gateway and the upstream share CPU 0 (one tokio worker each), wrk has CPU 1: the gateway's
# figure pays for the whole path on one core. After each gateway round the script waits until the
# worker has forwarded everything, and reads from /metrics how many it forwarded.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-3}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-"16 256"}
ACK=${ACK:-immediately}
export POOL=${POOL:-400000} BODY_SIZE=${BODY_SIZE:-1024} BENCH_SECRET=${BENCH_SECRET:-whsec_bench}

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
pin0=() pin1=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then pin0=(taskset -c 0) pin1=(taskset -c 1); fi

cargo build --release --all-features --example bench_server >&2
cargo build --release -p tower-webhooks-cli >&2
work=$(mktemp -d)
cat >"$work/webhooks.toml" <<TOML
listen = "127.0.0.1:3912"
admin = "127.0.0.1:3913"
[[route]]
path = "/webhooks/ycloud"
provider = "ycloud"
secret_env = "BENCH_SECRET"
forward = "http://127.0.0.1:3911/bare"
ack = "$ACK"
TOML
PORT=3911 TOKIO_WORKER_THREADS=1 "${pin0[@]}" target/release/examples/bench_server >/dev/null &
upstream=$!
TOKIO_WORKER_THREADS=1 "${pin0[@]}" target/release/webhooks serve --config "$work/webhooks.toml" >/dev/null 2>&1 &
gateway=$!
trap 'kill $upstream $gateway 2>/dev/null; rm -rf "$work"' EXIT
for port in 3911 3912; do
    for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
done

metric() { # the value of a /metrics sample
    exec 3<>/dev/tcp/127.0.0.1/3913
    printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3
    awk -v name="$1" 'index($0, name) == 1 {print $2}' <&3
    exec 3<&-
}
# Forwarded deliveries: each run of the handler that the upstream took, in the request or in
# the worker, counts once as `handled`.
forwarded() {
    local handled
    handled=$(metric 'webhooks_deliveries_total{provider="ycloud",outcome="handled"}' | head -n1)
    echo "${handled:-0}"
}

for conns in $CONNS; do
    for round in $(seq "$ROUNDS"); do
        for target in direct gateway; do
            url=http://127.0.0.1:3911/bare
            [ "$target" = gateway ] && url=http://127.0.0.1:3912/webhooks/ycloud
            before=$(forwarded)
            out=$("${pin1[@]}" wrk -t1 -c"$conns" -d"${DURATION}s" -s bench/sign.lua "$url")
            rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
            requests=$(awk '/requests in/{print $1}' <<<"$out")
            non200=$(awk '/^non-200:/{print $2}' <<<"$out")
            extra=""
            if [ "$target" = gateway ]; then
                start=$(date +%s%N)
                accepted=$(( requests - ${non200:-0} ))
                # Until what was accepted is forwarded (60 s at most).
                for _ in $(seq 600); do
                    [ $(( $(forwarded) - before )) -ge "$accepted" ] && break
                    sleep 0.1
                done
                drained_ms=$(( ($(date +%s%N) - start) / 1000000 ))
                after=$(forwarded)
                extra=" accepted=$accepted forwarded=$(( after - before )) drained_after=${drained_ms}ms"
            fi
            echo "c=$conns round=$round $target rps=$rps requests=$requests non200=${non200:-0}$extra"
        done
    done
done
