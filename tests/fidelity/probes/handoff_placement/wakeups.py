"""handoff_placement probe (README.md): from `perf script` text of sched_switch, sched_waking,
sched_wakeup and sched_migrate_task (../perf_sched_trace.sh with WAKEUPS=1), every wake-up of a
generator source's thread by its partner (the task thread waking its rate limiter's thread, or
the reverse), classed by where the woken thread last ran (the waker's CPU or the other one) and
whether the other CPU was idle at that instant, with the share the scheduler put on the waker's
CPU (stays) or on the other (crosses). Then how often a hand-off crosses after one that crossed
and after one that stayed (the same woken thread's previous hand-off). A 2-CPU host.
usage: wakeups.py EVENTS"""
import re
import sys

LINE = re.compile(r"^\s*(.+?)\s+(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+sched:(\w+):\s+(.*)$")
SWITCH = re.compile(r"prev_comm=(.*) prev_pid=(\d+) .* ==> next_comm=(.*) next_pid=(\d+) ")
WAKE = re.compile(r"comm=(.*) pid=(\d+) prio=\d+ target_cpu=(\d+)")


def kind(comm):
    if comm.startswith("Source: gen"):
        return "task"
    if comm.startswith("flink-rate-limi"):
        return "limiter"
    return None


def classify(path):
    running = {}  # cpu -> pid on it (0: idle)
    pending = {}  # woken pid -> (case, waker cpu)
    cases = {}  # (direction, case) -> [stays, crosses]
    last_cross = {}  # pid -> did its previous hand-off cross
    follow = {True: [0, 0], False: [0, 0]}  # previous crossed? -> [stays, crosses]
    for line in open(path, errors="replace"):
        m = LINE.match(line)
        if not m:
            continue
        comm, _tid, cpu, _t, event, rest = m.groups()
        cpu = int(cpu)
        if event == "sched_switch":
            s = SWITCH.search(rest + " ")
            if s:
                running[cpu] = int(s.group(4))
        elif event == "sched_waking":
            w = WAKE.search(rest)
            if not w:
                continue
            waker, wakee = kind(comm), kind(w.group(1))
            if waker is None or wakee is None or waker == wakee:
                continue
            prev = int(w.group(3))
            other = 1 - cpu
            where = "last ran on the waker's CPU" if prev == cpu else "last ran on the other CPU"
            idle = "other CPU idle" if running.get(other, 0) == 0 else "other CPU busy"
            pending[int(w.group(2))] = (f"{waker} -> {wakee}", f"{where}, {idle}", cpu)
        elif event == "sched_wakeup":
            w = WAKE.search(rest)
            if not w:
                continue
            pid = int(w.group(2))
            if pid not in pending:
                continue
            direction, case, waker_cpu = pending.pop(pid)
            crossed = int(w.group(3)) != waker_cpu
            cases.setdefault((direction, case), [0, 0])[crossed] += 1
            if pid in last_cross:
                follow[last_cross[pid]][crossed] += 1
            last_cross[pid] = crossed
    return cases, follow


def main(path):
    cases, follow = classify(path)
    print("| hand-off | woken thread | count | stays on the waker's CPU | crosses |")
    print("|---|---|---|---|---|")
    for (direction, case), (stay, cross) in sorted(cases.items()):
        n = stay + cross
        print(f"| {direction} | {case} | {n} | {100 * stay / n:.1f} % | {100 * cross / n:.1f} % |")
    total = sum(s + c for s, c in cases.values())
    crossed = sum(c for _, c in cases.values())
    if total:
        print(f"\nall: {total} hand-offs, {100 * crossed / total:.1f} % cross")
    for prev, (stay, cross) in follow.items():
        n = stay + cross
        if n:
            after = "one that crossed" if prev else "one that stayed"
            print(f"after {after}: {n} hand-offs, {100 * cross / n:.1f} % cross")


if __name__ == "__main__":
    main(sys.argv[1])
