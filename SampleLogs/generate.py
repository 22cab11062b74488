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
    expected.json           ground truth computed from the generated records

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
HERE = os.path.dirname(os.path.abspath(__file__))
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

def readme(e, sizes):
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
        files=files, disorder=a["lines_with_time_before_previous_line"], mal=mal)


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
    write("expected.json", (json.dumps(expected, indent=2) + "\n").encode())
    sizes = {}
    for path, _, _ in NGINX_FILES:
        sizes[path] = os.path.getsize(os.path.join(HERE, path))
    sizes[APACHE_FILE] = os.path.getsize(os.path.join(HERE, APACHE_FILE))
    write("README.md", readme(expected, sizes).encode("utf-8"))

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
    total = 0
    for dirpath, _, names in os.walk(HERE):
        for n in names:
            total += os.path.getsize(os.path.join(dirpath, n))
    print("nginx: %d lines, %d requests, %d malformed, %d 5xx; apache: %d lines, %d requests, %d malformed, %d 5xx; "
          "SampleLogs total %d bytes" % (expected["nginx"]["lines"], nsum["requests"], len(malformed_lines),
                                         nsum["server_errors"], len(atexts), asum["requests"], len(amal),
                                         asum["server_errors"], total))


if __name__ == "__main__":
    sys.exit(main())
