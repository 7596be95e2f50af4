"""While a RocksDB map subtask's task thread waits for a core in its sync phase, is the other
core idle? From `../rocksdb_first_instance/trace.sh`'s events.

Usage: python3 idle_while_waiting.py OUT NAME

The sync phases and their task threads are `../rocksdb_first_instance/windows.py`'s (REST's
start, the thread's last synced call, link or rename). Over each phase, every stretch the thread
is runnable without a core (woken, or preempted, and not yet switched in) is split by what the
host's CPUs run meanwhile, as the recorded switches say:
- **a CPU idle** (some CPU's last switch went to the idle task), in two parts:
  - **its own CPU idle**: the CPU it was woken on (`sched_wakeup`'s `target_cpu`, or the CPU that
    preempted it) idles: the wait is that CPU waking up, not a queue;
  - **queued, the other idle**: its own CPU runs another thread while another CPU idles: it waits
    where Linux placed it;
- **both busy** (every CPU runs another thread: the cores are short); the threads on the two CPUs
  then are summed by name.
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


def queue_cpus(path):
    """Per thread, the CPUs it was queued on, in time order: (time, cpu) at each wake-up (its
    `target_cpu`) and each preemption (the CPU that switched it out still runnable)."""
    out = defaultdict(list)
    for raw in gzip.open(path, "rt", errors="replace"):
        m = w.LINE.match(raw)
        if not m:
            continue
        t, ev = float(m.group(5)), m.group(6)
        if ev == "sched:sched_wakeup":
            a = w.kv(m.group(7))
            if "pid" in a and "target_cpu" in a:
                out[a["pid"]].append((t, int(a["target_cpu"])))
        elif ev == "sched:sched_switch":
            a = w.kv(m.group(7).replace("==>", " "))
            if a.get("prev_state", "").startswith("R") and "prev_pid" in a:
                out[a["prev_pid"]].append((t, int(m.group(4))))
    return out


def split_waits(intervals, queued_on, timelines, lo, hi, holders):
    """Of the runnable stretches in `intervals` within [lo, hi): ms with its own CPU idle, ms
    queued with another CPU idle, ms with every CPU busy (adding those CPUs' threads to
    `holders`), and ms runnable in all."""
    times = [t for t, _ in queued_on]
    own_idle = other_idle = busy = runnable = 0.0
    for s, e, what in intervals:
        a, b = max(s, lo), min(e, hi)
        if what != "run" or b <= a:
            continue
        runnable += b - a
        i = bisect.bisect_right(times, s + 1e-6)
        own = queued_on[i - 1][1] if i else None
        cpus = sorted(timelines)
        for pa, pb, now in runs_at(timelines, a, b):
            idle = [cpu for cpu, (t, _) in zip(cpus, now) if t == "0"]
            if own is not None and own in idle:
                own_idle += pb - pa
            elif idle:
                other_idle += pb - pa
            else:
                busy += pb - pa
                for _t, comm in now:
                    holders[comm] += (pb - pa) * 1e3
    return own_idle * 1e3, other_idle * 1e3, busy * 1e3, runnable * 1e3


class Trace:
    """One traced run: the threads' intervals, the synced calls, thread names, the CPUs'
    switches, where each thread was queued, and the harness's statistics (`windows.run_of`)."""

    def __init__(self, out_dir, name):
        events = f"{out_dir}/{name}.events.gz"
        self.intervals, self.calls, _, self.comm_of, marker = w.load(events)
        self.timelines = cpu_timelines(events)
        for cpu, tl in self.timelines.items():
            TIMES[cpu] = [t for t, _, _ in tl]
        self.queued = queue_cpus(events)
        self.cps, self.subs, self.offset = w.run_of(out_dir, name, marker)
        self.events = events

    def sync_phases(self):
        return w.sync_phases(self.cps, self.subs, self.calls, self.comm_of, self.offset)


