#!/usr/bin/env bash
# Instructions per delivery, counted instead of timed: each route of the peers bench
# (bench/peers/routes.rs) runs under callgrind with COUNT and then 2 x COUNT deliveries, and the
# difference divided by COUNT is what one more delivery costs, set-up and start-up left out.
# Counts barely move between runs, where timings on a shared machine swing by a third: use them
# to tell whether a change to the per-delivery path helped, and time it as well.
#
#   bash bench/instructions.sh                          # hand-written, ours, and YCloud's
#   bash bench/instructions.sh hand-written ours        # these routes; COUNT=4000
#   bash bench/instructions.sh verify                   # verification alone, below
#   bash bench/instructions.sh verify twilio github     # these HMAC presets; SIZES="64 1024"
#
# `verify` counts one verification of each HMAC preset (benches/verify.rs, its deliveries) and
# one bare HMAC over the same signed bytes, and prints ours minus bare: the instructions the
# verification spends beyond the MAC itself (parsing, decoding, comparing), the part the
# verification targets are about.
#
# Each count includes signing the bench's deliveries (the same for every route): compare routes
# with each other, not with timed figures. Under valgrind SHA-256 runs in software, so the
# HMAC weighs far more than on the machine; the differences between routes are what count.
# Needs valgrind (Debian: apt-get install valgrind). Exit codes: 0 printed, 1 a tool or a
# route failed (the bench refuses to run a route that fails its checks).
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "needs valgrind (Debian: apt-get install valgrind)" >&2; exit 1; }
COUNT=${COUNT:-4000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Instructions of one run of `$@` under callgrind.
counted() {
    if ! valgrind --tool=callgrind --callgrind-out-file="$tmp/out" "$@" >"$tmp/log" 2>&1; then
        echo "failed: ${*:2}" >&2
        grep -v "^==" "$tmp/log" | tail -n 5 >&2
        exit 1
    fi
    callgrind_annotate "$tmp/out" | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'
}

# What one more unit (delivery, verification) costs, set-up and start-up left out: `$2...` run
# with 2 x COUNT units minus with COUNT, over COUNT; `$1` names the variable the run reads its
# count from.
per_unit() {
    local var=$1 once twice
    shift
    twice=$(export "$var=$((2 * COUNT))"; counted "$@")
    once=$(export "$var=$COUNT"; counted "$@")
    echo $(((twice - once) / COUNT))
}

if [ "${1:-}" = verify ]; then
    shift
    bin=$(cargo bench --bench verify --no-run 2>&1 | grep -o 'target/release/deps/verify-[0-9a-f]*' | head -n 1)
    [ -n "$bin" ] || { echo "could not build the verify bench" >&2; exit 1; }
    if [ $# -gt 0 ]; then presets=("$@"); else presets=(standard-webhooks ycloud stripe github shopify twilio); fi
    echo "| preset | bytes | bare HMAC | ours | ours minus bare (COUNT=$COUNT) |"
    echo "|---|---|---|---|---|"
    for preset in "${presets[@]}"; do
        for size in ${SIZES:-64 1024}; do
            bare=$(per_unit VERIFY_COUNT "$bin" "$preset" "$size" bare)
            ours=$(per_unit VERIFY_COUNT "$bin" "$preset" "$size" ours)
            echo "| $preset | $size | $bare | $ours | $((ours - bare)) |"
        done
    done
    exit 0
fi

bin=$(cargo bench --bench peers --no-run 2>&1 | grep -o 'target/release/deps/peers-[0-9a-f]*' | head -n 1)
[ -n "$bin" ] || { echo "could not build the peers bench" >&2; exit 1; }
if [ $# -gt 0 ]; then routes=("$@"); else routes=(hand-written ours hand-written-ycloud ours-ycloud); fi
export ROUNDS=1

echo "| route | instructions per delivery (COUNT=$COUNT) |"
echo "|---|---|"
for route in "${routes[@]}"; do
    # Assigned first: a failed count then stops the script (set -e) instead of printing a blank.
    count=$(per_unit COUNT "$bin" "$route")
    echo "| $route | $count |"
done
