"""The Apache access log: the partner-facing reverse proxy, status only.

Renders the story's Apache records (a line is written when the request
completes, `%t` is when it started), with a proxy error line and one cut
line among them, and re-parses the file at the end.
"""

import re

from .common import clf_time, full_path, hms, rfc3339, write
from .truth import by_hour, deploy_summary, parse_check, phase_summary, status_only_class, summarise

APACHE_FILE = "apache/access_log"


def apache_escape(s):
    """Apache ap_escape_logitem: `"` -> \\", `\\` -> \\\\, other non-printables -> \\xhh."""
    out = []
    for b in s.encode("utf-8"):
        if b == 0x22:
            out.append('\\"')
        elif b == 0x5C:
            out.append("\\\\")
        elif b < 0x20 or b >= 0x7F:
            out.append("\\x%02x" % b)
        else:
            out.append(chr(b))
    return "".join(out)


def render_apache(rec):
    if rec["method"] is None:
        req = rec["request_raw"]
    else:
        req = apache_escape("%s %s %s" % (rec["method"], rec["target"], rec["proto"]))
    return '%s - %s [%s] "%s" %d %s "%s" "%s" %d %s' % (
        rec["ip"], apache_escape(rec["user"]), clf_time(rec["start"]), req, rec["status"],
        str(rec["bytes"]) if rec["bytes"] else "-", apache_escape(rec["referer"]), apache_escape(rec["ua"]),
        rec["us"], rec["rid"])


AP_Q = r'((?:[^"\\]|\\"|\\\\|\\x[0-9a-f]{2})*)'
APACHE_RE = re.compile(
    r'^(\S+) - (\S+) \[(\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000)\] "' + AP_Q + r'" (\d{3}) (\d+|-) "' + AP_Q
    + r'" "' + AP_Q + r'" (\d+) (\S+)$')


def apache_class(r):
    return status_only_class(r["status"])


def write_logs(arecs):
    """Writes the Apache file from the story's records; returns the records that
    are still valid log lines and the `apache` section of expected.json."""
    for r in arecs:
        r["logged"] = r["start"]
    victim = next(r for r in arecs if r["start"] >= hms(10, 41) and r["tag"] is None and r["status"] == 200
                  and len(r["ua"]) > 40)
    alines = []
    err_done = False
    for r in arecs:
        if not err_done and r["start"] >= hms(11, 16, 2):
            alines.append(("[Fri Nov 20 11:16:02.481933 2026] [proxy:error] [pid 2817:tid 140231] (111)Connection "
                           "refused: AH00957: http: attempt to connect to 10.0.1.12:8080 (10.0.1.12:8080) failed",
                           None, "error_log_line"))
            err_done = True
        if r is victim:
            line = render_apache(r)
            ua = apache_escape(r["ua"])
            cut = line.rindex('" ') - len(ua) + len(ua) // 2
            alines.append((line[:cut], None, "cut_in_user_agent"))
        else:
            alines.append((render_apache(r), r, None))
    arecs = [r for r in arecs if r is not victim]
    atexts = [t for t, _, _ in alines]
    write(APACHE_FILE, ("\n".join(atexts) + "\n").encode("utf-8"))
    amal = [{"file": "SampleLogs/" + APACHE_FILE, "line": n, "kind": kind} for n, (_, r, kind) in enumerate(alines, 1) if r is None]

    asum = summarise(arecs, apache_class, False)
    out_of_order = sum(1 for x, y in zip(arecs, arecs[1:]) if int(y["start"]) < int(x["start"]))
    return arecs, dict(
        file="SampleLogs/" + APACHE_FILE,
        lines=len(atexts),
        blank=0,
        malformed=len(amal),
        **asum,
        first_time=rfc3339(min(r["start"] for r in arecs)), last_time=rfc3339(max(r["start"] for r in arecs)),
        status_only=True,
        lines_with_time_before_previous_line=out_of_order,
        deploy=deploy_summary(arecs, apache_class),
        phases=phase_summary(arecs, apache_class),
        requests_by_hour=by_hour(arecs),
        malformed_lines=amal,
    )


def check(section):
    """Re-reads the written file with a parser of its own and compares it with `section`."""
    with open(full_path(APACHE_FILE), encoding="utf-8") as f:
        als = f.read().split("\n")[:-1]
    ok, bad, st = parse_check(als, APACHE_RE, 5)
    assert ok == section["requests"] and bad == [m["line"] for m in section["malformed_lines"]], (ok, bad)
    assert {str(k): v for k, v in sorted(st.items())} == section["status_counts"]
