#!/usr/bin/env bash
# Instructions per byte of each proxy dialect against the nginx `upstream` preset,
# on the same generated traffic (valgrind --tool=callgrind, one thread, release
# build). Instruction counts do not depend on the load of the shared machine.
#
#   Benchmarks/dialects.sh                  # 3 MB of nginx lines, converted
#   BENCH_SIZE_MB=10 Benchmarks/dialects.sh
#
# Prints one row per format: bytes, instructions, instructions per byte, ratio to nginx.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SIZE_MB=${BENCH_SIZE_MB:-3}
WORK=bench-data/dialects-${SIZE_MB}mb
mkdir -p "$WORK"
command -v valgrind >/dev/null || { echo "valgrind is needed" >&2; exit 1; }
swift build -c release >&2
TRIAGE=.build/release/triage
[ -f "$WORK/nginx.log" ] || python3 Benchmarks/generate_log.py --size-mb "$SIZE_MB" --out "$WORK/nginx.log" >&2
for kind in haproxy envoy istio alb; do
    [ -f "$WORK/$kind.log" ] || python3 Benchmarks/convert_dialect.py "$kind" "$WORK/nginx.log" "$WORK/$kind.log"
done
base=""
printf '| format | bytes | lines | instructions | per byte | ÷ nginx |\n| --- | ---: | ---: | ---: | ---: | ---: |\n'
for kind in nginx haproxy envoy istio alb; do
    file="$WORK/$kind.log"
    valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.$kind" "$TRIAGE" --threads 1 "$file" \
        >/dev/null 2>"$WORK/callgrind.$kind.err" || true
    ir=$(grep -o 'Collected : [0-9]*' "$WORK/callgrind.$kind.err" | grep -o '[0-9]*$')
    bytes=$(stat -c %s "$file")
    lines=$(wc -l < "$file")
    [ -z "$base" ] && base=$(python3 -c "print($ir / $bytes)")
    python3 -c "
ir, b, base = $ir, $bytes, $base
print('| %s | %d | %d | %d | %.1f | %.2f |' % ('$kind', b, $lines, ir, ir / b, (ir / b) / base))"
done
