"""Flink's heap snapshot CPU per checkpoint on a pass's rows, against the two CPU models (README.md).

Read after the judgement, not registered. For a pass with per-thread counters on its
calibration runs (c01, c02), each model is solved on c01 and c02's snapshot-thread CPU alone
(per entry and per byte; the step also weighs each entry written since the previous snapshot
rho times more). Each is then applied to the heap rows' shapes and set against the rows' own
snapshot-thread CPU. The figures are CPU only: the simulator calibrates on wall time and adds
the request latency, the write and the sync around them.

usage: cpu_check.py CALIBRATION_DIR [RUN_DIR ...]
   (CALIBRATION_DIR holds c01_heap_bytes.r1 and c02_heap_entries.r1 with their thread counters;
   the runs compared are the RUN_DIRs given, else the suite's heap rows in CALIBRATION_DIR. The
   rows' maps are taken at their measured record rate: the saturated row's take what the cores
   allow, not what is offered. f15's window holds a restart, whose new threads the counters
   split: its figures are shown, not read.)
"""
import math
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "snapshot_cpu_p2_rates"))
from per_map import rate_per_map, snapshot_threads_per_checkpoint, window_of  # noqa: E402

RHO = 2.383
ROWS = ["f01_heap_p1_interval2s", "f02_heap_p2_local", "f03_heap_p4_remote", "f11_heap_state",
        "f14_cpu_saturated", "f15_failure_fixed_delay"]
# Heap bytes per entry (the referee's calibration, rounded; sizes do not depend on the host).
LONG_ENTRY_B = 17.0
VALUE_OVERHEAD_B = 12.5


def options(run):
    for line in open(os.path.join(run, "run-info.txt")):
        if line.startswith("args="):
            words = line[5:].split()
            return {words[i].lstrip("-"): words[i + 1] for i in range(0, len(words) - 1, 2)}
    return {}


def shape(run):
    """(entries, written per interval, bytes) per map subtask, from the harness's options."""
    o = options(run)
    p, keys = int(o.get("parallelism", 1)), int(o["keys"])
    interval = int(o.get("cpIntervalMs", 1000)) / 1000
    value = int(o.get("stateBytes", 0))
    entries = keys / p
    written = entries * (1 - math.exp(-measured_rate(run) * interval / entries))
    per_entry_b = value + VALUE_OVERHEAD_B if value else LONG_ENTRY_B
    return entries, written, entries * per_entry_b


def measured_rate(run):
    """Records/s per map subtask after the warm-up."""
    return rate_per_map(run, window_of(run)[0], int(options(run).get("parallelism", 1)))


def map_cpu_ms(run):
    """The busiest snapshot thread's CPU per completed checkpoint after the warm-up, ms (the
    two busiest, averaged, above parallelism 1: a source's is a fifth of a map's or less)."""
    p = int(options(run).get("parallelism", 1))
    cpus, _, _, _ = snapshot_threads_per_checkpoint(run, 1 if p == 1 else 2)
    return statistics.mean(cpus)


def solve(a, b):
    """Per entry and per byte (ns) through two points (weighted entries, bytes, CPU ms)."""
    (n1, b1, t1), (n2, b2, t2) = a, b
    det = n1 * b2 - n2 * b1
    return (t1 * b2 - t2 * b1) / det * 1e6, (n1 * t2 - n2 * t1) / det * 1e6


def main():
    real, runs = sys.argv[1], sys.argv[2:]
    if not runs:
        runs = [os.path.join(real, f"{row}.{r}") for row in ROWS for r in ("r1", "r2")]
    c01, c02 = os.path.join(real, "c01_heap_bytes.r1"), os.path.join(real, "c02_heap_entries.r1")
    cal = {}
    for name, rho in (("constant per entry", 0.0), ("per written entry too", RHO)):
        pts = []
        for c in (c01, c02):
            n, w, b = shape(c)
            pts.append((n + rho * w, b, map_cpu_ms(c)))
        cal[name] = (rho, *solve(*pts))
    print(f"\n{real}")
    for name, (rho, e, byte) in cal.items():
        print(f"  {name}: {e:.1f} ns per entry, {byte:.3f} ns per byte, rho {rho}")
    print("| row | run | entries per map | written per interval | Flink's CPU (ms) | constant per entry | ratio | per written entry too | ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for run in runs:
        if not os.path.exists(os.path.join(run, "threads_end.json")):
            continue
        row, r = os.path.basename(run.rstrip("/")).rsplit(".", 1)
        n, w, b = shape(run)
        flink = map_cpu_ms(run)
        model = {k: ((n + rho * w) * e + b * byte) / 1e6 for k, (rho, e, byte) in cal.items()}
        m0, m1 = model["constant per entry"], model["per written entry too"]
        print(f"| {row} | {r} | {n:,.0f} | {w:,.0f} | {flink:.2f} | {m0:.2f} | {m0 / flink:.2f} | {m1:.2f} | {m1 / flink:.2f} |")


if __name__ == "__main__":
    main()
