#!/usr/bin/env bash
# Benchmark: what --error-log costs, in instructions (valgrind --tool=callgrind:
# repeatable whatever else the shared machine is doing). See Docs/Benchmarks.md.
#
#   Benchmarks/errorlog.sh                 # a 30 MB access log (~115,000 lines)
#   BENCH_SIZE_MB=10 Benchmarks/errorlog.sh
#
# Runs triage --threads 1 --format json on: the `combined` copy alone and with
# the error log; the `upstream` log alone and with the error log; and the error
# log with a one-line access log (the reader's cost per error line), against the
# one-line access log alone (start-up).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SIZE=${BENCH_SIZE_MB:-30}
SCRATCH=${BENCH_SCRATCH:-.build-bench}
TRIAGE=$SCRATCH/release/triage
DATA=bench-data/errorlog-$SIZE
for tool in swift python3 valgrind; do command -v "$tool" >/dev/null || { echo "$tool is not installed" >&2; exit 1; }; done
swift build -c release --scratch-path "$SCRATCH" >&2
mkdir -p "$DATA"
[ -f "$DATA/access.log" ] || python3 Benchmarks/generate_log.py --size-mb "$SIZE" --out "$DATA/access.log" >&2
[ -f "$DATA/error.log" ] || python3 Benchmarks/generate_error_log.py "$DATA/access.log" "$DATA" >&2
head -1 "$DATA/access.log" > "$DATA/one.log"

count() {  # instructions of one run
    local out
    out=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$TRIAGE" --threads 1 --format json -o "$out.json" "$@" 2>&1 \
        | sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'
    rm -f "$out" "$out.json"
}

LINES=$(wc -l < "$DATA/access.log")
ELINES=$(wc -l < "$DATA/error.log")
echo "access log: $LINES lines; error log: $ELINES lines ($(grep -c 'Connection refused\|timed out\|limiting requests' "$DATA/error.log") with a cause)"
printf '\n| run | instructions |\n| --- | ---: |\n'
for run in "one access line" "error log + one access line" "combined" "combined + error log" "upstream" "upstream + error log"; do
    case $run in
        "one access line") n=$(count "$DATA/one.log") ;;
        "combined") n=$(count "$DATA/combined.log") ;;
        "combined + error log") n=$(count "$DATA/combined.log" --error-log "$DATA/error.log") ;;
        "upstream") n=$(count "$DATA/access.log") ;;
        "upstream + error log") n=$(count "$DATA/access.log" --error-log "$DATA/error.log") ;;
        "error log + one access line") n=$(count "$DATA/one.log" --error-log "$DATA/error.log") ;;
    esac
    printf '| %s | %s |\n' "$run" "$n"
done
