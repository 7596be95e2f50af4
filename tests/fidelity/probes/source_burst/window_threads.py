"""Round 3 of the source_burst probe (README.md): from `perf sched timehist -w --state` text of
an f05 run, each time a source's rate-limiter thread runs again after a gap of 500 ms or more
(its source was stalled by map 0's alignment; the task thread wakes for other mail meanwhile,
the limiter's runs only for records), what the threads did over the next WINDOW ms (default 10):
time on a core and time queued for one, by thread group (each source and limiter thread on its
own), medians over those resumptions. usage: window_threads.py TIMEHIST [WINDOW_MS]"""
import collections
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "async_cpu"))
from timehist import switches  # noqa: E402


def group(task):
    # the sources' and their rate limiters' threads one by one, the rest by pool
    if task.startswith("Source: gen") or task.startswith("flink-rate-limi"):
        return task
    return re.sub(r"\s*\(.*|\[.*|[-_ ]?\d+$", "", task).strip()


def main(path, window_ms, gap_ms=500.0):
    rows = list(switches(path))
    # Runs as intervals: (start, end, task); a line is a switch-out after `run` ms on a core.
    runs = [(t - run, t, task) for t, task, wait, sdelay, run, state in rows]
    # A source's task thread wakes for other mail while it emits nothing; its rate limiter's
    # thread runs only for records: a gap of GAP ms or more in it is a stall of its source.
    limiters = sorted({r[1] for r in rows if r[1].startswith("flink-rate-limi")})
    print("rate limiter threads:", limiters)
    windows = []
    for name in limiters:
        prev_out = None
        for t, task, wait, sdelay, run, state in rows:
            if task != name:
                continue
            start = t - run
            if prev_out is not None and start - prev_out >= gap_ms:
                windows.append((name, start))
            prev_out = t
    print(f"{len(windows)} resumptions after {gap_ms:.0f} ms or more:", collections.Counter(w[0] for w in windows))
    per_group = collections.defaultdict(list)
    for name, w0 in windows:
        w1 = w0 + window_ms
        cpu = collections.Counter()
        queued = collections.Counter()
        for t, task, wait, sdelay, run, state in rows:
            s0 = t - run
            lo, hi = max(s0, w0), min(t, w1)
            if hi > lo:
                cpu[group(task)] += hi - lo
            # the run-queue wait before this run, where it falls inside the window
            q0, q1 = max(s0 - sdelay, w0), min(s0, w1)
            if q1 > q0:
                queued[group(task)] += q1 - q0
        for g in set(cpu) | set(queued):
            per_group[g].append((cpu.get(g, 0.0), queued.get(g, 0.0)))
    n = len(windows)
    print(f"\nin the {window_ms:.0f} ms after the resumption, median over resumptions (2 cores: {2 * window_ms:.0f} ms of CPU in all):")
    print(f"  {'thread group':36} {'on a core ms':>12} {'queued ms':>10}")
    def med(v, i):
        return statistics.median([x[i] for x in v] + [0.0] * (n - len(v)))
    for g, v in sorted(per_group.items(), key=lambda kv: -med(kv[1], 0))[:18]:
        print(f"  {g:36} {med(v, 0):12.2f} {med(v, 1):10.2f}")


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 10.0)
