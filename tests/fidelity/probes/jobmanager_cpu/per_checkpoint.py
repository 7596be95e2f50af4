"""jobmanager_cpu (README.md): from the per-thread counters every measuring pass keeps
(threads_warmup.json, threads_end.json; ../../thread_cpu_window.py reads them the same way), the
CPU the JobManager's checkpoint threads take per completed checkpoint after the warm-up: its I/O
thread (`jobmanager-io-thread`, completing a checkpoint), the checkpoint timer (`Checkpoint
Timer`, triggering), and the RPC actors (`flink-pekko`, all RPCs, not only checkpoints'), beside
the JIT compilers' CPU per second. A MiniCluster runs them on the TaskManagers' cores.
usage: per_checkpoint.py REAL_DIR [RUN ...]   (default runs: c04_empty.r1 and f05's)"""
import collections
import csv
import json
import os
import re
import sys

GROUPS = {"jobmanager-io-t": "JobManager I/O", "Checkpoint Time": "checkpoint timer",
          "flink-pekko.act": "RPC actors", "C2 CompilerThre": "JIT C2", "C1 CompilerThre": "JIT C1"}


def cpu_ms_by_group(run):
    start = json.load(open(os.path.join(run, "threads_warmup.json")))
    end = json.load(open(os.path.join(run, "threads_end.json")))
    seconds = end["_jvm_age_s"] - start["_jvm_age_s"]
    ms = collections.Counter()
    for tid, (name, cpu_ns, *_rest) in ((k, v) for k, v in end.items() if not k.startswith("_")):
        key = re.sub(r"[-#]?\d+$", "", name.split(" (")[0])
        if key in GROUPS:
            ms[GROUPS[key]] += (cpu_ns - start.get(tid, [name, 0])[1]) / 1e6
    return ms, seconds


def completed_after_warmup(run):
    info = open(os.path.join(run, "run-info.txt")).read()
    warmup = float(re.search(r"warmup_s=(\S+)", info).group(1)) if "warmup_s=" in info else 90.0
    rows = csv.DictReader(open(os.path.join(run, "checkpoints.csv")))
    return sum(1 for r in rows if float(r["t_since_job_start_s"]) >= warmup
               and r.get("status", "COMPLETED").upper().startswith("COMPLETED"))


def main(real, runs):
    print("| run | checkpoints/s | JobManager I/O ms per checkpoint | checkpoint timer ms per checkpoint | RPC actors ms/s | JIT C1 + C2 ms/s |")
    print("|---|---|---|---|---|---|")
    for name in runs:
        run = os.path.join(real, name)
        if not os.path.isfile(os.path.join(run, "threads_end.json")):
            continue
        ms, seconds = cpu_ms_by_group(run)
        n = completed_after_warmup(run)
        print(f"| {name} | {n / seconds:.2f} | {ms['JobManager I/O'] / n:.2f} | {ms['checkpoint timer'] / n:.2f} "
              f"| {ms['RPC actors'] / seconds:.2f} | {ms['JIT C1'] / seconds:.1f} + {ms['JIT C2'] / seconds:.1f} |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:] or ["c04_empty.r1", "f05_bp_aligned_remote.r1", "f05_bp_aligned_remote.r2"])
