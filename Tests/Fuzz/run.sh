#!/usr/bin/env bash
# Builds the fuzz targets with libFuzzer and ASan and runs each for SECONDS
# (default 30). Corpora live in Tests/Fuzz/corpus/<target> (kept out of git),
# seeded from SampleLogs on every run; crashes are written to
# Tests/Fuzz/artifacts/<target>/ and make the script fail.
#
#   Tests/Fuzz/run.sh 30            every target for 30 s (what .ci/run does)
#   Tests/Fuzz/run.sh 600 FuzzGzip  one target for 10 minutes
#   FUZZ_SEED=1 Tests/Fuzz/run.sh 30  a fixed libFuzzer seed (CI), so a crash reproduces
#   FUZZ_RUNS=10000000 FUZZ_PARALLEL=1 Tests/Fuzz/run.sh 7200
#                                     the long campaign: every target at once, each
#                                     stopping at 10 M executions or after SECONDS
#   FUZZ_RENDER_EVERY=1 ...           render every access-log input's reports (default:
#                                     one input in 8, picked by a hash of its bytes)
set -uo pipefail
cd "$(dirname "$0")"
seconds=${1:-30}
shift || true
all=(FuzzAccessLog FuzzJSONLines FuzzGzip FuzzAppLog FuzzFormatSpec FuzzTimeSpec)
targets=("${@:-${all[@]}}")
[ $# -eq 0 ] && targets=("${all[@]}")
root=$(cd ../.. && pwd)

# Swift's backtracer would catch the fault before ASan and libFuzzer see it.
export SWIFT_BACKTRACE=enable=no
# malloc_context_size=0: ASan records no stack per allocation. Reports still show
# where the bad access happened (not where the memory was allocated; rerun the
# input with ASAN_OPTIONS=malloc_context_size=30 for that), and the targets run
# faster (FuzzAccessLog 220 -> 265 inputs a second, tiny inputs 406 -> 538): they
# allocate a lot per input (format detection builds every preset's parser), and
# ASan unwound the stack for each allocation.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1:symbolize=1:malloc_context_size=0}

# The configuration that ships (release, with TriageCore's flags from Package.swift),
# plus coverage and ASan for every module.
swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld >/tmp/triage-fuzz-build.log 2>&1 || {
    cat /tmp/triage-fuzz-build.log; echo "fuzz: build failed" >&2; exit 1; }
bin=$(swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld --show-bin-path)

# Seeds: pieces of the sample logs, never the shared corpus (it stays outside the repo).
seed() {
    local target=$1 dir=corpus/$1
    mkdir -p "$dir" "artifacts/$target"
    case $target in
    FuzzAccessLog)
        for f in "$root"/SampleLogs/nginx/access.log "$root"/SampleLogs/apache/access_log; do
            [ -f "$f" ] && head -c 3000 "$f" > "$dir/seed-$(basename "$f")"
        done
        printf 'a - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 502 0 "-" "-"\r' > "$dir/seed-cr"
        ;;
    FuzzJSONLines)
        printf '{"time":"2026-11-21T10:00:00Z","status":502,"request":{"uri":"/a","method":"GET"},"duration":0.1}\n' > "$dir/seed-json"
        printf '{"level":"info","ts":1795255200.1,"request":{"method":"GET","uri":"/x","headers":{"X-Request-Id":["ab12cd34ef"]}},"status":500,"duration":0.02}\n' > "$dir/seed-caddy"
        printf '{"StartUTC":"2026-11-21T10:00:00Z","DownstreamStatus":502,"OriginStatus":0,"RequestPath":"/a","RequestMethod":"GET","Duration":1000}\n' > "$dir/seed-traefik"
        ;;
    FuzzGzip)
        for f in "$root"/SampleLogs/nginx/access.log; do
            [ -f "$f" ] && head -c 2000 "$f" | gzip -c > "$dir/seed-gz"
            [ -f "$f" ] && { head -c 500 "$f" | gzip -c; head -c 300 "$f" | gzip -c; } > "$dir/seed-multi"
        done
        ;;
    FuzzAppLog)
        for f in $(find "$root/SampleLogs" -name '*app*' -o -name '*.rails*' -o -name '*payments*' 2>/dev/null | grep -v '\.py$' | head -4); do
            [ -f "$f" ] && head -c 4000 "$f" > "$dir/seed-$(basename "$f")"
        done
        printf 'E, [2026-11-21T10:00:00.1 #1] ERROR -- : [0f3c2a1e-8b7d-4c6a-9e21-3f4b5c6d7e8f] NoMethodError (undefined method `x'"'"' for nil):\n  app/models/a.rb:12:in `b'"'"'\n' > "$dir/seed-rails"
        printf '2026-11-21 10:00:00 ERROR request_id=abc123def panic: runtime error\n\ngoroutine 1 [running]:\nmain.f()\n\t/app/main.go:12 +0x1\n' > "$dir/seed-go"
        ;;
    FuzzFormatSpec)
        printf '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $upstream_status $request_time\n1.2.3.4 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 502 0 "-" "-" 502, 504 0.100\n' > "$dir/seed-nginx"
        printf '%%h %%l %%u %%t "%%r" %%>s %%b %%D %%{X-Request-ID}i %%{%%d/%%b/%%Y:%%T %%z}t\n1.2.3.4 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 500 5 12 abc 21/Nov/2026:10:00:00 +0000\n' > "$dir/seed-apache"
        printf "http { log_format main escape=json '{\"s\":\"\$status\",\"t\":\"\$time_iso8601\"}'; }\n{\"s\":\"502\",\"t\":\"2026-11-21T10:00:00+00:00\"}\n" > "$dir/seed-conf"
        printf 'status=resp.code\n{"resp":{"code":503},"time":"2026-11-21T10:00:00Z"}\n' > "$dir/seed-field"
        ;;
    FuzzTimeSpec)
        printf '%%d/%%b/%%Y:%%H:%%M:%%S %%z\n21/Nov/2026:10:00:00 +0100\n2026-11-21T10:00:00.123+02:00\n1795255200123\nnow-1h30m\n2h\n29/Feb/2024:00:00:00 +0000\n' > "$dir/seed-times"
        printf '%%s\n9223372036854775807\n%%Y-%%m-%%dT%%T\n2026-02-30T00:00:00\n' > "$dir/seed-epoch"
        ;;
    esac
}

