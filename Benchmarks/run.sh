#!/usr/bin/env bash
# Benchmark: triage against the usual command-line references on one large
# generated nginx log (plain and gzip). See Docs/Benchmarks.md.
#
#   Benchmarks/run.sh                      # ~1 GB input, 3 runs per command
#   BENCH_SIZE_MB=50 Benchmarks/run.sh     # quick small run
#
# Environment:
#   BENCH_SIZE_MB          input size in MB (10^6 bytes), default 1000
#   BENCH_RUNS             hyperfine runs per command, default 3 (plus 1 warmup)
#   BENCH_SLOW_CAP_SECONDS a slow reference (goaccess, lnav) whose estimated run
#                          on the full input exceeds this runs on a prefix and is
#                          scaled, default 180
#   BENCH_BUILD_RETRIES    swift build attempts, one minute apart, default 10
#   BENCH_IDLE_WAIT_SECONDS how long to wait for other work on the machine to
#                          finish before timing, default 300
#   BENCH_NO_DOCS=1        do not append the results to Docs/Benchmarks.md
#   BENCH_FORMAT_MB        size of the input's prefix rewritten in every other format
#                          for the `fmt:` rows (Benchmarks/convert_dialect.py), default 50
#   BENCH_TRIAGE           a triage binary already built (skips the release build)
#
# Writes: bench-data/ (inputs, gitignored), Benchmarks/runs/<date>-<host>.json
# (raw hyperfine JSON) and .md (hyperfine's markdown table), and appends a dated
# section to Docs/Benchmarks.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

SIZE_MB=${BENCH_SIZE_MB:-1000}
RUNS=${BENCH_RUNS:-3}
SLOW_CAP=${BENCH_SLOW_CAP_SECONDS:-180}
BUILD_RETRIES=${BENCH_BUILD_RETRIES:-10}
SCRATCH=.build-bench
TRIAGE=$SCRATCH/release/triage
DATA_DIR=bench-data
WORK=$DATA_DIR/work-${SIZE_MB}mb
MAWK_PROG='$9>=500{c[$9" "$7]++} END{for(k in c)print c[k],k}'
# The JSON reference: split each line at "status": and count the 5xx by status
# (no other field read; the issue's "status-split one-liner").
JSON_MAWK_PROG='{s=$2+0} s>=500{c[s]++} END{for(k in c)print c[k],k}'
JQ_PROG='select(.status>=500) | "\(.status) \(.request)"'

say() { printf '\n==> %s\n' "$*" >&2; }
die() { printf '\nBENCHMARK FAILED: %s\n' "$*" >&2; exit 1; }

# --- tools -------------------------------------------------------------------
for tool in swift python3 hyperfine mawk zcat goaccess; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done
[ -x /usr/bin/time ] && /usr/bin/time -v true 2>/dev/null \
    || die "GNU time is needed for peak RSS: apt-get install -y time"
HAVE_LNAV=0
if command -v lnav >/dev/null; then HAVE_LNAV=1; else say "lnav not installed: skipped (apt-get install -y lnav)"; fi
if command -v pigz >/dev/null; then GZIP_TOOL=pigz; else GZIP_TOOL=gzip; fi
HAVE_JQ=0
if command -v jq >/dev/null; then HAVE_JQ=1; else say "jq not installed: its JSON row is skipped (apt-get install -y jq)"; fi
HAVE_IGZIP=0
if command -v igzip >/dev/null; then HAVE_IGZIP=1; else say "igzip not installed: its row is skipped (apt-get install -y isal)"; fi

# --- build -------------------------------------------------------------------
if [ -n "${BENCH_TRIAGE:-}" ]; then
    TRIAGE=$BENCH_TRIAGE
    [ -x "$TRIAGE" ] || die "BENCH_TRIAGE=$TRIAGE is not an executable"
    say "using $TRIAGE (BENCH_TRIAGE)"
else
    say "building triage (release) into $SCRATCH"
    built=0
    for attempt in $(seq 1 "$BUILD_RETRIES"); do
        if swift build -c release --scratch-path "$SCRATCH" >&2; then built=1; break; fi
        [ "$attempt" -lt "$BUILD_RETRIES" ] && { say "build failed (attempt $attempt/$BUILD_RETRIES), retrying in 60 s"; sleep 60; }
    done
    [ "$built" = 1 ] && [ -x "$TRIAGE" ] || die "swift build failed $BUILD_RETRIES times"
