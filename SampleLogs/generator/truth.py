"""The ground truth: what triage should find in the generated logs.

The classes of Docs/Classification.md, the summaries every access-log
section of expected.json is made of, the incident section, the correlation
with the application logs, and the cross-file self-checks. Everything here
is computed from the records that were written, never from the plan.
"""

import math
from datetime import datetime

from .common import SEED, minute_of, request_key, rfc3339
from .story import (BAD_SERVER, DEPLOY, DEPLOY_VERSION, END, HAMMER_IP, LIMIT, PAYMENTS, REFUSED, RESTART,
                    ROLLBACK, ROLLBACK_VERSION, STALL, START)

CLASSES = ["origin_error", "upstream_unreachable", "upstream_timeout", "upstream_unavailable",
           "proxy_error", "client_closed", "retried_ok"]


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


# --------------------------------------------------------------------------- summaries

def percentiles(values):
    """Exact nearest-rank p50, p95, p99 and max (seconds), as triage's histogram approximates them."""
    v = sorted(values)
    n = len(v)

    def rank(q):
        return v[max(1, math.ceil(q * n)) - 1]
    return {"count": n, "p50": rank(0.5), "p95": rank(0.95), "p99": rank(0.99), "max": v[-1]}


def latency_summary(records):
    """Request time ($request_time as logged, 3 decimals) overall and per route; upstream
    response time per attempt, overall and per upstream address."""
    rt = [float("%.3f" % r["rt"]) for r in records]
    by_route, by_upstream, urt = {}, {}, []
    for r, t in zip(records, rt):
        key = r["route"] if r.get("method") else None
        if key:
            by_route.setdefault(key, []).append(t)
        for a in r["attempts"]:
            if a["urt"] != "-":
                by_upstream.setdefault(a["addr"], []).append(float(a["urt"]))
                urt.append(float(a["urt"]))
    return {"request_time": percentiles(rt),
            "request_time_by_route": {k: percentiles(by_route[k]) for k in sorted(by_route)},
            "upstream_response_time": percentiles(urt),
            "upstream_response_time_by_upstream": {k: percentiles(by_upstream[k]) for k in sorted(by_upstream)}}


def client_summary(records, classify, top=10):
    """The top clients by 5xx (ties: more requests, then the address), as the report's
    `clients` ranks them: requests, 5xx, the class counts and the sample user agent (the
    one of the client's earliest 5xx by logged second, ties by bytes)."""
    stats = {}
    for r in records:
        c = stats.setdefault(r["ip"], {"requests": 0, "server_errors": 0,
                                       "classes": {k: 0 for k in CLASSES}, "ua": None})
        c["requests"] += 1
        cls = classify(r)
        if cls:
            c["classes"][cls] += 1
        if 500 <= r["status"] <= 599:
            c["server_errors"] += 1
            candidate = (int(r["end"]), r["ua"])
            if c["ua"] is None or candidate < c["ua"]:
                c["ua"] = candidate
    ranked = sorted((ip for ip in stats if stats[ip]["server_errors"]),
                    key=lambda ip: (-stats[ip]["server_errors"], -stats[ip]["requests"], ip))
    return [{"client": ip, "requests": stats[ip]["requests"], "server_errors": stats[ip]["server_errors"],
             "classes": stats[ip]["classes"], "user_agent": stats[ip]["ua"][1]} for ip in ranked[:top]]


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
    out["clients"] = client_summary(records, classify)
    if has_upstream:
        out["latency"] = latency_summary(records)
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


# The story's problems: the tags of the records each one made (Docs/Deploys.md#problems).
PROBLEMS = [
    ("restart_503", ["restart_503"]),
    ("deploy_500", ["deploy_500"]),
    ("upstream_refused", ["refused_post_502", "refused_retried"]),
    ("payments_stall", ["stall_504", "stall_499"]),
    ("limit_req", ["limit_req_503"]),
]