run() {
    local target=$1 max_len=16384
    [ "$target" = FuzzGzip ] && max_len=65536
    "$bin/$target" "corpus/$target" -seed="${FUZZ_SEED:-0}" -max_total_time="$seconds" -max_len="$max_len" -timeout=20 \
        -runs="${FUZZ_RUNS:--1}" -rss_limit_mb=3072 -print_final_stats=1 -artifact_prefix="artifacts/$target/" \
        >"artifacts/$target.log" 2>&1
}

report() {
    local target=$1 status=$2
    echo "fuzz: $target: $(grep -E "^(stat::|#[0-9]+ +DONE)" "artifacts/$target.log" | tr '\n' ' ')"
    if [ "$status" -ne 0 ]; then
        failed+=("$target")
        echo "fuzz: $target FAILED (exit $status); the input is in Tests/Fuzz/artifacts/$target/:" >&2
        grep -E "ERROR|Fatal error|Precondition|failed" "artifacts/$target.log" | head -5 >&2
    fi
}

failed=()
for target in "${targets[@]}"; do seed "$target"; done
if [ -n "${FUZZ_PARALLEL:-}" ]; then
    # Every target at once: on a shared machine they get more of it together than in turn.
    echo "fuzz: ${targets[*]} at once, for ${seconds}s each at most"
    pids=()
    for target in "${targets[@]}"; do run "$target" & pids+=($!); done
    for i in "${!targets[@]}"; do wait "${pids[$i]}"; report "${targets[$i]}" $?; done
else
    for target in "${targets[@]}"; do
        echo "fuzz: $target for ${seconds}s"
        run "$target"
        report "$target" $?
    done
fi
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: crashes in ${failed[*]}" >&2
    exit 1
fi
echo "fuzz: no crash in ${targets[*]}"
