"""Round 3 of the source_burst probe (README.md): from `perf sched timehist -w --state` text of
an f05 run, each time the remote source's task thread comes back from a sleep of 300 ms or more
(map 0's alignment), what ran on the cores over the next WINDOW ms (default 10): CPU time by
thread group, and the source's own split into running, queued (runnable, waiting for a core)
and sleeping. usage: window_threads.py TIMEHIST [WINDOW_MS]"""
import collections
import re
import statistics
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/async_cpu")
from timehist import switches  # noqa: E402


def group(task):
    return re.sub(r"\s*\(.*|\[.*|[-_ ]?\d+$", "", task).strip()


def main(path, window_ms):
    rows = list(switches(path))
    # Runs as intervals: (start, end, task); a line is a switch-out after `run` ms on a core.
    runs = [(t - run, t, task) for t, task, wait, sdelay, run, state in rows]
    src = [r for r in rows if r[1].startswith("Source: gen")]
    names = sorted({r[1] for r in src})
    print("source task threads:", names)
    windows = []
    for name in names:
        prev_out = None
        for t, task, wait, sdelay, run, state in src:
            if task != name:
                continue
            start = t - run
            if prev_out is not None and start - prev_out >= 300:
                windows.append((name, start))
            prev_out = t
    print(f"{len(windows)} resumptions after 300 ms or more")
    per_group = collections.defaultdict(list)
    src_split = collections.defaultdict(list)
    for name, w0 in windows:
        w1 = w0 + window_ms
        cpu = collections.Counter()
        for s, e, task in runs:
            lo, hi = max(s, w0), min(e, w1)
            if hi > lo:
                cpu[group(task) if task != name else "the resumed source"] += hi - lo
        for g in set(cpu) | set(per_group):
            per_group[g].append(cpu.get(g, 0.0))
        on = cpu.get("the resumed source", 0.0)
        # queued: the source's sch delay inside the window, from the lines of its switch-ins.
        queued = 0.0
        for t, task, wait, sdelay, run, state in src:
            if task == name and w0 <= t - run <= w1:
                queued += min(sdelay, t - run - w0)
        src_split["running"].append(on)
        src_split["queued"].append(queued)
        src_split["sleeping"].append(max(0.0, window_ms - on - queued))
    print(f"\nCPU ms in the {window_ms:.0f} ms after the resumption, median over resumptions (2 cores: {2 * window_ms:.0f} ms in all):")
    for g, v in sorted(per_group.items(), key=lambda kv: -statistics.median(kv[1] + [0] * (len(windows) - len(kv[1]))))[:16]:
        v = v + [0.0] * (len(windows) - len(v))
        print(f"  {g:32} {statistics.median(v):6.2f}  (mean {statistics.mean(v):6.2f})")
    print("\nthe resumed source's own time in the window, median ms:")
    for k, v in src_split.items():
        print(f"  {k:10} {statistics.median(v):6.2f}")


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 10.0)
