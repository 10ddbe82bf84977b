#!/usr/bin/env bash
# Instructions per delivery, in process, counted by callgrind (repeatable on a busy machine):
# the bare router, the layer, and the layer over a no-op store. Each route runs N and 2N
# deliveries; the difference divided by N removes setup (signing the requests, the runtime).
#
#   bash bench/layer_cost.sh        # N=2000
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-2000}
cargo bench --bench layer --no-run >&2
bin=$(ls -t target/release/deps/layer-* | grep -v '\.d$' | head -1)
count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1 |
        awk '/Collected :/{print $4}'
}
declare -A per
for route in bare layer nostore; do
    one=$(count "$route" "$N"); two=$(count "$route" $((2 * N)))
    per[$route]=$(( (two - one) / N ))
    echo "$route: $one instructions for $N, $two for $((2 * N))" >&2
done
echo "| route | instructions per delivery | vs bare |"
echo "|---|---|---|"
for route in bare layer nostore; do
    python3 -c "print(f'| $route | {${per[$route]}:,} | {${per[$route]}/${per[bare]}:.2f}x |')"
done
