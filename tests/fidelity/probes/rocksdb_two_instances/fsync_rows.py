"""perf script lines of fsync/fdatasync enter and exit events -> one CSV row per call.

Usage: perf script -F comm,pid,tid,time,event --ns | python3 fsync_rows.py MARKER_TXT
MARKER_TXT holds `marker_wall_s T`: the wall clock just before the first fdatasync of a thread
named fsync-marker, which aligns perf's clock with the wall clock.
"""
import re
import sys

LINE = re.compile(r"^\s*(.*?)\s+(\d+)/(\d+)\s+([\d.]+):\s+\S+:(sys_(enter|exit)_(\w+)):")


def main():
    wall = float(open(sys.argv[1]).read().split()[1])
    pending, rows, offset = {}, [], None
    for line in sys.stdin:
        m = LINE.match(line)
        if not m:
            continue
        comm, tid, t, kind, call = m.group(1), m.group(3), float(m.group(4)), m.group(6), m.group(7)
        if kind == "enter":
            pending[tid] = (t, comm, call)
        elif tid in pending:
            start, comm, call = pending.pop(tid)
            if comm == "fsync-marker" and offset is None:
                offset = wall - start
            rows.append((start, comm, tid, call, (t - start) * 1e3))
    print("wall_s,thread,tid,call,duration_ms")
    for start, comm, tid, call, ms in sorted(rows):
        print(f"{start + (offset or 0.0):.6f},{comm.replace(',', ' ')},{tid},{call},{ms:.3f}")


if __name__ == "__main__":
    main()
