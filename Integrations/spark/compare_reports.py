"""Compares two triage JSON reports, leaving out what names files or hosts.

Used by test_spark.sh: a merged report equals one run over the same lines except
`inputs`, `hosts`, and the examples of malformed and other lines (Docs/ScaleOut.md).
Exits 1 with the first differing keys.
"""
import json
import sys


def comparable(report):
    report = dict(report)
    for key in ("inputs", "hosts"):
        report.pop(key, None)
    report["malformed"] = {k: v for k, v in report["malformed"].items() if k != "examples"}
    other = report.get("other_lines")
    if other:
        other = dict(other)
        other["by_reason"] = [{k: v for k, v in r.items() if k != "example"} for r in other.get("by_reason", [])]
        report["other_lines"] = other
    return report


def main(direct_path, merged_path):
    with open(direct_path) as f:
        direct = comparable(json.load(f))
    with open(merged_path) as f:
        merged_report = json.load(f)
    merged = comparable(merged_report)
    differing = [k for k in sorted(set(direct) | set(merged)) if direct.get(k) != merged.get(k)]
    if differing:
        for k in differing[:5]:
            print("differs: %s\n  direct: %s\n  merged: %s" % (k, json.dumps(direct.get(k))[:300], json.dumps(merged.get(k))[:300]))
        sys.exit(1)
    hosts = sorted(h["name"] for h in merged_report.get("hosts", []))
    if hosts != ["web-1", "web-2", "web-3"]:
        print("the merged report's hosts are %s, not web-1..3" % hosts)
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
