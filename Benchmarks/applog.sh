#!/usr/bin/env bash
# Benchmark: joining 5xx to a large application log by request ID.
# triage --app-log against the mawk join a person would write (5xx IDs from
# the access log, then FATAL lines whose tag is one of them). See Docs/Benchmarks.md.
#
#   Benchmarks/applog.sh                  # 3,000,000 requests: ~1.1 GB app log, 62 MB access log
#   BENCH_REQUESTS=300000 Benchmarks/applog.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
REQUESTS=${BENCH_REQUESTS:-3000000}
RUNS=${BENCH_RUNS:-3}
SCRATCH=.build-bench
TRIAGE=$SCRATCH/release/triage
DATA=bench-data/applog-$REQUESTS
for tool in swift python3 hyperfine mawk; do command -v "$tool" >/dev/null || { echo "$tool is not installed" >&2; exit 1; }; done
swift build -c release --scratch-path "$SCRATCH" >&2
[ -f "$DATA/app.log" ] || python3 Benchmarks/generate_app_log.py "$DATA" "$REQUESTS"
ls -l "$DATA" >&2

# The reference: the same join in mawk (IDs lower-cased, dashes dropped), counting matched FATAL lines.
cat > "$DATA/join.awk" <<'AWK'
NR == FNR { if ($9 >= 500) { id = $NF; sub(/^rid=/, "", id); ids[id] = 1 } next }
/ FATAL / { if (match($0, /\[[0-9a-fA-F-]+\]/)) { t = tolower(substr($0, RSTART + 1, RLENGTH - 2)); gsub(/-/, "", t); if (t in ids) n++ } }
END { print n }
AWK

STAMP=$(date -u +%Y-%m-%dT%H%MZ)
OUT=Benchmarks/runs/$STAMP-$(hostname)-applog
hyperfine --warmup 1 --runs "$RUNS" --export-json "$OUT.json" --export-markdown "$OUT.md" \
    -n "triage --app-log" "$TRIAGE $DATA/access.log --app-log $DATA/app.log --format json -o /dev/null" \
    -n "mawk join" "mawk -f $DATA/join.awk $DATA/access.log $DATA/app.log"
/usr/bin/time -v "$TRIAGE" "$DATA/access.log" --app-log "$DATA/app.log" --format json -o /dev/null 2>"$OUT.time" || true
grep -E "Maximum resident" "$OUT.time" >&2
echo "results: $OUT.md" >&2
