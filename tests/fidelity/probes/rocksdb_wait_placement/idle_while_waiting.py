"""While a RocksDB map subtask's task thread waits for a core in its sync phase, is the other
core idle? From `../rocksdb_first_instance/trace.sh`'s events.

Usage: python3 idle_while_waiting.py OUT NAME

The sync phases and their task threads are `../rocksdb_first_instance/windows.py`'s (REST's
start, the thread's last synced call, link or rename). Over each phase, every stretch the thread
is runnable without a core (woken, or preempted, and not yet switched in) is split by what the
host's CPUs run meanwhile, as the recorded switches say: **a CPU idle** (some CPU's last switch
went to the idle task: the thread waits on a busy CPU while another has nothing to do, which is
where Linux woke it, not a lack of cores) or **both busy** (every CPU runs another thread: the
cores are short). For the both-busy time, the threads on the two CPUs are summed by name.
Printed per phase, then the totals for the phase that started first and for the second.

A process this sandbox hides (`../rocksdb_first_instance/README.md`) gets onto a CPU with its
switch off not recorded: a CPU it ran on reads busy until its next recorded switch, which counts
towards "both busy". So "a CPU idle" is a lower bound.
"""
import bisect
import gzip
import os
import statistics as st
import sys
from collections import defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rocksdb_first_instance"))
import windows as w  # noqa: E402


TIMES = {}  # per CPU, its switches' times (for bisect), filled by main


def cpu_timelines(path):
    """Per CPU, the switches in time order: (time, next tid, next comm); tid "0" is idle."""
    out = defaultdict(list)
    for raw in gzip.open(path, "rt", errors="replace"):
        m = w.LINE.match(raw)
        if not m or m.group(6) != "sched:sched_switch":
            continue
        a = w.kv(m.group(7).replace("==>", " "))
        out[int(m.group(4))].append((float(m.group(5)), a.get("next_pid", "?"), a.get("next_comm", "?")))
    return out


def runs_at(timelines, lo, hi):
    """Pieces of [lo, hi) with what each CPU runs: [(start, end, ((tid, comm) per CPU))]."""
    cuts = {lo, hi}
    for cpu, tl in timelines.items():
        i, j = bisect.bisect_right(TIMES[cpu], lo), bisect.bisect_left(TIMES[cpu], hi)
        cuts.update(t for t, _, _ in tl[i:j])
    cuts = sorted(cuts)
    pieces = []
    for a, b in zip(cuts, cuts[1:]):
        now = []
        for cpu in sorted(timelines):
            tl = timelines[cpu]
            i = bisect.bisect_right(TIMES[cpu], a)
            now.append((tl[i - 1][1], tl[i - 1][2]) if i else ("?", "?"))
        pieces.append((a, b, tuple(now)))
    return pieces


def main():
    out_dir, name = sys.argv[1], sys.argv[2]
    events = f"{out_dir}/{name}.events.gz"
    intervals, calls, _, comm_of, marker = w.load(events)
    timelines = cpu_timelines(events)
    for cpu, tl in timelines.items():
        TIMES[cpu] = [t for t, _, _ in tl]
    cps, subs, offset = w.run_of(out_dir, name, marker)
    totals = {"first": defaultdict(float), "second": defaultdict(float)}
    holders = {"first": defaultdict(float), "second": defaultdict(float)}
    per_phase = {"first": [], "second": []}
    print("checkpoint,order,phase_ms,runnable_ms,a_cpu_idle_ms,both_busy_ms")
    for cid, order, tid, lo, hi, _sync_ms in w.sync_phases(cps, subs, calls, comm_of, offset):
        idle = busy = runnable = 0.0
        for s, e, what in intervals[tid]:
            a, b = max(s, lo), min(e, hi)
            if what != "run" or b <= a:
                continue
            runnable += b - a
            for pa, pb, now in runs_at(timelines, a, b):
                if any(t == "0" for t, _ in now):
                    idle += pb - pa
                else:
                    busy += pb - pa
                    for t, comm in now:
                        holders[order][comm] += (pb - pa) * 1e3
        row = {"phase": (hi - lo) * 1e3, "runnable": runnable * 1e3, "idle": idle * 1e3, "busy": busy * 1e3}
        per_phase[order].append(row)
        for k, v in row.items():
            totals[order][k] += v
        print(f"{cid},{order},{row['phase']:.2f},{row['runnable']:.2f},{row['idle']:.2f},{row['busy']:.2f}")
    print()
    for order in ("first", "second"):
        rows = per_phase[order]
        if not rows:
            continue
        t = totals[order]
        share = t["idle"] / t["runnable"] if t["runnable"] else float("nan")
        print(f"{order} ({len(rows)} phases): runnable {t['runnable']:.1f} ms in all, a CPU idle for "
              f"{t['idle']:.1f} ({share:.0%}), both busy for {t['busy']:.1f}; per phase, median runnable "
              f"{st.median(r['runnable'] for r in rows):.2f}, a CPU idle {st.median(r['idle'] for r in rows):.2f}")
        print("  while both were busy, the CPUs ran (ms, both CPUs summed):")
        for comm, ms in sorted(holders[order].items(), key=lambda x: -x[1])[:10]:
            print(f"    {comm:24s} {ms:7.1f}")


if __name__ == "__main__":
    main()
