"""Run triage over many log files with Apache Spark: partials on the executors, merged in a tree.

    spark-submit --master yarn --files /usr/local/bin/triage \
        Integrations/spark/triage_spark.py --output fleet.json --format json \
        'hdfs:///logs/nginx/*/access.log*'

1. Spark lists the files (any path Spark reads: local, hdfs://, s3a://, globs) and
   reads each whole with `binaryFiles` (a file must fit in an executor's memory).
2. Each task writes its share to a local scratch directory, one directory per host
   (the file's parent directory name, `web-7` in .../web-7/access.log), and runs
   `triage --format partial --host HOST -o -` once per host: one partial each.
3. Partials are merged by `triage merge --format partial` on the executors, FAN_IN
   at a time, until at most FAN_IN are left; the driver merges those and writes
   the report. The merge is exact and order-free (Docs/ScaleOut.md), so the tree's
   shape does not change the report.

The triage binary reaches the executors through `--files` (SparkFiles); on the
driver it is the same file, or `--triage PATH`.
"""

import argparse
import os
import posixpath
import shutil
import subprocess
import sys
import tempfile

from pyspark import SparkFiles
from pyspark.sql import SparkSession


def triage_binary(explicit):
    """The triage executable: --triage if given, else the copy --files shipped."""
    if explicit:
        return explicit
    path = SparkFiles.get("triage")
    if not os.access(path, os.X_OK):
        os.chmod(path, 0o755)
    return path


def run(command, stdin=None):
    """Runs triage; its exit 2 (an input was damaged: the partial still covers the rest) is kept as a warning."""
    result = subprocess.run(command, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if result.returncode not in (0, 2):
        raise RuntimeError("%s exited %d: %s" % (command[0], result.returncode, result.stderr.decode(errors="replace")))
    if result.stderr:
        sys.stderr.write(result.stderr.decode(errors="replace"))
    return result.stdout


def host_of(path):
    """The host a file belongs to: the name of its parent directory."""
    parent = posixpath.basename(posixpath.dirname(path.rstrip("/")))
    return parent or "host"


def partials_of_files(binary, extra, deploys=None):
    """deploys: (file name, bytes) of a --deploys file read on the driver, or None."""
    def task(files):
        scratch = tempfile.mkdtemp(prefix="triage-spark-")
        try:
            options = list(extra)
            if deploys:
                path = os.path.join(scratch, "deploys", deploys[0])
                os.makedirs(os.path.dirname(path))
                with open(path, "wb") as f:
                    f.write(deploys[1])
                options += ["--deploys", path]
            by_host = {}
            for path, content in files:
                host = host_of(path)
                directory = os.path.join(scratch, host)
                os.makedirs(directory, exist_ok=True)
                local = os.path.join(directory, posixpath.basename(path))
                with open(local, "wb") as f:
                    f.write(content)
                by_host.setdefault(host, []).append(local)
            for host, paths in sorted(by_host.items()):
                command = [triage_binary(binary), "--format", "partial", "--host", host, "-q", "-o", "-"] + options + paths
                yield run(command)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return task


def merge_partials(binary, output_format, partials, output=None, extra=()):
    """Runs `triage merge` over partials (bytes); returns the merged partial or report bytes."""
    scratch = tempfile.mkdtemp(prefix="triage-merge-")
    try:
        paths = []
        for i, data in enumerate(partials):
            path = os.path.join(scratch, "%05d.partial" % i)
            with open(path, "wb") as f:
                f.write(data)
            paths.append(path)
        command = [triage_binary(binary), "merge", "--format", output_format] + list(extra)
        command += ["-o", output or "-"] if output_format == "partial" or output else []
        return run(command + paths)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def merge_task(binary):
    def task(chunk):
        chunk = list(chunk)
        if chunk:
            yield merge_partials(binary, "partial", chunk)
    return task


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="+", help="log files, directories or globs, as Spark reads them")
    parser.add_argument("--output", required=True, help="the report, written on the driver (local path)")
    parser.add_argument("--format", default="json", choices=["terminal", "json", "markdown", "html", "partial"])
    parser.add_argument("--triage", help="path of the triage binary on every node (default: the one given to --files)")
    parser.add_argument("--fan-in", type=int, default=16, help="partials merged by one task (default 16)")
    parser.add_argument("--partitions", type=int, default=0, help="tasks that read the logs (default: Spark's choice)")
    parser.add_argument("--deploys", help="a deploys file (as triage --deploys reads it), read on the driver and given to every "
                        "'triage --format partial': the deploy windows, latency around each deploy included, are exact")
    parser.add_argument("--triage-arg", action="append", default=[],
                        help="an option for every 'triage --format partial' (repeatable), e.g. --triage-arg=--app-log=app.log")
    parser.add_argument("--merge-arg", action="append", default=[],
                        help="an option for the driver's final 'triage merge' (repeatable), e.g. --merge-arg=--top=20")
    args = parser.parse_args(argv)
    if args.fan_in < 2:
        parser.error("--fan-in must be at least 2")

    spark = SparkSession.builder.appName("triage").getOrCreate()
    sc = spark.sparkContext
    files = sc.binaryFiles(",".join(args.paths), minPartitions=args.partitions or None)
    if args.partitions:
        files = files.repartition(args.partitions)
    # Cached: counting the partials must not run triage a second time when they are merged.
    deploys = None
    if args.deploys:
        with open(args.deploys, "rb") as f:
            deploys = (os.path.basename(args.deploys), f.read())
    partials = files.mapPartitions(partials_of_files(args.triage, args.triage_arg, deploys)).cache()

    # Executors merge FAN_IN partials a task until few are left.
    count = partials.count()
    binary = args.triage
    while count > args.fan_in:
        tasks = (count + args.fan_in - 1) // args.fan_in
        partials = partials.coalesce(tasks).mapPartitions(merge_task(binary)).cache()
        count = partials.count()

    # The driver merges the last ones and writes the report.
    last = partials.collect()
    if not last:
        sys.exit("triage_spark: no log files under %s" % ", ".join(args.paths))
    output = os.path.abspath(args.output)
    merge_partials(args.triage or SparkFiles.get("triage"), args.format, last, output=output, extra=args.merge_arg)
    spark.stop()


if __name__ == "__main__":
    main()
