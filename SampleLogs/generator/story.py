#!/usr/bin/env python3
"""Generate the sample incident in SampleLogs/ (deterministic, stdlib only).

Run from the repository root:

    python3 SampleLogs/generate.py

It rewrites, below SampleLogs/:

    nginx/access.log.2.gz   08:00-10:00  multi-member gzip (3 members)
    nginx/access.log.1      10:00-12:00  plain
    nginx/access.log        12:00-14:00  plain, last line unterminated
    apache/access_log       10:00-12:00  Apache reverse proxy, status only
    deploys.txt             deploy markers
    app/production.log      08:00-14:00  the Rails app behind the pool (tagged Ruby Logger)
    app/payments.log.gz     08:00-14:00  the payments service (JSON lines, gzip)
    expected.json           ground truth computed from the generated records

The application logs are derived from the nginx records after everything
else is written, with random streams of their own, so they never change the
access logs or the other values in expected.json.

The same seed always gives byte-identical files. Every number in
expected.json is computed from the records that were written, and the
written files are re-parsed at the end as a self-check.
"""

import json
import math
import os
import random
import re
import struct
import sys
import zlib
from datetime import datetime, timedelta, timezone

SEED = 20261120
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # SampleLogs/
DAY = datetime(2026, 11, 20, tzinfo=timezone.utc)


def hms(h, m=0, s=0):
    return h * 3600 + m * 60 + s


START, END = hms(8), hms(14)
NGINX_FILES = [  # oldest first: (relative path, from, to)
    ("nginx/access.log.2.gz", hms(8), hms(10)),
    ("nginx/access.log.1", hms(10), hms(12)),
    ("nginx/access.log", hms(12), hms(14)),
]
APACHE_FILE = "apache/access_log"
APACHE_FROM, APACHE_TO = hms(10), hms(12)

# Incident windows (seconds of the day, UTC). Windows are [from, to).
DEPLOY, DEPLOY_VERSION = hms(10, 30), "v2.14.0"
ROLLBACK, ROLLBACK_VERSION = hms(12, 10), "v2.14.1"
RESTART = (hms(10, 30), hms(10, 31))          # app servers answer 503 to some requests
DEPLOY_500_RATE = 0.15                        # of POST /api/orders between deploy and rollback
REFUSED = (hms(11, 15), hms(11, 30))          # 10.0.1.12:8080 refuses connections
STALL = (hms(12, 40), hms(12, 55))            # 10.0.2.21:9000 stalls (by request start)
LIMIT = (hms(13, 20), hms(13, 25))            # one client hammers /api/search, limit_req 503

POOL = ["10.0.1.11:8080", "10.0.1.12:8080", "10.0.1.13:8080"]
BAD_SERVER, RETRY_SERVER = "10.0.1.12:8080", "10.0.1.13:8080"
PAYMENTS = "10.0.2.21:9000"

CLASSES = ["origin_error", "upstream_unreachable", "upstream_timeout", "upstream_unavailable",
           "proxy_error", "client_closed", "retried_ok"]


def R(name):
    """An independent random stream per concern, so tweaking one leaves the others alone."""
    return random.Random("%d/%s" % (SEED, name))


def rfc3339(sec):
    return (DAY + timedelta(seconds=int(sec))).strftime("%Y-%m-%dT%H:%M:%SZ")


def clf_time(sec):
    return (DAY + timedelta(seconds=int(sec))).strftime("%d/%b/%Y:%H:%M:%S +0000")


def minute_of(sec):
    return rfc3339(int(sec) // 60 * 60)


# --------------------------------------------------------------------------- escaping

def nginx_escape(s):
    """nginx access-log escaping (escape=default): `"`, `\\`, bytes < 0x20 and >= 0x7F as \\xHH."""
    out = []
    for b in s.encode("utf-8"):
        if b == 0x22 or b == 0x5C or b < 0x20 or b >= 0x7F:
            out.append("\\x%02X" % b)
        else:
            out.append(chr(b))
    return "".join(out)


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


# --------------------------------------------------------------------------- routes

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
TOKEN_SPLIT = re.compile(r"([.\-_,;~=])")


def normalise_target(target):
    """Docs/Formats.md#routes, same rules as Sources/TriageCore/RouteNormalizer.swift."""
    for sep in "?#":
        if sep in target:
            target = target[:target.index(sep)]
    if not target.startswith("/"):
        return "(invalid)"
    out = []
    for seg in target.split("/")[1:]:
        if UUID_RE.match(seg):
            out.append("{uuid}")
            continue
        parts = TOKEN_SPLIT.split(seg)
        toks = []
        for i, p in enumerate(parts):
            if i % 2 == 1 or p == "":
                toks.append(p)
            elif p.isdigit():
                toks.append("{id}")
            elif len(p) >= 8 and re.fullmatch(r"[0-9a-fA-F]+", p) and re.search(r"[0-9]", p):
                toks.append("{hex}")
            else:
                toks.append(p)
        out.append("".join(toks))
    return "/" + "/".join(out)


def route_key(method, target):
    if method is None:
        return "- (invalid request)"
    return "%s %s" % (method, normalise_target(target))


# --------------------------------------------------------------------------- clients

BROWSER_UAS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
]
APP_UAS = ["ShopApp/5.3.1 (iOS 18.1; iPhone15,2)", "ShopApp/5.3.0 (Android 14; SM-S921B) okhttp/4.12.0"]
SCRIPT_UAS = ["curl/8.5.0", "python-requests/2.32.3", "Go-http-client/1.1", "PostmanRuntime/7.42.0"]
BOT_UAS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
]
# Raw values; the writers escape them. These contain `"` and `\` on purpose.
SCANNER_UAS = [
    '() { :; }; echo; /bin/bash -c "cat /etc/passwd"',
    'Mozilla/5.0 (compatible; "Nimbostratus-Bot"/v1.3.2)',
    "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 5.1; C:\\Temp\\probe)",
]
QUOTED_REFERER = 'https://shop.example.com/search?q="red shoes"'
PAGES = ["/", "/cart", "/checkout", "/account", "/orders", "/search?q=boots", "/product/4411"]
WORDS = ["boots", "jacket", "scarf", "gloves", "socks", "umbrella", "backpack", "sneakers", "hat",
         "raincoat", "belt", "wallet", "sunglasses", "sweater", "jeans", "shirt", "dress", "watch"]
