"""A map's heap snapshot per checkpoint, from a run's per-thread kernel counters.

For each run directory (real/NAME): the map's snapshot thread (the busiest `AsyncOperations`
thread; a source's snapshot thread takes a fifth of its CPU or less) and its CPU and run-queue
time over the window after the warm-up (threads_warmup.json to threads_end.json), divided by the
checkpoints completed per second of that window; the entries it serialized (the map's distinct
keys are in the run's options); the map's p50 async duration after the warm-up (REST, floored to whole ms); and
the map's record rate.
usage: per_checkpoint.py RUN_DIR [RUN_DIR ...]
"""
import csv, json, os, statistics, sys


def info(run):
    kv = {}
    for line in open(os.path.join(run, "run-info.txt")):
        if line.startswith("args="):
            kv["args"] = line[5:].strip()
            continue
        for word in line.split():
            if "=" in word:
                k, v = word.split("=", 1)
                kv.setdefault(k, v)
    return kv


def snapshot_thread(run):
    start = json.load(open(os.path.join(run, "threads_warmup.json")))
    end = json.load(open(os.path.join(run, "threads_end.json")))
    seconds = end["_jvm_age_s"] - start["_jvm_age_s"]
    best = None
    for tid, v in end.items():
        if tid.startswith("_") or not v[0].startswith("AsyncOperations"):
            continue
        s = start.get(tid, [v[0], 0, 0, 0])
        cpu_ns, queue_ns = v[1] - s[1], v[2] - s[2]
        if best is None or cpu_ns > best[0]:
            best = (cpu_ns, queue_ns)
    return seconds, best


def after_warmup(run, warmup_s, duration_s):
    cps = [r for r in csv.DictReader(open(os.path.join(run, "checkpoints.csv")))
           if r["status"] == "COMPLETED" and warmup_s <= float(r["t_since_job_start_s"]) <= duration_s]
    ids = {r["checkpoint_id"] for r in cps}
    asyncs = [float(r["async_ms"]) for r in csv.DictReader(open(os.path.join(run, "subtasks.csv")))
              if r["checkpoint_id"] in ids and r["vertex"].startswith("stateful-map")]
    return len(cps), statistics.median(asyncs) if asyncs else float("nan")


def map_rate(run, warmup_s):
    rows = [r for r in csv.DictReader(open(os.path.join(run, "metrics.csv")))
            if r["vertex"].startswith("stateful-map") and r["metric"] == "numRecordsInPerSecond"
            and float(r["t_rel_s"]) >= warmup_s and r["sum"]]
    return sum(float(r["sum"]) for r in rows) / len(rows) if rows else float("nan")


def main():
    print("| run | options | map records/s | checkpoints after warm-up | snapshot CPU per checkpoint (ms) | run queue per checkpoint (ms) | map async p50 (ms) |")
    print("|---|---|---|---|---|---|---|")
    for run in sys.argv[1:]:
        kv = info(run)
        warmup_s, duration_s = float(kv.get("warmup_s", 90)), float(kv.get("duration_s", 135))
        n, async_p50 = after_warmup(run, warmup_s, duration_s)
        seconds, thread = snapshot_thread(run)
        per_cp = seconds * n / (duration_s - warmup_s)
        # A sample that lacks the thread (it was not alive at one of the two) reads n/a.
        cpu, queue = (f"{t / 1e6 / per_cp:.2f}" for t in thread) if thread else ("n/a", "n/a")
        print(f"| {kv['name']} | {kv['args']} | {map_rate(run, warmup_s):,.0f} | {n} | "
              f"{cpu} | {queue} | {async_p50:g} |")


if __name__ == "__main__":
    main()
