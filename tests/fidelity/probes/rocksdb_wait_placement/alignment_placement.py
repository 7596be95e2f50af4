"""While an aligned checkpoint's map aligns, and the sources' threads wait for a core, is the
other core idle? From `../rocksdb_first_instance/trace.sh`'s events of a back-pressured job.

Usage: python3 alignment_placement.py OUT NAME

For every completed checkpoint triggered inside the traced span, each map subtask's alignment
is taken from REST (from trigger + start delay, its first barrier, for alignment_ms; whole ms).
Over those windows, the time each source thread (the task threads `Source: gen...` and the rate
limiters' `flink-rate-limi...`) is runnable without a core is split as `idle_while_waiting.py`
splits it: its own CPU idle, queued with another CPU idle, both busy (their threads named). Printed:
the windows, their summed length, the source threads' time on a core and runnable in them, and
the split. The hidden process counts as busy, so "a CPU idle" is a lower bound.
"""
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rocksdb_first_instance"))
import idle_while_waiting as iw  # noqa: E402

SOURCE_THREADS = ("Source: gen", "flink-rate-limi")


def main():
    name = sys.argv[2]
    tr = iw.Trace(sys.argv[1], name)
    sources = [tid for tid, c in tr.comm_of.items() if c.startswith(SOURCE_THREADS)]
    all_switches = [t for tl in iw.TIMES.values() for t in tl]
    span = (min(all_switches) + tr.offset, max(all_switches) + tr.offset)
    windows = []
    for cid, rs in tr.subs.items():
        trig = float(tr.cps[cid]["trigger_ts_ms"]) / 1e3
        if not (span[0] + 0.05 <= trig <= span[1] - 1.0):
            continue
        for r in rs:
            lo = trig + float(r["start_delay_ms"]) / 1e3 - tr.offset
            hi = lo + float(r["alignment_ms"]) / 1e3
            if hi > lo:
                windows.append((lo, hi))
    on_core = own_idle = other_idle = busy = runnable = 0.0
    holders = defaultdict(float)
    for lo, hi in windows:
        for tid in sources:
            on_core += sum(
                min(e, hi) - max(s, lo) for s, e, what in tr.intervals[tid] if what == "cpu" and e > lo and s < hi
            )
            o, q, bz, r = iw.split_waits(tr.intervals[tid], tr.queued.get(tid, []), tr.timelines, lo, hi, holders)
            own_idle, other_idle, busy, runnable = own_idle + o, other_idle + q, busy + bz, runnable + r
    total = sum(hi - lo for lo, hi in windows)
    idle = own_idle + other_idle
    share = idle / runnable if runnable else float("nan")
    print(f"{name}: {len(windows)} alignment windows, {total * 1e3:.1f} ms in all; source threads on a core "
          f"{on_core * 1e3:.1f} ms, runnable without one {runnable:.1f} ms ({runnable / (total * 1e3):.1%} of the "
          f"windows): a CPU idle for {idle:.1f} ({share:.0%}: its own CPU idle {own_idle:.1f}, queued with another "
          f"idle {other_idle:.1f}), both busy for {busy:.1f}")
    print("  while both were busy, the CPUs ran (ms, both CPUs summed):")
    for comm, ms in sorted(holders.items(), key=lambda x: -x[1])[:10]:
        print(f"    {comm:24s} {ms:7.1f}")


if __name__ == "__main__":
    main()
