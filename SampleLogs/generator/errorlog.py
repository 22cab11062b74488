"""nginx's error.log for the same incident, and the same requests in plain `combined`.

Most nginx installations log `combined`: no upstream fields, so the access log
alone classifies each 5xx by its status. The server's error.log holds the
missing facts, one line per failure, in nginx's own words
(`ngx_http_upstream_next`, `ngx_http_limit_req_module`):

    refused_post_502, refused_retried  connect() failed (111: Connection refused) while connecting to upstream
    stall_504                          upstream timed out (110: Connection timed out) while reading response header
    stall_499                          [info] epoll_wait() reported that client prematurely closed connection
    limit_req_503                      limiting requests, excess: N by zone "search"

plus a few lines that explain no request (a reload, a buffered response).
The pool has `max_fails=0` (README, realism notes), so nginx never writes
"upstream server temporarily disabled" here.
Origin 500s and the restart's 503s were answered by the application: nginx
logs nothing for them. The writer renders the story's records and draws only
from a random stream of its own. `nginx-combined/access.log` holds the valid
nginx records as `combined` (one gzip member); with the error log given, triage reaches the same
classes as from the `upstream` log (expected.json `nginx_error_log`).
"""

import re

import gzip
from datetime import timedelta

from .common import DAY, R, clf_time, full_path, gzip_member, write
from .nginx import nginx_escape
from .story import BAD_SERVER, END, LIMIT, START
from .truth import nginx_class, status_only_class

ERROR_LOG = "nginx/error.log"
COMBINED_LOG = "nginx-combined/access.log.gz"
SERVER = "shop.example.com"


def error_time(sec):
    """nginx's error-log time: local (here UTC), no zone, `2026/11/20 13:30:01`."""
    t = clf_time(sec)          # 20/Nov/2026:13:30:01 +0000
    return "2026/11/20 %s" % t[12:20]


def request_fields(rec, upstream=True):
    """`, client: …, server: …, request: "…", upstream: "…", host: "…"` as ngx_http_log_error writes them.
    The request line is the raw one (nginx does not escape it in the error log)."""
    out = ', client: %s, server: %s, request: "%s %s %s"' % (rec["ip"], SERVER, rec["method"], rec["target"], rec["proto"])
    if upstream and rec["attempts"]:
        out += ', upstream: "http://%s%s"' % (rec["attempts"][0]["addr"], rec["target"])
    return out + ', host: "%s"' % SERVER


def render_combined(rec):
    req = rec["request_raw"] if rec["method"] is None else nginx_escape("%s %s %s" % (rec["method"], rec["target"], rec["proto"]))
    return '%s - %s [%s] "%s" %d %d "%s" "%s"' % (
        rec["ip"], nginx_escape(rec["user"]), clf_time(rec["end"]), req, rec["status"], rec["bytes"],
        nginx_escape(rec["referer"]), nginx_escape(rec["ua"]))


