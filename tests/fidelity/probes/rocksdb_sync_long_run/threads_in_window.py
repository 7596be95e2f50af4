"""CPU and run-queue time per second of each group of JVM threads between two of the sampler's
readings (a thread's name less its trailing index, as the kernel's 15-character `comm` has it).

Usage: python3 threads_in_window.py THREADS_JSONL[.gz] FROM_S TO_S
"""
import collections
import gzip
import json
import re
import sys


def load(path):
    """The sampler's readings, one per line (gzipped or not)."""
    opener = gzip.open if path.endswith(".gz") else open
    return [json.loads(line) for line in opener(path, "rt")]


def per_group(samples, lo, hi):
    """The readings nearest `lo` and `hi` seconds, and between them each thread group's ms on a
    core and runnable without one, per second (empty when the two readings are the same)."""
    a = min(samples, key=lambda s: abs(s["t_s"] - lo))
    b = min(samples, key=lambda s: abs(s["t_s"] - hi))
    dt = b["t_s"] - a["t_s"]
    cpu, queued = collections.Counter(), collections.Counter()
    if dt <= 0:
        return a, b, cpu, queued
    for tid, (name, on_cpu, waited) in b["threads"].items():
        before = a["threads"].get(tid, [name, 0, 0])
        group = re.sub(r"[0-9#()/ ]+$", "", name)
        cpu[group] += (on_cpu - before[1]) / 1e6 / dt
        queued[group] += (waited - before[2]) / 1e6 / dt
    return a, b, cpu, queued


def main():
    path, lo, hi = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    a, b, cpu, queued = per_group(load(path), lo, hi)
    print(f"{a['t_s']:.0f}-{b['t_s']:.0f} s: every thread {sum(cpu.values()):.1f} ms/s on a core, "
          f"{sum(queued.values()):.1f} ms/s runnable without one")
    print("| threads | on a core (ms/s) | runnable without one (ms/s) |")
    print("|---|---|---|")
    for group, ms in cpu.most_common(12):
        print(f"| {group} | {ms:.1f} | {queued[group]:.1f} |")


if __name__ == "__main__":
    main()
