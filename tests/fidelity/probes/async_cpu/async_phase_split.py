"""Splits every asynchronous snapshot phase of the Flink JVM's `AsyncOperations` threads into
time on a core, time runnable without one (run queue), and time blocked (sleeping or in I/O).

Input: `perf sched timehist -w --state` text (perf sched record -a for a few seconds of the
job). A thread's slices closer than 50 ms form one phase; a phase starts when its first slice
was woken. A slice's wait before it is run-queue time when the thread was preempted at the end
of the slice before (state R), else the sleep part (wait - sch delay) is blocked and the
sch delay part is run queue. usage: async_phase_split.py TIMEHIST [MIN_CPU_MS]"""
import sys, statistics
from timehist import switches
min_cpu = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
slices = {}
for end, task, wait, sdelay, run, state in switches(sys.argv[1]):
    if not task.startswith('AsyncOperations'):
        continue
    slices.setdefault(task, []).append((end - run, end, wait, sdelay, run, state))
rows = []
for task, sl in sorted(slices.items()):
    sl.sort()
    phase = [sl[0]]
    phases = []
    for s in sl[1:]:
        (phases.append(phase), phase := [s]) if s[0] - phase[-1][1] > 50 else phase.append(s)
    phases.append(phase)
    for ph in phases:
        start = ph[0][0] - ph[0][3]
        span = ph[-1][1] - start
        on_cpu = sum(s[4] for s in ph)
        queue = ph[0][3]
        blocked = 0.0
        for prev, s in zip(ph, ph[1:]):
            if prev[5] == 'R':
                queue += s[2]
            else:
                queue += s[3]
                blocked += s[2] - s[3]
        if on_cpu >= min_cpu:
            rows.append((task, span, on_cpu, queue, blocked))
print(f"{'thread':32} {'span':>6} {'on CPU':>7} {'queue':>6} {'blocked':>7}  (ms)")
for r in rows:
    print(f"{r[0]:32} {r[1]:6.1f} {r[2]:7.1f} {r[3]:6.1f} {r[4]:7.1f}")
if rows:
    med = lambda i: statistics.median(r[i] for r in rows)
    print(f"median over {len(rows)} phases: span {med(1):.1f}, on CPU {med(2):.1f}, "
          f"run queue {med(3):.1f}, blocked {med(4):.1f} ms; on-CPU share of the runnable time "
          f"{statistics.median(r[2] / (r[2] + r[3]) for r in rows if r[2] + r[3] > 0):.2f}")
