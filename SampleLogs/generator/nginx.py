"""The nginx access logs: the `upstream` log format, rotated into three files.

Renders the nginx records of the story as lines, damages a few of them and
inserts foreign lines (the malformed lines of expected.json), writes the
rotated set (the oldest file as multi-member gzip, the newest without a final
newline) and, at the end, re-parses what was written.
"""

import gzip
import re
from datetime import timedelta

from .common import DAY, clf_time, full_path, gzip_member, hms, rfc3339, write
from .truth import by_hour, deploy_summary, nginx_class, parse_check, phase_summary, problem_summary, summarise

NGINX_FILES = [  # oldest first: (relative path, from, to)
    ("nginx/access.log.2.gz", hms(8), hms(10)),
    ("nginx/access.log.1", hms(10), hms(12)),
    ("nginx/access.log", hms(12), hms(14)),
]


def nginx_escape(s):
    """nginx access-log escaping (escape=default): `"`, `\\`, bytes < 0x20 and >= 0x7F as \\xHH."""
    out = []
    for b in s.encode("utf-8"):
        if b == 0x22 or b == 0x5C or b < 0x20 or b >= 0x7F:
            out.append("\\x%02X" % b)
        else:
            out.append(chr(b))
    return "".join(out)



def render_nginx(rec):
    if rec["method"] is None:
        req = rec["request_raw"]
    else:
        req = nginx_escape("%s %s %s" % (rec["method"], rec["target"], rec["proto"]))
    att = rec["attempts"]
    if att:
        uct = ", ".join(a["uct"] for a in att)
        uht = ", ".join(a["uht"] for a in att)
        urt = ", ".join(a["urt"] for a in att)
        us = ", ".join(a["status"] for a in att)
        ua = ", ".join(a["addr"] for a in att)
    else:
        uct = uht = urt = us = ua = "-"
    return ('%s - %s [%s] "%s" %d %d "%s" "%s" rt=%.3f uct="%s" uht="%s" urt="%s" us="%s" ua="%s" rid=%s'
            % (rec["ip"], nginx_escape(rec["user"]), clf_time(rec["end"]), req, rec["status"], rec["bytes"],
               nginx_escape(rec["referer"]), nginx_escape(rec["ua"]), rec["rt"], uct, uht, urt, us, ua, rec["rid"]))


