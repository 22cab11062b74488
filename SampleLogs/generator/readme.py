"""SampleLogs/README.md, written from expected.json and the sizes of the written files
(the README is generated too: change the text here, never in README.md)."""

from .apache import APACHE_FILE
from .common import SEED
from .payments import PAYMENTS_LOG, PAYMENTS_SAMPLE
from .rails import RAILS_LOG, RAILS_SAMPLE
from .story import BAD_SERVER, HAMMER_IP

ERROR_LOG_README = """## nginx's error log (`--error-log`)

`nginx/error.log` is the error log of the nginx in front of the pool, one line
per failure in nginx's words: `connect() failed (111: Connection refused) while
connecting to upstream` for each attempt at the refusing server, `upstream timed
out (110: Connection timed out) while reading response header from upstream`
for the stalled payments 504s, `limiting requests, excess: … by zone "search"`
for the hammering client's 503s, `[info]` lines for the clients that gave up,
and a reload notice and a buffered-response warning that explain nothing.
Levels: %(levels)s. Causes: %(causes)s.

`nginx-combined/access.log.gz` holds the same valid requests as the rotated
set, in plain `combined` (no upstream fields, no request IDs). Alone, its 5xx
are classified by status: %(status_only)s. With the error log,

```sh
triage SampleLogs/nginx-combined/access.log.gz --error-log SampleLogs/nginx/error.log
```

reaches the classes of the `upstream` log: %(joined)s — %(explained)d 5xx
explained, and %(retried)d requests that succeeded after a refused attempt
found to be `retried_ok`. `expected.json` has it as `nginx_error_log`.

`haproxy/haproxy.log` holds the same valid requests as HAProxy logs them
(`option httplog` behind an rsyslog header, no request IDs): the termination
state, `<NOSRV>` and the retry count say what the nginx upstream fields say,
so `triage SampleLogs/haproxy/haproxy.log`, with no options, finds the same
classes. `expected.json` has it as `haproxy`.

`nginx-kv/access.log.gz` holds the same valid requests as an nginx whose
`log_format` is `combined` followed by key=value fields of its own names and
order (`request_id=… host=… request_time=… upstream_status=502, 200
upstream_addr=… upstream_connect_time=… upstream_header_time=…
upstream_response_time=… cache=…`, unquoted). No preset matches it:
`triage SampleLogs/nginx-kv/access.log.gz`, with no options, reads the tail
by key name and finds the classes, 5xx and request IDs of the nginx files.
`expected.json` has it as `nginx_kv`.
"""

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
    el = e["nginx_error_log"]
    files += "\n| `%s` | 08:00–14:00 | plain | %d | | | %s bytes |" % (
        el["file"], el["lines"], format(sizes[el["file"][len("SampleLogs/"):]], ","))
    files += "\n| `%s` | 08:00–14:00 | gzip, 1 member | %d | %d | 0 | %s bytes |" % (
        el["combined_file"], el["combined_lines"], el["combined_lines"], format(sizes[el["combined_file"][len("SampleLogs/"):]], ","))
    error_section = ERROR_LOG_README % dict(
        causes=" · ".join("`%s` %d" % kv for kv in el["causes"].items()),
        levels=" · ".join("%s %d" % kv for kv in el["levels"].items()),
        status_only=" · ".join("%s %d" % kv for kv in el["combined_status_only_classes"].items()),
        joined=" · ".join("%s %d" % kv for kv in el["combined_with_error_log_classes"].items()),
        explained=el["explained_server_errors"], retried=el["explained_retried"])
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
%(error_section)s
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
(`file`, 1-based `line`, `kind`), and `clients`: the ten clients with the
most 5xx (ties: more requests, then the address), each with `requests`,
`server_errors`, `classes` and the `user_agent` of its earliest 5xx. nginx also
has `files` (per file counts, gzip members), `top_failing_upstream` (failed
attempts per address: status 5xx, or `-` when retried or ending in a 5xx),
`upstream_failures_by_class`, `upstream_attempts`, `latency` (exact
nearest-rank p50, p95, p99 and max of `$request_time` overall and per route,
and of `$upstream_response_time` overall and per upstream) and `problems` (each
distinct problem of the story: its window, dominant class, classes, 5xx, top
route, upstream and client, and the deploy it followed).

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
        files=files, disorder=a["lines_with_time_before_previous_line"], mal=mal, app_section=app_section,
        error_section=error_section)
