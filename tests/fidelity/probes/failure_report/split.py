"""Where a task failure's time goes before the job is RESTARTING.

Usage: python3 split.py RUN_DIR...   (a harness run with --failAfter: events.jsonl, raw.json.gz,
flink-log-warnings.txt, metrics.csv)

Prints, in ms after the map's exception (the job's own `fail` event):
- the TaskManager's log line `switched from RUNNING to FAILED` (the task's state change, before
  it releases its resources and reports; log timestamps are whole milliseconds, UTC);
- the JobManager's exception history entry (its timestamp is when the JobManager marked the
  execution failed, i.e. received the task's FAILED report);
- the job's RESTARTING timestamp (REST `/jobs/:id`);
and the whole host's CPU beyond the JVM's after the warm-up (a quiet host is near 0).
"""
import csv
import datetime
import gzip
import json
import re
import sys


def log_ms(line):
    m = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) ", line)
    if not m:
        return None
    t = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S")
    return t.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000 + int(m.group(2))


def excess_cores(run, warmup_s=90.0):
    by_t = {}
    for r in csv.DictReader(open(f"{run}/metrics.csv")):
        if r["metric"] in ("cpu_busy_cores", "jvm_cpu_cores") and float(r["t_rel_s"]) > warmup_s:
            by_t.setdefault(r["t_rel_s"], {})[r["metric"]] = float(r["avg"] or 0)
    xs = [v["cpu_busy_cores"] - v["jvm_cpu_cores"] for v in by_t.values() if len(v) == 2]
    return sum(xs) / len(xs)


def main():
    for run in sys.argv[1:]:
        events = [json.loads(l) for l in open(f"{run}/events.jsonl") if l.strip()]
        fail = next(e["ts_ms"] for e in events if e["kind"] == "fail")
        raw = json.load(gzip.open(f"{run}/raw.json.gz", "rt"))
        final = raw["final"]
        entries = final["exceptions"].get("exceptionHistory", {}).get("entries", [])
        task_failed = [
            log_ms(l) for l in open(f"{run}/flink-log-warnings.txt") if "switched from RUNNING to FAILED" in l
        ]
        print(
            f"{run.rstrip('/').split('/')[-1]}: task FAILED +{task_failed[0] - fail:.0f}"
            f", JobManager's exception +{entries[0]['timestamp'] - fail}"
            f", RESTARTING +{final['job']['timestamps']['RESTARTING'] - fail}"
            f" (host CPU beyond the JVM's: {excess_cores(run):.2f} cores)"
        )


if __name__ == "__main__":
    main()
