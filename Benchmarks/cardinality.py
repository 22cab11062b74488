#!/usr/bin/env python3
"""A log with about a million distinct routes and a million distinct clients.

Every request goes to its own product slug (/p/<slug>, which route
normalisation cannot collapse) from its own client address, with ~1% 5xx
spread over those routes. After 60% of the lines, one route that was never
seen before starts failing hard: POST /api/checkout/confirm with 500s. A
correct report must still rank it first, however full the route table is.

usage: cardinality.py LINES > file
"""
import random, sys

def main():
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rnd = random.Random(7)
    out = sys.stdout
    late = int(lines * 0.6)
    chunk = []
    for i in range(lines):
        minute = i // 2000
        t = "20/Nov/2026:%02d:%02d:%02d +0000" % ((minute // 60) % 24, minute % 60, i % 60)
        client = "10.%d.%d.%d" % ((i >> 16) & 255, (i >> 8) & 255, i & 255)
        if i >= late and i % 50 == 0:
            req, status, us = "POST /api/checkout/confirm HTTP/1.1", 500, "500"
        else:
            slug = "item-%x-%s" % (i, "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6)))
            status = 502 if rnd.random() < 0.01 else 200
            req, us = "GET /p/%s HTTP/1.1" % slug, str(status)
        chunk.append('%s - - [%s] "%s" %d 512 "-" "ua" rt=0.010 uct="0.001" uht="0.009" urt="0.009" us="%s" ua="10.9.0.%d:8080" rid=r%d\n'
                     % (client, t, req, status, us, i % 7, i))
        if len(chunk) >= 10000:
            out.write("".join(chunk)); chunk = []
    out.write("".join(chunk))

main()