def problem_summary(records, classify):
    """Each problem of the story as triage should list it: its window (the minutes of its
    first and last logged failure, the end exclusive), classes, 5xx, the route, upstream and
    client that carry it (a client only when one holds most of its failures), and the
    deploy it started within 15 minutes after; most 5xx first."""
    deploys = [(DEPLOY, DEPLOY_VERSION), (ROLLBACK, ROLLBACK_VERSION)]
    out = []
    for name, tags in PROBLEMS:
        rs = [r for r in records if r["tag"] in tags]
        classes, routes, upstreams, clients = {}, {}, {}, {}
        five = 0
        for r in rs:
            c = classify(r)
            classes[c] = classes.get(c, 0) + 1
            is5 = 500 <= r["status"] <= 599
            five += is5
            # Ranked by 5xx, then by failures (a retried GET counts, after the 502s).
            routes[r["route"]] = routes.get(r["route"], 0) + (1000 if is5 else 1)
            failed = [a for a in r["attempts"] if a["status"] == "-" or int(a["status"]) >= 500]
            blamed = failed[0] if c == "retried_ok" and failed else (r["attempts"][-1] if r["attempts"] else None)
            if blamed:
                upstreams[blamed["addr"]] = upstreams.get(blamed["addr"], 0) + 1
            clients[r["ip"]] = clients.get(r["ip"], 0) + 1
        first, last = min(r["logged"] for r in rs), max(r["logged"] for r in rs)
        start = int(first) // 60 * 60
        serious = [c for c in classes if c not in ("client_closed", "retried_ok")]
        pool = serious or list(classes)
        dominant = sorted(pool, key=lambda c: (-classes[c], CLASSES.index(c)))[0]
        # Ties go to the first name, as triage ranks them.
        top_upstream = min(upstreams, key=lambda k: (-upstreams[k], k)) if upstreams else None
        top_client = min(clients, key=lambda k: (-clients[k], k))
        follows = [v for t, v in deploys if t < start + 60 and start - t < 15 * 60]
        out.append({
            "name": name,
            "from": rfc3339(start), "to": rfc3339(int(last) // 60 * 60 + 60),
            "dominant_class": dominant,
            "classes": dict(sorted(classes.items())),
            "server_errors": five,
            "top_route": min(routes, key=lambda k: (-routes[k], k)),
            "top_upstream": top_upstream if top_upstream and upstreams[top_upstream] * 2 > len(rs) else None,
            "top_client": top_client if clients[top_client] * 2 > len(rs) else None,
            "follows_deploy": follows[-1] if follows else None,
        })
    out.sort(key=lambda p: (-p["server_errors"], -sum(p["classes"].values()), p["from"]))
    return out


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


# --------------------------------------------------------------------------- app logs

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


# --------------------------------------------------------------------------- self-check parsing

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


# --------------------------------------------------------------------------- expected.json

def expected(sections):
    """expected.json without `correlation`: the generator, the incident windows, then one
    section per access-log writer, in the order given ((name, section) pairs)."""
    out = {
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
    }
    out.update(sections)
    return out


def server_errors_by_key(records):
    """The 5xx records by request key, as `--app-log` correlates them."""
    return {request_key(r["rid"]): r for r in records if 500 <= r["status"] <= 599}


def check_correlation(corr, per_file, explained, five):
    """What the app-log writers re-read (`per_file` stats in `corr["app_logs"]` order,
    `explained`: request key -> exception type) against the `correlation` section."""
    for got, want in zip(per_file, corr["app_logs"]):
        assert got == {k: want[k] for k in got}, (got, want)
    kinds = {}
    for key in five:
        kind = explained.get(key, "access_log")
        kinds[kind] = kinds.get(kind, 0) + 1
    assert kinds == corr["signatures"], (kinds, corr["signatures"])
    assert corr["matched"] == len(explained) == sum(a["matched_events"] for a in corr["app_logs"])
    assert corr["signature_details"]["NoMethodError"]["routes"] == {"POST /api/orders": corr["signatures"]["NoMethodError"]}
