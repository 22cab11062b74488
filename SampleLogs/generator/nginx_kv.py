"""The key=value variant of the incident: the nginx requests as a production nginx often logs them.

`combined` followed by key=value fields in an order and with names of their own
(nginx variable names, unquoted, so upstream lists keep their `, ` inside a
bare value), and a cache status:

    log_format kv '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
                  '"$http_referer" "$http_user_agent" request_id=$request_id host=$host '
                  'request_time=$request_time upstream_status=$upstream_status '
                  'upstream_addr=$upstream_addr upstream_connect_time=$upstream_connect_time '
                  'upstream_header_time=$upstream_header_time '
                  'upstream_response_time=$upstream_response_time cache=$upstream_cache_status';

triage has no preset for it: it reads the tail by key name from the first
lines, so `triage SampleLogs/nginx-kv/access.log.gz` with no options finds
the classes, 5xx and request IDs of the nginx files (`expected.json` `nginx_kv`).
"""

import re
from datetime import timedelta

from .common import DAY, clf_time, full_path, gzip_member, write
from .nginx import nginx_escape
from .story import END
from .truth import nginx_class, summarise

KV_LOG = "nginx-kv/access.log.gz"


def render(rec):
    if rec["method"] is None:
        req = rec["request_raw"]
    else:
        req = nginx_escape("%s %s %s" % (rec["method"], rec["target"], rec["proto"]))
    att = rec["attempts"]
    if att:
        fields = {k: ", ".join(a[k] for a in att) for k in ("uct", "uht", "urt", "status", "addr")}
    else:
        fields = {k: "-" for k in ("uct", "uht", "urt", "status", "addr")}
    cache = "-" if att or rec["status"] >= 400 else "HIT"
    return ('%s - %s [%s] "%s" %d %d "%s" "%s" request_id=%s host=shop.example.com request_time=%.3f '
            'upstream_status=%s upstream_addr=%s upstream_connect_time=%s upstream_header_time=%s '
            'upstream_response_time=%s cache=%s'
            % (rec["ip"], nginx_escape(rec["user"]), clf_time(rec["end"]), req, rec["status"], rec["bytes"],
               nginx_escape(rec["referer"]), nginx_escape(rec["ua"]), rec["rid"], rec["rt"], fields["status"],
               fields["addr"], fields["uct"], fields["uht"], fields["urt"], cache))


def write_logs(records):
    """Writes nginx-kv/access.log.gz from the valid nginx records; returns its expected.json section."""
    lines = [render(r) for r in records]
    mtime = int((DAY + timedelta(seconds=END)).timestamp())
    write(KV_LOG, gzip_member(("\n".join(lines) + "\n").encode("utf-8"), mtime, "access.log"))
    s = summarise(records, nginx_class, True)
    return dict(file="SampleLogs/" + KV_LOG, lines=len(lines), requests=len(records), classes=dict(s["classes"]),
                server_errors=sum(1 for r in records if 500 <= r["status"] <= 599),
                server_errors_with_request_id=sum(1 for r in records if 500 <= r["status"] <= 599 and r["rid"] != "-"),
                status_counts={str(k): v for k, v in sorted(_status_counts(records).items())})


def _status_counts(records):
    counts = {}
    for r in records:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return counts


KV_RE = re.compile(r'^\S+ - \S+ \[[^\]]+\] "(?:[^"\\]|\\.)*" (\d{3}) \d+ "(?:[^"\\]|\\.)*" "(?:[^"\\]|\\.)*" '
                   r'request_id=(\S+) host=\S+ request_time=[\d.]+ upstream_status=(.+?) upstream_addr=')


def check(section):
    """Re-reads the file with a parser of its own: every line parses, statuses and classes as the section says."""
    import gzip
    with gzip.open(full_path(KV_LOG), "rt", encoding="utf-8") as f:
        lines = f.read().split("\n")[:-1]
    assert len(lines) == section["lines"]
    statuses = {}
    for line in lines:
        m = KV_RE.match(line)
        assert m, line
        statuses[m.group(1)] = statuses.get(m.group(1), 0) + 1
    assert statuses == section["status_counts"], (statuses, section["status_counts"])
