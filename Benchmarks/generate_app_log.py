#!/usr/bin/env python3
"""Generate a large Rails-style application log and the nginx access log it belongs to.

    python3 Benchmarks/generate_app_log.py OUT_DIR REQUESTS

Every request writes 3 INFO lines to the app log (Started, Processing,
Completed); 0.2% fail with a FATAL block of 3 more lines tagged with the
request's UUID. One request in ten, and every failed one, is in the access
log (upstream format, rid = the UUID without dashes), so the application log
is about 18 times the access log: the case where memory must stay bounded by
the 5xx, not by the application log. Deterministic (fixed seed).
"""
import os
import random
import sys
import time
import uuid

out, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
t0 = 1763632800  # 2025-11-20T10:00:00Z


def iso(t):
    return time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(t))


def clf(t):
    return time.strftime('%d/%b/%Y:%H:%M:%S +0000', time.gmtime(t))


os.makedirs(out, exist_ok=True)
with open(os.path.join(out, 'access.log'), 'w') as access, open(os.path.join(out, 'app.log'), 'w') as app:
    for i in range(n):
        t = t0 + i // 50
        u = uuid.UUID(int=rng.getrandbits(128))
        fail = rng.random() < 0.002
        app.write(f'I, [{iso(t)}.000001 #1]  INFO -- : [{u}] Started GET "/api/items/{i}" for 10.0.0.1\n')
        app.write(f'I, [{iso(t)}.000002 #1]  INFO -- : [{u}] Processing by ItemsController#show as JSON\n')
        if fail:
            app.write(f'I, [{iso(t)}.000003 #1]  INFO -- : [{u}] Completed 500 Internal Server Error in 3ms\n')
            app.write(f'F, [{iso(t)}.000004 #1] FATAL -- : [{u}]   \n')
            app.write(f"F, [{iso(t)}.000005 #1] FATAL -- : [{u}] ActiveRecord::RecordNotFound (Couldn't find Item with 'id'={i}):\n")
            app.write(f"F, [{iso(t)}.000006 #1] FATAL -- : [{u}] app/controllers/items_controller.rb:5:in `show'\n")
        else:
            app.write(f'I, [{iso(t)}.000003 #1]  INFO -- : [{u}] Completed 200 OK in 3ms\n')
        if i % 10 == 0 or fail:
            status = 500 if fail else 200
            access.write(f'10.0.0.1 - - [{clf(t)}] "GET /api/items/{i} HTTP/1.1" {status} 12 "-" "curl" rt=0.003 '
                         f'uct="0.001" uht="0.002" urt="0.003" us="{status}" ua="10.1.0.1:8080" rid={u.hex}\n')
