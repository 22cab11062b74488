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
    README.md               the description of all this (generated too)

The application logs are derived from the nginx records after everything
else is written, with random streams of their own, so they never change the
access logs or the other values in expected.json.

The same seed always gives byte-identical files. Every number in
expected.json is computed from the records that were written, and the
written files are re-parsed at the end as a self-check.

This script only runs the package generator/ next to it: the incident is in
generator/story.py, one writer module per output format (nginx.py, apache.py,
rails.py, payments.py, ...), the ground truth in truth.py; see its __init__.py.
"""

import os
import sys

sys.dont_write_bytecode = True      # keep __pycache__/ out of SampleLogs/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from generator.main import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
