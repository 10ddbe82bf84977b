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
#   CACHE=1 bash bench/instructions.sh ours hand-written # also cache misses and mispredictions
#
# `verify` counts one verification of each HMAC preset (benches/verify.rs, its deliveries) and
# one bare HMAC over the same signed bytes, and prints ours minus bare: the instructions the
# verification spends beyond the MAC itself (parsing, decoding, comparing), the part the
# verification targets are about.
#
# Each count includes signing the bench's deliveries (the same for every route): compare routes
# with each other, not with timed figures. Under valgrind SHA-256 runs in software, so the
# HMAC weighs far more than on the machine; the differences between routes are what count.
# `CACHE=1` adds callgrind's cache and branch simulation (about 3x slower) and prints, per unit,
# first-level instruction-cache misses, first-level data-cache misses (reads and writes) and
# mispredicted branches (conditional and indirect) beside the instructions. Two builds of the same
# code can differ there through layout alone: a change that saves instructions and adds misses
# may not be faster. The simulated caches are the host's, without prefetching; compare counts,
# do not turn them into times.
# Needs valgrind (Debian: apt-get install valgrind). Exit codes: 0 printed, 1 a tool or a
# route failed (the bench refuses to run a route that fails its checks).
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "needs valgrind (Debian: apt-get install valgrind)" >&2; exit 1; }
COUNT=${COUNT:-4000}
[[ $COUNT =~ ^[1-9][0-9]*$ ]] || { echo "COUNT must be a positive whole number, not '$COUNT'" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Events of one run of `$@` under callgrind, space-separated: instructions, and with CACHE=1
# instruction-cache misses, data-cache misses and mispredicted branches.
counted() {
    if ! valgrind --tool=callgrind "${simulate[@]}" --callgrind-out-file="$tmp/out" "$@" >"$tmp/log" 2>&1; then
        echo "failed: ${*:2}" >&2
        grep -v "^==" "$tmp/log" | tail -n 5 >&2
        exit 1
    fi
    # Totals in the order of the "events:" line: Ir, then with the simulation
    # Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw Bc Bcm Bi Bim.
    awk '/^summary:/ { if (NF > 2) print $2, $5, $6 + $7, $12 + $14; else print $2 }' "$tmp/out"
}

# What one more unit (delivery, verification) costs, set-up and start-up left out: `$2...` run
# with 2 x COUNT units minus with COUNT, over COUNT, for each event (space-separated); `$1` names
# the variable the run reads its count from.
per_unit() {
    local var=$1 once twice i events
    shift
    # Assigned first: a failed run then stops the script (set -e), where a here-string would not.
    events=$(export "$var=$((2 * COUNT))"; counted "$@")
    read -ra twice <<<"$events"
    events=$(export "$var=$COUNT"; counted "$@")
    read -ra once <<<"$events"
    for i in "${!twice[@]}"; do
        printf '%s ' $(((twice[i] - once[i]) / COUNT))
    done
}

# The events of `$@` as table cells.
cells() {
    local IFS='|'
    echo "$*" | sed 's/|/ | /g'
}

# Events: the table's column names.
if [ "${CACHE:-0}" = 1 ]; then
    simulate=(--cache-sim=yes --branch-sim=yes)
    events="instructions | I1 misses | D1 misses | mispredicted branches"
    rule="---|---|---|---"
else
    simulate=()
    events=instructions
    rule=---
fi

if [ "${1:-}" = verify ]; then
    shift
    bin=$(cargo bench --bench verify --no-run 2>&1 | grep -o 'target/release/deps/verify-[0-9a-f]*' | head -n 1)
    [ -n "$bin" ] || { echo "could not build the verify bench" >&2; exit 1; }
    if [ $# -gt 0 ]; then presets=("$@"); else presets=(standard-webhooks ycloud stripe github shopify twilio); fi
    echo "| preset | bytes | ours minus bare HMAC, per verification (COUNT=$COUNT): $events | bare HMAC: instructions |"
    echo "|---|---|$rule|---|"
    for preset in "${presets[@]}"; do
        for size in ${SIZES:-64 1024}; do
            counts=$(per_unit VERIFY_COUNT "$bin" "$preset" "$size" bare)
            read -ra bare <<<"$counts"
            counts=$(per_unit VERIFY_COUNT "$bin" "$preset" "$size" ours)
            read -ra ours <<<"$counts"
            beyond=()
            for i in "${!ours[@]}"; do beyond+=($((ours[i] - bare[i]))); done
            echo "| $preset | $size | $(cells "${beyond[@]}") | ${bare[0]} |"
        done
    done
    exit 0
fi

bin=$(cargo bench --bench peers --no-run 2>&1 | grep -o 'target/release/deps/peers-[0-9a-f]*' | head -n 1)
[ -n "$bin" ] || { echo "could not build the peers bench" >&2; exit 1; }
if [ $# -gt 0 ]; then routes=("$@"); else routes=(hand-written ours hand-written-ycloud ours-ycloud); fi
export ROUNDS=1

echo "| route | per delivery (COUNT=$COUNT): $events |"
echo "|---|$rule|"
for route in "${routes[@]}"; do
    # Assigned first: a failed count then stops the script (set -e) instead of printing a blank.
    counts=$(per_unit COUNT "$bin" "$route")
    read -ra count <<<"$counts"
    echo "| $route | $(cells "${count[@]}") |"
done
