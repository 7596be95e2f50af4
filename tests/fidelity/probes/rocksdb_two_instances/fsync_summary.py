"""The synced writes of f12's checkpoints, from fsync_trace.sh's output.

Usage: python3 fsync_summary.py RUN_DIR FSYNCS_CSV [CHECKPOINTS_SHOWN]

For every completed checkpoint whose trigger falls inside the traced window: each map subtask's
sync phase (start delay + alignment after the trigger, lasting sync_ms; REST gives whole ms),
and every fsync/fdatasync of the JVM's threads from the trigger to the checkpoint's latest
acknowledgement, as ms after the trigger. Then, per thread name, how many calls a checkpoint
makes and their median duration, alone and while another thread's call was in flight.
"""
import csv
import statistics as st
import sys


def main():
    run, trace = sys.argv[1], sys.argv[2]
    shown = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    calls = [
        (float(r["wall_s"]) * 1e3, r["thread"], r["tid"], r["call"], float(r["duration_ms"]))
        for r in csv.DictReader(open(trace))
        if r["thread"] not in ("fsync-marker", "perf")
    ]
    if not calls:
        sys.exit("no calls traced")
    lo, hi = calls[0][0], calls[-1][0]
    cps = [c for c in csv.DictReader(open(f"{run}/checkpoints.csv")) if c["status"].lower() == "completed"]
    subs = {}
    for r in csv.DictReader(open(f"{run}/subtasks.csv")):
        if r["vertex"].startswith("stateful"):
            subs.setdefault(r["checkpoint_id"], []).append(r)
    per_thread, n_cps = {}, 0
    for c in cps:
        trig, last = float(c["trigger_ts_ms"]), float(c["latest_ack_ts_ms"])
        if not (lo <= trig and last <= hi):
            continue
        n_cps += 1
        inside = [x for x in calls if trig - 5 <= x[0] <= last + 5]
        for t, th, tid, call, ms in inside:
            overlapped = any(o[2] != tid and o[0] < t + ms and t < o[0] + o[4] for o in inside)
            per_thread.setdefault(th, {"n": 0, "alone": [], "overlapped": []})
            per_thread[th]["n"] += 1
            per_thread[th]["overlapped" if overlapped else "alone"].append(ms)
        if n_cps <= shown:
            print(f"checkpoint {c['checkpoint_id']}: end to end {c['end_to_end_ms']} ms")
            for r in sorted(subs.get(c["checkpoint_id"], []), key=lambda r: r["subtask"]):
                s0 = float(r["start_delay_ms"]) + float(r["alignment_ms"])
                print(
                    f"  map {r['subtask']}: sync {s0:.0f}-{s0 + float(r['sync_ms']):.0f} ms,"
                    f" async to {s0 + float(r['sync_ms']) + float(r['async_ms']):.0f} ms"
                )
            for t, th, tid, call, ms in inside:
                print(f"  {t - trig:7.2f} ms  {ms:6.2f} ms  {call:9s} {th} ({tid})")
    print(f"\n{n_cps} checkpoints traced; per thread name, per checkpoint:")
    print("| thread | calls per checkpoint | median ms alone (n) | median ms overlapped (n) |")
    print("|---|---|---|---|")
    med = lambda xs: f"{st.median(xs):.2f} ({len(xs)})" if xs else "- (0)"
    for th, d in sorted(per_thread.items(), key=lambda kv: -kv[1]["n"]):
        print(f"| {th} | {d['n'] / max(n_cps, 1):.1f} | {med(d['alone'])} | {med(d['overlapped'])} |")


def phases(run, trace):
    """Per checkpoint, ms after the trigger (medians): for each native checkpoint in the order
    RocksDB's flush thread took them, when its flush reaches the SST sync and ends its three
    synced calls on that thread, and when its task thread's three synced calls of
    `createCheckpoint` start and end (checkpoints where every call is there)."""
    calls = [
        (float(r["wall_s"]) * 1e3, r["thread"], r["tid"], float(r["duration_ms"]))
        for r in csv.DictReader(open(trace))
    ]
    lo, hi = calls[0][0], calls[-1][0]
    marks, counted = {}, 0
    for c in csv.DictReader(open(f"{run}/checkpoints.csv")):
        trig, last = float(c["trigger_ts_ms"]), float(c["latest_ack_ts_ms"])
        if c["status"].lower() != "completed" or not (lo <= trig and last <= hi):
            continue
        inside = [x for x in calls if trig <= x[0] <= last]
        flush = [x for x in inside if x[1].startswith("rocksdb:high")]
        tasks = {}
        for x in inside:
            if x[1].startswith("stateful-map"):
                tasks.setdefault(x[2], []).append(x)
        k = len(tasks)
        if k == 0 or len(flush) != 3 * k or any(len(v) != 3 for v in tasks.values()):
            continue
        counted += 1
        order = sorted(tasks.values(), key=lambda v: v[0][0])
        for i in range(k):
            f, t = flush[3 * i : 3 * i + 3], order[i]
            row = {
                "flush: SST sync starts": f[0][0] - trig,
                "flush: synced calls end": f[2][0] + f[2][3] - trig,
                "flush: synced time": sum(x[3] for x in f),
                "createCheckpoint: synced calls start": t[0][0] - trig,
                "createCheckpoint: synced calls end": t[2][0] + t[2][3] - trig,
                "createCheckpoint: synced time": sum(x[3] for x in t),
            }
            for name, v in row.items():
                marks.setdefault((i, name), []).append(v)
    print(f"\n{counted} checkpoints with every native checkpoint's six synced calls; medians, ms after the trigger:")
    for (i, name), v in marks.items():
        print(f"  native checkpoint {i + 1}, {name:38s} {st.median(v):6.2f}")


if __name__ == "__main__":
    main()
    phases(sys.argv[1], sys.argv[2])
