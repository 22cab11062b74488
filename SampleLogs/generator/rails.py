"""app/production.log: the Rails 6.0 app behind the pool, for the whole day.

Ruby's Logger with Rails' request tags, derived from the nginx records with
random streams of its own (so it never changes the access logs), and a
re-reading parser for the self-check.
"""

import re
from datetime import timedelta

from .common import DAY, R, clock_us, dashed, full_path, request_key, us_of, write
from .story import DEPLOY, END, POOL, ROLLBACK, START, make_uuid

RAILS_LOG = "app/production.log"
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
RAILS_SAMPLE = 0.25                 # share of ordinary requests kept in production.log


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



RUBY_RE = re.compile(r"^([DIWEF]), \[2026-11-20T(\d\d):(\d\d):(\d\d)\.(\d{6}) #(\d+)\] +(DEBUG|INFO|WARN|ERROR|FATAL) -- : "
                     r"((?:\[[^\]]+\] )*)(.*)$")
TAG_UUID_RE = re.compile(r"\[([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\]")
RAILS_EXC_RE = re.compile(r"^(\S+) \((.*)\):$")


def write_log(records):
    """Writes production.log from the nginx records; returns its lines and its truth."""
    lines, truth = build_rails_log(records)
    write(RAILS_LOG, ("\n".join(lines) + "\n").encode("utf-8"))
    return lines, truth


def check(five, truth):
    """Re-reads production.log: every line parses, time order, one error event per FATAL
    block (by tag) or ERROR line. `five`: the 5xx records by request key. Returns the
    file's stats for `correlation.app_logs` and the 5xx it explains (key -> exception)."""
    explained = {}
    with open(full_path(RAILS_LOG), encoding="utf-8") as f:
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
    assert interleaved == truth["interleaved_blocks"] > 0, interleaved
    return {"lines": len(lines), "error_events": len(fatal) + errors,
            "matched_events": sum(1 for k in fatal if k in five)}, explained
