"""A map's heap snapshot CPU per checkpoint against its record rate, at parallelism 2 (README.md).

For each run directory: the two maps' snapshot threads (the two busiest `AsyncOperations`
threads; a source's takes a fifth of a map's CPU or less), each one's CPU and run-queue time over
the window after the warm-up divided by the checkpoints completed in it, their mean; the record
rate per map; the maps' p50 async phase (REST). Then the registered reading: a least-squares line
of the CPU per checkpoint against log2(records/s per map) through the configurations given with
--fit (each the mean of its runs), and every other configuration's distance from it.

usage: per_map.py [--fit NAME,NAME,...] RUN_DIR [RUN_DIR ...]
   (a configuration's NAME is its run directories' name less `.rN`)
"""
import collections
import csv
import json
import math
import os
import statistics
import sys

# The completed checkpoints of the window and the maps' p50 async phase, read as the parallelism-1
# rounds read them.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "snapshot_cpu_rate_or_load"))
from per_checkpoint import after_warmup  # noqa: E402


def args_of(run):
    for line in open(os.path.join(run, "run-info.txt")):
        if line.startswith("args="):
            return line[5:].strip()
    return ""


def window_of(run):
    kv = {}
    for line in open(os.path.join(run, "run-info.txt")):
        for word in line.split():
            if "=" in word:
                k, v = word.split("=", 1)
                kv.setdefault(k, v)
    return float(kv.get("warmup_s", 90)), float(kv.get("duration_s", 135))


def map_threads(run):
    """(cpu_ns, queue_ns) of the two busiest AsyncOperations threads, and the window's seconds."""
    start = json.load(open(os.path.join(run, "threads_warmup.json")))
    end = json.load(open(os.path.join(run, "threads_end.json")))
    seconds = end["_jvm_age_s"] - start["_jvm_age_s"]
    threads = []
    for tid, v in end.items():
        if tid.startswith("_") or not v[0].startswith("AsyncOperations"):
            continue
        s = start.get(tid, [v[0], 0, 0, 0])
        threads.append((v[1] - s[1], v[2] - s[2]))
    return sorted(threads, reverse=True)[:2], seconds


def rate_per_map(run, warmup_s, maps):
    rows = [r for r in csv.DictReader(open(os.path.join(run, "metrics.csv")))
            if r["vertex"].startswith("stateful-map") and r["metric"] == "numRecordsInPerSecond"
            and float(r["t_rel_s"]) >= warmup_s and r["sum"]]
    return sum(float(r["sum"]) for r in rows) / len(rows) / maps if rows else float("nan")


def snapshot_threads_per_checkpoint(run, threads_wanted=2):
    """Per snapshot thread (the busiest `threads_wanted`), its CPU and run-queue time per
    completed checkpoint after the warm-up, ms; and the window's checkpoints and map async p50."""
    warmup_s, duration_s = window_of(run)
    n, async_p50 = after_warmup(run, warmup_s, duration_s)
    threads, seconds = map_threads(run)
    per_cp = seconds * n / (duration_s - warmup_s)
    used = threads[:threads_wanted]
    return [t[0] / 1e6 / per_cp for t in used], [t[1] / 1e6 / per_cp for t in used], n, async_p50


def main():
    argv = sys.argv[1:]
    fit = []
    if argv and argv[0] == "--fit":
        fit, argv = argv[1].split(","), argv[2:]
    by_config = collections.defaultdict(list)
    print("| run | options | records/s per map | checkpoints | snapshot CPU per checkpoint, each map (ms) | mean | run queue per checkpoint, mean (ms) | map async p50 (ms) |")
    print("|---|---|---|---|---|---|---|---|")
    for run in argv:
        name = os.path.basename(run.rstrip("/"))
        cpus, queues, n, async_p50 = snapshot_threads_per_checkpoint(run)
        rate = rate_per_map(run, window_of(run)[0], len(cpus))
        cpu = statistics.mean(cpus)
        by_config[name.rsplit(".r", 1)[0]].append((rate, cpu))
        print(f"| {name} | {args_of(run)} | {rate:,.0f} | {n} | "
              f"{' / '.join(f'{c:.2f}' for c in cpus)} | {cpu:.2f} | {statistics.mean(queues):.2f} | {async_p50:g} |")
    if not fit:
        return
    points = {c: (statistics.mean(r for r, _ in v), statistics.mean(x for _, x in v))
              for c, v in by_config.items()}
    xs = [math.log2(points[c][0]) for c in fit]
    ys = [points[c][1] for c in fit]
    mx, my = statistics.mean(xs), statistics.mean(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    line = lambda rate: my + slope * (math.log2(rate) - mx)
    print(f"\nline through {', '.join(fit)}: {slope:.3f} ms per doubling of the rate, "
          f"{line(4500):.2f} ms at 4,500 records/s per map ({slope / line(4500):.1%} of it per doubling)")
    print("| configuration | records/s per map | CPU per checkpoint (ms) | the line's | measured / line |")
    print("|---|---|---|---|---|")
    for c, (rate, cpu) in points.items():
        tag = " (fitted)" if c in fit else ""
        print(f"| {c}{tag} | {rate:,.0f} | {cpu:.2f} | {line(rate):.2f} | {cpu / line(rate):.2f} |")


if __name__ == "__main__":
    main()
