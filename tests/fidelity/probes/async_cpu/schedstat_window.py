"""Per thread group of the Flink JVM: CPU and run-queue time from the kernel's own counters
(/proc/PID/task/*/schedstat, sampled by ../jit_warmup/schedstat_sample.py), between two
samples (or from the start), per second of the window and per asynchronous snapshot phase.
The cross-check for perf sched's per-thread figures, which at low load charge threads with
time the CPUs spent idle. usage: schedstat_window.py END.json SECONDS PHASES [START.json]"""
import json, sys, collections
end = json.load(open(sys.argv[1]))
seconds, phases = float(sys.argv[2]), float(sys.argv[3])
start = json.load(open(sys.argv[4])) if len(sys.argv) > 4 else {}
cpu, queue, threads = collections.Counter(), collections.Counter(), collections.Counter()
for tid, (comm, on, wait, _slices) in end.items():
    s = start.get(tid, (comm, 0, 0, 0))
    group = comm.split(' (')[0]
    cpu[group] += on - s[1]
    queue[group] += wait - s[2]
    threads[group] += 1
print(f"window {seconds:.0f} s, {phases:.0f} checkpoints")
print(f"{'group':24} {'threads':>7} {'CPU ms/s':>9} {'queued ms/s':>11} {'weight':>7} {'CPU ms/phase':>13}")
for g, _ in sorted(cpu.items(), key=lambda kv: -(kv[1] + queue[kv[0]]))[:12]:
    print(f"{g:24} {threads[g]:7d} {cpu[g] / 1e6 / seconds:9.1f} {queue[g] / 1e6 / seconds:11.1f} "
          f"{(cpu[g] + queue[g]) / 1e9 / seconds:7.2f} {cpu[g] / 1e6 / phases:13.2f}")
