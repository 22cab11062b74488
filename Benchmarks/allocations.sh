#!/usr/bin/env bash
# Allocations per line on the hot path, measured, not assumed.
#
# Runs triage under valgrind (memcheck counts every heap allocation) on the
# first N and the first 2N lines of the benchmark log, in one pass
# (--threads 1) and in the default mode, and prints
#   (allocations(2N) - allocations(N)) / N
# i.e. the allocations each additional line costs. Fixed costs (start-up,
# tables, the report) cancel out. Needs valgrind and bench-data/ (run.sh
# generates it, or pass any upstream-format log as $1).
set -euo pipefail
cd "$(dirname "$0")/.."
log=${1:-bench-data/access-upstream-1000mb.log}
n=${ALLOC_LINES:-20000}
command -v valgrind >/dev/null || { echo "needs valgrind" >&2; exit 1; }
[ -f "$log" ] || { echo "no $log: run Benchmarks/run.sh first or pass a log" >&2; exit 1; }
swift build -c release --product triage >/dev/null
bin=.build/release/triage
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Lines 1M.. of the log: past the start, so the route and client tables are warm as in a long run.
awk -v s=1000000 -v n="$n" 'NR >= s + n { exit } NR >= s' "$log" > "$work/n.log"
awk -v s=1000000 -v n=$((2 * n)) 'NR >= s + n { exit } NR >= s' "$log" > "$work/2n.log"
allocs() {
    valgrind --tool=memcheck --leak-check=no "$bin" --threads 1 --format json "$1" 2>&1 >/dev/null \
        | sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' | tr -d ,
}
a1=$(allocs "$work/n.log")
a2=$(allocs "$work/2n.log")
echo "allocations: $n lines -> $a1, $((2 * n)) lines -> $a2"
awk -v a1="$a1" -v a2="$a2" -v n="$n" 'BEGIN { printf "allocations per additional line: %.4f\n", (a2 - a1) / n }'
# The same N lines twice: no new minute, route, upstream or client, so what
# remains is what a line itself costs.
cat "$work/n.log" "$work/n.log" > "$work/repeat.log"
a3=$(allocs "$work/repeat.log")
echo "allocations: the same $n lines twice -> $a3"
awk -v a1="$a1" -v a3="$a3" -v n="$n" 'BEGIN { printf "allocations per line itself (new keys excluded): %.4f\n", (a3 - a1) / n }'
