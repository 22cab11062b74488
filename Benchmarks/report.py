#!/usr/bin/env python3
"""Summarise a hyperfine run of Benchmarks/run.sh: print the table of medians
and append a dated section to Docs/Benchmarks.md (with --docs).

Inputs: the hyperfine JSON export, run.sh's commands.tsv (name, command,
uncompressed bytes read, scale to the full input, note) and --meta KEY=VALUE
facts about the machine and the input.
"""

import argparse
import json
import os
import statistics
import sys


def fmt_int(n):
    return f"{int(n):,}"


def fmt_s(t):
    """Seconds with three significant-ish digits: 0.0521, 0.834, 12.3, 123."""
    if t < 0.1:
        return f"{t:.4f}"
    if t < 1:
        return f"{t:.3f}"
    if t < 100:
        return f"{t:.2f}"
    return f"{t:.1f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hyperfine", required=True)
    ap.add_argument("--commands", required=True)
    ap.add_argument("--docs")
    ap.add_argument("--meta", action="append", default=[])
    args = ap.parse_args()

    meta = dict(m.split("=", 1) for m in args.meta)
    results = json.load(open(args.hyperfine))["results"]
    commands = []
    with open(args.commands) as f:
        for line in f:
            name, cmd, nbytes, scale, note = line.rstrip("\n").split("\t")
            commands.append({"name": name, "cmd": cmd, "bytes": int(nbytes), "scale": float(scale), "note": note})
    if len(commands) != len(results):
        sys.exit("report.py: %d commands but %d hyperfine results" % (len(commands), len(results)))

    full_bytes = int(meta["plain_bytes"])
    rows = []
    for c, r in zip(commands, results):
        times = r["times"]
        median = statistics.median(times)
        rows.append({
            **c,
            "median": median,            # measured
            "full": median * c["scale"],  # scaled to the full input
            "min": min(times) * c["scale"],
            "max": max(times) * c["scale"],
            "gbs": c["bytes"] / median / 1e9,
            "cpu": (r["user"] + r["system"]) * c["scale"],
            "cpu_total": (r["user"] + r["system"]) * (len(times) + 1),  # + the warmup run
        })
    by_name = {r["name"]: r for r in rows}
    for r in rows:
        gz = "gz" in r["name"] or "zcat" in r["name"]
        # JSON rows compare with triage on the JSON file, `fmt:` rows (the same requests
        # in another format) with the nginx prefix they were rewritten from, the others
        # with the text file.
        family = "json: " if r["name"].startswith("json:") else ""
        label = family + ("triage (gz)" if gz else "triage (plain)")
        if r["name"].startswith("fmt:"):
            label = "fmt: nginx"
        r["vs"] = r["full"] / by_name[label]["full"]
        # Per byte: what issue #14 holds the formats to (within 1.3x of the nginx preset's
        # time per byte). Equal to `vs` for rows on the same input as their baseline.
        r["vs_byte"] = by_name[label]["gbs"] / r["gbs"]
        r["vs_label"] = label

    header = ["command", "median s", "min–max s", "CPU s", "GB/s", "time ÷ triage", "per byte ÷", "baseline"]
    table = [header, ["---", "---:", "---:", "---:", "---:", "---:", "---:", "---"]]
    for r in rows:
        star = " *" if r["scale"] != 1 else ""
        table.append([
            f"`{r['name']}`",
            f"{fmt_s(r['full'])}{star}",
            f"{fmt_s(r['min'])}–{fmt_s(r['max'])}",
            f"{fmt_s(r['cpu'])}",
            f"{r['gbs']:.3f}",
            f"{r['vs']:.2f}",
            f"{r['vs_byte']:.2f}",
            r["vs_label"],
        ])
    md_table = "\n".join("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in table)
    notes = [f"\\* `{r['name']}`: {r['note']}; measured median {fmt_s(r['median'])} s." for r in rows if r["note"]]

    # Terminal table.
    widths = [max(len(row[i].strip("`")) for row in [header] + table[2:]) for i in range(len(header))]
    print()
    print(f"Input: {meta['plain']} — {fmt_int(full_bytes)} bytes, {fmt_int(meta['lines'])} lines "
          f"({fmt_int(meta['server_errors'])} 5xx); gzip {fmt_int(meta['gz_bytes'])} bytes")
    print("Medians of %s runs; CPU s = user+sys (mean); GB/s of uncompressed input; 'time ÷ triage' = the command's median / triage's median on the same kind of input." % meta["runs"])
    for row in [header] + table[2:]:
        print("  ".join(cell.strip("`").ljust(w) if i in (0, 6) else cell.strip("`").rjust(w)
                        for i, (cell, w) in enumerate(zip(row, widths))))
    for n in notes:
        print(n.replace("\\*", "*").replace("`", ""))
    # CPU time spent during the hyperfine session by anything but the benchmarked
    # commands (their user+sys as hyperfine measured it), as a share of the session.
    session_cpu = int(meta["session_busy_ticks"]) / int(meta["clk_tck"])
    own_cpu = sum(r["cpu_total"] for r in rows)
    session_s = float(meta["session_seconds"])
    other = max(0.0, session_cpu - own_cpu) / session_s if session_s > 0 else 0.0
    interference = (f"other work on the machine during the session: about {other:.2f} of a core on average "
                    f"({session_cpu:.0f} CPU s in {session_s:.0f} s, {own_cpu:.0f} of them the benchmarked commands)")
    print("Note: " + interference + ("" if other < 0.1 else " — timings may be inflated"))
    rss_p = int(meta["rss_plain_kb"]) / 1024
    rss_g = int(meta["rss_gz_kb"]) / 1024
    print(f"Peak RSS (GNU time -v): triage plain {rss_p:.1f} MiB, triage gz {rss_g:.1f} MiB")
    json_note = None
    if "json" in meta:
        rss_j, rss_jg = int(meta["rss_json_kb"]) / 1024, int(meta["rss_json_gz_kb"]) / 1024
        json_note = (f"JSON input `{meta['json']}`: {fmt_int(meta['json_bytes'])} bytes, {fmt_int(meta['json_lines'])} lines, "
                     f"{fmt_int(meta['json_server_errors'])} with status ≥ 500 (= the mawk status-split count; triage plain and gz); "
                     f"generated by `{meta['json_generate']}`; triage peak RSS plain {rss_j:.1f} MiB, gz {rss_jg:.1f} MiB. "
                     f"`json:` rows are scaled to the text input's size (×{full_bytes / int(meta['json_bytes']):.2f}) "
                     f"and compared with triage on the JSON file")
        print(json_note.replace("`", ""))
    format_note = None
    if "formats" in meta:
        format_note = (f"`fmt:` rows: the input's first {fmt_int(meta['format_lines'])} requests rewritten in each format "
                       f"(`Benchmarks/convert_dialect.py`, in `{meta['formats']}`), each file read whole with the same 5xx count; "
                       f"times scaled to the full input's requests; `time ÷ triage` is per request against `fmt: nginx` "
                       f"(the `upstream` preset), GB/s and `per byte ÷` per byte of each format's own file")
        print(format_note.replace("`", ""))
    print(f"Raw hyperfine JSON: {meta['run_json']}")

    if not args.docs:
        return
    lines = []
    lines.append(f"\n## {meta['date']} — {meta['host']}\n")
    lines.append(f"- Machine: `{meta['uname']}`, {meta['nproc']} CPUs (`nproc`), {meta['cpu']}, {meta['mem']} RAM")
    lines.append(f"- triage {meta['triage_version']} at `{meta['git_rev']}`, {meta['swift']}, `swift build -c release`")
    lines.append(f"- Tools: {meta['hyperfine']}; {meta['tools']}")
    lines.append(f"- Input: `{meta['plain']}`, {fmt_int(full_bytes)} bytes, {fmt_int(meta['lines'])} lines, "
                 f"{fmt_int(meta['server_errors'])} with status ≥ 500; gzip `{meta['gz']}` {fmt_int(meta['gz_bytes'])} bytes "
                 f"({meta['gzip_tool']}); generated by `{meta['generate']}`")
    lines.append(f"- Correctness: triage's `totals.server_errors` on the plain and gzip files = mawk's count of "
                 f"status ≥ 500 lines = {fmt_int(meta['server_errors'])}")
    lines.append(f"- Peak RSS (`/usr/bin/time -v`): triage plain {rss_p:.1f} MiB, triage gz {rss_g:.1f} MiB")
    if json_note:
        lines.append(f"- {json_note}")
    if format_note:
        lines.append(f"- {format_note}")
    lines.append(f"- hyperfine `--warmup 1 --runs {meta['runs']}`, page cache warm, CPUs {meta['busy_before']} busy just before; "
                 f"{interference}; raw results "
                 f"[`{os.path.basename(meta['run_json'])}`](../{meta['run_json']})")
    lines.append("")
    lines.append("Median wall-clock seconds; CPU s = user + sys (hyperfine's mean, all processes of the command); "
                 "GB/s of uncompressed input; time ÷ triage = the command's median over triage's median on the same "
                 "kind of input (the baseline column); per byte ÷ = the same per byte of each command's input "
                 "(the baseline's GB/s over the command's; it differs only for the `fmt:` rows).")
    lines.append("")
    lines.append(md_table)
    lines.append("")
    if notes:
        lines.extend(notes)
        lines.append("")
    lines.append("Commands (run from the repository root):")
    lines.append("")
    lines.append("```sh")
    for r in rows:
        lines.append(r["cmd"])
    lines.append("```")
    text = "\n".join(lines) + "\n"
    if not os.path.exists(args.docs):
        with open(args.docs, "w") as f:
            f.write("# Benchmarks\n\nRun `Benchmarks/run.sh`; results are appended below, newest last.\n")
    with open(args.docs, "a") as f:
        f.write(text)
    print(f"Appended to {args.docs}")


if __name__ == "__main__":
    main()
