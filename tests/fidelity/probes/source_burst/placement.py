"""Round 5 of the source_burst probe (README.md): from `perf sched timehist -w --state` text, for
every run of a rate-limiter thread that starts within 200 us of a source task thread's run
ending (a hand-off from the task thread), whether it runs on the same CPU as that task thread
ran, and the delay from the one's end to the other's start; the same for the hand-off back.
usage: placement.py TIMEHIST"""
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "async_cpu"))
from timehist import switches_with_cpu  # noqa: E402


def main(path):
    runs = [(t - run, t, cpu, task) for t, cpu, task, run in switches_with_cpu(path)
            if task.startswith("Source: gen") or task.startswith("flink-rate-limi")]
    runs.sort()
    for frm, to in (("Source: gen", "flink-rate-limi"), ("flink-rate-limi", "Source: gen")):
        same, cross = [], []
        last_end = None  # (end, cpu) of the latest run of a `frm` thread
        for start, end, cpu, task in runs:
            if task.startswith(frm):
                last_end = (end, cpu)
            elif task.startswith(to) and last_end is not None:
                gap = start - last_end[0]
                if 0 <= gap <= 0.2:
                    (same if cpu == last_end[1] else cross).append(gap * 1000)
                last_end = None
        n = len(same) + len(cross)
        if n == 0:
            print(f"{frm} -> {to}: no hand-offs")
            continue
        med = lambda v: statistics.median(v) if v else float("nan")
        print(f"{frm} -> {to}: {n} hand-offs, {100 * len(same) / n:.1f} % on the same CPU "
              f"(delay median {med(same):.1f} us), {100 * len(cross) / n:.1f} % across (delay median {med(cross):.1f} us)")


if __name__ == "__main__":
    main(sys.argv[1])
