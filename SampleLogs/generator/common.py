"""What every part of the generator shares: the seed, the day, one random stream
per concern, time formats, request-ID forms, gzip members and writing below SampleLogs/."""

import os
import random
import struct
import zlib
from datetime import datetime, timedelta, timezone

SEED = 20261120
OUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))     # SampleLogs/
DAY = datetime(2026, 11, 20, tzinfo=timezone.utc)


def hms(h, m=0, s=0):
    return h * 3600 + m * 60 + s



def R(name):
    """An independent random stream per concern, so tweaking one leaves the others alone."""
    return random.Random("%d/%s" % (SEED, name))


def rfc3339(sec):
    return (DAY + timedelta(seconds=int(sec))).strftime("%Y-%m-%dT%H:%M:%SZ")


def clf_time(sec):
    return (DAY + timedelta(seconds=int(sec))).strftime("%d/%b/%Y:%H:%M:%S +0000")


def minute_of(sec):
    return rfc3339(int(sec) // 60 * 60)



# --------------------------------------------------------------------------- request IDs and app clocks

def dashed(rid):
    """nginx's 32-hex `$request_id` as the app writes it: 8-4-4-4-12."""
    return "%s-%s-%s-%s-%s" % (rid[:8], rid[8:12], rid[12:16], rid[16:20], rid[20:])


def request_key(rid):
    """The form triage compares request IDs in: lowercase, no dashes (Sources/TriageCore/RequestID.swift)."""
    return rid.replace("-", "").lower()


def us_of(sec):
    return int(round(sec * 1e6))


def clock_us(us):
    """Microseconds of the day as `2026-11-20T10:30:54.123456` (no zone: the app logs UTC without saying so)."""
    s, frac = divmod(us, 1000000)
    return "2026-11-20T%02d:%02d:%02d.%06d" % (s // 3600, s // 60 % 60, s % 60, frac)


# --------------------------------------------------------------------------- gzip

def gzip_member(data, mtime, name=None):
    """One gzip member, written byte by byte so the output does not depend on the gzip module."""
    flags = 0x08 if name else 0x00
    head = b"\x1f\x8b\x08" + bytes([flags]) + struct.pack("<I", mtime) + b"\x02\x03"
    if name:
        head += name.encode("ascii") + b"\x00"
    co = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    body = co.compress(data) + co.flush()
    return head + body + struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)


# --------------------------------------------------------------------------- files

def full_path(rel):
    """A path below SampleLogs/ (`nginx/access.log`) as a path on this machine."""
    return os.path.join(OUT, rel)


def write(rel, data):
    full = full_path(rel)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as f:
        f.write(data)
