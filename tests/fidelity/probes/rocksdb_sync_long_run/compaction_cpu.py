"""RocksDB's background threads' CPU in every RocksDB run of the passes that kept per-thread
counters: compactions (`rocksdb:low`), flushes (`rocksdb:high`), and the upload threads
(`Flink-RocksDBSt...`), ms of CPU per second per RocksDB instance (one per map subtask), between
the pass's two readings (`threads_warmup.json`, `threads_end.json`: the suite's 90-135 s).

Usage: python3 compaction_cpu.py [REPLICATION_DIR]   (default: tests/fidelity/replication)
"""
import collections
import json
import os
import re
import sys

RUNS = ["c03_rocks_bytes.r1", "c07_rocks_entries.r1", "c09_rocks_manifest.r1", "f12_rocks_full.r1",
        "f12_rocks_full.r2", "f13_rocks_incremental.r1", "f13_rocks_incremental.r2"]


def per_second(run_dir):
    a = json.load(open(f"{run_dir}/threads_warmup.json"))
    b = json.load(open(f"{run_dir}/threads_end.json"))
    dt = b["_jvm_age_s"] - a["_jvm_age_s"]
    cpu = collections.Counter()
    for tid, reading in b.items():
        if tid.startswith("_"):
            continue
        name = reading[0]
        before = a.get(tid, [name, 0])
        cpu[re.sub(r"[0-9#()/ ]+$", "", name)] += (reading[1] - before[1]) / 1e6 / dt
    return cpu


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "tests/fidelity/replication"
    print("| day | run | harness options | compactions | flushes | uploads (ms of CPU a second per instance) |")
    print("|---|---|---|---|---|---|")
    for day in sorted(os.listdir(root)):
        for run in RUNS:
            d = f"{root}/{day}/real/{run}"
            if not os.path.exists(f"{d}/threads_end.json"):
                continue
            args = open(f"{d}/run-info.txt").read().split("args=")[1].split("\n")[0]
            p = int(args.split("--parallelism ")[1].split()[0])
            cpu = per_second(d)
            print(f"| {day} | {run} | `{args}` | {cpu['rocksdb:low'] / p:.1f} | "
                  f"{cpu['rocksdb:high'] / p:.1f} | {cpu['Flink-RocksDBSt'] / p:.1f} |")


if __name__ == "__main__":
    main()
