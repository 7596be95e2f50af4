#!/usr/bin/env python3
"""Map subtask 1's persisted in-flight data (kB, mean per checkpoint) in 10 s bins of the job's
time, for real-Flink run directories (checkpoints.csv + subtasks.csv of the harness) and
ckptsim output directories (subtasks.csv), side by side: where the key groups' drift ends,
map 1's remote input drains and its persisted data falls.

usage: drift.py FROM_S TO_S DIR [DIR ...]
"""
import collections
import csv
import os
import sys


def flink(d):
    start = {r["checkpoint_id"]: float(r["t_since_job_start_s"]) for r in csv.DictReader(open(d + "/checkpoints.csv"))}
    out = collections.defaultdict(list)
    for r in csv.DictReader(open(d + "/subtasks.csv")):
        if not r["vertex"].startswith("stateful") or r["status"] != "completed" or r["subtask"] != "1":
            continue
        if r["checkpoint_id"] in start:
            out[int(start[r["checkpoint_id"]] // 10)].append(float(r["persisted_b"]) / 1000)
    return out


def sim(d):
    out = collections.defaultdict(list)
    for r in csv.DictReader(open(d + "/subtasks.csv")):
        if r["task"] == "gen" or r["index"] != "1":
            continue
        out[int(float(r["ack_timestamp"]) / 1000 // 10)].append(float(r["persisted_data"]) / 1000)
    return out


def main():
    lo, hi = int(sys.argv[1]) // 10, int(sys.argv[2]) // 10
    print("| run | " + " | ".join(f"{b * 10}-{b * 10 + 10} s" for b in range(lo, hi)) + " |")
    print("|---|" + "---|" * (hi - lo))
    for d in sys.argv[3:]:
        o = flink(d) if os.path.exists(d + "/run-info.txt") else sim(d)
        cells = [f"{sum(o[b]) / len(o[b]):.0f}" if o.get(b) else "." for b in range(lo, hi)]
        print(f"| {d.rstrip('/')} | " + " | ".join(cells) + " |")


main()
