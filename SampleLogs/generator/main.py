"""Runs the generator: builds the story's records, hands them to the writers,
writes expected.json and README.md, then re-reads everything as a self-check.

Each output format is one writer module with the same shape:

    write_logs(records) -> (records still valid, its section of expected.json)
    check(section)      -> re-reads the written files with a parser of its own

(`nginx`, `apache`), and for the application logs, which are derived from the
nginx records after everything else with random streams of their own:

    write_log(records) -> (lines, truth);  check(...) -> (stats, explained 5xx)

(`rails`, `payments`). A new format is one more such module, called from main().
"""

import json
import os

from . import apache, deploys, errorlog, haproxy, nginx, nginx_kv, payments, rails, story, truth
from .common import OUT, full_path, write
from .readme import readme


def main():
    # ---- access logs: each proxy's records, rendered by its writer
    records, nginx_section = nginx.write_logs(story.build_nginx_records())
    arecs, apache_section = apache.write_logs(story.build_apache_records())
    deploys.write_markers()
    expected = truth.expected([("nginx", nginx_section), ("apache", apache_section)])
    # ---- nginx's error.log and a `combined` copy of the nginx records (draws from a stream of its own)
    expected["nginx_error_log"] = errorlog.write_logs(records)
    # ---- the same nginx requests as HAProxy logs them (same classes: the ground truth is nginx's)
    expected["haproxy"] = haproxy.write_logs(records)
    # ---- the same nginx requests with a key=value tail of other names and order (read without options)
    expected["nginx_kv"] = nginx_kv.write_logs(records)

    # ---- application logs (after everything above, from streams of their own)
    rails_lines, rails_truth = rails.write_log(records)
    pay_lines, pay_truth = payments.write_log(records)
    apps = [(rails.RAILS_LOG, rails_lines, rails_truth), (payments.PAYMENTS_LOG, pay_lines, pay_truth)]
    expected["correlation"] = truth.correlation_summary(records, apps)

    write("expected.json", (json.dumps(expected, indent=2) + "\n").encode())
    sizes = {}
    for path, _, _ in nginx.NGINX_FILES:
        sizes[path] = os.path.getsize(full_path(path))
    sizes[apache.APACHE_FILE] = os.path.getsize(full_path(apache.APACHE_FILE))
    for path in (rails.RAILS_LOG, payments.PAYMENTS_LOG, errorlog.ERROR_LOG, errorlog.COMBINED_LOG, haproxy.HAPROXY_LOG,
                 nginx_kv.KV_LOG):
        sizes[path] = os.path.getsize(full_path(path))
    extra = dict(rails_truth, dashed_ids=pay_truth["dashed_ids"], silent_504=pay_truth["silent_504"],
                 payments_uncompressed=len(("\n".join(pay_lines) + "\n").encode("utf-8")))
    write("README.md", readme(expected, sizes, extra).encode("utf-8"))

    # ---- self-check: re-read what was written and compare
    nginx.check(nginx_section)
    apache.check(apache_section)
    errorlog.check(expected["nginx_error_log"], records)
    haproxy.check(expected["haproxy"])
    nginx_kv.check(expected["nginx_kv"])
    five = truth.server_errors_by_key(records)
    rails_stats, rails_explained = rails.check(five, rails_truth)
    pay_stats, pay_explained = payments.check(five)
    truth.check_correlation(expected["correlation"], [rails_stats, pay_stats],
                            dict(rails_explained, **pay_explained), five)
    total = 0
    for dirpath, _, names in os.walk(OUT):
        for n in names:
            total += os.path.getsize(os.path.join(dirpath, n))
    n, a = nginx_section, apache_section
    print("nginx: %d lines, %d requests, %d malformed, %d 5xx; apache: %d lines, %d requests, %d malformed, %d 5xx; "
          "SampleLogs total %d bytes" % (n["lines"], n["requests"], n["malformed"], n["server_errors"],
                                         a["lines"], a["requests"], a["malformed"], a["server_errors"], total))
    c = expected["correlation"]
    print("app logs: %s; %d of %d 5xx explained: %s" % (
        ", ".join("%s %d lines" % (a["file"], a["lines"]) for a in c["app_logs"]), c["matched"], c["server_errors"],
        ", ".join("%s %d" % kv for kv in c["signatures"].items())))
