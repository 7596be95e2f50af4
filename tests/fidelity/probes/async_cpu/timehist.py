"""Reads `perf sched timehist -w --state` text: one switch-out per line, skipping the wake-up
lines. Shared by async_phase_split.py, runnable_threads.py and ../source_burst/
(window_threads.py, placement.py)."""
import re

_LINE = re.compile(r'^\s*([\d.]+)\s+\[(\d+)\]\s+(.+?)\s{2,}([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\S+)\s*$')


def _switch_outs(path):
    """The fields of every switch-out line: time s, CPU, task, wait, sch delay, run, state."""
    for line in open(path).read().splitlines()[3:]:
        if 'awakened' in line:
            continue
        m = _LINE.match(line)
        if m:
            yield m.groups()


def switches(path):
    """Yields (time ms, task, wait ms, sch delay ms, run ms, state at switch-out)."""
    for t, _cpu, task, wait, sdelay, run, state in _switch_outs(path):
        yield float(t) * 1000, task.strip(), float(wait), float(sdelay), float(run), state


def switches_with_cpu(path):
    """Yields (time ms, CPU, task, run ms) for every switch-out, the CPU it ran on kept."""
    for t, cpu, task, _wait, _sdelay, run, _state in _switch_outs(path):
        yield float(t) * 1000, int(cpu), task.strip(), float(run)
