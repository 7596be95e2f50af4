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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rocksdb_first_instance"))
import idle_while_waiting as iw  # noqa: E402


def main():
    name = sys.argv[2]
    tr = iw.Trace(sys.argv[1], name)
    snapshot_threads = [tid for tid, c in tr.comm_of.items() if c.startswith("AsyncOperations")]
    before = ("start_delay_ms", "alignment_ms", "sync_ms")
    windows = iw.rest_windows(tr, lambda r: (sum(float(r[k]) for k in before),
                                             sum(float(r[k]) for k in before) + float(r["async_ms"])))
    t, holders = iw.waits_in_windows(tr, snapshot_threads, windows)
    own_idle, other_idle, busy, runnable = t["own_idle"], t["other_idle"], t["busy"], t["runnable"]
    total = sum(hi - lo for lo, hi in windows)
    idle = own_idle + other_idle
    share = idle / runnable if runnable else float("nan")
    print(f"{name}: {len(windows)} async phases, {total * 1e3:.1f} ms in all; snapshot threads runnable without a "
          f"core {runnable:.1f} ms: a CPU idle for {idle:.1f} ({share:.0%}: their own CPU idle {own_idle:.1f}, "
          f"queued with another idle {other_idle:.1f}), both busy for {busy:.1f}")
    iw.print_holders(holders)


if __name__ == "__main__":
    main()
