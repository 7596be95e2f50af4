"""A heap snapshot thread's CPU per checkpoint against its table's size (README.md).

For each run directory (parallelism 1): the map's snapshot thread (the busiest `AsyncOperations`
thread) CPU per completed checkpoint after the warm-up, the entries (the keys, all seen after
the warm-up) and the entries written per interval (uniform keys: `keys (1 - exp(-rate x
interval / keys))`). Then, per size (the mean over its runs), the two registered readings'
predictions and their ratios, the registered verdict, and a least-squares line of CPU against
entries over all sizes.

usage: by_size.py RUN_DIR [RUN_DIR ...]
"""
import collections
import math
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "heap_written_entries"))
from cpu_check import map_cpu_ms, options  # noqa: E402

# The two readings, fixed in README.md before the runs.
A_NS_PER_ENTRY, A_RHO = 140.5, 2.383
B_FIXED_MS, B_NS_PER_ENTRY, B_NS_PER_WRITTEN = 1.084, 53.3, 305.6


def shape(run):
    o = options(run)
    keys = int(o["keys"])
    interval = int(o.get("cpIntervalMs", 1000)) / 1000
    return keys, keys * (1 - math.exp(-float(o["rate"]) * interval / keys))


def predict_a(n, w):
    return A_NS_PER_ENTRY * (n + A_RHO * w) / 1e6


def predict_b(n, w):
    return B_FIXED_MS + (B_NS_PER_ENTRY * n + B_NS_PER_WRITTEN * w) / 1e6


def main():
    sizes = collections.defaultdict(list)
    print("| run | entries | written per interval | snapshot CPU per checkpoint (ms) |")
    print("|---|---|---|---|")
    for run in sys.argv[1:]:
        n, w = shape(run)
        cpu = map_cpu_ms(run)
        sizes[(n, w)].append(cpu)
        print(f"| {os.path.basename(run.rstrip('/'))} | {n:,} | {w:,.0f} | {cpu:.2f} |")
    print("\n| entries | CPU (ms), mean | (A) predicts | ratio | (B) predicts | ratio | (CPU - B's fixed part) per entry (ns) |")
    print("|---|---|---|---|---|---|---|")
    points = []
    for (n, w), cpus in sorted(sizes.items()):
        cpu = statistics.mean(cpus)
        a, b = predict_a(n, w), predict_b(n, w)
        points.append((n, w, cpu, a, b))
        print(f"| {n:,} | {cpu:.2f} | {a:.2f} | {cpu / a:.2f} | {b:.2f} | {cpu / b:.2f} | "
              f"{(cpu - B_FIXED_MS) / n * 1e6:.1f} |")
    ns = [p[0] for p in points]
    cs = [p[2] for p in points]
    mn, mc = statistics.mean(ns), statistics.mean(cs)
    slope = sum((n - mn) * (c - mc) for n, c in zip(ns, cs)) / sum((n - mn) ** 2 for n in ns)
    icpt = mc - slope * mn
    print(f"\nline over every size: {icpt:.3f} ms + {slope * 1e6:.1f} ns per entry; "
          + ", ".join(f"{n:,}: {c / (icpt + slope * n):.2f}" for n, c in zip(ns, cs)))
    # The registered verdict.
    by_n = {p[0]: p for p in points}
    small, large = [by_n[n] for n in sorted(by_n) if n <= 1_000], [by_n[n] for n in sorted(by_n) if n >= 10_000]
    a_holds = (all(abs(p[2] / p[3] - 1) <= 0.15 for p in large if p[0] < 400_000)
               and all(p[2] / p[3] > 1.5 for p in small))
    t1, c02 = by_n.get(10_000), by_n.get(400_000)
    b_holds = (all(abs(p[2] / p[4] - 1) <= 0.15 for p in points if p[0] <= 10_000)
               and t1 is not None and c02 is not None
               and (c02[2] - B_FIXED_MS) / c02[0] > 1.5 * (t1[2] - B_FIXED_MS) / t1[0])
    verdict = {(True, False): "(A) holds", (False, True): "(B) holds",
               (True, True): "both hold (the rule cannot tell them apart)"}.get((a_holds, b_holds), "neither holds")
    print(f"registered reading: {verdict}")


if __name__ == "__main__":
    main()
