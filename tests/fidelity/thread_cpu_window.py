"""Where a measured run's CPU went after its warm-up, per thread of the Flink JVM.

Reads the two snapshots thread_cpu_sample.py left in a run directory of real/
(threads_warmup.json, threads_end.json) and the run's metrics.csv, and prints per thread group
(the thread name up to its subtask suffix) the time on a core and the time runnable in the run
queue, per second of the window, and per record the source emitted. The source's own threads
(its task thread `Source: gen` and DataGeneratorSource's `flink-rate-limiter`) are what a
per-record source cost models; Flink's busyTimeMsPerSecond counts wall time, these count CPU.
usage: thread_cpu_window.py RUN_DIR [RUN_DIR ...]
"""
import collections, csv, json, os, sys


def group(name):
    return name.split(" (")[0]


def window(run):
    start = json.load(open(os.path.join(run, "threads_warmup.json")))
    end = json.load(open(os.path.join(run, "threads_end.json")))
    seconds = end["_jvm_age_s"] - start["_jvm_age_s"]
    cpu, queue = collections.Counter(), collections.Counter()
    for tid, v in end.items():
        if tid.startswith("_"):
            continue
        s = start.get(tid, [v[0], 0, 0, 0])
        cpu[group(v[0])] += v[1] - s[1]
        queue[group(v[0])] += v[2] - s[2]
    return seconds, cpu, queue


def source_rate(run, warmup_s):
    rows = [r for r in csv.DictReader(open(os.path.join(run, "metrics.csv")))
            if r["vertex"] == "Source: gen" and r["metric"] == "numRecordsOutPerSecond"
            and float(r["t_rel_s"]) >= warmup_s and r["sum"]]
    return sum(float(r["sum"]) for r in rows) / len(rows) if rows else float("nan")


def warmup_of(run):
    for line in open(os.path.join(run, "run-info.txt")):
        for word in line.split():
            if word.startswith("warmup_s="):
                return float(word.split("=")[1])
    return 90.0


def main():
    for run in sys.argv[1:]:
        seconds, cpu, queue = window(run)
        rate = source_rate(run, warmup_of(run))
        print(f"## {os.path.basename(run.rstrip('/'))}: {seconds:.0f} s window, source {rate:.0f} records/s")
        print("| thread group | CPU ms/s | queued ms/s | CPU us per source record |")
        print("|---|---|---|---|")
        for g, ns in sorted(cpu.items(), key=lambda kv: -kv[1])[:12]:
            print(f"| {g} | {ns / 1e6 / seconds:.1f} | {queue[g] / 1e6 / seconds:.1f} | {ns / 1e3 / seconds / rate:.2f} |")
        if "Source: gen" in cpu and "flink-rate-limi" in cpu:
            source = cpu["Source: gen"] + cpu["flink-rate-limi"]
            per_record = f"{source / 1e3 / seconds / rate:.2f} us CPU per record"
        else:
            per_record = "n/a (a thread is missing from the end snapshot)"
        print(f"source task + rate limiter: {per_record}; "
              f"JVM total {sum(cpu.values()) / 1e9 / seconds:.2f} cores\n")


if __name__ == "__main__":
    main()
