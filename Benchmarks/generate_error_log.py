#!/usr/bin/env python3
"""Derive nginx's error.log and a `combined` copy from a benchmark access log.

Reads a log written by generate_log.py (the `upstream` preset) and writes

  OUT/error.log      one line per failed attempt, in nginx's words, with the
                     request's client, request line and upstream: a refused
                     connect for each `502` attempt, a read timeout for each
                     `504`, `limiting requests` for each 503 nginx made itself
                     (all upstream fields `-`); plus noise that explains no
                     request (`open() … failed (2: No such file or directory)`
                     for every 404, one reload notice per hour);
  OUT/combined.log   the same requests without the upstream fields.

Deterministic: the output depends only on the input.

    python3 Benchmarks/generate_error_log.py bench-data/access.log bench-data/errorlog
"""

import os
import re
import sys

LINE = re.compile(r'^(\S+) - (\S+) \[(\d\d)/(\w{3})/(\d{4}):(\d\d:\d\d:\d\d) [+-]\d{4}\] "([^"]*)" (\d{3}) (\d+) '
                  r'"([^"]*)" "([^"]*)" rt=\S+ uct="[^"]*" uht="[^"]*" urt="[^"]*" us="([^"]*)" ua="([^"]*)"')
MONTHS = {m: i for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}


def main(src, out):
    os.makedirs(out, exist_ok=True)
    n_access = n_error = 0
    conn = 1000
    last_hour = None
    with open(src, encoding="utf-8", errors="surrogateescape") as f, \
            open(os.path.join(out, "error.log"), "w", encoding="utf-8", errors="surrogateescape") as e, \
            open(os.path.join(out, "combined.log"), "w", encoding="utf-8", errors="surrogateescape") as c:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            ip, user, day, mon, year, clock, request, status, size, ref, ua, us, ua_list = m.groups()
            c.write('%s - %s [%s/%s/%s:%s +0000] "%s" %s %s "%s" "%s"\n' % (ip, user, day, mon, year, clock, request, status, size, ref, ua))
            n_access += 1
            when = "%s/%02d/%s %s" % (year, MONTHS[mon], day, clock)
            hour = when[:13]
            if hour != last_hour:
                last_hour = hour
                e.write("%s [notice] 1#1: signal 1 (SIGHUP) received from 2412, reconfiguring\n" % when)
                n_error += 1
            parts = request.split(" ")
            target = parts[1] if len(parts) > 1 else "/"
            fields = ', client: %s, server: shop.example.com, request: "%s"' % (ip, request)
            statuses = [s.strip() for s in us.split(",")]
            addrs = [a.strip() for a in ua_list.split(",")]
            for st, addr in zip(statuses, addrs):
                conn += 1
                up = ', upstream: "http://%s%s", host: "shop.example.com"' % (addr, target)
                if st == "502":
                    e.write("%s [error] 31#31: *%d connect() failed (111: Connection refused) while connecting to upstream%s%s\n"
                            % (when, conn, fields, up))
                    n_error += 1
                elif st == "504":
                    e.write("%s [error] 31#31: *%d upstream timed out (110: Connection timed out) while reading response "
                            "header from upstream%s%s\n" % (when, conn, fields, up))
                    n_error += 1
            if status == "503" and us == "-":
                e.write('%s [error] 31#31: *%d limiting requests, excess: 5.120 by zone "api"%s, host: "shop.example.com"\n'
                        % (when, conn, fields))
                n_error += 1
            elif status == "404":
                e.write('%s [error] 31#31: *%d open() "/srv/www%s" failed (2: No such file or directory)%s, host: "shop.example.com"\n'
                        % (when, conn, target.split("?")[0], fields))
                n_error += 1
    print("wrote %s: %d access lines, %d error lines" % (out, n_access, n_error), file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
