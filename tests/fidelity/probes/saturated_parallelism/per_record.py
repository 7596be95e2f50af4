"""The saturated_parallelism probe (README.md): per run, the records the maps took in per second
after the warm-up and the CPU per record of the sources' two threads (task and rate limiter) and
of the maps' task threads, by the kernel's counters the pass kept (threads_warmup.json,
threads_end.json). `python3 per_record.py real`"""
import csv
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import thread_cpu_window as tcw  # noqa: E402


def thread_cpu_ms_per_s(run):
    """CPU of each thread group over the counters' window, ms per second."""
    seconds, cpu, _ = tcw.window(run)
    return {name: ns / 1e6 / seconds for name, ns in cpu.items()}


def records_in_per_s(run, warmup_s=90.0):
    rows = [r for r in csv.DictReader(open(os.path.join(run, "metrics.csv")))
            if r["metric"] == "numRecordsInPerSecond" and r["vertex"].startswith("stateful-map")
            and float(r["t_rel_s"]) >= warmup_s]
    return sum(float(r["sum"]) for r in rows) / len(rows)


def main(real):
    print("| run | map records in per s | source CPU us/record (task + limiter) | map CPU us/record | JVM cores |")
    print("|---|---|---|---|---|")
    for run in sorted(os.listdir(real)):
        path = os.path.join(real, run)
        if not os.path.exists(os.path.join(path, "threads_end.json")):
            continue
        cpu = thread_cpu_ms_per_s(path)
        rate = records_in_per_s(path)
        src = cpu.get("Source: gen", 0.0) + cpu.get("flink-rate-limi", 0.0)
        mp = cpu.get("stateful-map ->", 0.0)
        print("| %s | %.0f | %.2f (%.2f + %.2f) | %.2f | %.2f |" % (
            run, rate, 1000 * src / rate, 1000 * cpu.get("Source: gen", 0.0) / rate,
            1000 * cpu.get("flink-rate-limi", 0.0) / rate, 1000 * mp / rate, sum(cpu.values()) / 1000))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "real"))
