"""The map subtasks' synchronous phases over a long run, window by window.

Usage: python3 sync_over_time.py RUN_DIR [THREADS_JSONL[.gz]]

For every completed checkpoint, a map subtask's sync phase starts at start delay + alignment
after the trigger and lasts sync_ms (REST's whole milliseconds). Per window of trigger times
(seconds since the job started) it prints the checkpoints, the p50 of every map sync, and with
two map subtasks the p50 of the one that started first (a tie goes to the subtask listed first,
as `../rocksdb_two_instances/sync_pairs.py` has it) and of the other; then, given the sampler's
file, the JVM's JIT compiler threads' and RocksDB's flush thread's CPU per second in each window
(the sampler's clock starts when it finds the JVM, a few seconds before the job: the windows
are about, not exactly, the same).
"""
import csv
import statistics as st
import sys

import threads_in_window

WINDOWS_S = [(90, 150), (150, 300), (300, 480), (480, 600)]


def phases(run):
    cps = {c["checkpoint_id"]: c for c in csv.DictReader(open(f"{run}/checkpoints.csv"))}
    by_cp = {}
    for r in csv.DictReader(open(f"{run}/subtasks.csv")):
        c = cps[r["checkpoint_id"]]
        if r["vertex"].startswith("stateful") and c["status"].lower() == "completed":
            by_cp.setdefault(r["checkpoint_id"], (float(c["t_since_job_start_s"]), []))[1].append(r)
    for t_s, rs in by_cp.values():
        starts = [float(r["start_delay_ms"]) + float(r["alignment_ms"]) for r in rs]
        syncs = [float(r["sync_ms"]) for r in rs]
        yield t_s, starts, syncs


def cpu_ms_per_s(samples, lo, hi, names):
    """On-CPU ms per second of the threads whose name starts with one of `names`, between the
    readings nearest `lo` and `hi` seconds."""
    _, _, cpu, _ = threads_in_window.per_group(samples, lo, hi)
    return sum(ms for group, ms in cpu.items() if group.startswith(names)) if cpu else float("nan")


def main():
    run = sys.argv[1]
    samples = threads_in_window.load(sys.argv[2]) if len(sys.argv) > 2 else []
    rows = list(phases(run))
    print(f"{run.rstrip('/').split('/')[-1]}")
    print("| window (s) | checkpoints | map sync p50 | first p50 | second p50 | JIT CPU ms/s | flush thread CPU ms/s |")
    print("|---|---|---|---|---|---|---|")
    for lo, hi in WINDOWS_S:
        w = [(s, sy) for t, s, sy in rows if lo <= t < hi]
        if not w:
            continue
        every = st.median([x for _, sy in w for x in sy])
        pairs = [(s, sy) for s, sy in w if len(sy) == 2]
        if pairs:
            first = st.median([sy[0] if s[0] <= s[1] else sy[1] for s, sy in pairs])
            second = st.median([sy[1] if s[0] <= s[1] else sy[0] for s, sy in pairs])
            fs = f"{first:.1f} | {second:.1f}"
        else:
            fs = "- | -"
        jit = cpu_ms_per_s(samples, lo, hi, ("C2 Compiler", "C1 Compiler")) if samples else float("nan")
        flush = cpu_ms_per_s(samples, lo, hi, ("rocksdb:high",)) if samples else float("nan")
        print(f"| {lo}-{hi} | {len(w)} | {every:.1f} | {fs} | {jit:.1f} | {flush:.1f} |")


if __name__ == "__main__":
    main()
