"""The incident: what happened on 2026-11-20, and when.

Time windows, the app pool, clients, routes and the traffic shape, and the
records built from them: `build_nginx_records()` for the nginx in front of
the pool and `build_apache_records()` for the partner-facing Apache proxy.
A record is a dict (times in seconds of the day, status, bytes, upstream
attempts, request ID, `tag` naming the injected effect or None); the writers
turn records into lines and never draw from these random streams.
"""

import math
import re

from .common import R, hms

START, END = hms(8), hms(14)                  # the nginx logs and the app logs
APACHE_FROM, APACHE_TO = hms(10), hms(12)     # the Apache log

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


# --------------------------------------------------------------------------- apache records

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
