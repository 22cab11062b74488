#!/usr/bin/env bash
# Instructions per byte and per record of each format against the nginx `upstream`
# preset, on the same generated traffic (valgrind --tool=callgrind, one thread,
# release build, the full terminal report). Instruction counts do not depend on the
# load of the shared machine.
#
#   Benchmarks/dialects.sh                  # 3 MB of nginx lines, converted
#   BENCH_SIZE_MB=10 Benchmarks/dialects.sh
#   BENCH_FORMATS="nginx haproxy logfmt" Benchmarks/dialects.sh   # some rows only
#   BENCH_BIN=.build/release/triage Benchmarks/dialects.sh         # a binary already built
#
# Every dialect file holds the same requests, one line each (Benchmarks/convert_dialect.py),
# so "÷ nginx per record" compares the same work and "÷ nginx per byte" the speed a
# user sees on a file of a given size. Also prints the format each file was detected
# as and its records, which must equal its lines. The "marginal" columns leave out
# start-up, detection and the report: the run on the first 1,000 lines is subtracted
# (what a large file sees).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SIZE_MB=${BENCH_SIZE_MB:-3}
WORK=bench-data/dialects-${SIZE_MB}mb
ALL="nginx kv apache haproxy haproxy-bare envoy istio alb elb heroku traefik logfmt tomcat nginx-json caddy envoy-json docker cri syslog"
FORMATS=${BENCH_FORMATS:-$ALL}
mkdir -p "$WORK"
command -v valgrind >/dev/null || { echo "valgrind is needed" >&2; exit 1; }
if [ -n "${BENCH_BIN:-}" ]; then
    TRIAGE=$BENCH_BIN
else
    swift build -c release >&2
    TRIAGE=.build/release/triage
fi
[ -f "$WORK/nginx.log" ] || python3 Benchmarks/generate_log.py --size-mb "$SIZE_MB" --out "$WORK/nginx.log" >&2
for kind in $FORMATS; do
    [ "$kind" = nginx ] && continue
    # Regenerated when the converter changes.
    if [ ! -f "$WORK/$kind.log" ] || [ Benchmarks/convert_dialect.py -nt "$WORK/$kind.log" ]; then
        python3 Benchmarks/convert_dialect.py "$kind" "$WORK/nginx.log" "$WORK/$kind.log"
    fi
done
count() { # instructions of one full report on $1 → stdout
    valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.$2" "$TRIAGE" --threads 1 "$1" \
        >/dev/null 2>"$WORK/callgrind.$2.err" || true
    grep -o 'Collected : [0-9]*' "$WORK/callgrind.$2.err" | grep -o '[0-9]*$'
}
HEAD_LINES=1000
for kind in $FORMATS; do
    [ -f "$WORK/$kind.head.log" ] && [ "$WORK/$kind.head.log" -nt "$WORK/$kind.log" ] \
        || head -n "$HEAD_LINES" "$WORK/$kind.log" > "$WORK/$kind.head.log"
done
[ -f "$WORK/nginx.head.log" ] || head -n "$HEAD_LINES" "$WORK/nginx.log" > "$WORK/nginx.head.log"
base=$(count "$WORK/nginx.log" nginx)
baseHead=$(count "$WORK/nginx.head.log" nginx.head)
printf '| format | detected as | bytes | lines | records | instructions | per byte | ÷ nginx per byte | per record | ÷ nginx per record | marginal per byte | ÷ nginx | marginal per record | ÷ nginx |\n'
printf '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
for kind in $FORMATS; do
    file="$WORK/$kind.log"
    if [ "$kind" = nginx ]; then
        ir=$base; irHead=$baseHead
    else
        ir=$(count "$file" "$kind"); irHead=$(count "$WORK/$kind.head.log" "$kind.head")
    fi
    "$TRIAGE" --threads 1 --format json "$file" > "$WORK/report.$kind.json"
    python3 - "$WORK/report.$kind.json" "$kind" \
        "$ir" "$(stat -c %s "$file")" "$(wc -l < "$file")" \
        "$irHead" "$(stat -c %s "$WORK/$kind.head.log")" "$HEAD_LINES" \
        "$base" "$(stat -c %s "$WORK/nginx.log")" "$(wc -l < "$WORK/nginx.log")" \
        "$baseHead" "$(stat -c %s "$WORK/nginx.head.log")" <<'PY'
import json, sys
path, kind = sys.argv[1:3]
ir, b, lines, irh, bh, hl, base, bb, bl, baseh, bbh = map(int, sys.argv[3:14])
i = json.load(open(path))["inputs"][0]
mb, mbase = (ir - irh) / (b - bh), (base - baseh) / (bb - bbh)
mr, mrbase = (ir - irh) / (lines - hl), (base - baseh) / (bl - hl)
print("| %s | `%s` | %d | %d | %d | %d | %.1f | %.2f | %d | %.2f | %.1f | %.2f | %d | %.2f |" % (
      kind, i["format"], b, lines, i["records"], ir, ir / b, (ir / b) / (base / bb), ir / lines,
      (ir / lines) / (base / bl), mb, mb / mbase, mr, mr / mrbase))
PY
done
