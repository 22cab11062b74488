#!/usr/bin/env bash
# Instructions per byte of a log whose fields after `combined` are read as an inferred
# tail, against the same requests in the `upstream` preset (Docs/Benchmarks.md, "Tails").
#
# Counts instructions with valgrind's callgrind (repeatable whatever else runs on the
# machine), one thread, release build. The kv log holds the benchmark log's requests with
# the upstream fields as key=value pairs of other names and order, unquoted (as
# SampleLogs/nginx-kv writes them); the Apache log holds them as combined + %D + a UUID.
#
#   Benchmarks/tail_callgrind.sh            # 5 MB of log (about 19,000 lines)
#   BENCH_SIZE_MB=10 Benchmarks/tail_callgrind.sh
set -euo pipefail
cd "$(dirname "$0")/.."
size="${BENCH_SIZE_MB:-5}"
dir="bench-data/tail"
mkdir -p "$dir"
swift build -c release --scratch-path .build-bench --product triage >/dev/null
bin=".build-bench/release/triage"
python3 Benchmarks/generate_log.py --size-mb "$size" --out "$dir/upstream.log" >/dev/null
python3 - "$dir" <<'PY'
import re, sys, uuid
d = sys.argv[1]
tail = re.compile(r' rt=(\S+) uct="([^"]*)" uht="([^"]*)" urt="([^"]*)" us="([^"]*)" ua="([^"]*)" rid=(\S+)$')
with open(d + "/upstream.log") as src, open(d + "/kv.log", "w") as kv, open(d + "/apache.log", "w") as ap:
    for n, line in enumerate(src):
        line = line.rstrip("\n")
        m = tail.search(line)
        head = line[:m.start()]
        rt, uct, uht, urt, us, ua, rid = m.groups()
        kv.write("%s request_id=%s request_time=%s upstream_status=%s upstream_addr=%s upstream_connect_time=%s "
                 "upstream_header_time=%s upstream_response_time=%s\n" % (head, rid, rt, us, ua, uct, uht, urt))
        ap.write("%s %d %s\n" % (head, int(float(rt) * 1e6), uuid.UUID(int=n * 7919 + 1)))
PY
printf '| log | format detected | bytes | lines | instructions | per byte | vs upstream | per line | vs upstream |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
base=""
baseLine=""
for name in upstream kv apache; do
    file="$dir/$name.log"
    format=$("$bin" --threads 1 --format json "$file" | python3 -c 'import json,sys; print(json.load(sys.stdin)["inputs"][0]["format"])')
    valgrind --tool=callgrind --callgrind-out-file="$dir/$name.cg" "$bin" --threads 1 --format json "$file" >/dev/null 2>"$dir/$name.vg"
    ir=$(grep -o 'Collected : [0-9]*' "$dir/$name.vg" | grep -o '[0-9]*$')
    bytes=$(wc -c <"$file"); lines=$(wc -l <"$file")
    per=$(python3 -c "print('%.1f' % ($ir / $bytes))")
    [ -z "$base" ] && base="$per"
    ratio=$(python3 -c "print('%.2f×' % ($per / $base))")
    perLine=$(python3 -c "print(round($ir / $lines))")
    [ -z "$baseLine" ] && baseLine="$perLine"
    lineRatio=$(python3 -c "print('%.2f×' % ($perLine / $baseLine))")
    printf '| %s | `%s` | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$format" "$bytes" "$lines" "$ir" "$per" "$ratio" "$perLine" "$lineRatio"
done