def error_lines(records):
    """The error log's lines in time order: (time, text, cause or None)."""
    rng = R("nginx-error-log")
    conn = [880000]
    lines = []

    def entry(t, level, message, cause):
        conn[0] += rng.randint(1, 40)
        lines.append((t, "%s [%s] 2231#2231: *%d %s" % (error_time(t), level, conn[0], message), cause))

    lines.append((START + 3.5, "%s [notice] 1#1: signal 1 (SIGHUP) received from 2412, reconfiguring" % error_time(START + 3.5), None))
    for r in records:
        tag = r["tag"]
        if tag in ("refused_post_502", "refused_retried"):
            t = r["start"]
            fields = ', client: %s, server: %s, request: "%s %s %s", upstream: "http://%s%s", host: "%s"' % (
                r["ip"], SERVER, r["method"], r["target"], r["proto"], BAD_SERVER, r["target"], SERVER)
            entry(t, "error", "connect() failed (111: Connection refused) while connecting to upstream" + fields,
                  "connection_refused")
        elif tag == "stall_504":
            t = r["start"] + 60.0
            entry(t, "error", "upstream timed out (110: Connection timed out) while reading response header from upstream"
                  + request_fields(r), "timeout_reading_response_header")
        elif tag == "stall_499":
            entry(r["end"], "info", "epoll_wait() reported that client prematurely closed connection, so upstream "
                  "connection is closed too while reading response header from upstream" + request_fields(r), None)
        elif tag == "limit_req_503":
            excess = 5.0 + rng.uniform(0.0, 0.999)
            entry(r["start"], "error", 'limiting requests, excess: %.3f by zone "search"' % excess
                  + request_fields(r, upstream=False), "rate_limited")
    # A line about a request that did not fail: context only.
    lines.append((LIMIT[0] - 600.0, "%s [warn] 2231#2231: *%d an upstream response is buffered to a temporary file "
                  "/var/cache/nginx/proxy_temp/7/31/0000009317 while reading upstream, client: 203.0.113.41, server: %s, "
                  "request: \"GET /api/search?q=boots HTTP/2.0\", upstream: \"http://10.0.1.11:8080/api/search?q=boots\", "
                  "host: \"%s\"" % (error_time(LIMIT[0] - 600.0), 880001, SERVER, SERVER), None))
    lines.sort(key=lambda x: x[0])
    return lines


def write_logs(records):
    """Writes nginx/error.log and nginx-combined/access.log from the valid nginx records;
    returns the `nginx_error_log` section of expected.json."""
    lines = error_lines(records)
    write(ERROR_LOG, ("\n".join(text for _, text, _ in lines) + "\n").encode("utf-8"))
    combined = [render_combined(r) for r in records]
    mtime = int((DAY + timedelta(seconds=END)).timestamp())
    write(COMBINED_LOG, gzip_member(("\n".join(combined) + "\n").encode("utf-8"), mtime, "access.log"))

    causes = {}
    for _, _, cause in lines:
        if cause:
            causes[cause] = causes.get(cause, 0) + 1
    levels = {}
    for _, text, _ in lines:
        level = text[21:text.index("]", 21)]
        levels[level] = levels.get(level, 0) + 1
    status_only = {}
    for r in records:
        c = status_only_class(r["status"])
        if c:
            status_only[c] = status_only.get(c, 0) + 1
    truth = {}
    for r in records:
        c = nginx_class(r)
        if c:
            truth[c] = truth.get(c, 0) + 1
    explained = sum(1 for r in records if r["tag"] in ("refused_post_502", "stall_504", "limit_req_503"))
    return {
        "file": "SampleLogs/" + ERROR_LOG,
        "lines": len(lines),
        "levels": dict(sorted(levels.items())),
        "causes": dict(sorted(causes.items())),
        "combined_file": "SampleLogs/" + COMBINED_LOG,
        "combined_lines": len(combined),
        "combined_status_only_classes": dict(sorted(status_only.items())),
        # With the error log, the combined log reaches the classes of the `upstream` log (nginx.classes).
        "combined_with_error_log_classes": dict(sorted(truth.items())),
        "explained_server_errors": explained,
        "explained_retried": sum(1 for r in records if r["tag"] == "refused_retried"),
    }


ERROR_RE = re.compile(r'^2026/11/20 \d\d:\d\d:\d\d \[(error|warn|notice|info)\] \d+#\d+: (\*\d+ )?.+$')


def check(section, records):
    """Re-reads both files and compares them with `section`."""
    with open(full_path(ERROR_LOG), encoding="utf-8") as f:
        lines = f.read().split("\n")
    assert lines[-1] == ""
    lines.pop()
    assert len(lines) == section["lines"]
    assert all(ERROR_RE.match(l) for l in lines), [l for l in lines if not ERROR_RE.match(l)][:3]
    times = [l[:19] for l in lines]
    assert times == sorted(times)
    with open(full_path(COMBINED_LOG), "rb") as f:
        combined = gzip.decompress(f.read()).decode("utf-8").split("\n")
    assert combined.pop() == ""
    assert len(combined) == section["combined_lines"] == len(records)
    assert sum(section["combined_with_error_log_classes"].values()) >= sum(section["combined_status_only_classes"].values())
