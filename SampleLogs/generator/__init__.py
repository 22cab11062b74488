"""The generator of the sample incident in SampleLogs/ (run SampleLogs/generate.py).

    common.py    seed, day, random streams, time formats, request-ID forms, gzip, files
    story.py     the incident: windows, pool, clients, routes, traffic, and the records
                 of what happened when (nginx and Apache)
    nginx.py     writer: the nginx `upstream` log, rotated into three files
    apache.py    writer: the partner-facing Apache proxy's log
    rails.py     writer: app/production.log (Rails), derived from the nginx records
    payments.py  writer: app/payments.log.gz (Node JSON lines), same
    deploys.py   writer: deploys.txt
    truth.py     classes, summaries, expected.json, correlation and cross-file checks
    readme.py    README.md (generated: change it here)
    main.py      the order of it all, and the self-check at the end

A writer renders records and never draws from the story's random streams;
an app-log writer draws only from streams of its own. A new output format
(another proxy's log, a variant of the nginx format, nginx's error.log) is
one new writer module plus its call in main.py; see main.py for the shape.
"""