def corrupt_nginx(rec, kind):
    """A record whose line got damaged: the line is written, the record is not valid."""
    line = render_nginx(rec)
    if kind == "status_abc":
        return line.replace('" %d %d "' % (rec["status"], rec["bytes"]), '" abc %d "' % rec["bytes"], 1)
    if kind == "cut_in_user_agent":
        ua = nginx_escape(rec["ua"])
        ua_start = line.index('" rt=') - len(ua)
        return line[:ua_start + len(ua) // 2]
    if kind == "head_truncated":
        return line[line.index('] "') - 8:]
    if kind == "truncated_last_line":
        return line[:line.index('"') + 1 + len(rec["method"]) + 1 + len(rec["target"]) // 2 + 1]
    raise ValueError(kind)


def inserted_nginx(kind, t):
    """Foreign text that ended up in the access log."""
    if kind == "error_log_line":
        return ("2026/11/20 %s [warn] 2231#2231: *88142 an upstream response is buffered to a temporary file "
                "/var/cache/nginx/proxy_temp/4/12/0000004124 while reading upstream, client: 203.0.113.41, "
                "server: shop.example.com, request: \"GET /api/search?q=boots HTTP/2.0\", "
                "upstream: \"http://10.0.1.11:8080/api/search?q=boots\", host: \"shop.example.com\""
                % clf_time(t)[12:20])
    if kind == "json_app_log":
        return ('{"level":"error","ts":"%s","msg":"order handler panic","err":"nil pointer dereference",'
                '"version":"v2.14.1"}' % rfc3339(t))
    raise ValueError(kind)


NG_Q = r'((?:[^"\\]|\\x[0-9A-F]{2})*)'
NGINX_RE = re.compile(
    r'^(\S+) - (\S+) \[(\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000)\] "' + NG_Q + r'" (\d{3}) (\d+) "' + NG_Q
    + r'" "' + NG_Q + r'" rt=(\d+\.\d{3}) uct="([^"]*)" uht="([^"]*)" urt="([^"]*)" us="([^"]*)" ua="([^"]*)" rid=([0-9a-f]{32})$')


def write_logs(records):
    """Writes the nginx files from the story's records; returns the records that
    are still valid log lines and the `nginx` section of expected.json."""
    for r in records:
        r["logged"] = r["end"]
    # Malformed lines: three records whose lines got damaged (they stop being records),
    # two foreign lines inserted, and the last line of access.log cut off mid-write.
    malformed_plan = [
        ("nginx/access.log.2.gz", "error_log_line", hms(8, 47, 12)),
        ("nginx/access.log.2.gz", "status_abc", hms(9, 31, 40)),
        ("nginx/access.log.1", "cut_in_user_agent", hms(10, 52, 3)),
        ("nginx/access.log.1", "head_truncated", hms(11, 22, 30)),
        ("nginx/access.log", "json_app_log", hms(12, 21, 9)),
    ]
    inserts = []
    for path, kind, at in malformed_plan:
        if kind in ("error_log_line", "json_app_log"):
            inserts.append((at, kind))
        else:
            victim = next(r for r in records if r["end"] >= at and r["tag"] is None and r["status"] == 200
                          and len(r["ua"]) > 40)
            victim["corrupt"] = kind
    records[-1]["corrupt"] = "truncated_last_line"
    assert records[-1]["method"] is not None
    file_lines = {}
    for path, a, b in NGINX_FILES:
        lines = []
        for r in records:
            if not a <= int(r["end"]) < b:
                continue
            while inserts and inserts[0][0] <= r["end"]:
                at, kind = inserts.pop(0)
                lines.append((inserted_nginx(kind, r["end"]), None, kind))
            if r.get("corrupt"):
                lines.append((corrupt_nginx(r, r["corrupt"]), None, r["corrupt"]))
            else:
                lines.append((render_nginx(r), r, None))
        file_lines[path] = lines
    assert not inserts
    malformed_lines = [{"file": "SampleLogs/" + path, "line": n, "kind": kind}
                       for path, _, _ in NGINX_FILES
                       for n, (_, rec, kind) in enumerate(file_lines[path], 1) if rec is None]
    records = [r for r in records if not r.get("corrupt")]

    nginx_files_meta = []
    for path, a, b in NGINX_FILES:
        texts = [t for t, _, _ in file_lines[path]]
        if path == "nginx/access.log":
            data = ("\n".join(texts)).encode("utf-8")          # no newline after the fragment
        else:
            data = ("\n".join(texts) + "\n").encode("utf-8")
        meta = {"file": "SampleLogs/" + path, "lines": len(texts),
                "requests": sum(1 for _, r, _ in file_lines[path] if r is not None),
                "malformed": sum(1 for _, r, _ in file_lines[path] if r is None),
                "blank": 0,
                "first_time": rfc3339(min(r["end"] for _, r, _ in file_lines[path] if r)),
                "last_time": rfc3339(max(r["end"] for _, r, _ in file_lines[path] if r)),
                "ends_with_newline": data.endswith(b"\n"),
                "gzip": path.endswith(".gz")}
        if path.endswith(".gz"):
            # member 1 ends on a line boundary; member 2 ends in the middle of a line,
            # so a line is split across members 2 and 3 (as when pieces are compressed separately).
            nl = [i for i, ch in enumerate(data) if ch == 0x0A]
            cut1 = nl[int(len(nl) * 0.45)] + 1
            cut2 = nl[int(len(nl) * 0.80)] + 1 + 57
            parts = [data[:cut1], data[cut1:cut2], data[cut2:]]
            mtime = int((DAY + timedelta(seconds=hms(10))).timestamp())
            blob = b"".join(gzip_member(p, mtime, "access.log.2" if i == 0 else None) for i, p in enumerate(parts))
            meta["gzip_members"] = 3
            meta["gzip_member_uncompressed_bytes"] = [len(p) for p in parts]
            meta["gzip_member_2_ends_mid_line"] = True
            write(path, blob)
        else:
            write(path, data)
        meta["bytes_uncompressed"] = len(data)
        nginx_files_meta.append(meta)

    nsum = summarise(records, nginx_class, True)
    return records, dict(
        files=nginx_files_meta,
        lines=sum(m["lines"] for m in nginx_files_meta),
        blank=0,
        malformed=len(malformed_lines),
        **nsum,
        first_time=rfc3339(records[0]["end"]), last_time=rfc3339(records[-1]["end"]),
        deploy=deploy_summary(records, nginx_class),
        phases=phase_summary(records, nginx_class),
        problems=problem_summary(records, nginx_class),
        requests_by_hour=by_hour(records),
        malformed_lines=malformed_lines,
    )


def check(section):
    """Re-reads the written files with a parser of its own and compares them with `section`."""
    all_lines = []
    for path, _, _ in NGINX_FILES:
        with open(full_path(path), "rb") as f:
            raw = f.read()
        if path.endswith(".gz"):
            assert raw.count(b"\x1f\x8b\x08") >= 3
            raw = gzip.decompress(raw)
        text = raw.decode("utf-8")
        ls = text.split("\n")
        if ls[-1] == "":
            ls.pop()
        assert len(ls) == next(m["lines"] for m in section["files"] if m["file"] == "SampleLogs/" + path), path
        all_lines.extend((path, n, l) for n, l in enumerate(ls, 1))
    ok, bad, st = parse_check([l for _, _, l in all_lines], NGINX_RE, 5)
    bad_loc = [{"file": "SampleLogs/" + all_lines[i - 1][0], "line": all_lines[i - 1][1]} for i in bad]
    assert ok == section["requests"], (ok, section["requests"])
    assert bad_loc == [{"file": m["file"], "line": m["line"]} for m in section["malformed_lines"]], bad_loc
    assert {str(k): v for k, v in sorted(st.items())} == section["status_counts"]