def rest_windows(tr, bounds):
    """Per map acknowledgement of a completed checkpoint triggered inside the traced span (at
    least a second before its end): the window `bounds(row)` gives, in ms after the trigger
    (REST's whole ms), as (start, end) in perf's clock; empty windows left out."""
    switches = [t for tl in TIMES.values() for t in tl]
    span = (min(switches) + tr.offset, max(switches) + tr.offset)
    windows = []
    for cid, rs in tr.subs.items():
        trig = float(tr.cps[cid]["trigger_ts_ms"]) / 1e3
        if not (span[0] + 0.05 <= trig <= span[1] - 1.0):
            continue
        for r in rs:
            from_ms, to_ms = bounds(r)
            lo, hi = trig + from_ms / 1e3 - tr.offset, trig + to_ms / 1e3 - tr.offset
            if hi > lo:
                windows.append((lo, hi))
    return windows


def waits_in_windows(tr, tids, windows):
    """The threads `tids` over `windows`: ms on a core, and `split_waits`' four figures summed,
    with the threads that held both CPUs meanwhile."""
    totals = defaultdict(float)
    holders = defaultdict(float)
    for lo, hi in windows:
        for tid in tids:
            totals["on_core"] += 1e3 * sum(
                min(e, hi) - max(s, lo) for s, e, what in tr.intervals[tid] if what == "cpu" and e > lo and s < hi
            )
            own, other, busy, runnable = split_waits(tr.intervals[tid], tr.queued.get(tid, []), tr.timelines, lo, hi,
                                                     holders)
            totals["own_idle"] += own
            totals["other_idle"] += other
            totals["busy"] += busy
            totals["runnable"] += runnable
    return totals, holders


def print_holders(holders, top=10):
    print("  while both were busy, the CPUs ran (ms, both CPUs summed):")
    for comm, ms in sorted(holders.items(), key=lambda x: -x[1])[:top]:
        print(f"    {comm:24s} {ms:7.1f}")


def main():
    tr = Trace(sys.argv[1], sys.argv[2])
    totals = {"first": defaultdict(float), "second": defaultdict(float)}
    holders = {"first": defaultdict(float), "second": defaultdict(float)}
    per_phase = {"first": [], "second": []}
    print("checkpoint,order,phase_ms,runnable_ms,own_cpu_idle_ms,queued_other_idle_ms,both_busy_ms")
    for cid, order, tid, lo, hi, _sync_ms in tr.sync_phases():
        own_idle, other_idle, busy, runnable = split_waits(
            tr.intervals[tid], tr.queued.get(tid, []), tr.timelines, lo, hi, holders[order]
        )
        row = {"phase": (hi - lo) * 1e3, "runnable": runnable, "own_idle": own_idle, "other_idle": other_idle,
               "busy": busy}
        per_phase[order].append(row)
        for k, v in row.items():
            totals[order][k] += v
        print(f"{cid},{order},{row['phase']:.2f},{row['runnable']:.2f},{row['own_idle']:.2f},"
              f"{row['other_idle']:.2f},{row['busy']:.2f}")
    print()
    for order in ("first", "second"):
        rows = per_phase[order]
        if not rows:
            continue
        t = totals[order]
        idle = t["own_idle"] + t["other_idle"]
        share = idle / t["runnable"] if t["runnable"] else float("nan")
        print(f"{order} ({len(rows)} phases): runnable {t['runnable']:.1f} ms in all, a CPU idle for "
              f"{idle:.1f} ({share:.0%}: its own CPU idle {t['own_idle']:.1f}, queued with another idle "
              f"{t['other_idle']:.1f}), both busy for {t['busy']:.1f}; per phase, median runnable "
              f"{st.median(r['runnable'] for r in rows):.2f}")
        print("  while both were busy, the CPUs ran (ms, both CPUs summed):")
        for comm, ms in sorted(holders[order].items(), key=lambda x: -x[1])[:10]:
            print(f"    {comm:24s} {ms:7.1f}")


if __name__ == "__main__":
    main()
