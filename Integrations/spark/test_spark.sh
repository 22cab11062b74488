#!/usr/bin/env bash
# The Spark job's test (run by .ci/run): the sample nginx logs cut into several
# files under three host directories, run through triage_spark.py with
# --master local[2], and the report compared with one direct run over the same
# lines. Needs a built triage (TRIAGE, default .build/debug/triage) and Java 17.
#
# pyspark is installed with pip into a virtualenv; if that fails (no network,
# no PyPI mirror) the test says so on standard output and exits 0 as SKIPPED.
# Any other failure, a wrong report included, exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/../.."
TRIAGE=${TRIAGE:-$PWD/.build/debug/triage}
WORK=$(mktemp -d /tmp/triage-spark-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

skip() {
    echo "SKIPPED: Spark job test: pyspark could not be installed with pip ($1):"
    tail -3 "$WORK/pip.log" 2>/dev/null || true
    exit 0
}
PYTHON=${SPARK_TEST_PYTHON:-}
if [ -z "$PYTHON" ]; then
    if python3 -c 'import pyspark' 2>/dev/null; then
        PYTHON=python3
    else
        VENV=${SPARK_TEST_VENV:-/tmp/triage-spark-venv}
        if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV" >"$WORK/pip.log" 2>&1 || skip "no venv"; fi
        if ! "$VENV/bin/python" -c 'import pyspark' 2>/dev/null; then
            "$VENV/bin/pip" install -q pyspark >"$WORK/pip.log" 2>&1 || skip "pip install pyspark failed"
        fi
        PYTHON=$VENV/bin/python
    fi
fi
java -version 2>&1 | head -1

# The samples, oldest first, as one log; then cut into 7 files over 3 host directories.
{ gzip -dc SampleLogs/nginx/access.log.2.gz; cat SampleLogs/nginx/access.log.1 SampleLogs/nginx/access.log; } > "$WORK/whole.log"
mkdir -p "$WORK/logs/web-1" "$WORK/logs/web-2" "$WORK/logs/web-3"
split -n l/7 -d "$WORK/whole.log" "$WORK/part-"
i=0
for part in "$WORK"/part-*; do
    host=$((i % 3 + 1))
    if [ $((i % 2)) = 0 ]; then gzip -c "$part" > "$WORK/logs/web-$host/access-$i.log.gz"; else cp "$part" "$WORK/logs/web-$host/access-$i.log"; fi
    i=$((i + 1))
done

# Deploys: given to the direct run, and to the Spark job, which gives them to every partial run
# (so the latency around each deploy is exact, as in the direct run).
"$TRIAGE" --format json -q --deploys SampleLogs/deploys.txt "$WORK/whole.log" > "$WORK/direct.json"
SPARK_HOME=$("$PYTHON" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')
"$SPARK_HOME/bin/spark-submit" --master 'local[2]' --conf spark.ui.enabled=false \
    --conf spark.driver.extraJavaOptions=-Dlog4j2.level=warn \
    --files "$TRIAGE" Integrations/spark/triage_spark.py \
    --fan-in 2 --partitions 4 --deploys SampleLogs/deploys.txt --format json --output "$WORK/spark.json" "$WORK/logs/*/*" 2> "$WORK/spark.log" \
    || { tail -40 "$WORK/spark.log"; exit 1; }

python3 Integrations/spark/compare_reports.py "$WORK/direct.json" "$WORK/spark.json"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))["deploys"]; assert len(d) == 2 and all(x["before"]["requests"] and x["after"]["requests"] for x in d), d' "$WORK/spark.json"
echo "Spark job test: the report from local[2] (7 files, 3 hosts, merged in a tree, deploys given to the partial runs) equals the direct run"
