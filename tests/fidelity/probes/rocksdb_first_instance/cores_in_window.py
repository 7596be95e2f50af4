"""Which threads hold the cores during the first instance's sync phase, from trace.sh's events.

Usage: python3 cores_in_window.py OUT NAME

For every completed checkpoint triggered inside the traced span, the window is the sync phase
of the map subtask that started it first (REST: trigger + start delay + alignment, lasting its
sync_ms; on a tie the subtask listed first, where `windows.py` takes the shorter phase); each thread's time on a core inside it (windows.load's intervals) is summed by thread
name, and the means over the windows are printed, largest first. Threads whose switches off a
core perf does not record (see README.md) read too high; compare runs, not absolute values.
"""
import statistics as st
import sys
from collections import defaultdict

import windows as w


def main():
    out, name = sys.argv[1], sys.argv[2]
    intervals, calls, _, comm_of, marker = w.load(f"{out}/{name}.events.gz")
    cps, subs, offset = w.run_of(out, name, marker)
    span = (calls[0][0] + offset, calls[-1][1] + offset)
    per_window = []
    for cid, rs in subs.items():
        trig = float(cps[cid]["trigger_ts_ms"]) / 1e3
        if not (span[0] + 0.05 <= trig <= span[1] - 0.2):
            continue
        first = min(rs, key=lambda r: float(r["start_delay_ms"]) + float(r["alignment_ms"]))
        lo = trig + (float(first["start_delay_ms"]) + float(first["alignment_ms"])) / 1e3 - offset
        hi = lo + float(first["sync_ms"]) / 1e3
        on_core = defaultdict(float)
        for tid, iv in intervals.items():
            on_core[comm_of.get(tid, "?")] += w.split(iv, lo, hi).get("cpu", 0.0)
        per_window.append(on_core)
    names = {n for pw in per_window for n in pw}
    means = sorted(((st.mean(pw.get(n, 0.0) for pw in per_window), n) for n in names), reverse=True)
    print(f"{name}: {len(per_window)} windows")
    for ms, n in means[:15]:
        print(f"  {n:24s} {ms:6.2f} ms on a core")


if __name__ == "__main__":
    main()
