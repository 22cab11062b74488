"""The HAProxy variant of the incident: the nginx requests as HAProxy would log them.

`option httplog` (HAProxy 1.7+) behind a syslog header, as rsyslog writes
/var/log/haproxy.log. Each nginx record keeps its class; the termination state,
server and status say it the way HAProxy does (HAProxy configuration manual
section 8.5):

    origin_error          ----  the server's own 5xx
    upstream_unreachable  SC--  503 (HAProxy answers a refused connection with 503)
    upstream_timeout      sH--  504
    upstream_unavailable  SC--  503 from <NOSRV> (no server up)
    proxy_error           PR--  503 from <NOSRV> (http-request deny deny_status 503)
    client_closed         CH--  -1 (the client left while waiting for headers)
    retried_ok            ----  with the retry count `+N` (option redispatch)

The default httplog has no request ID, so none is written. The accept date is
the request's start (nginx logs its end) and carries no zone: read as UTC.
"""

import re
from datetime import timedelta

from .common import DAY, full_path, rfc3339, write
from .truth import nginx_class, summarise

HAPROXY_LOG = "haproxy/haproxy.log"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def accept_date(sec):
    t = DAY + timedelta(seconds=sec)
    return "%02d/%s/%04d:%02d:%02d:%02d.%03d" % (t.day, MONTHS[t.month - 1], t.year, t.hour, t.minute, t.second,
                                                 t.microsecond // 1000)


def syslog_time(sec):
    t = DAY + timedelta(seconds=int(sec))
    return "%s %2d %02d:%02d:%02d" % (MONTHS[t.month - 1], t.day, t.hour, t.minute, t.second)


def render(rec, n):
    cls = nginx_class(rec)
    att = rec["attempts"]
    server = att[-1]["addr"] if att else "<NOSRV>"
    status, state, retries = str(rec["status"]), "----", "0"
    ta = int(round(rec["rt"] * 1000))
    tr, tc = max(0, ta - 1), 0
    if cls == "upstream_unreachable":
        status, state, tc, tr = "503", "SC--", -1, -1
    elif cls == "upstream_timeout":
        status, state, tr = "504", "sH--", -1
    elif cls == "upstream_unavailable":
        server, status, state, tc, tr = "<NOSRV>", "503", "SC--", -1, -1
    elif cls == "proxy_error":
        server, status, state, tc, tr = "<NOSRV>", "503", "PR--", -1, -1
    elif cls == "client_closed":
        status, state, tr = "-1", "CH--", -1
    elif cls == "retried_ok":
        retries = "+%d" % (len(att) - 1)
    if rec["method"] is None:
        request = "<BADREQ>"
    else:
        request = "%s %s %s" % (rec["method"], rec["target"], rec["proto"])
    request = request.replace('"', "#22")
    start = rec["end"] - rec["rt"]
    port = 30000 + n % 30000
    return ('%s lb1 haproxy[2231]: %s:%d [%s] www~ app/%s 0/0/%d/%d/%d %s %d - - %s 12/12/3/1/%s 0/0 "%s"'
            % (syslog_time(rec["end"]), rec["ip"], port, accept_date(start), server, tc, tr, ta, status,
               rec["bytes"], state, retries, request))


def write_logs(records):
    """Writes haproxy/haproxy.log from the nginx records (the valid ones); returns its expected.json section."""
    lines = ["%s lb1 haproxy[2231]: Proxy www started." % syslog_time(records[0]["end"] - 5),
             "%s lb1 haproxy[2231]: Proxy app started." % syslog_time(records[0]["end"] - 5)]
    lines += [render(r, n) for n, r in enumerate(records)]
    write(HAPROXY_LOG, ("\n".join(lines) + "\n").encode("utf-8"))
    s = summarise(records, nginx_class, True)
    return dict(file="SampleLogs/" + HAPROXY_LOG, lines=len(lines), requests=len(records),
                other_lines=2, classes=s["classes"],
                server_errors=sum(n for c, n in s["classes"].items()
                                  if c not in ("client_closed", "retried_ok")),
                first_time=rfc3339(records[0]["end"]), last_time=rfc3339(records[-1]["end"]))


HAPROXY_RE = re.compile(r'^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d lb1 haproxy\[\d+\]: \S+ \[[^\]]+\] \S+ \S+/(\S+) '
                        r'\S+ (-1|\d{3}) \d+ - - (\S{4}) \S+/(\S+) \S+ "[^"]*"$')


def check(section):
    """Re-reads the file with a parser of its own: every record line parses, classes as the section says."""
    with open(full_path(HAPROXY_LOG), encoding="utf-8") as f:
        lines = f.read().split("\n")[:-1]
    assert len(lines) == section["lines"]
    classes = {c: 0 for c in section["classes"]}
    parsed = 0
    for line in lines:
        m = HAPROXY_RE.match(line)
        if not m:
            continue
        parsed += 1
        server, status, state, retries = m.groups()
        cls = None
        if state[0] == "C" and (status == "-1" or status.startswith("5")):
            cls = "client_closed"
        elif state[:2] == "SC" and server == "<NOSRV>":
            cls = "upstream_unavailable"
        elif state[:2] == "SC":
            cls = "upstream_unreachable"
        elif state[:2] == "sH":
            cls = "upstream_timeout"
        elif state[0] == "P" and status.startswith("5"):
            cls = "proxy_error"
        elif status.startswith("5"):
            cls = "origin_error"
        elif retries.startswith("+") and not status.startswith("5"):
            cls = "retried_ok"
        if cls:
            classes[cls] += 1
    assert parsed == section["requests"], (parsed, section["requests"])
    assert classes == section["classes"], (classes, section["classes"])
