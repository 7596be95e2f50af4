"""In-flight data an unaligned checkpoint persists, per subtask: Flink's (the suite's runs of
f06 and f07, the referee day) beside ckptsim's runs written by run.sh.

python3 in_flight.py OUT

Prints, for checkpoints after the 90 s warm-up (id > 90, one a second): each subtask's mean
persisted data; the sources' persisted data in f06 as a histogram in buffers (32 KiB, to the
nearest quarter); and map 1's persisted data in f07 in blocks of ten checkpoints over the
whole run (its decline late in the run); and f05's median alignment per map before and after
its transition (checkpoints 1-49 and 65-89)."""

import csv
import glob
import os
import statistics
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.path.join(HERE, "..", "..", "real")
SEGMENT = 32768


def real_rows(row):
    for run in ("r1", "r2"):
        path = os.path.join(REAL, f"{row}.{run}", "subtasks.csv")
        for x in csv.DictReader(open(path)):
            if x["status"] != "completed":
                continue
            task = "gen" if x["vertex"].startswith("Source") else "map"
            yield run, task, x["subtask"], int(x["checkpoint_id"]), int(x["persisted_b"])


def sim_rows(out, row):
    for d in sorted(glob.glob(os.path.join(out, f"{row}_s*"))):
        seed = d.rsplit("_s", 1)[1]
        for x in csv.DictReader(open(os.path.join(d, "subtasks.csv"))):
            task = "gen" if x["task"] == "gen" else "map"
            yield seed, task, x["index"], int(x["checkpoint_id"]), int(x["persisted_data"])


def means(rows):
    by = {}
    for _, task, sub, cid, b in rows:
        if cid > 90:
            by.setdefault((task, sub), []).append(b)
    return {k: statistics.mean(v) / 1000 for k, v in sorted(by.items())}


def histogram(rows):
    vals = [b for _, task, _, cid, b in rows if task == "gen" and cid > 90]
    c = Counter(round(b / SEGMENT * 4) / 4 for b in vals)
    return " ".join(f"{k}:{100 * n / len(vals):.0f}%" for k, n in sorted(c.items()))


def blocks(rows, key):
    series = {}
    for run, task, sub, cid, b in rows:
        if task == "map" and sub == "1":
            series.setdefault(run, {})[cid] = b / SEGMENT
    for run in sorted(series):
        d = series[run]
        out = []
        for a in range(1, 141, 10):
            v = [d[k] for k in d if a <= k < a + 10]
            out.append(f"{statistics.mean(v):.1f}" if v else "-")
        print(f"  {key} {run}: " + " ".join(out))


def alignment_medians(out):
    print("f05_bp_aligned_remote: median map alignment (ms), checkpoints 1-49 and 65-89")
    real = os.path.join(REAL, "f05_bp_aligned_remote.{}", "subtasks.csv")
    for m in ("0", "1"):
        for lo, hi in ((1, 50), (65, 90)):
            flink = []
            for run in ("r1", "r2"):
                v = [float(x["alignment_ms"]) for x in csv.DictReader(open(real.format(run)))
                     if x["status"] == "completed" and x["vertex"].startswith("stateful")
                     and x["subtask"] == m and lo <= int(x["checkpoint_id"]) < hi]
                flink.append(f"{statistics.median(v):.0f}")
            sim = []
            for d in sorted(glob.glob(os.path.join(out, "f05_bp_aligned_remote_s*"))):
                v = [float(x["alignment_duration"]) for x in csv.DictReader(open(os.path.join(d, "subtasks.csv")))
                     if x["task"].startswith("stateful") and x["index"] == m
                     and lo <= int(x["checkpoint_id"]) < hi]
                sim.append(f"{statistics.median(v):.0f}")
            print(f"  map {m}, checkpoints {lo}-{hi - 1}: Flink {', '.join(flink)}; ckptsim {', '.join(sim)}")


def main():
    out = sys.argv[1]
    for row in ("f06_bp_unaligned_local", "f07_bp_unaligned_remote"):
        real = list(real_rows(row))
        sim = list(sim_rows(out, row))
        print(f"{row}: mean persisted data per subtask after the warm-up (kB)")
        for name, rows in (("Flink", real), ("ckptsim", sim)):
            m = means(rows)
            print(f"  {name:8s} " + "  ".join(f"{t} {s}: {v:6.1f}" for (t, s), v in m.items()))
        if row.startswith("f06"):
            print("  sources' persisted data in buffers (share of checkpoints):")
            print(f"    Flink   {histogram(real)}")
            print(f"    ckptsim {histogram(sim)}")
        else:
            print("  map 1's persisted data in buffers, blocks of ten checkpoints from the first:")
            blocks(real, "Flink  ")
            blocks(sim, "ckptsim seed")
    alignment_medians(out)


if __name__ == "__main__":
    main()
