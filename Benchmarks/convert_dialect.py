#!/usr/bin/env python3
"""Rewrite a generated nginx `upstream` log (generate_log.py) in another proxy's format.

The same requests, statuses, upstreams and timings, one output line per input
line, as each other format would write them, so that instructions per byte and
per record compare the formats on the same traffic (Benchmarks/dialects.sh,
Docs/Benchmarks.md):

  kv          nginx combined + a key=value tail (nginx names, another order, unquoted)
  apache      Apache combined + %D + a UUID request ID
  haproxy     HAProxy `option httplog` behind an rsyslog header
  haproxy-bare  the same without the syslog header
  envoy, istio  Envoy's and Istio's default text
  alb, elb    AWS Application and Classic Load Balancer
  heroku      Heroku router lines (`at=error code=H12 …` on failures)
  traefik     Traefik CLF (router, service URL, `Nms`)
  logfmt      slog-style key=value access lines
  tomcat      Tomcat AccessLogValve common + %D (ms)
  nginx-json  nginx `escape=json` (generate_log.py --json's keys)
  caddy       Caddy's JSON (nested request object)
  envoy-json  Envoy's JSON access log (flat)
  docker, cri, syslog  the nginx line itself inside a Docker json-file, CRI or syslog envelope

Usage: convert_dialect.py KIND IN OUT
"""

