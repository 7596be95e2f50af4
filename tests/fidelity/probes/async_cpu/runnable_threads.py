"""Per thread group of the Flink JVM: time on a core and time runnable in the run queue, per
second of the window, from `perf sched timehist -w --state` text. Their sum is the group's
runnable weight, what a processor-sharing scheduler counts against a thread that wants a core.
usage: runnable_threads.py TIMEHIST"""
import re, sys, collections
from timehist import switches
on, queue, last_state, threads = collections.Counter(), collections.Counter(), {}, collections.defaultdict(set)
t0 = t1 = None
for t, task, wait, sdelay, run, state in switches(sys.argv[1]):
    t0 = t if t0 is None else t0
    t1 = t
    group = re.sub(r'\s*\(.*|\[.*|[-_ ]?\d+$', '', task).strip()
    threads[group].add(task)
    on[group] += run
    queue[group] += wait if last_state.get(task) == 'R' else sdelay
    last_state[task] = state
window = t1 - t0
print(f"window {window:.0f} ms")
print(f"{'group':28} {'threads':>7} {'on CPU ms/s':>12} {'queued ms/s':>12} {'runnable weight':>16}")
for g, _ in sorted(on.items(), key=lambda kv: -(kv[1] + queue[kv[0]]))[:14]:
    print(f"{g:28} {len(threads[g]):7d} {1000 * on[g] / window:12.1f} {1000 * queue[g] / window:12.1f} "
          f"{(on[g] + queue[g]) / window:16.2f}")
