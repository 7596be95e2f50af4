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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rocksdb_first_instance"))
import idle_while_waiting as iw  # noqa: E402

SOURCE_THREADS = ("Source: gen", "flink-rate-limi")


def main():
    name = sys.argv[2]
    tr = iw.Trace(sys.argv[1], name)
    sources = [tid for tid, c in tr.comm_of.items() if c.startswith(SOURCE_THREADS)]
    windows = iw.rest_windows(tr, lambda r: (float(r["start_delay_ms"]),
                                             float(r["start_delay_ms"]) + float(r["alignment_ms"])))
    t, holders = iw.waits_in_windows(tr, sources, windows)
    on_core, own_idle, other_idle, busy, runnable = (t["on_core"], t["own_idle"], t["other_idle"], t["busy"],
                                                     t["runnable"])
    total = sum(hi - lo for lo, hi in windows)
    idle = own_idle + other_idle
    share = idle / runnable if runnable else float("nan")
    print(f"{name}: {len(windows)} alignment windows, {total * 1e3:.1f} ms in all; source threads on a core "
          f"{on_core:.1f} ms, runnable without one {runnable:.1f} ms ({runnable / (total * 1e3):.1%} of the "
          f"windows): a CPU idle for {idle:.1f} ({share:.0%}: its own CPU idle {own_idle:.1f}, queued with another "
          f"idle {other_idle:.1f}), both busy for {busy:.1f}")
    iw.print_holders(holders)


if __name__ == "__main__":
    main()