import calendar
import json
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
    epoch = calendar.timegm((int(year), MONTHS[mon], int(day), int(hms[:2]), int(hms[3:5]), int(hms[6:8])))
    clf = "[%s/%s/%s:%s +0000]" % (day, mon, year, hms)
    nginx = m.string
    method, target, proto = (request.split(" ") + ["", "", ""])[:3]
    if kind == "kv":
        head = nginx[:nginx.index(" rt=")]
        return ("%s request_id=%s request_time=%s upstream_status=%s upstream_addr=%s upstream_connect_time=%s "
                "upstream_header_time=%s upstream_response_time=%s" % (head, rid, rt, us, addr, uct, uht, urt))
    if kind == "apache":
        head = nginx[:nginx.index(" rt=")]
        return "%s %d %08x-%04x-4%03x-8%03x-%012x" % (head, int(float(rt) * 1e6), n * 7919 + 1, n % 65536, n % 4096,
                                                     (n * 13) % 4096, n * 104729)
    if kind == "tomcat":
        return '%s - - %s "%s" %d %s %d' % (ip, clf, request, status, size, ms)
    if kind == "heroku":
        at = "info"
        dyno = "web.%d" % (sum(last_addr.encode()) % 4 + 1) if addr != "-" else ""
        service = "%dms" % ms
        if status == 503 and addr == "-":
            at = 'error code=H11 desc="Backlog too deep"'
            service = ""
        elif status == 502:
            at = 'error code=H13 desc="Connection closed without response"'
        elif status == 504:
            at, status = 'error code=H12 desc="Request timeout"', 503
        elif status == 499:
            at = 'error code=H27 desc="Client Request Interrupted"'
        iso_local = "%s-%02d-%sT%s.%06d+00:00" % (year, MONTHS[mon], day, hms, n % 1000000)
        path = target if " " not in target and '"' not in target else json.dumps(target)
        return ('%s heroku[router]: at=%s method=%s path=%s host=shop.example.com request_id=%s fwd="%s" dyno=%s '
                'connect=1ms service=%s status=%d bytes=%s protocol=https'
                % (iso_local, at, method, path, rid, ip, dyno, service, status, size))
    if kind == "traefik":
        service = '"http://%s"' % last_addr if addr != "-" else '"-"'
        return '%s - - %s "%s" %d %s "%s" "%s" %d "shop@docker" %s %dms' % (
            ip, clf, request, status, size, ref, ua, n + 1, service, ms)
    if kind == "logfmt":
        return ('time=%s level=%s msg="request done" method=%s path=%s status=%d duration=%s request_id=%s '
                'remote_ip=%s bytes=%s user_agent=%s' % (iso, "ERROR" if status >= 500 else "INFO", method,
                                                         target if " " not in target else json.dumps(target), status,
                                                         "%.3fms" % (float(rt) * 1000), rid, ip, size, json.dumps(ua)))
    if kind == "nginx-json":
        iso_zone = "%s-%02d-%sT%s+00:00" % (year, MONTHS[mon], day, hms)
        return ('{"time_iso8601":"%s","remote_addr":"%s","remote_user":"","request":"%s",'
                '"status": %d,"body_bytes_sent": %s,"request_time":"%s","http_referer":"%s",'
                '"http_user_agent":"%s","http_x_forwarded_for":"","server_name":"shop.example.com",'
                '"ssl_protocol":"TLSv1.3","ssl_cipher":"TLS_AES_256_GCM_SHA384",'
                '"upstream_connect_time":"%s","upstream_header_time":"%s","upstream_response_time":"%s",'
                '"upstream_status":"%s","upstream_addr":"%s","request_id":"%s"}'
                % (iso_zone, ip, request, status, size, rt, "" if ref == "-" else ref, ua, uct, uht, urt, us, addr, rid))
    if kind == "caddy":
        obj = {"level": "error" if status >= 500 else "info", "ts": epoch + (n % 1000) / 1000.0,
               "logger": "http.log.access.log0", "msg": "handled request",
               "request": {"remote_ip": ip, "remote_port": str(30000 + n % 30000), "client_ip": ip, "proto": proto,
                           "method": method, "host": "shop.example.com", "uri": target,
                           "headers": {"User-Agent": [ua], "X-Request-Id": [rid], "Accept": ["*/*"]}},
               "bytes_read": 0, "user_id": "", "duration": float(rt), "size": int(size), "status": status,
               "resp_headers": {"Server": ["Caddy"], "Content-Type": ["application/json"]}}
        return json.dumps(obj, separators=(",", ":"))
    if kind in ("haproxy", "haproxy-bare"):
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
        syslog = "%s %2d %s lb1 haproxy[2231]: " % (mon, int(day), hms) if kind == "haproxy" else ""
        return ('%s%s:%d [%s/%s/%s:%s.%03d] www~ app/%s 0/0/1/%d/%d %s %s - - %s '
                '12/12/3/1/%s 0/0 "%s"' % (syslog, ip, 30000 + n % 30000, day, mon, year, hms, n % 1000,
                                           server, max(0, ms - 1), ms, st, size, state, retries, request))
    flags = "-"
    if addr == "-" and status >= 500:
        flags = "RL"
    elif status == 502:
        flags = "UF,URX"
    elif status == 504:
        flags = "UT"
    elif status == 499:
        flags = "DC"
    host = "-" if addr == "-" else last_addr
    # Envoy logs 0 when no response was sent (the client left).
    envoy_status = 0 if status == 499 else status
    if kind == "envoy":
        return ('[%s] "%s" %d %s 0 %s %d %s "%s" "%s" "%s" "%s" "%s"'
                % (iso, request, envoy_status, flags, size, ms, ms if host != "-" else "-", ip, ua, rid, "shop.example.com",
                   host))
    if kind == "istio":
        details = "via_upstream" if flags == "-" else "upstream_reset_before_response_started{connection_failure}"
        return ('[%s] "%s" %d %s %s - "-" 0 %s %d %s "%s" "%s" "%s" "%s" "%s" outbound|8080||app.default.svc.cluster.local '
                '10.0.0.2:41234 10.0.0.3:8080 %s:0 - default'
                % (iso, request, envoy_status, flags, details, size, ms, ms if host != "-" else "-", ip, ua, rid,
                   "shop.example.com", host, ip))
    if kind == "elb":
        host = "-" if addr == "-" else last_addr
        backend_status = "-" if last_us in ("-", "502", "504") or status == 499 else last_us
        times = "-1 -1 -1" if backend_status == "-" else "0.000021 %s 0.000019" % rt
        return ('%s shop %s:%d %s %s %d %s 0 %s "%s https://shop.example.com:443%s %s" "%s" '
                'ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2' % (iso, ip, 30000 + n % 30000,
                                                         "-" if host == "-" else host, times, status, backend_status,
                                                         size, method, target, proto, ua))
    if kind == "alb":
        target_status = "-" if last_us in ("-", "502", "504") or status == 499 else last_us
        elb_status = 460 if status == 499 else status
        times = "-1 -1 -1" if target_status == "-" else "0.000 %s 0.000" % rt
        return ('https %s app/shop/50dc6c495c0c9188 %s:%d %s %s %d %s 512 %s "%s https://shop.example.com:443%s %s" '
                '"%s" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:'
                'targetgroup/app/73e2d6bc24d8a067 "Root=1-%s-%s" "shop.example.com" "-" 1 %s "forward" "-" "-" '
                '"%s" "%s" "-" "-"'
                % (iso, ip, 30000 + n % 30000, host, times, elb_status, target_status, size, method, target, proto,
                   ua, rid[:8], rid[8:32], iso, host, target_status))
    if kind == "envoy-json":
        obj = {"start_time": iso, "method": method, "path": target, "protocol": proto, "response_code": envoy_status,
               "response_flags": flags, "bytes_received": 0, "bytes_sent": int(size), "duration": ms,
               "upstream_service_time": str(ms) if host != "-" else None, "x_forwarded_for": ip, "user_agent": ua,
               "request_id": rid, "authority": "shop.example.com", "upstream_host": None if host == "-" else host}
        return json.dumps(obj, separators=(",", ":"))
    if kind == "docker":
        return json.dumps({"log": nginx + "\n", "stream": "stdout", "time": iso[:-1] + "123456Z"},
                          separators=(",", ":"))
    if kind == "cri":
        return "%s123456Z stdout F %s" % (iso[:-1], nginx)
    if kind == "syslog":
        return "<190>%s %2d %s lb1 nginx: %s" % (mon, int(day), hms, nginx)
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
