"""app/payments.log.gz: the payments service (Node, JSON lines) behind 10.0.2.21:9000.

Derived from the nginx records with a random stream of its own, written as
one gzip member, and re-read for the self-check.
"""

import gzip
import json
from datetime import datetime, timedelta, timezone

from .common import DAY, R, clock_us, dashed, full_path, gzip_member, request_key, us_of, write
from .story import END

PAYMENTS_LOG = "app/payments.log.gz"
STALL_WITHOUT_EVENT = 4             # stall 504s whose charge never reached the handler
PAYMENTS_SAMPLE = 0.5               # share of ordinary charges kept in payments.log.gz


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


def write_log(records):
    """Writes payments.log.gz from the nginx records; returns its lines and its truth."""
    lines, truth = build_payments_log(records)
    write(PAYMENTS_LOG, gzip_member(("\n".join(lines) + "\n").encode("utf-8"),
                                    int((DAY + timedelta(seconds=END)).timestamp()), "payments.log"))
    return lines, truth


def check(five):
    """Re-reads payments.log.gz: JSON objects in time order; error events are level "error".
    `five`: the 5xx records by request key. Returns the file's stats for
    `correlation.app_logs` and the 5xx it explains (key -> exception type)."""
    explained = {}
    with open(full_path(PAYMENTS_LOG), "rb") as f:
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
    return {"lines": len(lines), "error_events": errors, "matched_events": matched}, explained
