"""The two map subtasks' synchronous phases, checkpoint by checkpoint.

Usage: python3 sync_pairs.py RUN_DIR...   (a harness run: checkpoints.csv, subtasks.csv, run-info.txt)

For every completed checkpoint triggered after the run's warm-up, a map subtask's sync phase
starts at start delay + alignment (after the trigger) and lasts sync_ms. Printed per run (p50):
both subtasks' sync, the sync of the one that started first and of the one that started second,
the faster and the slower of the pair, how far apart they started, how long they overlapped,
and the checkpoint's end to end duration. REST reports whole milliseconds.
"""
import csv
import statistics as st
import sys


def warmup_s(run):
    for line in open(f"{run}/run-info.txt"):
        if "warmup_s=" in line:
            return float(line.split("warmup_s=")[1].split()[0])
    return 0.0


def pairs(run):
    cps = {c["checkpoint_id"]: c for c in csv.DictReader(open(f"{run}/checkpoints.csv"))}
    warm = warmup_s(run)
    by_cp = {}
    for r in csv.DictReader(open(f"{run}/subtasks.csv")):
        c = cps[r["checkpoint_id"]]
        if not r["vertex"].startswith("stateful") or c["status"].lower() != "completed":
            continue
        if float(c["t_since_job_start_s"]) >= warm:
            by_cp.setdefault(r["checkpoint_id"], []).append(r)
    for cid, rs in by_cp.items():
        if len(rs) == 2:
            start = [float(r["start_delay_ms"]) + float(r["alignment_ms"]) for r in rs]
            sync = [float(r["sync_ms"]) for r in rs]
            yield start, sync, float(cps[cid]["end_to_end_ms"])


def main():
    for run in sys.argv[1:]:
        rows = list(pairs(run))
        m = lambda xs: st.median(xs)
        first = [sy[0] if s[0] <= s[1] else sy[1] for s, sy, _ in rows]
        second = [sy[1] if s[0] <= s[1] else sy[0] for s, sy, _ in rows]
        gap = [abs(s[0] - s[1]) for s, _, _ in rows]
        overlap = [max(0.0, min(s[0] + sy[0], s[1] + sy[1]) - max(s)) for s, sy, _ in rows]
        print(
            f"{run.rstrip('/').split('/')[-1]}: n={len(rows)} sync {m([x for _, sy, _ in rows for x in sy]):.1f}"
            f" | started first {m(first):.1f}, second {m(second):.1f}"
            f" | faster {m([min(sy) for _, sy, _ in rows]):.1f}, slower {m([max(sy) for _, sy, _ in rows]):.1f}"
            f" | start gap {m(gap):.1f} (<= 2 ms: {sum(g <= 2 for g in gap) / len(gap):.0%}), overlap {m(overlap):.1f}"
            f" | e2e {m([e for _, _, e in rows]):.1f}"
        )


if __name__ == "__main__":
    main()
