"""How long a RocksDB map subtask's task thread stays queued in its sync phase, and where it then
runs: a description of the traces `idle_while_waiting.py` reads, for a model of per-CPU run
queues (not a test of a registered rule).

Usage: python3 queue_stretches.py OUT NAME

For every stretch the task thread of the phase that started first is runnable without a core
(`windows.sync_phases`' phases), it prints the stretch's length, the part of it with another CPU
idle, and whether the thread then ran on the CPU it was queued on or on another (migrated), then
the percentiles of both lengths over all stretches, and over the stretches that had another CPU
idle at some point.
"""
import bisect
import gzip
import os
import statistics as st
import sys
from collections import defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rocksdb_first_instance"))
import idle_while_waiting as iw  # noqa: E402
import windows as w  # noqa: E402


def switch_ins(path):
    """Per thread, the times and CPUs it was switched in at."""
    out = {}
    for raw in gzip.open(path, "rt", errors="replace"):
        m = w.LINE.match(raw)
        if not m or m.group(6) != "sched:sched_switch":
            continue
        nxt = w.kv(m.group(7).replace("==>", " ")).get("next_pid")
        if nxt:
            out.setdefault(nxt, []).append((float(m.group(5)), int(m.group(4))))
    return out


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] if xs else float("nan")


def main():
    name = sys.argv[2]
    tr = iw.Trace(sys.argv[1], name)
    ins = switch_ins(tr.events)
    stretches = []  # (length ms, other-idle ms, migrated)
    for _cid, order, tid, lo, hi, _sync in tr.sync_phases():
        if order != "first":
            continue
        q = tr.queued.get(tid, [])
        q_times = [t for t, _ in q]
        in_times = [t for t, _ in ins.get(tid, [])]
        for s, e, what in tr.intervals[tid]:
            if what != "run" or e <= lo or s >= hi:
                continue
            i = bisect.bisect_right(q_times, s + 1e-6)
            j = bisect.bisect_left(in_times, e - 1e-6)
            if not i or j >= len(in_times):
                continue
            own, ran_on = q[i - 1][1], ins[tid][j][1]
            _own_idle, other_idle, _busy, length = iw.split_waits([(s, e, "run")], q, tr.timelines, s, e, defaultdict(float))
            stretches.append((length, other_idle, ran_on != own))
    with_idle = [x for x in stretches if x[1] > 0]
    print(f"{name}, first instance: {len(stretches)} queued stretches; length p50 "
          f"{pct([x[0] for x in stretches], 0.5):.3f} ms, p90 {pct([x[0] for x in stretches], 0.9):.3f}, "
          f"max {max(x[0] for x in stretches):.3f}; {sum(x[2] for x in stretches)} ran on another CPU")
    if with_idle:
        print(f"  {len(with_idle)} had another CPU idle: that part p50 {pct([x[1] for x in with_idle], 0.5):.3f} ms, "
              f"p90 {pct([x[1] for x in with_idle], 0.9):.3f}, max {max(x[1] for x in with_idle):.3f}, "
              f"sum {sum(x[1] for x in with_idle):.1f}; {sum(x[2] for x in with_idle)} of them ran on another CPU, "
              f"mean length {st.mean(x[0] for x in with_idle):.3f} ms")


if __name__ == "__main__":
    main()