fi
TRIAGE_VERSION=$("$TRIAGE" --version 2>/dev/null || echo unknown)
GIT_REV=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain -- Sources Package.swift 2>/dev/null)" ]; then GIT_REV="$GIT_REV + uncommitted changes in Sources/"; fi

# --- inputs ------------------------------------------------------------------
mkdir -p "$DATA_DIR" "$WORK" Benchmarks/runs
PLAIN=$DATA_DIR/access-upstream-${SIZE_MB}mb.log
GZ=$PLAIN.gz
STAMP=$PLAIN.stamp
want_stamp="$(sha256sum Benchmarks/generate_log.py | cut -c1-16) size=$SIZE_MB gzip=$GZIP_TOOL"
GEN_CMD="python3 Benchmarks/generate_log.py --size-mb $SIZE_MB --out $PLAIN --gzip"
if [ -f "$PLAIN" ] && [ -f "$GZ" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want_stamp" ]; then
    say "reusing $PLAIN and $GZ"
else
    say "generating $PLAIN ($SIZE_MB MB) and $GZ"
    rm -f "$PLAIN" "$GZ" "$STAMP" "$WORK"/*
    $GEN_CMD
    echo "$want_stamp" > "$STAMP"
fi
JSON=$DATA_DIR/access-json-${SIZE_MB}mb.log
JSON_GZ=$JSON.gz
JSON_STAMP=$JSON.stamp
JSON_GEN_CMD="python3 Benchmarks/generate_log.py --json --size-mb $SIZE_MB --out $JSON --gzip"
if [ -f "$JSON" ] && [ -f "$JSON_GZ" ] && [ -f "$JSON_STAMP" ] && [ "$(cat "$JSON_STAMP")" = "$want_stamp" ]; then
    say "reusing $JSON and $JSON_GZ"
else
    say "generating $JSON ($SIZE_MB MB, nginx escape=json) and $JSON_GZ"
    rm -f "$JSON" "$JSON_GZ" "$JSON_STAMP"
    $JSON_GEN_CMD
    echo "$want_stamp" > "$JSON_STAMP"
fi
JSON_BYTES=$(stat -c %s "$JSON")
JSON_LINES=$(wc -l < "$JSON")
PLAIN_BYTES=$(stat -c %s "$PLAIN")
GZ_BYTES=$(stat -c %s "$GZ")
LINES=$(wc -l < "$PLAIN")
say "input: $PLAIN_BYTES bytes, $LINES lines; gzip $GZ_BYTES bytes"

# --- correctness -------------------------------------------------------------
say "correctness: triage server_errors (plain, gz) vs mawk"
MAWK_5XX=$(mawk "$MAWK_PROG" "$PLAIN" | mawk '{s+=$1} END{print s+0}')

# Runs triage on $1 under GNU time; sets SE (server_errors), TL (lines),
# MAL (malformed lines), RSS_KB (peak RSS), WALL (seconds).
triage_check() {
    local input=$1 tag=$2 rc=0
    /usr/bin/time -v -o "$WORK/time-$tag.txt" "$TRIAGE" --format json "$input" > "$WORK/triage-$tag.json" \
        2> "$WORK/triage-$tag.stderr" || rc=$?
    if [ "$rc" != 0 ]; then
        cat "$WORK/triage-$tag.stderr" "$WORK/time-$tag.txt" >&2
        die "triage --format json $input exited with status $rc"
    fi
    read -r SE TL MAL < <(python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["totals"]
print(t["server_errors"], t["lines"], t["malformed_lines"])' "$WORK/triage-$tag.json") \
        || die "triage's JSON report for $input could not be read (see $WORK/triage-$tag.json)"
    RSS_KB=$(awk -F': ' '/Maximum resident set size/{print $2}' "$WORK/time-$tag.txt")
    WALL=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$WORK/time-$tag.txt")
}
triage_check "$PLAIN" plain; SE_PLAIN=$SE; TL_PLAIN=$TL; MAL_PLAIN=$MAL; RSS_PLAIN=$RSS_KB; WALL_PLAIN=$WALL
triage_check "$GZ" gz;       SE_GZ=$SE;    TL_GZ=$TL;    MAL_GZ=$MAL;    RSS_GZ=$RSS_KB;    WALL_GZ=$WALL
printf '  mawk 5xx lines:            %s\n' "$MAWK_5XX" >&2
printf '  triage plain server_errors %s  lines %s  malformed %s  peak RSS %s kB  (%s)\n' "$SE_PLAIN" "$TL_PLAIN" "$MAL_PLAIN" "$RSS_PLAIN" "$WALL_PLAIN" >&2
printf '  triage gz    server_errors %s  lines %s  malformed %s  peak RSS %s kB  (%s)\n' "$SE_GZ" "$TL_GZ" "$MAL_GZ" "$RSS_GZ" "$WALL_GZ" >&2
[ "$SE_PLAIN" = "$SE_GZ" ] || die "triage server_errors differ: plain $SE_PLAIN, gz $SE_GZ"
[ "$SE_PLAIN" = "$MAWK_5XX" ] || die "triage server_errors $SE_PLAIN != mawk's count of status>=500 lines $MAWK_5XX"
[ "$TL_PLAIN" = "$LINES" ] && [ "$TL_GZ" = "$LINES" ] || die "triage totals.lines (plain $TL_PLAIN, gz $TL_GZ) != wc -l $LINES"
[ "$MAL_PLAIN" = 0 ] && [ "$MAL_GZ" = 0 ] || say "WARNING: triage counted malformed lines (plain $MAL_PLAIN, gz $MAL_GZ) in generated data"
say "correctness OK: $SE_PLAIN server errors in $LINES lines"

say "correctness (JSON lines): triage server_errors (plain, gz) vs mawk"
JSON_MAWK_5XX=$(mawk -F'"status":' "$JSON_MAWK_PROG" "$JSON" | mawk '{s+=$1} END{print s+0}')
triage_check "$JSON" json;       SE_JSON=$SE;    TL_JSON=$TL;    RSS_JSON=$RSS_KB
triage_check "$JSON_GZ" json-gz; SE_JSON_GZ=$SE; TL_JSON_GZ=$TL; RSS_JSON_GZ=$RSS_KB
printf '  JSON: mawk 5xx %s; triage plain %s (peak RSS %s kB), gz %s (peak RSS %s kB); lines %s\n' \
    "$JSON_MAWK_5XX" "$SE_JSON" "$RSS_JSON" "$SE_JSON_GZ" "$RSS_JSON_GZ" "$JSON_LINES" >&2
[ "$SE_JSON" = "$SE_JSON_GZ" ] && [ "$SE_JSON" = "$JSON_MAWK_5XX" ] \
    || die "JSON: triage server_errors (plain $SE_JSON, gz $SE_JSON_GZ) != mawk's $JSON_MAWK_5XX"
[ "$TL_JSON" = "$JSON_LINES" ] && [ "$TL_JSON_GZ" = "$JSON_LINES" ] || die "JSON: triage totals.lines != wc -l $JSON_LINES"

# Every other format: the same requests (a prefix of the input) rewritten by
# Benchmarks/convert_dialect.py, one line per request, so `fmt:` rows compare
# formats per request (time ÷ the `fmt: nginx` row, the prefix itself) and per
# byte (GB/s). Each file must be read whole, with the prefix's 5xx count.
FORMAT_MB=${BENCH_FORMAT_MB:-50}
FORMAT_KINDS="kv apache haproxy haproxy-bare envoy istio alb elb heroku traefik logfmt tomcat nginx-json caddy envoy-json docker cri syslog"
FORMAT_DIR=$WORK/formats-${FORMAT_MB}mb
mkdir -p "$FORMAT_DIR"
FORMAT_LINES=$(( LINES * FORMAT_MB / SIZE_MB )); [ "$FORMAT_LINES" -lt 1 ] && FORMAT_LINES=1
[ -f "$FORMAT_DIR/nginx.log" ] || head -n "$FORMAT_LINES" "$PLAIN" > "$FORMAT_DIR/nginx.log"
FORMAT_BASE_BYTES=$(stat -c %s "$FORMAT_DIR/nginx.log")
FORMAT_BASE_LINES=$(wc -l < "$FORMAT_DIR/nginx.log")
say "formats: the first $FORMAT_BASE_LINES requests rewritten in $(echo $FORMAT_KINDS | wc -w) formats"
triage_check "$FORMAT_DIR/nginx.log" fmt-nginx; SE_FMT=$SE
for kind in $FORMAT_KINDS; do
    file=$FORMAT_DIR/$kind.log
    if [ ! -f "$file" ] || [ Benchmarks/convert_dialect.py -nt "$file" ]; then
        python3 Benchmarks/convert_dialect.py "$kind" "$FORMAT_DIR/nginx.log" "$file"
    fi
    triage_check "$file" "fmt-$kind"
    [ "$SE" = "$SE_FMT" ] && [ "$TL" = "$FORMAT_BASE_LINES" ] && [ "$MAL" = 0 ] \
        || die "$kind: triage server_errors $SE (nginx $SE_FMT), lines $TL (of $FORMAT_BASE_LINES), malformed $MAL"
done
say "formats OK: $SE_FMT server errors in every format"

# --- commands ----------------------------------------------------------------
# Each benchmarked command: name, command line, uncompressed bytes it reads,
# scale (full bytes / bytes read: >1 when run on a prefix), note.
NAMES=(); CMDS=(); BYTES=(); SCALES=(); NOTES=()
add() { NAMES+=("$1"); CMDS+=("$2"); BYTES+=("$3"); SCALES+=("$4"); NOTES+=("$5"); }

GOACCESS_ARGS="--no-global-config --no-progress --log-format='%h %^[%d:%t %^] \"%r\" %s %b \"%R\" \"%u\" %^' --date-format=%d/%b/%Y --time-format=%T -o $WORK/goaccess.json"
LNAV_SQL="';SELECT sc_status, cs_uri_stem, count(*) FROM access_log WHERE sc_status >= 500 GROUP BY 1, 2'"

# A prefix of the input holding $1 lines: sets PREFIX (plain) and PREFIX_GZ.
make_prefix() {
    PREFIX=$WORK/prefix-$1.log
    PREFIX_GZ=$PREFIX.gz
    [ -f "$PREFIX" ] || head -n "$1" "$PLAIN" > "$PREFIX"
    [ -f "$PREFIX_GZ" ] || $GZIP_TOOL -k -6 "$PREFIX"
}

# Slow references: estimate the full run from a timed run on a small prefix,
# times 3 (goaccess slows down as distinct URLs pile up: on the 1 GB input its
# linear estimate was 38 s, the real run 120 s); over the cap, benchmark a
# prefix sized for ~1/3 of the cap and scale its time linearly.
# $1 name, $2 command template ({} = input file), $3 plain|gz
add_slow() {
    local name=$1 tmpl=$2 kind=$3 probe_lines est pct n file t0 t1
    probe_lines=$(( LINES / 50 )); [ "$probe_lines" -lt 100000 ] && probe_lines=100000
    if [ "$probe_lines" -ge "$LINES" ]; then
        add "$name" "${tmpl//\{\}/$([ "$kind" = gz ] && echo "$GZ" || echo "$PLAIN")}" "$PLAIN_BYTES" 1 ""
        return
    fi
    make_prefix "$probe_lines"
    file=$PREFIX; [ "$kind" = gz ] && file=$PREFIX_GZ
    t0=$(date +%s.%N)
    sh -c "${tmpl//\{\}/$file}" > /dev/null 2>&1 || die "$name failed on $file: ${tmpl//\{\}/$file}"
    t1=$(date +%s.%N)
    est=$(python3 -c "print(round(3 * ($t1 - $t0) * $LINES / $probe_lines, 1))")
    if python3 -c "import sys; sys.exit(0 if $est <= $SLOW_CAP else 1)"; then
        say "$name: estimated ${est}s on the full input (cap ${SLOW_CAP}s): full input"
        file=$PLAIN; [ "$kind" = gz ] && file=$GZ
        add "$name" "${tmpl//\{\}/$file}" "$PLAIN_BYTES" 1 ""
    else
        pct=$(python3 -c "print(max(1, min(50, int(100 * $SLOW_CAP / 3 / $est))))")
        n=$(( LINES * pct / 100 ))
        make_prefix "$n"
        file=$PREFIX; [ "$kind" = gz ] && file=$PREFIX_GZ
        local pbytes; pbytes=$(stat -c %s "$PREFIX")
        say "$name: estimated ${est}s on the full input (cap ${SLOW_CAP}s): runs on the first $pct% ($n lines) and is scaled"
        add "$name" "${tmpl//\{\}/$file}" "$pbytes" \
            "$(python3 -c "print($PLAIN_BYTES / $pbytes)")" \
            "first $pct% of the input ($n lines, $pbytes bytes), time scaled ×$(python3 -c "print(round($PLAIN_BYTES / $pbytes, 2))")"
    fi
}

add "wc -l"          "wc -l $PLAIN > /dev/null"                          "$PLAIN_BYTES" 1 ""
add "mawk"           "mawk '$MAWK_PROG' $PLAIN > /dev/null"              "$PLAIN_BYTES" 1 ""
add "zcat | mawk"    "zcat $GZ | mawk '$MAWK_PROG' > /dev/null"          "$PLAIN_BYTES" 1 ""
add "zcat"           "zcat $GZ > /dev/null"                              "$PLAIN_BYTES" 1 ""
add "triage (plain)" "$TRIAGE --format json $PLAIN > /dev/null"          "$PLAIN_BYTES" 1 ""
add "triage (gz)"    "$TRIAGE --format json $GZ > /dev/null"             "$PLAIN_BYTES" 1 ""
# The gzip file on one parse thread (ISA-L still inflating on another): what reading it in parts gains.
add "triage --threads 1 (gz)" "$TRIAGE --threads 1 --format json $GZ > /dev/null" "$PLAIN_BYTES" 1 ""
[ "$HAVE_IGZIP" = 1 ] && add "igzip -dc" "igzip -dc $GZ > /dev/null"     "$PLAIN_BYTES" 1 ""
# JSON rows: compared with triage on the JSON file (report.py: names starting "json:").
# Scale = plain bytes / JSON bytes, so the "full" column is per the same
# amount of log data as the text rows' (GB/s stays per byte actually read).
JSON_SCALE=$(python3 -c "print($PLAIN_BYTES / $JSON_BYTES)")
add "json: mawk status-split"    "mawk -F'\"status\":' '$JSON_MAWK_PROG' $JSON > /dev/null"          "$JSON_BYTES" "$JSON_SCALE" ""
add "json: zcat | mawk"          "zcat $JSON_GZ | mawk -F'\"status\":' '$JSON_MAWK_PROG' > /dev/null" "$JSON_BYTES" "$JSON_SCALE" ""
add "json: triage (plain)"       "$TRIAGE --format json $JSON > /dev/null"                         "$JSON_BYTES" "$JSON_SCALE" ""
add "json: triage (gz)"          "$TRIAGE --format json $JSON_GZ > /dev/null"                      "$JSON_BYTES" "$JSON_SCALE" ""
if [ "$HAVE_JQ" = 1 ]; then
    # jq parses every value of every line: on a slice (1/20), its time scaled linearly.
    JQ_SLICE=$WORK/json-slice.log
    [ -f "$JQ_SLICE" ] || head -n $(( JSON_LINES / 20 + 1 )) "$JSON" > "$JQ_SLICE"
    JQ_BYTES=$(stat -c %s "$JQ_SLICE")
    add "json: jq (slice)" "jq -r '$JQ_PROG' $JQ_SLICE > /dev/null" "$JQ_BYTES" \
        "$(python3 -c "print($PLAIN_BYTES / $JQ_BYTES)")" \
        "first 1/20 of the JSON input ($JQ_BYTES bytes), time scaled ×$(python3 -c "print(round($PLAIN_BYTES / $JQ_BYTES, 2))") to the text input's size"
fi
# Per format: time scaled from the prefix's requests to the whole input's.
FORMAT_SCALE=$(python3 -c "print($LINES / $FORMAT_BASE_LINES)")
add "fmt: nginx" "$TRIAGE --format json $FORMAT_DIR/nginx.log > /dev/null" "$FORMAT_BASE_BYTES" "$FORMAT_SCALE" ""
for kind in $FORMAT_KINDS; do
    add "fmt: $kind" "$TRIAGE --format json $FORMAT_DIR/$kind.log > /dev/null" \
        "$(stat -c %s "$FORMAT_DIR/$kind.log")" "$FORMAT_SCALE" ""
done
say "probing the slow references"
add_slow "goaccess" "goaccess {} $GOACCESS_ARGS > /dev/null" plain
if [ "$HAVE_LNAV" = 1 ]; then
    add_slow "lnav (plain)" "lnav -n -c $LNAV_SQL {} > /dev/null" plain
    add_slow "lnav (gz)"    "lnav -n -c $LNAV_SQL {} > /dev/null" gz
fi

# --- hyperfine ---------------------------------------------------------------
# Other work on the machine skews the timings: wait (up to BENCH_IDLE_WAIT_SECONDS,
# default 300) until the CPUs are idle, and measure what else ran during the session.
cpu_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8}' /proc/stat; }
busy_pct() {  # percentage of all CPUs busy over 3 s
    local b0 t0 b1 t1
    read -r b0 t0 < <(cpu_ticks); sleep 3; read -r b1 t1 < <(cpu_ticks)
    echo $(( t1 > t0 ? 100 * (b1 - b0) / (t1 - t0) : 0 ))
}
IDLE_WAIT=${BENCH_IDLE_WAIT_SECONDS:-300}
waited=0
OTHER_CPU=$(busy_pct)
while [ "$OTHER_CPU" -gt 10 ] && [ "$waited" -lt "$IDLE_WAIT" ]; do
    say "the machine is ${OTHER_CPU}% busy with other work; waiting for it to go idle (${waited}/${IDLE_WAIT} s)"
    sleep 12; waited=$(( waited + 15 ))
    OTHER_CPU=$(busy_pct)
done
[ "$OTHER_CPU" -gt 10 ] && say "WARNING: still ${OTHER_CPU}% busy with other work; timings will be noisy"
STAMP_UTC=$(date -u +%Y-%m-%dT%H:%M:%SZ)
STEM=Benchmarks/runs/$(date -u +%Y-%m-%d-%H%M%S)-$(uname -n)
HF_ARGS=(--warmup 1 --runs "$RUNS" --export-json "$STEM.json" --export-markdown "$STEM.md")
for i in "${!NAMES[@]}"; do HF_ARGS+=(--command-name "${NAMES[$i]}" "${CMDS[$i]}"); done
say "hyperfine: ${#NAMES[@]} commands, warmup 1, runs $RUNS (CPU busy before: ${OTHER_CPU}%)"
read -r SESSION_BUSY0 _ < <(cpu_ticks); SESSION_T0=$(date +%s.%N)
hyperfine "${HF_ARGS[@]}" >&2 || die "hyperfine failed (a command exited non-zero?)"
read -r SESSION_BUSY1 _ < <(cpu_ticks); SESSION_T1=$(date +%s.%N)

# --- report ------------------------------------------------------------------
TABLE=$WORK/commands.tsv
: > "$TABLE"
for i in "${!NAMES[@]}"; do
    printf '%s\t%s\t%s\t%s\t%s\n' "${NAMES[$i]}" "${CMDS[$i]}" "${BYTES[$i]}" "${SCALES[$i]}" "${NOTES[$i]}" >> "$TABLE"
done
DOCS_ARG=(--docs Docs/Benchmarks.md)
[ "${BENCH_NO_DOCS:-0}" = 1 ] && DOCS_ARG=()
python3 Benchmarks/report.py \
    --hyperfine "$STEM.json" --commands "$TABLE" "${DOCS_ARG[@]}" \
    --meta date="$STAMP_UTC" \
    --meta uname="$(uname -srm)" \
    --meta nproc="$(nproc)" \
    --meta cpu="$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)" \
    --meta mem="$(awk '/^MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)" \
    --meta host="$(uname -n)" \
    --meta triage_version="$TRIAGE_VERSION" \
    --meta git_rev="$GIT_REV" \
    --meta swift="$(swift --version 2>&1 | head -1)" \
    --meta hyperfine="$(hyperfine --version)" \
    --meta tools="$(mawk -W version 2>&1 | head -1 | cut -d' ' -f1-2); $(goaccess --version | head -1 | sed 's/ - /\//; s/\.$//')$([ "$HAVE_LNAV" = 1 ] && echo "; $(lnav -V)")" \
    --meta runs="$RUNS" --meta busy_before="${OTHER_CPU}%" \
    --meta session_busy_ticks=$(( SESSION_BUSY1 - SESSION_BUSY0 )) --meta clk_tck="$(getconf CLK_TCK)" \
    --meta session_seconds="$(python3 -c "print($SESSION_T1 - $SESSION_T0)")" \
    --meta plain="$PLAIN" --meta plain_bytes="$PLAIN_BYTES" --meta lines="$LINES" \
    --meta gz="$GZ" --meta gz_bytes="$GZ_BYTES" --meta gzip_tool="$GZIP_TOOL -6" \
    --meta generate="$GEN_CMD" \
    --meta server_errors="$SE_PLAIN" \
    --meta rss_plain_kb="$RSS_PLAIN" --meta rss_gz_kb="$RSS_GZ" \
    --meta json="$JSON" --meta json_bytes="$JSON_BYTES" --meta json_lines="$JSON_LINES" \
    --meta json_server_errors="$SE_JSON" --meta json_generate="$JSON_GEN_CMD" \
    --meta rss_json_kb="$RSS_JSON" --meta rss_json_gz_kb="$RSS_JSON_GZ" \
    --meta formats="$FORMAT_DIR" --meta format_lines="$FORMAT_BASE_LINES" \
    --meta run_json="$STEM.json"