SCAN_TARGETS = ["/wp-login.php", "/.env", "/.git/config", "/phpmyadmin/index.php", "/admin/config.php",
                "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "/cgi-bin/luci/;stok=/locale"]
IPV6 = ["2001:db8::1f", "2001:db8:85a3::8a2e:370:7334", "2001:db8:4::2", "2001:db8:cafe::17",
        "2001:db8::dead:beef", "2001:db8:1:2::a"]
HAMMER_IP = "198.51.100.77"
HAMMER_UA = "python-requests/2.31.0"
LB_IPS = ["10.0.0.2", "10.0.0.3"]


def make_clients():
    rng = R("clients")
    pool = ["%s.%d" % (net, h) for net in ("192.0.2", "198.51.100", "203.0.113") for h in range(1, 255)]
    pool = [ip for ip in pool if ip != HAMMER_IP]
    ips = rng.sample(pool, 330) + IPV6
    clients = []
    for i, ip in enumerate(ips):
        x = rng.random()
        if x < 0.52:
            kind, ua = "browser", rng.choice(BROWSER_UAS)
        elif x < 0.80:
            kind, ua = "app", rng.choice(APP_UAS)
        elif x < 0.93:
            kind, ua = "script", rng.choice(SCRIPT_UAS)
        else:
            kind, ua = "bot", rng.choice(BOT_UAS)
        clients.append({"ip": ip, "kind": kind, "ua": ua, "user": "-",
                        "weight": 1.0 / (1 + i) ** 0.75})
    # a few special clients
    clients.append({"ip": "10.20.0.5", "kind": "internal", "ua": "reporting-job/1.4 (+internal)",
                    "user": "reporting", "weight": 0.02})
    clients.append({"ip": "10.20.0.9", "kind": "browser", "ua": BROWSER_UAS[2], "user": "alice",
                    "weight": 0.015})
    for ua, ip in zip(SCANNER_UAS, ["203.0.113.250", "192.0.2.251", "2001:db8:bad::66"]):
        clients.append({"ip": ip, "kind": "scanner", "ua": ua, "user": "-", "weight": 0.012})
    return clients


# per client kind: weights of (route name)
ROUTE_WEIGHTS = {
    "browser": {"static": 24, "root": 6, "order_get": 18, "order_post": 14, "user": 12, "search": 16, "payment": 10},
    "app": {"order_get": 26, "order_post": 20, "user": 18, "search": 20, "payment": 16},
    "script": {"order_get": 45, "user": 20, "search": 30, "order_post": 5},
    "bot": {"root": 30, "static": 30, "search": 40},
    "internal": {"order_get": 100},
    "scanner": {"scan": 100},
}

STATIC_HASHES = {"v2.13.4": "3f9a0c1d2e4b", "v2.14.0": "b71e04d9a2c6", "v2.14.1": "5c2d8e90f1a3"}
STATIC_SIZES = {"v2.13.4": 184321, "v2.14.0": 186002, "v2.14.1": 185977}


def version_at(t):
    if t < DEPLOY:
        return "v2.13.4"
    if t < ROLLBACK:
        return "v2.14.0"
    return "v2.14.1"


def weighted(rng, table):
    keys = list(table)
    return rng.choices(keys, weights=[table[k] for k in keys])[0]


def poisson(rng, lam):
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def traffic_shape(sec):
    """Smooth day curve: ~0.31 at 08:00, peak 1.0 at 11:45, ~0.45 at 14:00."""
    m = (sec - START) / 60.0
    return 0.30 + 0.70 * math.exp(-((m - 225.0) / 110.0) ** 2)


def make_uuid(rng):
    h = "%032x" % rng.getrandbits(128)
    return "%s-%s-4%s-%s%s-%s" % (h[:8], h[8:12], h[13:16], "89ab"[int(h[16], 16) % 4], h[17:20], h[20:32])


def make_target(rng, route, t, client):
    """Returns (method, raw target) for a route name."""
    if route == "static":
        v = version_at(t)
        if v != "v2.13.4" and rng.random() < 0.2:   # cached pages still load the previous bundle
            v = "v2.13.4" if v == "v2.14.0" else "v2.14.0"
        return "GET", "/static/app.%s.js" % STATIC_HASHES[v], v
    if route == "root":
        return "GET", "/", None
    if route == "order_get":
        return "GET", "/api/orders/%d" % rng.randint(10000, 9999999), None
    if route == "order_post":
        return "POST", "/api/orders", None
    if route == "user":
        return "GET", "/api/users/%s" % make_uuid(rng), None
    if route == "search":
        x = rng.random()
        if x < 0.006:
            return "GET", '/api/search?q="%s"' % rng.choice(WORDS), None   # raw quote in the URL
        if x < 0.012:
            return "GET", "/api/search?q=caf\u00e9", None                    # raw UTF-8 byte in the URL
        if x < 0.10:
            return "GET", "/api/search?q=%s&page=%d" % (rng.choice(WORDS), rng.randint(2, 5)), None
        return "GET", "/api/search?q=%s" % rng.choice(WORDS), None
    if route == "payment":
        return "POST", "/api/payments", None
    if route == "scan":
        return "GET", rng.choice(SCAN_TARGETS), None
    raise ValueError(route)


# --------------------------------------------------------------------------- nginx records

def t3(x):
    return "%.3f" % x


def ok_attempt(rng, addr, lo, hi):
    uct = rng.choice([0.000, 0.001, 0.001, 0.001, 0.002])
    uht = uct + rng.uniform(lo, hi)
    urt = uht + rng.choice([0.000, 0.000, 0.001, 0.002])
    return {"addr": addr, "status": None, "uct": t3(uct), "uht": t3(uht), "urt": t3(urt), "_urt": round(urt, 3)}


def normal_outcome(rng, route):
    """Status, body bytes and app processing time range of a healthy request."""
    x = rng.random()
    if route == "order_get":
        if x < 0.05:
            return 404, rng.randint(60, 70), (0.004, 0.020)
        if x < 0.06:
            return 401, 58, (0.002, 0.006)
        return 200, rng.randint(620, 2400), (0.010, 0.080)
    if route == "order_post":
        if x < 0.03:
            return 422, rng.randint(90, 180), (0.010, 0.040)
        if x < 0.05:
            return 401, 58, (0.002, 0.006)
        return 201, rng.randint(310, 720), (0.040, 0.210)
    if route == "user":
        if x < 0.05:
            return 401, 58, (0.002, 0.006)
        if x < 0.07:
            return 404, rng.randint(60, 70), (0.004, 0.020)
        return 200, rng.randint(400, 1100), (0.008, 0.060)
    if route == "search":
        return 200, rng.randint(900, 14000), (0.020, 0.400)
    if route == "root":
        return 200, rng.randint(5300, 5600), (0.010, 0.050)
    if route == "health":
        return 200, 2, (0.001, 0.004)
    if route == "payment":
        if x < 0.04:
            return 402, rng.randint(80, 120), (0.150, 0.600)
        return 200, rng.randint(180, 260), (0.150, 0.900)
    if route == "scan":
        return 404, rng.randint(60, 70), (0.002, 0.010)
    raise ValueError(route)


def build_nginx_records():
    rng_t = R("nginx-traffic")
    clients = make_clients()
    cweights = [c["weight"] for c in clients]
    starts = []  # (start time, kind, client, route)

    # ordinary traffic, inhomogeneous Poisson per minute
    peak = 37.5
    for minute in range(START // 60, END // 60):
        sec0 = minute * 60
        n = poisson(rng_t, peak * traffic_shape(sec0 + 30))
        for _ in range(n):
            t = sec0 + rng_t.random() * 60
            c = rng_t.choices(clients, weights=cweights)[0]
            starts.append((t, "req", c, weighted(rng_t, ROUTE_WEIGHTS[c["kind"]])))

    # load balancer health checks: each LB once a minute
    for i, ip in enumerate(LB_IPS):
        off = 7.25 + 29.5 * i
        t = START + off
        while t < END:
            starts.append((t + rng_t.uniform(0, 0.01), "req",
                           {"ip": ip, "kind": "lb", "ua": "ELB-HealthChecker/2.0", "user": "-"}, "health"))
            t += 60

    # the hammering client: ~1 request per second for five minutes
    t = LIMIT[0] + 0.4
    hammer = {"ip": HAMMER_IP, "kind": "script", "ua": HAMMER_UA, "user": "-"}
    while t < LIMIT[1]:
        starts.append((t, "hammer", hammer, "search"))
        t += rng_t.uniform(0.55, 1.45)

    # garbage on the HTTP port, spread over the day
    rng_g = R("nginx-garbage")
    garbage_ips = ["192.0.2.%d" % x for x in (44, 61, 190)] + ["203.0.113.%d" % x for x in (9, 201)] + ["198.51.100.%d" % x for x in (3, 150)]
    garbage_kinds = ["tls"] * 14 + ["ssh"] * 2 + ["empty"] * 6 + ["dash408"] * 8
    for kind in garbage_kinds:
        t = rng_g.uniform(START + 120, END - 180)
        starts.append((t, "garbage:" + kind, {"ip": rng_g.choice(garbage_ips), "kind": "garbage", "ua": "-", "user": "-"}, None))

    starts.sort(key=lambda s: s[0])

    # outcomes, in request-start order (round robin follows it)
    rng_o = R("nginx-outcomes")
    rng_id = R("nginx-ids")
    rr = 0
    bucket = {"excess": 0.0, "last": None}   # limit_req zone: rate=0.5r/s burst=5 nodelay
    records = []
    for t, kind, client, route in starts:
        rec = {"start": t, "ip": client["ip"], "user": client["user"], "ua": client["ua"],
               "referer": "-", "proto": "HTTP/1.1", "attempts": [], "tag": None,
               "rid": "%032x" % rng_id.getrandbits(128)}
        if client["kind"] in ("browser",) and rng_o.random() < 0.8:
            rec["proto"] = "HTTP/2.0"
        elif client["kind"] == "app" and rng_o.random() < 0.5:
            rec["proto"] = "HTTP/2.0"
        if client["kind"] == "browser":
            rec["referer"] = "https://shop.example.com" + rng_o.choice(PAGES)
            if rng_o.random() < 0.004:
                rec["referer"] = QUOTED_REFERER
        elif client["kind"] == "bot" and route == "static":
            rec["referer"] = "https://shop.example.com/"

        if kind.startswith("garbage:"):
            g = kind.split(":")[1]
            rec.update(method=None, target=None, route="- (invalid request)")
            if g == "tls":
                rec["request_raw"] = rng_o.choice([
                    "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03",
                    "\\x16\\x03\\x01\\x00\\xF1\\x01\\x00\\x00\\xED\\x03\\x03",
                    "\\x16\\x03\\x01\\x00\\xA3\\x01\\x00\\x00\\x9F\\x03\\x03\\xB2\\x9Di\\x1C",
                ])
                rec.update(status=400, bytes=157, rt=rng_o.uniform(0.001, 0.090))
                rec["tag"] = "garbage_tls"
            elif g == "ssh":
                rec["request_raw"] = "SSH-2.0-Go"
                rec.update(status=400, bytes=157, rt=rng_o.uniform(0.001, 0.020), tag="garbage_ssh")
            elif g == "empty":
                rec["request_raw"] = ""
                rec.update(status=400, bytes=0, rt=rng_o.uniform(0.000, 0.004), tag="garbage_empty")
            else:
                rec["request_raw"] = "-"
                rec.update(status=408, bytes=0, rt=60.000 + rng_o.uniform(0, 0.003), tag="garbage_408")
            rec["proto"] = None
            rec["end"] = t + rec["rt"]
            records.append(rec)
            continue

        method, target, static_version = make_target(rng_o, route, t, client) if route != "health" else ("GET", "/health", None)
        rec.update(method=method, target=target, route=route_key(method, target))

        if route == "static":
            if rng_o.random() < 0.35:
                rec.update(status=304, bytes=0, rt=rng_o.uniform(0.000, 0.002))
            else:
                rec.update(status=200, bytes=STATIC_SIZES[static_version], rt=rng_o.uniform(0.001, 0.090))
            rec["end"] = t + rec["rt"]
            records.append(rec)
            continue

        if kind == "hammer":
            # nginx limit_req (rate=30r/m burst=5 nodelay): leaky bucket as in ngx_http_limit_req_lookup
            if bucket["last"] is None:
                excess = 0.0
            else:
                excess = max(0.0, bucket["excess"] - 0.5 * (t - bucket["last"])) + 1
            if excess > 5:
                rec.update(status=503, bytes=197, rt=0.000, tag="limit_req_503")
                rec["end"] = t
                records.append(rec)
                continue
            bucket["excess"], bucket["last"] = excess, t

        if route == "payment":
            status, nbytes, (lo, hi) = normal_outcome(rng_o, route)
            if STALL[0] <= t < STALL[1]:
                x = rng_o.random()
                if x < 0.62:
                    a = {"addr": PAYMENTS, "status": "504", "uct": "0.001", "uht": "-", "urt": "60.001", "_urt": 60.001}
                    rec.update(status=504, bytes=167, rt=60.001 + rng_o.choice([0.000, 0.001, 0.002]), tag="stall_504")
                elif x < 0.88:
                    rt = round(rng_o.uniform(10.0, 30.0), 3)
                    a = {"addr": PAYMENTS, "status": "-", "uct": "0.001", "uht": "-", "urt": t3(rt), "_urt": rt}
                    rec.update(status=499, bytes=0, rt=rt, tag="stall_499")
                else:
                    a = ok_attempt(rng_o, PAYMENTS, 8.0, 40.0)
                    a["status"] = "200"
                    rec.update(status=200, bytes=nbytes, rt=a["_urt"] + 0.001, tag="stall_slow_ok")
                rec["attempts"] = [a]
            else:
                a = ok_attempt(rng_o, PAYMENTS, lo, hi)
                a["status"] = str(status)
                rec.update(status=status, bytes=nbytes, rt=a["_urt"] + rng_o.choice([0.0, 0.001]))
                rec["attempts"] = [a]
            rec["end"] = t + rec["rt"]
            records.append(rec)
            continue

        # app pool, round robin
        srv = POOL[rr % 3]
        rr += 1
        status, nbytes, (lo, hi) = normal_outcome(rng_o, route)
        if RESTART[0] <= t < RESTART[1] and rng_o.random() < 0.6:
            a = ok_attempt(rng_o, srv, 0.001, 0.003)
            a["status"] = "503"
            rec.update(status=503, bytes=53, attempts=[a], rt=a["_urt"], tag="restart_503")
        elif REFUSED[0] <= t < REFUSED[1] and srv == BAD_SERVER:
            refused = {"addr": BAD_SERVER, "status": "502", "uct": "-", "uht": "-", "urt": "0.000", "_urt": 0.0}
            if method == "GET":
                b = ok_attempt(rng_o, RETRY_SERVER, lo, hi)
                b["status"] = str(status)
                rec.update(status=status, bytes=nbytes, attempts=[refused, b],
                           rt=b["_urt"] + rng_o.choice([0.000, 0.001]), tag="refused_retried")
            else:
                rec.update(status=502, bytes=157, attempts=[refused], rt=rng_o.choice([0.000, 0.001]),
                           tag="refused_post_502")
        elif route == "order_post" and DEPLOY <= t < ROLLBACK and rng_o.random() < DEPLOY_500_RATE:
            a = ok_attempt(rng_o, srv, 0.030, 0.250)
            a["status"] = "500"
            rec.update(status=500, bytes=rng_o.randint(104, 121), attempts=[a], rt=a["_urt"] + 0.001,
                       tag="deploy_500")
        else:
            a = ok_attempt(rng_o, srv, lo, hi)
            a["status"] = str(status)
            rec.update(status=status, bytes=nbytes, attempts=[a], rt=a["_urt"] + rng_o.choice([0.000, 0.001]))
        rec["end"] = t + rec["rt"]
        records.append(rec)

    # background: a few origin 500s per hour, spread over routes (3 per hour, fixed count)
    rng_b = R("nginx-background")
    for h in range(8, 14):
        cands = [r for r in records if hms(h) <= r["start"] < hms(h + 1) and r["tag"] is None
                 and len(r["attempts"]) == 1 and r["attempts"][0]["status"] in ("200", "201")
                 and r["route"] != "GET /health" and not (DEPLOY <= r["start"] < ROLLBACK and r["route"] == "POST /api/orders")]
        for r in rng_b.sample(cands, 3):
            a = r["attempts"][0]
            a["status"] = "500"
            r.update(status=500, bytes=rng_b.randint(104, 121), tag="background_500")

    records = [r for r in records if r["end"] < END]
    records.sort(key=lambda r: (r["end"], r["start"]))
    return records


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


# --------------------------------------------------------------------------- classification

def nginx_class(rec):
    """Docs/Classification.md decision table (log has upstream fields)."""
    s, att = rec["status"], rec["attempts"]
    if s == 499:
        return "client_closed"
    if 500 <= s <= 599:
        if not att:
            return "proxy_error"
        return attempt_class(att[-1]["status"], s)
    if len(att) >= 2 and any(a["status"] == "-" or int(a["status"]) >= 500 for a in att[:-1]):
        return "retried_ok"
    return None


def attempt_class(st, final):
    if st == "-":
        return {504: "upstream_timeout", 503: "upstream_unavailable", 499: "client_closed",
                502: "upstream_unreachable"}.get(final, "proxy_error")
    st = int(st)
    if st == 502:
        return "upstream_unreachable"
    if st == 503:
        return "upstream_unavailable"
    if st == 504:
        return "upstream_timeout"
    if 500 <= st <= 599:
        return "origin_error"
    return "proxy_error"


def status_only_class(s):
    if s == 499:
        return "client_closed"
    if s == 502:
        return "upstream_unreachable"
    if s == 503:
        return "upstream_unavailable"
    if s == 504:
        return "upstream_timeout"
    if 500 <= s <= 599:
        return "origin_error"
    return None


# --------------------------------------------------------------------------- apache

def build_apache_records():
    rng = R("apache")
    clients = make_clients()
    clients = [c for c in clients if c["kind"] not in ("scanner",)]
    cweights = [c["weight"] for c in clients]
    starts = []
    peak = 21.5
    for minute in range(APACHE_FROM // 60, APACHE_TO // 60):
        n = poisson(rng, peak * traffic_shape(minute * 60 + 30))
        for _ in range(n):
            c = rng.choices(clients, weights=cweights)[0]
            starts.append((minute * 60 + rng.random() * 60, c, weighted(rng, ROUTE_WEIGHTS[c["kind"]])))
    starts.sort(key=lambda s: s[0])
    # exactly four background 504s (slow searches) and two background 500s, fixed picks
    search_idx = [i for i, s in enumerate(starts) if s[2] == "search" and s[0] < APACHE_TO - 120]
    other_idx = [i for i, s in enumerate(starts) if s[2] in ("order_get", "user")]
    bg504 = set(rng.sample(search_idx, 4))
    bg500 = set(rng.sample(other_idx, 2))
    rr = 0
    records = []
    for i, (t, c, route) in enumerate(starts):
        method, target, static_version = make_target(rng, route, t, c)
        rec = {"start": t, "ip": c["ip"], "user": c["user"], "ua": c["ua"], "referer": "-",
               "method": method, "target": target, "proto": "HTTP/1.1", "tag": None,
               "route": route_key(method, target)}
        if c["kind"] == "browser":
            rec["referer"] = "https://partner.example.com" + rng.choice(PAGES)
            if rng.random() < 0.01:
                rec["referer"] = 'https://partner.example.com/search?q="gift"&path=C:\\shop'
        rec["rid"] = make_uuid(rng) if (c["kind"] in ("browser", "app") or rng.random() < 0.3) else "-"
        if route == "static":
            if rng.random() < 0.35:
                rec.update(status=304, bytes=0, us=rng.randint(150, 900))
            else:
                rec.update(status=200, bytes=STATIC_SIZES[static_version], us=rng.randint(800, 60000))
        else:
            status, nbytes, (lo, hi) = normal_outcome(rng, route)
            to_pool = route != "payment"
            srv = None
            if to_pool:
                srv = POOL[rr % 3]
                rr += 1
            if i in bg504:
                rec.update(status=504, bytes=247, us=60000000 + rng.randint(200, 4000), tag="background_504")
            elif to_pool and RESTART[0] <= t < RESTART[1] and rng.random() < 0.45:
                rec.update(status=503, bytes=299, us=rng.randint(900, 4000), tag="restart_503")
            elif to_pool and REFUSED[0] <= t < REFUSED[1] and srv == BAD_SERVER:
                rec.update(status=502, bytes=341, us=rng.randint(400, 2500), tag="refused_502")
            elif route == "order_post" and DEPLOY <= t < ROLLBACK and rng.random() < DEPLOY_500_RATE:
                rec.update(status=500, bytes=rng.randint(104, 121), us=rng.randint(30000, 260000), tag="deploy_500")
            elif i in bg500:
                rec.update(status=500, bytes=rng.randint(104, 121), us=rng.randint(8000, 80000), tag="background_500")
            else:
                rec.update(status=status, bytes=nbytes, us=int(rng.uniform(lo, hi) * 1e6) + rng.randint(300, 2500))
        rec["end"] = t + rec["us"] / 1e6
        records.append(rec)
    # one connection that never sent a request: "-" 408 -
    t408 = hms(11, 2, 17) + 0.5
    records.append({"start": t408, "end": t408 + 20.0, "ip": "192.0.2.190", "user": "-", "ua": "-", "referer": "-",
                    "method": None, "request_raw": "-", "route": "- (invalid request)", "status": 408, "bytes": 0,
                    "us": 20000311, "rid": "-", "tag": "garbage_408"})
    # Apache writes a line when the request completes but %t is the time it started:
    # lines are in completion order, so %t can step back (the 504s by a whole minute).
    records = [r for r in records if r["end"] < APACHE_TO]
    records.sort(key=lambda r: (r["end"], r["start"]))
    return records


def render_apache(rec):
    if rec["method"] is None:
        req = rec["request_raw"]
    else:
        req = apache_escape("%s %s %s" % (rec["method"], rec["target"], rec["proto"]))
    return '%s - %s [%s] "%s" %d %s "%s" "%s" %d %s' % (
        rec["ip"], apache_escape(rec["user"]), clf_time(rec["start"]), req, rec["status"],
        str(rec["bytes"]) if rec["bytes"] else "-", apache_escape(rec["referer"]), apache_escape(rec["ua"]),
        rec["us"], rec["rid"])


# --------------------------------------------------------------------------- gzip

def gzip_member(data, mtime, name=None):
    """One gzip member, written byte by byte so the output does not depend on the gzip module."""
    flags = 0x08 if name else 0x00
    head = b"\x1f\x8b\x08" + bytes([flags]) + struct.pack("<I", mtime) + b"\x02\x03"
    if name:
        head += name.encode("ascii") + b"\x00"
    co = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    body = co.compress(data) + co.flush()
    return head + body + struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)


# --------------------------------------------------------------------------- summaries

def summarise(records, classify, has_upstream):
    status_counts, classes = {}, {c: 0 for c in CLASSES}
    origin_by_route, errors_by_route = {}, {}
    clients, clients5 = set(), set()
    up_attempts, up_fail, up_fail_classes = {}, {}, {}
    for r in records:
        s = r["status"]
        status_counts[s] = status_counts.get(s, 0) + 1
        clients.add(r["ip"])
        c = classify(r)
        if c:
            classes[c] += 1
        if 500 <= s <= 599:
            clients5.add(r["ip"])
            errors_by_route[r["route"]] = errors_by_route.get(r["route"], 0) + 1
        if c == "origin_error":
            origin_by_route[r["route"]] = origin_by_route.get(r["route"], 0) + 1
        if has_upstream:
            att = r["attempts"]
            for i, a in enumerate(att):
                up_attempts[a["addr"]] = up_attempts.get(a["addr"], 0) + 1
                failed_status = a["status"] == "-" or int(a["status"]) >= 500
                if failed_status and (i < len(att) - 1 or 500 <= s <= 599):
                    up_fail[a["addr"]] = up_fail.get(a["addr"], 0) + 1
                    cls = attempt_class(a["status"], s)
                    d = up_fail_classes.setdefault(a["addr"], {})
                    d[cls] = d.get(cls, 0) + 1
    server_errors = sum(n for s, n in status_counts.items() if 500 <= s <= 599)

    def desc(d):
        return {k: d[k] for k in sorted(d, key=lambda k: (-d[k], k))}

    out = {
        "requests": len(records),
        "server_errors": server_errors,
        "server_errors_with_request_id": sum(1 for r in records if 500 <= r["status"] <= 599 and r["rid"] != "-"),
        "status_counts": {str(s): status_counts[s] for s in sorted(status_counts)},
        "classes": classes,
        "unique_clients": len(clients),
        "unique_clients_5xx": len(clients5),
        "origin_error_by_route": desc(origin_by_route),
        "server_errors_by_route": desc(errors_by_route),
    }
    if has_upstream:
        out["top_failing_upstream"] = desc(up_fail)
        out["upstream_failures_by_class"] = {k: dict(sorted(up_fail_classes[k].items())) for k in desc(up_fail)}
        out["upstream_attempts"] = {k: up_attempts[k] for k in sorted(up_attempts)}
    return out


def phase_summary(records, classify):
    phases = {}
    for r in records:
        if not r["tag"]:
            continue
        p = phases.setdefault(r["tag"], {"count": 0, "classes": {}, "first": r["logged"], "last": r["logged"]})
        p["count"] += 1
        c = classify(r) or "none"
        p["classes"][c] = p["classes"].get(c, 0) + 1
        p["first"] = min(p["first"], r["logged"])
        p["last"] = max(p["last"], r["logged"])
    return {k: {"count": v["count"], "classes": dict(sorted(v["classes"].items())),
                "first_logged": rfc3339(v["first"]), "last_logged": rfc3339(v["last"])}
            for k, v in sorted(phases.items())}


def deploy_summary(records, classify):
    post = [r for r in records if r["route"] == "POST /api/orders"]
    orig = [r for r in post if classify(r) == "origin_error"]
    during = [r for r in orig if DEPLOY <= r["logged"] < ROLLBACK]
    five = [r for r in records if 500 <= r["status"] <= 599 and r["logged"] >= DEPLOY]
    return {
        "deploy": rfc3339(DEPLOY), "deploy_version": DEPLOY_VERSION,
        "rollback": rfc3339(ROLLBACK), "rollback_version": ROLLBACK_VERSION,
        "first_5xx_minute_of_deploy": minute_of(min(r["logged"] for r in five)) if five else None,
        "first_origin_error_post_orders_after_deploy": rfc3339(min(r["logged"] for r in during)) if during else None,
        "last_origin_error_post_orders_before_rollback": rfc3339(max(r["logged"] for r in during)) if during else None,
        "post_orders_requests_during_deploy": sum(1 for r in post if DEPLOY <= r["logged"] < ROLLBACK),
        "post_orders_origin_error_during_deploy": len(during),
        "post_orders_origin_error_before_deploy": sum(1 for r in orig if r["logged"] < DEPLOY),
        "post_orders_origin_error_after_rollback": sum(1 for r in orig if r["logged"] >= ROLLBACK),
    }


def by_hour(records):
    out = {}
    for r in records:
        k = "%02d:00" % (int(r["logged"]) // 3600)
        out[k] = out.get(k, 0) + 1
    return dict(sorted(out.items()))


# --------------------------------------------------------------------------- README

APP_README = """## Application logs (`--app-log`)

`app/production.log` is the Rails 6.0 app behind the pool: Ruby's Logger with
Rails' request tags, times in UTC without a zone
(`I, [2026-11-20T10:30:54.123456 #4242]  INFO -- : [0f1e…] Started POST …`),
the pid of one of two Puma workers per server (new workers at the deploy and
at the rollback), the three servers' lines merged in time order. It keeps every
request that failed in the app and a %(sample)d%% sample of the others (Started,
Processing, Parameters, Completed; ActiveJob lines after some orders; now and
then a request from the order worker `10.0.4.7`, which calls the servers
directly and never appears in nginx). The tag is nginx's `rid` written as a
dashed UUID (8-4-4-4-12), in upper case for %(upper_case_ids)d requests: only a
case-insensitive comparison that ignores dashes matches it to the access log.
An exception ends in a FATAL block written as one logger call per line, each
line tagged: an empty line, `Class (message):`, an empty line, the application
frames. App times are a little before nginx's (nginx logs when the response
is sent).

- The v2.14.0 bug: each of the %(nomethod)d origin 500s on `POST /api/orders` is
  ``NoMethodError (undefined method `amount' for nil:NilClass)`` at
  ``app/models/order.rb:42:in `total'`` from ``app/controllers/orders_controller.rb:17:in `create'``.
- The background 500s: `Redis::TimeoutError (Connection timed out)` on
  `GET /api/search` and `GET /` (two call sites, so two signatures), and
  `ActiveRecord::RecordNotFound (Couldn't find Product with 'id'=48213)` on
  `GET /api/orders/{id}`, `…Address…` on `GET /api/users/{uuid}` (the id varies).
  %(silent_500)d background 500s have no app line at all.
- %(interleaved_blocks)d FATAL blocks have another Puma thread's lines between their lines.
- Error events that explain no 5xx: %(handled_422)d handled 422s logged at ERROR
  (`ActiveRecord::RecordInvalid`) and %(routing_errors)d FATAL blocks of
  `ActionController::RoutingError` for scanners' 404s.

`app/payments.log.gz` is the payments service behind `10.0.2.21:9000` (Node,
JSON lines, one gzip member): `charge started`, `charge ok`, `card declined`
(`warn`) for %(psample)d%% of the ordinary charges and for every charge of the
stall. When the card processor stalls the handler gives up after its own 60 s
and logs `{"ts":"…Z","level":"error","request_id":…,"msg":"charge failed",
"error":{"type":"GatewayTimeout","message":"card processor did not answer
within 60s (waited 59997 ms)","stack":"…"}}` (the wait varies; two Node
frames). That line exists for %(gateway)d of the %(stall504)d 504s (%(silent_504)d
never reached the handler) and for the 499s too, whose IDs are no 5xx. Error
lines carry the ID dashed (%(dashed_ids)d of them) or as nginx's 32 hex digits;
info lines as nginx sent it. The two background 500s on `POST /api/payments`
are `TypeError: Cannot read properties of undefined (reading 'last4')`.

Error events: `production.log` %(rails_err)d (%(rails_matched)d explain a 5xx),
`payments.log.gz` %(pay_err)d (%(pay_matched)d explain a 5xx), counting a
FATAL block as one event.

With both app logs, triage should explain %(matched)d of the %(n5xx)d 5xx (%(withid)d carry a
request ID) by an app error event; the other %(unmatched)d keep access-log
signatures (limit_req 503s, refused 502s, restart 503s, the stall 504s and
background 500s nobody logged). 5xx per exception type:

| exception | 5xx | routes | nginx times |
| --- | --- | --- | --- |
%(sig_rows)s
"""


def readme(e, sizes, extra):
    n, a = e["nginx"], e["apache"]
    ph, aph = n["phases"], a["phases"]
    d = n["deploy"]

    def pc(name, src=ph):
        return src.get(name, {}).get("count", 0)

    files = "\n".join(
        "| `%s` | %s | %s | %d | %d | %d | %s bytes%s |" % (
            m["file"], m["first_time"][11:16] + "–" + m["last_time"][11:16], "gzip, %d members" % m["gzip_members"]
            if m["gzip"] else "plain" + ("" if m["ends_with_newline"] else ", no final newline"),
            m["lines"], m["requests"], m["malformed"], format(sizes[m["file"][len("SampleLogs/"):]], ","),
            " (%s uncompressed)" % format(m["bytes_uncompressed"], ",") if m["gzip"] else "")
        for m in n["files"])
    files += "\n| `%s` | 10:00–12:00 | plain | %d | %d | %d | %s bytes |" % (
        a["file"], a["lines"], a["requests"], a["malformed"], format(sizes[APACHE_FILE], ","))
    c = e["correlation"]
    rails, pay = c["app_logs"]
    files += "\n| `%s` | 08:00–14:00 | plain | %d | | | %s bytes |" % (
        rails["file"], rails["lines"], format(sizes[RAILS_LOG], ","))
    files += "\n| `%s` | 08:00–14:00 | gzip, 1 member | %d | | | %s bytes (%s uncompressed) |" % (
        pay["file"], pay["lines"], format(sizes[PAYMENTS_LOG], ","), format(extra["payments_uncompressed"], ","))
    sigs = c["signature_details"]
    sig_rows = "\n".join("| %s | %d | %s | %s–%s |" % (
        "`%s`" % k if k != "access_log" else "(access log only)", v["count"],
        ", ".join("`%s` %d" % kv for kv in v["routes"].items()), v["first_5xx"][11:19], v["last_5xx"][11:19])
        for k, v in sigs.items())
    app = dict(extra, sig_rows=sig_rows, n5xx=c["server_errors"], withid=c["with_request_id"], matched=c["matched"],
               unmatched=c["unmatched"], nomethod=c["signatures"].get("NoMethodError", 0),
               gateway=c["signatures"].get("GatewayTimeout", 0), stall504=pc("stall_504"),
               rails_err=rails["error_events"], rails_matched=rails["matched_events"],
               pay_err=pay["error_events"], pay_matched=pay["matched_events"],
               sample=int(RAILS_SAMPLE * 100), psample=int(PAYMENTS_SAMPLE * 100))
    app_section = APP_README % app
    hours = " · ".join("%s %d" % (h, c) for h, c in n["requests_by_hour"].items())
    mal = "\n".join("| `%s` | %d | %s |" % (m["file"], m["line"], m["kind"]) for m in n["malformed_lines"] + a["malformed_lines"])
    cls = lambda c: " · ".join("%s %d" % (k, v) for k, v in c["classes"].items())
    return """# Sample incident (generated)

Everything in this directory, this README included, is written by
`generate.py` — run `python3 SampleLogs/generate.py` from the repository root
(Python 3, standard library only, fixed seed %(seed)d). The output is
byte-identical on every run, so `git diff` after regenerating should be empty;
change the generator, never the logs. `expected.json` is the ground truth,
computed from the generated records and re-checked against the written files
by the generator itself (it exits with an assertion error if they disagree).

## What happened (2026-11-20, all times UTC, logged as `+0000`)

Traffic rises smoothly from the morning, peaks around 11:45 and falls again
(nginx requests per hour: %(hours)s). nginx runs in front of the app pool
`10.0.1.11:8080`, `10.0.1.12:8080`, `10.0.1.13:8080` (round robin) and the
payments service `10.0.2.21:9000`; `/static/` is served by nginx itself.

| when | what happened | signal in the nginx log | class | nginx count |
| --- | --- | --- | --- | --- |
| all day | background noise: 404, 401, 402, 422, and 3 origin 500s per hour on random routes | `us="500"` | `origin_error` | %(bg500)d |
| 10:30:00 | deploy **v2.14.0** (`deploys.txt`) | | | |
| 10:30:00–10:31:00 | app servers restart and answer 503 to some requests | `503`, `us="503"` | `upstream_unavailable` | %(restart)d |
| 10:30–12:10 | v2.14.0 bug: about 15%% of `POST /api/orders` fail in the app (first at %(first500)s, last at %(last500)s) | `500`, `us="500"`, `uht` set | `origin_error` | %(deploy500)d of %(postreq)d |
| 11:15–11:30 | `10.0.1.12:8080` refuses connections; GETs sent to it are retried on `10.0.1.13:8080` | `us="502, 200"` `uct="-, 0.001"` | `retried_ok` | %(retried)d |
| 11:15–11:30 | POSTs sent to it are not retried | `502`, `us="502"` `uct="-"` `urt="0.000"` | `upstream_unreachable` | %(refused)d |
| 12:10:00 | rollback to **v2.14.1**: the 500s on `POST /api/orders` stop | | | |
| 12:40–12:55 (request start) | payments `10.0.2.21:9000` stalls: `POST /api/payments` time out after 60 s (logged up to 12:56) | `504`, `uht="-"` `urt="60.001"` `us="504"` | `upstream_timeout` | %(stall504)d |
| 12:40–12:55 | some clients give up after 10–30 s | `499`, `us="-"`, `urt` = `rt` | `client_closed` | %(stall499)d |
| 12:40–12:55 | a few payments still succeed, slowly (8–40 s) | `200` | — | %(slow)d |
| 13:20–13:25 | `%(hammer)s` hammers `GET /api/search`; `limit_req` (30r/m, burst 5, nodelay) rejects it | `503`, all upstream fields `-` | `proxy_error` | %(limit)d |
| all day | garbage on the HTTP port: TLS handshakes and SSH banners (400), `""` (400), `"-"` (408) — valid records, route `(invalid request)` | `"\\x16\\x03\\x01…" 400 157` | — | %(garbage)d |

nginx totals: %(nlines)d lines, %(nreq)d requests, %(nmal)d malformed, %(n5xx)d with a 5xx
status (%(nclients)d distinct clients). Classes: %(ncls)s.
Most failed upstream attempts: `10.0.1.12:8080` (%(top12)d).

What a good triage report should say: three separate problems — an
application bug introduced by v2.14.0 (origin 500s on `POST /api/orders`,
10:30–12:10, fixed by the rollback), a dead app server 11:15–11:30 (mostly
hidden by retries, visible as 502s on POSTs), and a stalled payments backend
12:40–12:55 (504s and 499s) — plus a rate-limited client at 13:20 (proxy-made
503s, not a backend problem) and the 10:30 restart blip.

The Apache file is a second entry point (a partner-facing Apache reverse
proxy, `partner.example.com`) in front of the same app, 10:00–12:00. It has
no upstream fields, so every class there is decided from the status alone:
500s on `POST /api/orders` after 10:30 (%(a500)d), 502s while `10.0.1.12` refuses
connections 11:15–11:30 (%(a502)d, GETs included: this proxy does not retry), 503s
at the 10:30 restart (%(a503)d), and %(a504)d slow-search 504s. Apache totals: %(alines)d lines,
%(areq)d requests, %(amal)d malformed, %(a5xx)d 5xx. Classes: %(acls)s.

%(app_section)s
## Files

| file | covers | storage | lines | requests | malformed | size |
| --- | --- | --- | --- | --- | --- | --- |
%(files)s
| `SampleLogs/deploys.txt` | | plain | | | | one `RFC3339-time version` marker a line, `#` comments |
| `SampleLogs/expected.json` | | | | | | ground truth, see below |

`lines` counts physical lines, including malformed ones and the unterminated
last line of `access.log` (so `wc -l` reports one less there). There are no
blank lines. Within and across the nginx files lines are in time order
(`$time_local` is when the request finished).

## Formats

nginx (`log_format` identical to triage's `upstream` preset):

```nginx
log_format upstream '$remote_addr - $remote_user [$time_local] "$request" '
                    '$status $body_bytes_sent "$http_referer" "$http_user_agent" '
                    'rt=$request_time uct="$upstream_connect_time" uht="$upstream_header_time" '
                    'urt="$upstream_response_time" us="$upstream_status" ua="$upstream_addr" '
                    'rid=$request_id';
```

Apache:

```apache
LogFormat "%%h %%l %%u %%t \\"%%r\\" %%>s %%b \\"%%{Referer}i\\" \\"%%{User-Agent}i\\" %%D %%{X-Request-ID}i" proxy
```

## Edge cases included on purpose

- `access.log.2.gz` is **multi-member** gzip (three members, as `cat a.gz b.gz c.gz`
  makes). Member 1 has an FNAME header (`access.log.2`); member 1 ends on a line
  boundary, member 2 ends **in the middle of a line** that member 3 finishes.
  `gzip -l` shows only the last member's size; `zcat` and Python's `gzip` read all.
- The last line of `access.log` is a fragment cut mid-request with no final newline.
- nginx escapes (`escape=default`): `"` → `\\x22`, `\\` → `\\x5C`, bytes ≥ 0x7F →
  `\\xHH` uppercase (`/api/search?q=caf\\xC3\\xA9`, `q=\\x22…\\x22`, user agents
  `() { :; }; echo; /bin/bash -c \\x22cat /etc/passwd\\x22`,
  `…Windows NT 5.1; C:\\x5CTemp\\x5Cprobe)`, referer
  `…search?q=\\x22red shoes\\x22`). TLS request lines mix escapes and printable
  bytes: `"\\x16\\x03\\x01\\x00\\xA3\\x01\\x00\\x00\\x9F\\x03\\x03\\xB2\\x9Di\\x1C"`.
  These escapes are literal backslash-x text in the file.
- Apache escapes: `"` → `\\"`, `\\` → `\\\\`, non-ASCII → `\\xhh` lowercase, in the
  request line too (`"GET /api/search?q=\\"…\\" HTTP/1.1"`). `%%b` is `-` for
  0 bytes; `%%{X-Request-ID}i` is a UUID or `-`.
- Apache writes a line when the request completes but `%%t` is its start, so
  %(disorder)d lines carry a time earlier than the line before (the 504s by a
  minute, the `"-" 408 -` line by 20 s).
- Upstream lists with `-` inside (`uct="-, 0.001"`); a 499 whose `us` is `-`
  while `ua` names the server; a few retried GETs ended in 404 (still
  `retried_ok`: final < 500 after a failed attempt).
- IPv6 clients (`2001:db8::1f` …), `$remote_user` `reporting` and `alice`,
  `HTTP/2.0` request lines, SSH banners (`"SSH-2.0-Go" 400`).

Malformed lines (not valid log lines; everything else, garbage requests
included, is a valid record):

| file | line | kind |
| --- | --- | --- |
%(mal)s

## Realism notes

- nginx retries a request whose connection was refused even for POST
  (nothing was sent yet). The scenario assumes the POST locations have
  `proxy_next_upstream off` and the pool uses `max_fails=0`, so nginx keeps
  sending a third of the requests to the dead server and never retries a POST.
- Addresses are from the documentation ranges (192.0.2.0/24, 198.51.100.0/24,
  203.0.113.0/24, 2001:db8::/32) plus private 10.x for the load balancers
  (`ELB-HealthChecker/2.0`, `GET /health` once a minute each) and internal clients.

## `expected.json`

`incident` (the windows above); then `nginx` (the rotated set as a whole) and
`apache`, each with: `lines`, `blank`, `malformed`, `requests`,
`server_errors` (final 500–599), `server_errors_with_request_id`,
`status_counts`, `classes` (the seven classes of Docs/Classification.md,
status-only for Apache), `unique_clients`, `unique_clients_5xx`,
`origin_error_by_route` and `server_errors_by_route` (normalised routes as
`METHOD /route`), `first_time`, `last_time`, `deploy` (first 5xx minute at or
after the deploy, origin 500s on `POST /api/orders` before / during / after),
`phases` (the generator's own tag per injected effect, with counts, classes
and first/last logged time), `requests_by_hour`, and `malformed_lines`
(`file`, 1-based `line`, `kind`). nginx also has `files` (per file counts,
gzip members), `top_failing_upstream` (failed attempts per address: status 5xx,
or `-` when retried or ending in a 5xx), `upstream_failures_by_class` and
`upstream_attempts`.

`correlation` is what `--app-log SampleLogs/app/production.log --app-log
SampleLogs/app/payments.log.gz` should find with the nginx set: `app_logs`
(per file: `lines`, `error_events` and `error_events_with_request_id` counting
a Rails FATAL block as one event, `matched_events`: error events whose request
ID is a 5xx), `server_errors`, `with_request_id`, `matched` (5xx explained by
an app error event), `unmatched`, `matched_by_phase` (by the generator's tag),
`signatures` (5xx per exception type, `access_log` for those no app event
explains) and `signature_details` (per exception type: `count`, `routes`,
first and last nginx time of its 5xx).
""" % dict(
        seed=SEED, hours=hours, bg500=pc("background_500"), restart=pc("restart_503"),
        deploy500=pc("deploy_500"), postreq=d["post_orders_requests_during_deploy"],
        first500=d["first_origin_error_post_orders_after_deploy"][11:19],
        last500=d["last_origin_error_post_orders_before_rollback"][11:19],
        retried=pc("refused_retried"), refused=pc("refused_post_502"), stall504=pc("stall_504"),
        stall499=pc("stall_499"), slow=pc("stall_slow_ok"), hammer=HAMMER_IP, limit=pc("limit_req_503"),
        garbage=sum(pc(k) for k in ("garbage_tls", "garbage_ssh", "garbage_empty", "garbage_408")),
        nlines=n["lines"], nreq=n["requests"], nmal=n["malformed"], n5xx=n["server_errors"],
        nclients=n["unique_clients_5xx"], ncls=cls(n), top12=n["top_failing_upstream"].get(BAD_SERVER, 0),
        a500=a["status_counts"].get("500", 0), a502=a["status_counts"].get("502", 0),
        a503=a["status_counts"].get("503", 0), a504=a["status_counts"].get("504", 0),
        alines=a["lines"], areq=a["requests"], amal=a["malformed"], a5xx=a["server_errors"], acls=cls(a),
        files=files, disorder=a["lines_with_time_before_previous_line"], mal=mal, app_section=app_section)


# --------------------------------------------------------------------------- application logs

RAILS_LOG = "app/production.log"
PAYMENTS_LOG = "app/payments.log.gz"
INTERNAL_IP = "10.0.4.7"            # the order worker calls the app servers directly, not through nginx

# Rails routes: controller#action, request format, status texts as Rails writes them.
RAILS_ACTIONS = {
    "GET /api/orders/{id}": ("OrdersController#show", "JSON"),
    "POST /api/orders": ("OrdersController#create", "JSON"),
    "GET /api/users/{uuid}": ("UsersController#show", "JSON"),
    "GET /api/search": ("SearchController#index", "JSON"),
    "GET /": ("HomeController#index", "HTML"),
}
HTTP_REASON = {200: "OK", 201: "Created", 304: "Not Modified", 401: "Unauthorized", 404: "Not Found",
               422: "Unprocessable Entity", 500: "Internal Server Error"}
SKUS = ["BT-4411", "JK-2093", "SC-0187", "GL-7720", "SK-1002", "UM-3141", "BP-5508", "SN-6601"]

# The v2.14.0 bug, and the exceptions behind the background 500s (by route).
# Each: (exception class, message template, frames). `%d` in a message is a varying record id.
DEPLOY_BUG = ("NoMethodError", "undefined method `amount' for nil:NilClass",
              ["app/models/order.rb:42:in `total'", "app/controllers/orders_controller.rb:17:in `create'"])
BACKGROUND_BUGS = {
    "GET /api/orders/{id}": ("ActiveRecord::RecordNotFound", "Couldn't find Product with 'id'=%d",
                             ["app/models/order_item.rb:14:in `product'",
                              "app/serializers/order_serializer.rb:22:in `block in line_items'",
                              "app/controllers/orders_controller.rb:9:in `show'"]),
    "GET /api/users/{uuid}": ("ActiveRecord::RecordNotFound", "Couldn't find Address with 'id'=%d",
                              ["app/models/user.rb:31:in `default_address'",
                               "app/controllers/users_controller.rb:12:in `show'"]),
    "GET /api/search": ("Redis::TimeoutError", "Connection timed out",
                        ["app/services/search_cache.rb:23:in `fetch'",
                         "app/controllers/search_controller.rb:8:in `index'"]),
    "GET /": ("Redis::TimeoutError", "Connection timed out",
              ["app/services/search_cache.rb:23:in `fetch'", "app/controllers/home_controller.rb:5:in `index'"]),
}
BACKGROUND_WITHOUT_EVENT = 3        # background origin 500s the app never logged (a worker killed mid-request)
STALL_WITHOUT_EVENT = 4             # stall 504s whose charge never reached the handler
RAILS_SAMPLE = 0.25                 # share of ordinary requests kept in production.log
PAYMENTS_SAMPLE = 0.5               # share of ordinary charges kept in payments.log.gz


def dashed(rid):
    """nginx's 32-hex `$request_id` as the app writes it: 8-4-4-4-12."""
    return "%s-%s-%s-%s-%s" % (rid[:8], rid[8:12], rid[12:16], rid[16:20], rid[20:])


def request_key(rid):
    """The form triage compares request IDs in: lowercase, no dashes (Sources/TriageCore/RequestID.swift)."""
    return rid.replace("-", "").lower()


def us_of(sec):
    return int(round(sec * 1e6))


def clock_us(us):
    """Microseconds of the day as `2026-11-20T10:30:54.123456` (no zone: the app logs UTC without saying so)."""
    s, frac = divmod(us, 1000000)
    return "2026-11-20T%02d:%02d:%02d.%06d" % (s // 3600, s // 60 % 60, s % 60, frac)


def ruby_line(us, pid, severity, tags, msg):
    """Ruby's Logger format with Rails' tagged logging: `I, [time #pid]  INFO -- : [tag] message`."""
    return "%s, [%s #%d] %5s -- : %s%s" % (severity[0], clock_us(us), pid, severity,
                                            "".join("[%s] " % t for t in tags), msg)


def puma_pids():
    """Two Puma workers per app server, new pids at the deploy (10:30) and at the rollback (12:10)."""
    rng = R("app-rails-pids")
    return {srv: [[rng.randint(1200, 32000) for _ in range(2)] for _ in range(3)] for srv in POOL}


def era(t):
    return 0 if t < DEPLOY else (1 if t < ROLLBACK else 2)


def rails_request_lines(rng, rec, pid, tag, events, exc=None, job=None):
    """The lines Rails 6.0 writes for one proxied request, as (microseconds, line) in time order.

    Started/Processing come just after nginx connected to the app, Completed
    just before nginx got the response header. For a 500 the FATAL block (one
    logger call per line, each line tagged) follows Completed and precedes the
    response, so every app time of a 5xx is before its nginx time. Appends the
    error events written to `events`; returns the lines and the FATAL block's times.
    """
    att = rec["attempts"][-1]
    start = us_of(rec["start"])
    t0 = start + us_of(float(att["uct"])) + rng.randint(150, 900)
    end = start + us_of(float(att["uht"])) - rng.randint(150, 600)
    route, status = rec["route"], rec["status"]
    out = [(t0, ruby_line(t0, pid, "INFO", [tag], 'Started %s "%s" for %s at %s +0000' % (
        rec["method"], rec["target"], rec["ip"], clf_iso(rec["start"]))))]
    if route not in RAILS_ACTIONS:
        # No route (scanners): Rails logs a FATAL block for a 404, an error event that is no 5xx.
        lines = ["  ", 'ActionController::RoutingError (No route matches [%s] "%s"):'
                 % (rec["method"], rec["target"].split("?")[0]), "  ",
                 "actionpack (6.0.6.1) lib/action_dispatch/middleware/debug_exceptions.rb:36:in `call'",
                 "actionpack (6.0.6.1) lib/action_dispatch/middleware/show_exceptions.rb:33:in `call'"]
        f = max(end - 300 * len(lines), t0 + 200)
        block = []
        for line in lines:
            f += rng.randint(40, 250)
            out.append((f, ruby_line(f, pid, "FATAL", [tag], line)))
            block.append(f)
        events.append(block[0])
        return out, []
    action, fmt = RAILS_ACTIONS[route]
    t = t0 + rng.randint(300, 1500)
    out.append((t, ruby_line(t, pid, "INFO", [tag], "Processing by %s as %s" % (action, fmt))))
    if route == "POST /api/orders":
        t += rng.randint(20, 90)
        out.append((t, ruby_line(t, pid, "INFO", [tag], '  Parameters: {"order"=>{"items"=>[{"sku"=>"%s", '
                                 '"quantity"=>%d}]}}' % (rng.choice(SKUS), rng.randint(1, 3)))))
    elif route == "GET /api/orders/{id}":
        t += rng.randint(20, 90)
        out.append((t, ruby_line(t, pid, "INFO", [tag], '  Parameters: {"id"=>"%s"}' % rec["target"].rsplit("/", 1)[1])))
    if exc:
        lines = ["  ", "%s (%s):" % (exc[0], exc[1]), "  "] + exc[2]
        gaps = [rng.randint(60, 260) for _ in lines]
        completed = end - sum(gaps)
        assert completed > t + 1000, rec
        out.append((completed, ruby_line(completed, pid, "INFO", [tag], "Completed 500 Internal Server Error in %dms "
                                         "(ActiveRecord: %.1fms | Allocations: %d)" % (
                                             round((completed - t0) / 1000), rng.uniform(0.8, 9.0),
                                             rng.randint(2100, 9800)))))
        block = []
        f = completed
        for line, gap in zip(lines, gaps):
            f += gap
            out.append((f, ruby_line(f, pid, "FATAL", [tag], line)))
            block.append(f)
        events.append(block[0])
        return out, block
    end = max(end, t + rng.randint(200, 600))
    if status == 422:
        # A handled validation error, logged at ERROR: an error event whose request is a 422.
        e = (t + end) // 2
        out.append((e, ruby_line(e, pid, "ERROR", [tag], "ActiveRecord::RecordInvalid (Validation failed: "
                                 "Quantity must be less than or equal to %d):" % rng.choice([5, 10, 20]))))
        events.append(e)
    if job:
        e = (t + end) // 2
        out.append((e, ruby_line(e, pid, "INFO", [tag], "[ActiveJob] Enqueued OrderConfirmationJob (Job ID: %s) to "
                                 "Async(default) with arguments: %d" % job)))
    views = "Views: %.1fms | " % rng.uniform(0.5, 12.0) if status in (200, 201) else ""
    out.append((end, ruby_line(end, pid, "INFO", [tag], "Completed %d %s in %dms (%sActiveRecord: %.1fms | Allocations: %d)" % (
        status, HTTP_REASON[status], max(1, round((end - t0) / 1000)), views, rng.uniform(0.3, 14.0),
        rng.randint(300, 6000)))))
    return out, []


def clf_iso(sec):
    return (DAY + timedelta(seconds=int(sec))).strftime("%Y-%m-%d %H:%M:%S")


def internal_request(rng, times, pid):
    """A request from the order worker straight to an app server (its own request ID, never in nginx),
    as three (microseconds, line) at `times`: Started, Processing, Completed."""
    tag = dashed("%032x" % rng.getrandbits(128))
    t0, t1, t2 = times
    return [
        (t0, ruby_line(t0, pid, "INFO", [tag], 'Started GET "/internal/stock/%s" for %s at %s +0000'
                       % (rng.choice(SKUS), INTERNAL_IP, clf_iso(t0 / 1e6)))),
        (t1, ruby_line(t1, pid, "INFO", [tag], "Processing by Internal::StockController#show as JSON")),
        (t2, ruby_line(t2, pid, "INFO", [tag], "Completed 200 OK in %dms (Views: 0.4ms | ActiveRecord: %.1fms | "
                       "Allocations: %d)" % (max(1, round((t2 - t0) / 1000)), rng.uniform(0.3, 2.0),
                                            rng.randint(400, 900)))),
    ]


def build_rails_log(records):
    """production.log: the Rails app behind the pool, for the whole day.

    Returns (lines, truth): truth maps the request key of every 5xx the log
    explains to its exception class, and counts the error events written.
    """
    rng = R("app-rails")
    pids = puma_pids()
    entries = []            # (microseconds, sequence, line)

    def add(us, line):
        entries.append((us, len(entries), line))

    bg = [r for r in records if r["tag"] == "background_500" and r["route"] in BACKGROUND_BUGS]
    silent = set(id(r) for r in rng.sample(bg, BACKGROUND_WITHOUT_EVENT))
    truth = {"explained": {}, "error_events": 0, "error_events_with_request_id": 0, "matched_events": 0,
             "interleaved_blocks": 0, "upper_case_ids": 0, "handled_422": 0, "routing_errors": 0, "silent_500": len(silent)}
    blocks = []             # FATAL blocks of 5xx: (times, pid)
    for r in records:
        # Requests the app pool answered: not static files, payments, health checks,
        # limit_req rejections, the restart blip or the POSTs sent to the dead server.
        if not r["attempts"] or r["attempts"][-1]["addr"] not in POOL or r["route"] == "GET /health":
            continue
        if r["tag"] in ("restart_503", "refused_post_502"):
            continue
        exc = None
        if r["tag"] == "deploy_500":
            exc = DEPLOY_BUG
        elif r["tag"] == "background_500":
            if id(r) in silent:
                continue
            kind, msg, frames = BACKGROUND_BUGS[r["route"]]
            exc = (kind, msg % rng.randint(1000, 99999) if "%d" in msg else msg, frames)
        elif rng.random() >= RAILS_SAMPLE:
            continue
        srv = r["attempts"][-1]["addr"]
        pid = rng.choice(pids[srv][era(r["start"])])
        upper = rng.random() < 0.2
        tag = dashed(r["rid"]).upper() if upper else dashed(r["rid"])
        truth["upper_case_ids"] += upper
        job = None
        if r["route"] == "POST /api/orders" and r["status"] == 201 and rng.random() < 0.5:
            job = (make_uuid(rng), rng.randint(480000, 520000))
        events = []
        lines, block = rails_request_lines(rng, r, pid, tag, events, exc, job)
        for us, line in lines:
            add(us, line)
        if job:
            enqueued = next(us for us, line in lines if "Enqueued" in line)
            t = lines[-1][0] + rng.randint(2000, 40000)
            jtags = ["ActiveJob", "OrderConfirmationJob", job[0]]
            add(t, ruby_line(t, pid, "INFO", jtags, "Performing OrderConfirmationJob (Job ID: %s) from Async(default) "
                             "enqueued at %sZ with arguments: %d" % (job[0], clock_us(enqueued), job[1])))
            t2 = t + rng.randint(20000, 90000)
            add(t2, ruby_line(t2, pid, "INFO", jtags, "Performed OrderConfirmationJob (Job ID: %s) from Async(default) "
                              "in %.2fms" % (job[0], (t2 - t) / 1000)))
        truth["error_events"] += len(events)
        truth["error_events_with_request_id"] += len(events)
        truth["handled_422"] += r["status"] == 422
        truth["routing_errors"] += r["route"] not in RAILS_ACTIONS
        if exc:
            truth["explained"][request_key(r["rid"])] = exc[0]
            truth["matched_events"] += 1
            blocks.append((block, pid))

    # Another Puma thread logs in the middle of some FATAL blocks: a request from the
    # order worker starts just before the block and finishes inside it.
    for times, pid in blocks:
        if rng.random() >= 0.35:
            continue
        truth["interleaved_blocks"] += 1
        at = [times[0] - rng.randint(800, 20000), (times[1] + times[2]) // 2, (times[3] + times[4]) // 2]
        for us, line in internal_request(rng, at, pid):
            add(us, line)
    # ... and on its own through the day, every one to five minutes.
    t = us_of(START) + rng.randint(0, 120000000)
    while t < us_of(END) - 60000000:
        pid = rng.choice(pids[rng.choice(POOL)][era(t / 1e6)])
        t1 = t + rng.randint(400, 1500)
        for us, line in internal_request(rng, [t, t1, t1 + rng.randint(1500, 9000)], pid):
            add(us, line)
        t += rng.randint(60000000, 300000000)

    entries.sort()
    return [line for _, _, line in entries], truth


# --------------------------------------------------------------------------- payments service

def iso_ms(us):
    return clock_us(us)[:23] + "Z"


def payments_line(us, level, rid, msg, **extra):
    obj = {"ts": iso_ms(us), "level": level, "request_id": rid, "msg": msg}
    obj.update(extra)
    return json.dumps(obj, separators=(",", ":"))


def build_payments_log(records):
    """payments.log.gz: JSON lines of the payments service (Node) behind 10.0.2.21:9000.

    The HTTP layer logs the request ID as received (nginx's 32 hex digits); the
    charge handler logs it as a UUID (dashed), as most of its errors do.
    """
    rng = R("app-payments")
    entries = []
    truth = {"explained": {}, "error_events": 0, "error_events_with_request_id": 0, "matched_events": 0,
             "dashed_ids": 0, "silent_504": STALL_WITHOUT_EVENT}

    def add(us, line):
        entries.append((us, len(entries), line))

    stall = [r for r in records if r["tag"] == "stall_504"]
    silent = set(id(r) for r in rng.sample(stall, STALL_WITHOUT_EVENT))
    for r in records:
        if r["route"] != "POST /api/payments":
            continue
        interesting = r["tag"] in ("stall_504", "stall_499", "stall_slow_ok", "background_500")
        if not interesting and rng.random() >= PAYMENTS_SAMPLE:
            continue
        if id(r) in silent:
            continue        # stuck in the service's accept queue: the handler never saw it
        att = r["attempts"][-1]
        start = us_of(r["start"]) + us_of(float(att["uct"])) + rng.randint(300, 1500)
        amount = rng.choice([1299, 2450, 3999, 5900, 8990, 12900, 24900])
        add(start, payments_line(start, "info", r["rid"], "charge started", amount_cents=amount, currency="EUR"))
        if r["tag"] in ("stall_504", "stall_499"):
            # The handler gives up on the card processor after its own 60 s timer, whether
            # or not nginx or the client is still waiting (a 499's ID is no 5xx).
            t = us_of(r["start"]) + 60000000 + rng.randint(-40000, 15000)
            waited = (t - start) // 1000
            msg = "card processor did not answer within 60s (waited %d ms)" % waited
            rid = dashed(r["rid"]) if rng.random() < 0.7 else r["rid"]
            truth["dashed_ids"] += "-" in rid
            stack = ("GatewayTimeout: %s\n    at Processor.charge (/srv/payments/src/processor.js:88:11)\n"
                     "    at async ChargeHandler.handle (/srv/payments/src/handlers/charge.js:31:5)" % msg)
            add(t, payments_line(t, "error", rid, "charge failed",
                                 error={"type": "GatewayTimeout", "message": msg, "stack": stack}))
            truth["error_events"] += 1
            truth["error_events_with_request_id"] += 1
            if r["status"] >= 500:
                truth["explained"][request_key(rid)] = "GatewayTimeout"
                truth["matched_events"] += 1
            continue
        end = us_of(r["start"]) + us_of(float(att["uht"])) - rng.randint(200, 900)
        if r["tag"] == "background_500":
            msg = "Cannot read properties of undefined (reading 'last4')"
            stack = ("TypeError: %s\n    at maskCard (/srv/payments/src/util/card.js:12:24)\n"
                     "    at ChargeHandler.handle (/srv/payments/src/handlers/charge.js:44:19)\n"
                     "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)" % msg)
            add(end, payments_line(end, "error", r["rid"], "unhandled error in request",
                                   error={"type": "TypeError", "message": msg, "stack": stack}))
            truth["error_events"] += 1
            truth["error_events_with_request_id"] += 1
            truth["explained"][request_key(r["rid"])] = "TypeError"
            truth["matched_events"] += 1
        elif r["status"] == 402:
            add(end, payments_line(end, "warn", r["rid"], "card declined",
                                   decline_code=rng.choice(["insufficient_funds", "do_not_honor", "expired_card"])))
        else:
            add(end, payments_line(end, "info", r["rid"], "charge ok", amount_cents=amount,
                                   duration_ms=(end - start) // 1000))
    entries.sort()
    return [line for _, _, line in entries], truth


def correlation_summary(records, apps):
    """What `triage --app-log` should find: each 5xx under the exception that explains it, else `access_log`."""
    explained = {}
    for _, _, truth in apps:
        explained.update(truth["explained"])
    five = [r for r in records if 500 <= r["status"] <= 599]
    kinds, phases, details = {}, {}, {}
    for r in five:
        kind = explained.get(request_key(r["rid"]), "access_log")
        kinds[kind] = kinds.get(kind, 0) + 1
        if kind != "access_log":
            phases[r["tag"]] = phases.get(r["tag"], 0) + 1
        d = details.setdefault(kind, {"count": 0, "routes": {}, "first_5xx": r["end"], "last_5xx": r["end"]})
        d["count"] += 1
        d["routes"][r["route"]] = d["routes"].get(r["route"], 0) + 1
        d["first_5xx"] = min(d["first_5xx"], r["end"])
        d["last_5xx"] = max(d["last_5xx"], r["end"])
    matched = sum(n for k, n in kinds.items() if k != "access_log")
    order = sorted(kinds, key=lambda k: (-kinds[k], k))
    return {
        "app_logs": [dict(file="SampleLogs/" + path, gzip=path.endswith(".gz"), lines=len(lines),
                          error_events=t["error_events"], error_events_with_request_id=t["error_events_with_request_id"],
                          matched_events=t["matched_events"]) for path, lines, t in apps],
        "server_errors": len(five),
        "with_request_id": sum(1 for r in five if r["rid"] != "-"),
        "matched": matched,
        "unmatched": len(five) - matched,
        "matched_by_phase": dict(sorted(phases.items())),
        "signatures": {k: kinds[k] for k in order},
        "signature_details": {k: {"count": details[k]["count"],
                                  "routes": {x: details[k]["routes"][x] for x in sorted(
                                      details[k]["routes"], key=lambda x: (-details[k]["routes"][x], x))},
                                  "first_5xx": rfc3339(details[k]["first_5xx"]),
                                  "last_5xx": rfc3339(details[k]["last_5xx"])} for k in order},
    }


# --------------------------------------------------------------------------- self-check parsers

NG_Q = r'((?:[^"\\]|\\x[0-9A-F]{2})*)'
NGINX_RE = re.compile(
    r'^(\S+) - (\S+) \[(\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000)\] "' + NG_Q + r'" (\d{3}) (\d+) "' + NG_Q
    + r'" "' + NG_Q + r'" rt=(\d+\.\d{3}) uct="([^"]*)" uht="([^"]*)" urt="([^"]*)" us="([^"]*)" ua="([^"]*)" rid=([0-9a-f]{32})$')
AP_Q = r'((?:[^"\\]|\\"|\\\\|\\x[0-9a-f]{2})*)'
APACHE_RE = re.compile(
    r'^(\S+) - (\S+) \[(\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000)\] "' + AP_Q + r'" (\d{3}) (\d+|-) "' + AP_Q
    + r'" "' + AP_Q + r'" (\d+) (\S+)$')


def parse_check(lines, regex, status_group):
    ok, bad, statuses = 0, [], {}
    for n, line in enumerate(lines, 1):
        m = regex.match(line)
        if m:
            try:
                datetime.strptime(m.group(3), "%d/%b/%Y:%H:%M:%S %z")
            except ValueError:
                m = None
        if m:
            ok += 1
            s = int(m.group(status_group))
            statuses[s] = statuses.get(s, 0) + 1
        else:
            bad.append(n)
    return ok, bad, statuses


RUBY_RE = re.compile(r"^([DIWEF]), \[2026-11-20T(\d\d):(\d\d):(\d\d)\.(\d{6}) #(\d+)\] +(DEBUG|INFO|WARN|ERROR|FATAL) -- : "
                     r"((?:\[[^\]]+\] )*)(.*)$")
TAG_UUID_RE = re.compile(r"\[([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\]")
RAILS_EXC_RE = re.compile(r"^(\S+) \((.*)\):$")


def check_app_logs(records, corr, rails_truth):
    """Re-reads both app logs with parsers of their own and recomputes what they explain."""
    import gzip
    five = {request_key(r["rid"]): r for r in records if 500 <= r["status"] <= 599}
    explained, per_file = {}, []
    # Rails: every line parses, time order, one error event per FATAL block (by tag) or ERROR line.
    with open(os.path.join(HERE, RAILS_LOG), encoding="utf-8") as f:
        lines = f.read().split("\n")
    assert lines.pop() == ""
    fatal, errors, last_us, order = {}, 0, -1, []
    for n, line in enumerate(lines, 1):
        m = RUBY_RE.match(line)
        assert m and m.group(1) == m.group(7)[0], (n, line)
        us = ((int(m.group(2)) * 60 + int(m.group(3))) * 60 + int(m.group(4))) * 1000000 + int(m.group(5))
        assert us >= last_us, (n, line)
        last_us = us
        tag = TAG_UUID_RE.findall(m.group(8))
        assert tag, (n, line)
        key = request_key(tag[-1])
        order.append(key)
        if m.group(7) == "FATAL":
            fatal.setdefault(key, []).append((n, us, m.group(9)))
        elif m.group(7) == "ERROR":
            errors += 1
    interleaved = 0
    for key, block in fatal.items():
        texts = [text for _, _, text in block]
        assert texts[0] == "  " and texts[2] == "  " and block[-1][0] - block[0][0] < 12, (key, block)
        exc = RAILS_EXC_RE.match(texts[1])
        assert exc, texts
        if key in five:
            interleaved += any(k != key for k in order[block[0][0] - 1:block[-1][0]])
            r = five[key]
            explained[key] = exc.group(1)
            # the app wrote the block inside the request, before nginx logged it
            assert us_of(r["start"]) < block[0][1] and block[-1][1] < us_of(r["end"]), (key, block[0])
    assert interleaved == rails_truth["interleaved_blocks"] > 0, interleaved
    per_file.append({"lines": len(lines), "error_events": len(fatal) + errors,
                     "matched_events": sum(1 for k in fatal if k in five)})
    # Payments: JSON objects, time order; error events are level "error".
    with open(os.path.join(HERE, PAYMENTS_LOG), "rb") as f:
        lines = gzip.decompress(f.read()).decode("utf-8").split("\n")
    assert lines.pop() == ""
    errors, matched, last_ts = 0, 0, ""
    for line in lines:
        obj = json.loads(line)
        assert list(obj)[:4] == ["ts", "level", "request_id", "msg"] and obj["ts"] >= last_ts, line
        last_ts = obj["ts"]
        assert ("error" in obj) == (obj["level"] == "error"), line
        if obj["level"] == "error":
            errors += 1
            key = request_key(obj["request_id"])
            if key in five:
                matched += 1
                explained[key] = obj["error"]["type"]
                r = five[key]
                t = datetime.strptime(obj["ts"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
                assert abs((t - DAY).total_seconds() - r["end"]) < 5, line
    per_file.append({"lines": len(lines), "error_events": errors, "matched_events": matched})
    for got, want in zip(per_file, corr["app_logs"]):
        assert got == {k: want[k] for k in got}, (got, want)
    kinds = {}
    for key in five:
        kind = explained.get(key, "access_log")
        kinds[kind] = kinds.get(kind, 0) + 1
    assert kinds == corr["signatures"], (kinds, corr["signatures"])
    assert corr["matched"] == len(explained) == sum(a["matched_events"] for a in corr["app_logs"])
    assert corr["signature_details"]["NoMethodError"]["routes"] == {"POST /api/orders": corr["signatures"]["NoMethodError"]}


# --------------------------------------------------------------------------- main

def write(path, data):
    full = os.path.join(HERE, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as f:
        f.write(data)


def main():
    # ---- nginx
    records = build_nginx_records()
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

    # ---- apache
    arecs = build_apache_records()
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

    # ---- deploys.txt
    write("deploys.txt", ("# deploy markers for the sample incident: RFC 3339 UTC time, then the version\n"
                          "%s %s\n%s %s\n" % (rfc3339(DEPLOY), DEPLOY_VERSION, rfc3339(ROLLBACK), ROLLBACK_VERSION)).encode())

    # ---- expected.json
    nsum = summarise(records, nginx_class, True)
    asum = summarise(arecs, lambda r: status_only_class(r["status"]), False)
    out_of_order = sum(1 for x, y in zip(arecs, arecs[1:]) if int(y["start"]) < int(x["start"]))
    expected = {
        "generator": {"script": "SampleLogs/generate.py", "seed": SEED},
        "incident": {
            "date": "2026-11-20", "from": rfc3339(START), "to": rfc3339(END),
            "deploy": {"time": rfc3339(DEPLOY), "version": DEPLOY_VERSION},
            "rollback": {"time": rfc3339(ROLLBACK), "version": ROLLBACK_VERSION},
            "restart_503": {"from": rfc3339(RESTART[0]), "to": rfc3339(RESTART[1])},
            "upstream_refused": {"address": BAD_SERVER, "from": rfc3339(REFUSED[0]), "to": rfc3339(REFUSED[1])},
            "payments_stall": {"address": PAYMENTS, "from": rfc3339(STALL[0]), "to": rfc3339(STALL[1]),
                               "note": "window applies to request start; 504s are logged ~60 s later"},
            "limit_req": {"client": HAMMER_IP, "from": rfc3339(LIMIT[0]), "to": rfc3339(LIMIT[1])},
        },
        "nginx": dict(
            files=nginx_files_meta,
            lines=sum(m["lines"] for m in nginx_files_meta),
            blank=0,
            malformed=len(malformed_lines),
            **nsum,
            first_time=rfc3339(records[0]["end"]), last_time=rfc3339(records[-1]["end"]),
            deploy=deploy_summary(records, nginx_class),
            phases=phase_summary(records, nginx_class),
            requests_by_hour=by_hour(records),
            malformed_lines=malformed_lines,
        ),
        "apache": dict(
            file="SampleLogs/" + APACHE_FILE,
            lines=len(atexts),
            blank=0,
            malformed=len(amal),
            **asum,
            first_time=rfc3339(min(r["start"] for r in arecs)), last_time=rfc3339(max(r["start"] for r in arecs)),
            status_only=True,
            lines_with_time_before_previous_line=out_of_order,
            deploy=deploy_summary(arecs, lambda r: status_only_class(r["status"])),
            phases=phase_summary(arecs, lambda r: status_only_class(r["status"])),
            requests_by_hour=by_hour(arecs),
            malformed_lines=amal,
        ),
    }

    # ---- application logs (after everything above, from streams of their own)
    rails_lines, rails_truth = build_rails_log(records)
    write(RAILS_LOG, ("\n".join(rails_lines) + "\n").encode("utf-8"))
    pay_lines, pay_truth = build_payments_log(records)
    write(PAYMENTS_LOG, gzip_member(("\n".join(pay_lines) + "\n").encode("utf-8"),
                                    int((DAY + timedelta(seconds=END)).timestamp()), "payments.log"))
    apps = [(RAILS_LOG, rails_lines, rails_truth), (PAYMENTS_LOG, pay_lines, pay_truth)]
    expected["correlation"] = correlation_summary(records, apps)

    write("expected.json", (json.dumps(expected, indent=2) + "\n").encode())
    sizes = {}
    for path, _, _ in NGINX_FILES:
        sizes[path] = os.path.getsize(os.path.join(HERE, path))
    sizes[APACHE_FILE] = os.path.getsize(os.path.join(HERE, APACHE_FILE))
    for path in (RAILS_LOG, PAYMENTS_LOG):
        sizes[path] = os.path.getsize(os.path.join(HERE, path))
    extra = dict(rails_truth, dashed_ids=pay_truth["dashed_ids"], silent_504=pay_truth["silent_504"],
                 payments_uncompressed=len(("\n".join(pay_lines) + "\n").encode("utf-8")))
    write("README.md", readme(expected, sizes, extra).encode("utf-8"))

    # ---- self-check: re-read what was written and compare
    import gzip
    all_lines = []
    for path, _, _ in NGINX_FILES:
        with open(os.path.join(HERE, path), "rb") as f:
            raw = f.read()
        if path.endswith(".gz"):
            assert raw.count(b"\x1f\x8b\x08") >= 3
            raw = gzip.decompress(raw)
        text = raw.decode("utf-8")
        ls = text.split("\n")
        if ls[-1] == "":
            ls.pop()
        assert len(ls) == next(m["lines"] for m in nginx_files_meta if m["file"] == "SampleLogs/" + path), path
        all_lines.extend((path, n, l) for n, l in enumerate(ls, 1))
    ok, bad, st = parse_check([l for _, _, l in all_lines], NGINX_RE, 5)
    bad_loc = [{"file": "SampleLogs/" + all_lines[i - 1][0], "line": all_lines[i - 1][1]} for i in bad]
    assert ok == nsum["requests"], (ok, nsum["requests"])
    assert bad_loc == [{"file": m["file"], "line": m["line"]} for m in malformed_lines], bad_loc
    assert {str(k): v for k, v in sorted(st.items())} == nsum["status_counts"]
    with open(os.path.join(HERE, APACHE_FILE), encoding="utf-8") as f:
        als = f.read().split("\n")[:-1]
    ok, bad, st = parse_check(als, APACHE_RE, 5)
    assert ok == asum["requests"] and bad == [m["line"] for m in amal], (ok, bad)
    assert {str(k): v for k, v in sorted(st.items())} == asum["status_counts"]
    check_app_logs(records, expected["correlation"], rails_truth)
    total = 0
    for dirpath, _, names in os.walk(HERE):
        for n in names:
            total += os.path.getsize(os.path.join(dirpath, n))
    print("nginx: %d lines, %d requests, %d malformed, %d 5xx; apache: %d lines, %d requests, %d malformed, %d 5xx; "
          "SampleLogs total %d bytes" % (expected["nginx"]["lines"], nsum["requests"], len(malformed_lines),
                                         nsum["server_errors"], len(atexts), asum["requests"], len(amal),
                                         asum["server_errors"], total))
    c = expected["correlation"]
    print("app logs: %s; %d of %d 5xx explained: %s" % (
        ", ".join("%s %d lines" % (a["file"], a["lines"]) for a in c["app_logs"]), c["matched"], c["server_errors"],
        ", ".join("%s %d" % kv for kv in c["signatures"].items())))


if __name__ == "__main__":
    sys.exit(main())
