"""While the maps' asynchronous snapshot threads wait for a core, is the other core idle? From
`../rocksdb_first_instance/trace.sh`'s events (f14's saturated job, say).

Usage: python3 async_placement.py OUT NAME

For every completed checkpoint triggered inside the traced span, each map subtask's
asynchronous phase is taken from REST: it starts at trigger + start delay + alignment + sync and
lasts async_ms (whole ms). Over those windows, the time the JVM's snapshot threads
(`AsyncOperations...`) are runnable without a core is split as `idle_while_waiting.py` splits
it: their own CPU idle, queued with another CPU idle, both busy (their threads named). The
hidden process counts as busy, so "a CPU idle" is a lower bound.
"""
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rocksdb_first_instance"))
import idle_while_waiting as iw  # noqa: E402


def main():
    name = sys.argv[2]
    tr = iw.Trace(sys.argv[1], name)
    snapshot_threads = [tid for tid, c in tr.comm_of.items() if c.startswith("AsyncOperations")]
    all_switches = [t for tl in iw.TIMES.values() for t in tl]
    span = (min(all_switches) + tr.offset, max(all_switches) + tr.offset)
    windows = []
    for cid, rs in tr.subs.items():
        trig = float(tr.cps[cid]["trigger_ts_ms"]) / 1e3
        if not (span[0] + 0.05 <= trig <= span[1] - 1.0):
            continue
        for r in rs:
            before_ms = float(r["start_delay_ms"]) + float(r["alignment_ms"]) + float(r["sync_ms"])
            lo = trig + before_ms / 1e3 - tr.offset
            hi = lo + float(r["async_ms"]) / 1e3
            if hi > lo:
                windows.append((lo, hi))
    own_idle = other_idle = busy = runnable = 0.0
    holders = defaultdict(float)
    for tid in snapshot_threads:
        for lo, hi in windows:
            o, q, bz, r = iw.split_waits(tr.intervals[tid], tr.queued.get(tid, []), tr.timelines, lo, hi, holders)
            own_idle, other_idle, busy, runnable = own_idle + o, other_idle + q, busy + bz, runnable + r
    total = sum(hi - lo for lo, hi in windows)
    idle = own_idle + other_idle
    share = idle / runnable if runnable else float("nan")
    print(f"{name}: {len(windows)} async phases, {total * 1e3:.1f} ms in all; snapshot threads runnable without a "
          f"core {runnable:.1f} ms: a CPU idle for {idle:.1f} ({share:.0%}: their own CPU idle {own_idle:.1f}, "
          f"queued with another idle {other_idle:.1f}), both busy for {busy:.1f}")
    print("  while both were busy, the CPUs ran (ms, both CPUs summed):")
    for comm, ms in sorted(holders.items(), key=lambda x: -x[1])[:10]:
        print(f"    {comm:24s} {ms:7.1f}")


if __name__ == "__main__":
    main()
