#!/usr/bin/env python3
"""Generate a large, deterministic nginx access log for the benchmark.

The lines use the `upstream` preset format (see Docs/Formats.md):

    $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent
    "$http_referer" "$http_user_agent" rt=$request_time uct="$upstream_connect_time"
    uht="$upstream_header_time" urt="$upstream_response_time" us="$upstream_status"
    ua="$upstream_addr" rid=$request_id

About 2% of the requests are 5xx, in a realistic mix: origin 500s (mostly on
one route after a "deploy"), 502s from an upstream refusing connections,
504 timeouts, 503s from nginx's own rate limiting (all upstream fields "-"),
plus 499s (client closed) and requests retried to a 200 (us="502, 200").
Paths carry numeric ids, so there are many distinct paths.

The output depends only on --size-mb and --seed. Writes PATH, then (with
--gzip) PATH.gz with `pigz -k` when available, else `gzip -k`.

With --json the same requests are written as nginx `escape=json` lines
(`"status": 502` a number, every other variable a string, plus keys no report
field reads), the shape of the JSON rows in run.sh.

Usage: generate_log.py --size-mb 1000 --out bench-data/access.log [--gzip] [--json]
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import time

CHUNK_LINES = 50_000
START_EPOCH = 1795132800  # 2026-11-20T00:00:00Z
LINES_PER_SECOND = 50     # timestamps advance one second every 50 lines

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

# Weighted by repetition: short API-client agents are common in API traffic.
USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (X11; Linux x86_64)",
    "Mozilla/5.0 (X11; Linux x86_64)",
    "curl/8.5.0",
    "okhttp/4.12.0",
    "okhttp/4.12.0",
    "python-requests/2.32.3",
    "Go-http-client/1.1",
    "Go-http-client/1.1",
    "shop-ios/5.12.1 (iPhone; iOS 18.1)",
    "shop-ios/5.12.1 (iPhone; iOS 18.1)",
    "shop-android/5.12.0",
    "shop-android/5.12.0",
    "Googlebot/2.1 (+http://www.google.com/bot.html)",
]

REFERERS = [
    "-", "-", "-", "-", "-", "-",
    "https://shop.example.com/",
    "https://shop.example.com/cart",
    "https://shop.example.com/checkout",
    "https://www.google.com/",
    "https://shop.example.com/search?q=shoes",
]

UPSTREAMS = ["10.0.1.11:8080", "10.0.1.12:8080", "10.0.1.13:8080", "10.0.1.14:8080"]


def route_table():
    """(weight, method, path template, typical upstream seconds) — {n} is a numeric id."""
    return [
        (18, "GET", "/api/products/{n}", 0.030),
        (10, "GET", "/api/products/{n}/reviews?page={p}", 0.060),
        (8, "GET", "/api/users/{n}/cart", 0.025),
        (6, "POST", "/api/orders", 0.150),
        (6, "GET", "/api/orders/{n}", 0.040),
        (4, "POST", "/api/orders/{n}/pay", 0.300),
        (5, "GET", "/api/search?q=item{p}&page={p}", 0.120),
        (4, "PUT", "/api/users/{n}/cart/items/{m}", 0.035),
        (3, "DELETE", "/api/users/{n}/cart/items/{m}", 0.020),
        (12, "GET", "/products/{n}", 0.045),
        (6, "GET", "/category/{p}/page/{p}", 0.050),
        (10, "GET", "/static/js/app.{h}.js", 0.0),
        (6, "GET", "/static/img/{n}.webp", 0.0),
        (2, "GET", "/healthz", 0.001),
        (1, "POST", "/api/auth/login", 0.090),
    ]


def time_local(epoch):
    t = time.gmtime(epoch)
    return "%02d/%s/%04d:%02d:%02d:%02d +0000" % (t.tm_mday, MONTHS[t.tm_mon - 1], t.tm_year,
                                                  t.tm_hour, t.tm_min, t.tm_sec)


def json_line(client, epoch, method, path, status, size, ref, ua_str, rt, uct, uht, urt, us, ua, rid):
    """The same request as an nginx `log_format ... escape=json` line (the shape of
    nginx's documented JSON example: every variable quoted except status and sizes),
    with a few keys no report field reads (remote_user, server_name, ssl_*, x_forwarded_for)."""
    iso = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(epoch))
    return ('{"time_iso8601":"%s","remote_addr":"%s","remote_user":"","request":"%s %s HTTP/1.1",'
            '"status": %d,"body_bytes_sent": %d,"request_time":"%s","http_referer":"%s",'
            '"http_user_agent":"%s","http_x_forwarded_for":"","server_name":"shop.example.com",'
            '"ssl_protocol":"TLSv1.3","ssl_cipher":"TLS_AES_256_GCM_SHA384",'
            '"upstream_connect_time":"%s","upstream_header_time":"%s","upstream_response_time":"%s",'
            '"upstream_status":"%s","upstream_addr":"%s","request_id":"%s"}\n'
            % (iso, client, method, path, status, size, rt, "" if ref == "-" else ref, ua_str,
               uct, uht, urt, us, ua, rid))


def generate(size_bytes, out_path, seed, shape="upstream"):
    rng = random.Random(seed)
    rand = rng.random
    randrange = rng.randrange
    getrandbits = rng.getrandbits

    routes = route_table()
    # Pick a route by weight through a lookup table with one slot per unit of weight.
    route_of_slot = []
    for i, (w, *_rest) in enumerate(routes):
        route_of_slot += [i] * w

    # Client pool: 20k addresses, skewed (a few heavy clients).
    clients = ["%d.%d.%d.%d" % (rng.choice((198, 203, 192, 100, 81, 92)), randrange(256), randrange(256), randrange(1, 255))
               for _ in range(20000)]
    heavy = clients[:50]

    # Incident windows, as fractions of the whole log.
    deploy_bad = (0.40, 0.55)      # origin 500s on POST /api/orders
    refusing = (0.62, 0.66)        # 10.0.1.13 refuses connections: 502s and retries
    stall = (0.80, 0.83)           # backend stalls: 504s and 499s

    written = 0
    line_no = 0
    ts_cache_sec = -1
    ts_cache = ""
    with open(out_path, "wb", buffering=0) as f:
        while written < size_bytes:
            out = []
            append = out.append
            chunk_bytes = 0
            for _ in range(CHUNK_LINES):
                sec = START_EPOCH + line_no // LINES_PER_SECOND
                if sec != ts_cache_sec:
                    ts_cache_sec = sec
                    ts_cache = time_local(sec)
                phase = (written + chunk_bytes) / size_bytes
                line_no += 1

                ri = route_of_slot[randrange(len(route_of_slot))]
                _w, method, tmpl, base_t = routes[ri]
                path = tmpl
                if "{n}" in path:
                    path = path.replace("{n}", str(randrange(1, 2_000_000)))
                if "{m}" in path:
                    path = path.replace("{m}", str(randrange(1, 500)))
                if "{p}" in path:
                    path = path.replace("{p}", str(randrange(1, 60)))
                if "{h}" in path:
                    path = path.replace("{h}", "%08x" % randrange(16))

                client = heavy[randrange(50)] if rand() < 0.2 else clients[randrange(20000)]
                ua_str = USER_AGENTS[randrange(len(USER_AGENTS))]
                ref = REFERERS[randrange(len(REFERERS))]
                rid = "%032x" % getrandbits(128)
                up = UPSTREAMS[randrange(4)]
                r = rand()

                static = base_t == 0.0
                if static:
                    # Served by nginx itself: no upstream fields.
                    status = 304 if r < 0.3 else 200
                    size = 0 if status == 304 else randrange(2000, 400000)
                    rt = "%.3f" % (rand() * 0.002)
                    uct = uht = urt = us = ua = "-"
                    if r > 0.995:
                        status, size = 404, 153
                else:
                    # Base rates per request for the failure kinds.
                    p500 = 0.004
                    p502 = 0.002
                    p504 = 0.0015
                    p503 = 0.003
                    p499 = 0.003
                    pretry = 0.002
                    if deploy_bad[0] <= phase < deploy_bad[1] and tmpl == "/api/orders":
                        p500 = 0.30
                    if refusing[0] <= phase < refusing[1]:
                        p502 = 0.03
                        pretry = 0.08
                    if stall[0] <= phase < stall[1]:
                        p504 = 0.03
                        p499 = 0.04
                    t = base_t * (0.5 + rand() * 1.5)
                    if r < p500:
                        status, size = 500, randrange(80, 200)
                        uct = "0.001"
                        uht = urt = "%.3f" % t
                        rt = "%.3f" % (t + 0.001)
                        us = "500"
                        ua = up
                    elif r < p500 + p502:
                        status, size = 502, 157
                        uct = uht = "-"
                        urt = "0.000" if rand() < 0.7 else "0.001"
                        rt = urt
                        us = "502"
                        ua = "10.0.1.13:8080" if refusing[0] <= phase < refusing[1] else up
                    elif r < p500 + p502 + p504:
                        status, size = 504, 167
                        uct = "0.001"
                        uht = "-"
                        urt = "60.001"
                        rt = "60.002"
                        us = "504"
                        ua = up
                    elif r < p500 + p502 + p504 + p503:
                        # limit_req: nginx answers itself, no upstream contacted.
                        status, size = 503, 197
                        rt = "0.000"
                        uct = uht = urt = us = ua = "-"
                    elif r < p500 + p502 + p504 + p503 + p499:
                        status, size = 499, 0
                        w = 5.0 + rand() * 50.0
                        uct = "0.001"
                        uht = "-"
                        urt = "%.3f" % w
                        rt = urt
                        us = "-"
                        ua = up
                    elif r < p500 + p502 + p504 + p503 + p499 + pretry:
                        # First upstream refused, the retry answered.
                        status, size = 200, randrange(200, 20000)
                        second = UPSTREAMS[(UPSTREAMS.index("10.0.1.13:8080") + 1 + randrange(3)) % 4]
                        uct = "-, 0.001"
                        uht = "-, %.3f" % t
                        urt = "0.000, %.3f" % t
                        rt = "%.3f" % (t + 0.002)
                        us = "502, 200"
                        ua = "10.0.1.13:8080, " + second
                    else:
                        q = rand()
                        if q < 0.90:
                            status = 201 if method == "POST" else (204 if method == "DELETE" else 200)
                        elif q < 0.93:
                            status = 304
                        elif q < 0.96:
                            status = 404
                        elif q < 0.98:
                            status = 400
                        elif q < 0.99:
                            status = 401
                        elif q < 0.995:
                            status = 403
                        else:
                            status = 302
                        size = 0 if status in (204, 304) else randrange(40, 30000)
                        uct = "0.001" if rand() < 0.8 else "0.000"
                        uht = urt = "%.3f" % t
                        rt = "%.3f" % (t + 0.001)
                        us = str(status)
                        ua = up

                if shape == "json":
                    line = json_line(client, sec, method, path, status, size, ref, ua_str, rt, uct, uht, urt, us, ua, rid)
                    chunk_bytes += len(line)
                    append(line)
                    continue
                line = ('%s - - [%s] "%s %s HTTP/1.1" %d %d "%s" "%s" rt=%s uct="%s" uht="%s" urt="%s" us="%s" ua="%s" rid=%s\n'
                        % (client, ts_cache, method, path, status, size, ref, ua_str, rt, uct, uht, urt, us, ua, rid))
                chunk_bytes += len(line)
                append(line)
            data = "".join(out).encode("ascii")
            if written + len(data) > size_bytes:
                # Cut the last chunk at a line boundary at (or just past) the target size.
                cut = data.find(b"\n", size_bytes - written)
                data = data[: cut + 1] if cut >= 0 else data
            f.write(data)
            written += len(data)
    return written


def gzip_file(path):
    gz = path + ".gz"
    if os.path.exists(gz):
        os.remove(gz)
    tool = ["pigz", "-k", "-6", path] if shutil.which("pigz") else ["gzip", "-k", "-6", path]
    subprocess.run(tool, check=True)
    return gz, tool[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=float, default=1000, help="target size in MB (10^6 bytes), default 1000")
    ap.add_argument("--out", default="bench-data/access-upstream.log", help="output path")
    ap.add_argument("--seed", type=int, default=20261120, help="random seed (default 20261120)")
    ap.add_argument("--json", action="store_true",
                    help="write nginx escape=json lines (the nginx-json preset) instead of the upstream text preset")
    ap.add_argument("--gzip", action="store_true", help="also write OUT.gz (pigz -k, else gzip -k)")
    args = ap.parse_args()

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    t0 = time.time()
    n = generate(int(args.size_mb * 1_000_000), args.out, args.seed,
                 "json" if args.json else "upstream")
    print("wrote %s: %d bytes in %.1fs" % (args.out, n, time.time() - t0), file=sys.stderr)
    if args.gzip:
        t0 = time.time()
        gz, tool = gzip_file(args.out)
        print("wrote %s: %d bytes in %.1fs (%s)" % (gz, os.path.getsize(gz), time.time() - t0, tool), file=sys.stderr)


if __name__ == "__main__":
    main()
