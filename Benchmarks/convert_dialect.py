#!/usr/bin/env python3
"""Rewrite a generated nginx `upstream` log (generate_log.py) in another proxy's format.

The same requests, statuses, upstreams and timings, as HAProxy (`option httplog`
behind an rsyslog header), Envoy's default text, Istio's default text or AWS ALB
would write them, so that instructions per byte compare the formats on the same
traffic (Benchmarks/dialects.sh, Docs/Benchmarks.md).

Usage: convert_dialect.py {haproxy,envoy,istio,alb} IN OUT
"""

import re
import sys

LINE = re.compile(r'^(\S+) - (\S+) \[(\d\d)/(\w{3})/(\d{4}):(\d\d:\d\d:\d\d) \+0000\] "([^"]*)" (\d{3}) (\d+) "([^"]*)" '
                  r'"([^"]*)" rt=(\S+) uct="([^"]*)" uht="([^"]*)" urt="([^"]*)" us="([^"]*)" ua="([^"]*)" rid=(\S+)$')
MONTHS = {m: i + 1 for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                                          "Nov", "Dec"])}


def convert(kind, m, n):
    ip, _user, day, mon, year, hms, request, status, size, ref, ua, rt, uct, uht, urt, us, addr, rid = m.groups()
    status = int(status)
    last_us = us.split(", ")[-1]
    last_addr = addr.split(", ")[-1]
    ms = int(float(rt) * 1000)
    iso = "%s-%02d-%sT%s.%03dZ" % (year, MONTHS[mon], day, hms, n % 1000)
    if kind == "haproxy":
        server, state, st, retries = last_addr, "----", str(status), "0"
        if addr == "-":
            server = "<NOSRV>"
            state = "PR--" if status >= 500 else "----"
        elif status == 502:
            st, state = "503", "SC--"
        elif status == 504:
            state = "sH--"
        elif status == 499:
            st, state = "-1", "CH--"
        if ", " in us:
            retries = "+%d" % us.count(", ")
        return ('%s %2d %s lb1 haproxy[2231]: %s:%d [%s/%s/%s:%s.%03d] www~ app/%s 0/0/1/%d/%d %s %s - - %s '
                '12/12/3/1/%s 0/0 "%s"' % (mon, int(day), hms, ip, 30000 + n % 30000, day, mon, year, hms, n % 1000,
                                           server, max(0, ms - 1), ms, st, size, state, retries, request))
    flags = "-"
    if addr == "-" and status >= 500:
        flags = "RL"
    elif status == 502:
        flags = "UF,URX"
    elif status == 504:
        flags = "UT"
    elif status == 499:
        status, flags = 0, "DC"
    host = "-" if addr == "-" else last_addr
    if kind == "envoy":
        return ('[%s] "%s" %d %s 0 %s %d %s "%s" "%s" "%s" "%s" "%s"'
                % (iso, request, status, flags, size, ms, ms if host != "-" else "-", ip, ua, rid, "shop.example.com",
                   host))
    if kind == "istio":
        details = "via_upstream" if flags == "-" else "upstream_reset_before_response_started{connection_failure}"
        return ('[%s] "%s" %d %s %s - "-" 0 %s %d %s "%s" "%s" "%s" "%s" "%s" outbound|8080||app.default.svc.cluster.local '
                '10.0.0.2:41234 10.0.0.3:8080 %s:0 - default'
                % (iso, request, status, flags, details, size, ms, ms if host != "-" else "-", ip, ua, rid,
                   "shop.example.com", host, ip))
    if kind == "alb":
        target_status = "-" if last_us in ("-", "502", "504") or status == 499 else last_us
        elb_status = 460 if status == 499 else status
        times = "-1 -1 -1" if target_status == "-" else "0.000 %s 0.000" % rt
        method, target, proto = (request.split(" ") + ["", "", ""])[:3]
        return ('https %s app/shop/50dc6c495c0c9188 %s:%d %s %s %d %s 512 %s "%s https://shop.example.com:443%s %s" '
                '"%s" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:'
                'targetgroup/app/73e2d6bc24d8a067 "Root=1-%s-%s" "shop.example.com" "-" 1 %s "forward" "-" "-" '
                '"%s" "%s" "-" "-"'
                % (iso, ip, 30000 + n % 30000, host, times, elb_status, target_status, size, method, target, proto,
                   ua, rid[:8], rid[8:32], iso, host, target_status))
    raise SystemExit("unknown kind " + kind)


def main():
    kind, src, dst = sys.argv[1:4]
    with open(src, encoding="utf-8") as f, open(dst, "w", encoding="utf-8") as out:
        for n, line in enumerate(f):
            m = LINE.match(line.rstrip("\n"))
            if m:
                out.write(convert(kind, m, n) + "\n")


if __name__ == "__main__":
    main()
