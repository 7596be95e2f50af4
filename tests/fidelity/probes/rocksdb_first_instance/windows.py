"""Where each RocksDB map subtask's synchronous phase spends its time, from trace.sh's events.

Usage: python3 windows.py OUT NAME

For every completed checkpoint triggered inside the traced span, each map subtask's sync phase
is taken from Flink's REST figures (it starts at trigger + start delay + alignment, whole ms) and
matched to a task thread by its end: the last synced call, link or rename the thread made within
150 ms of the trigger (RocksDB's `createCheckpoint` runs on the task thread; the phase ends with
it). Over that window the thread's time is split into on a core, runnable without one, and asleep
by the call it slept in (fsync or fdatasync, link, rename, sync_file_range; "other": waiting for
RocksDB's flush thread, a lock). Alongside: the flush thread's (`rocksdb:high`) time on a core and
in fdatasync in the same window, the synced calls' durations, and what the disk was asked while
they ran (kB written by any thread, cache flushes). Printed per checkpoint, then medians for the subtask
whose phase started first and the one that started second (a lone subtask counts as first). On
a tie of starts the shorter phase counts as first, which leans "first" towards the faster of
the two; `sync_pairs.py` and `cores_in_window.py` take the subtask listed first instead.
"""
import csv
import gzip
import re
import statistics as st
import sys
from collections import defaultdict

LINE = re.compile(r"^\s*(.+?)\s+(-?\d+)/(-?\d+)\s+\[(\d+)\]\s+([\d.]+):\s+(\S+):\s*(.*)$")
SYNCED = {"fsync", "fdatasync", "sync_file_range"}
META = {"link", "linkat", "rename", "renameat2"}


def kv(text):
    return dict(re.findall(r"(\w+)=(\S+)", text))


def load(path):
    """Per thread: intervals (start, end, state) with state cpu / run / sleep:<call>; syscalls
    (start, end, call, tid); the disk's requests as issued (time, rwbs, bytes); the marker's perf
    time."""
    state = {}  # tid -> (since, state)
    in_call = {}  # tid -> (start, call)
    intervals = defaultdict(list)
    calls = []
    requests = []
    comm_of = {}
    marker = None

    def close(tid, t):
        if tid in state:
            since, s = state[tid]
            if t > since:
                intervals[tid].append((since, t, s))

    for raw in gzip.open(path, "rt", errors="replace"):
        m = LINE.match(raw)
        if not m:
            continue
        comm, tid, t, ev, rest = m.group(1), m.group(3), float(m.group(5)), m.group(6), m.group(7)
        comm_of.setdefault(tid, comm)
        if ev == "sched:sched_switch":
            a = kv(rest.replace("==>", " "))
            prev, nxt, pstate = a.get("prev_pid"), a.get("next_pid"), a.get("prev_state", "")
            if prev and prev != "0":
                close(prev, t)
                if pstate.startswith("R"):
                    state[prev] = (t, "run")
                else:
                    call = in_call.get(prev, (0, "other"))[1]
                    state[prev] = (t, "sleep:" + call)
            if nxt and nxt != "0":
                close(nxt, t)
                state[nxt] = (t, "cpu")
                if "next_comm" in a:
                    comm_of.setdefault(nxt, a["next_comm"])
        elif ev == "sched:sched_wakeup":
            pid = kv(rest).get("pid")
            if pid and pid in state and state[pid][1].startswith("sleep"):
                close(pid, t)
                state[pid] = (t, "run")
        elif ev.startswith("syscalls:sys_enter_"):
            call = ev[len("syscalls:sys_enter_"):]
            in_call[tid] = (t, call)
            if comm == "fsync-marker" and marker is None:
                marker = t
        elif ev.startswith("syscalls:sys_exit_"):
            if tid in in_call:
                start, call = in_call.pop(tid)
                calls.append((start, t, call, tid))
        elif ev == "block:block_rq_issue":
            # "254,0 WS 4096 () 19640848 + 8 ...": device, rwbs, bytes, (), sector + sectors.
            f = rest.split()
            if len(f) >= 3 and f[2].isdigit():
                requests.append((t, f[1], int(f[2])))
    return intervals, sorted(calls), requests, comm_of, marker


def split(intervals, lo, hi):
    out = defaultdict(float)
    for s, e, what in intervals:
        a, b = max(s, lo), min(e, hi)
        if b > a:
            out[what] += (b - a) * 1e3
    return out


def run_of(out_dir, name, marker):
    """The harness's run beside a trace: its checkpoints by id, the map subtasks' acknowledgements
    of the completed ones by checkpoint, and the offset from perf's clock to the wall clock."""
    wall = float(open(f"{out_dir}/{name}.marker.txt").read().split()[1])
    run = f"{out_dir}/runs/{name}"
    cps = {c["checkpoint_id"]: c for c in csv.DictReader(open(f"{run}/checkpoints.csv"))}
    subs = defaultdict(list)
    for r in csv.DictReader(open(f"{run}/subtasks.csv")):
        if r["vertex"].startswith("stateful") and cps[r["checkpoint_id"]]["status"].lower() == "completed":
            subs[r["checkpoint_id"]].append(r)
    return cps, subs, wall - marker


def sync_phases(cps, subs, calls, comm_of, offset):
    """Every map subtask's sync phase inside the traced span, matched to its task thread:
    (checkpoint id, "first" or "second", thread id, start, end in perf's clock, REST's sync_ms).
    A phase starts at REST's trigger + start delay + alignment and ends with the thread's last
    synced call, link or rename within 150 ms of the trigger; a thread is matched by that end
    to the phase whose REST end is nearest."""
    maps = {tid for tid, c in comm_of.items() if c.startswith("stateful-map")}
    span = (calls[0][0] + offset, calls[-1][1] + offset) if calls else (0, 0)
    for cid, rs in sorted(subs.items(), key=lambda x: int(x[0])):
        trig = float(cps[cid]["trigger_ts_ms"]) / 1e3
        if not (span[0] + 0.05 <= trig <= span[1] - 0.2):
            continue
        # The task threads' last synced call, link or rename within 150 ms of the trigger.
        ends = {}
        for s, e, call, tid in calls:
            if tid in maps and (call in SYNCED or call in META) and trig <= s + offset <= trig + 0.15:
                ends[tid] = max(ends.get(tid, 0.0), e + offset)
        # First by REST's start, whole ms; a tie (most checkpoints: the two start within 2 ms)
        # goes to the shorter phase, then to the subtask listed first.
        windows = sorted(
            ((trig + (float(r["start_delay_ms"]) + float(r["alignment_ms"])) / 1e3, float(r["sync_ms"]), r)
             for r in rs),
            key=lambda w: (w[0], w[1]),
        )
        used = set()
        for order, (start, sync_ms, _r) in enumerate(windows):
            rest_end = start + sync_ms / 1e3
            cands = [(abs(e - rest_end), tid) for tid, e in ends.items() if tid not in used]
            if not cands:
                continue
            _, tid = min(cands)
            used.add(tid)
            yield cid, "first" if order == 0 else "second", tid, start - offset, ends[tid] - offset, sync_ms


def main():
    out_dir, name = sys.argv[1], sys.argv[2]
    intervals, calls, requests, comm_of, marker = load(f"{out_dir}/{name}.events.gz")
    cps, subs, offset = run_of(out_dir, name, marker)  # perf time + offset = wall-clock seconds
    flush = {tid for tid, c in comm_of.items() if c.startswith("rocksdb:high")}
    rows = []
    for cid, order, tid, lo, hi, sync_ms in sync_phases(cps, subs, calls, comm_of, offset):
        t = split(intervals[tid], lo, hi)
        f = defaultdict(float)
        for ft in flush:
            for k, v in split(intervals[ft], lo, hi).items():
                f[k] += v
        own = [(s, e, c) for s, e, c, x in calls if x == tid and lo <= s <= hi]
        synced = [(e - s) * 1e3 for s, e, c in own if c in SYNCED]
        # What the disk was asked while the thread's synced calls ran: bytes written (by anyone)
        # and cache flushes (an fsync on this host ends with one; more, others' were in line).
        during = [(t, rw, b) for t, rw, b in requests if any(s <= t <= e for s, e, c in own if c in SYNCED)]
        rows.append({
            "checkpoint": cid,
            "order": order,
            "phase_ms": (hi - lo) * 1e3,
            "rest_sync_ms": sync_ms,
            "cpu": t["cpu"],
            "runnable": t["run"],
            "synced_sleep": sum(v for k, v in t.items() if k[6:] in SYNCED),
            "link_rename_sleep": sum(v for k, v in t.items() if k[6:] in META),
            "other_sleep": t["sleep:other"] + sum(
                v for k, v in t.items() if k.startswith("sleep:") and k[6:] not in SYNCED | META | {"other"}
            ),
            "synced_calls": len(synced),
            "synced_ms_sum": sum(synced),
            "disk_kb_written_in_synced_calls": sum(b for t, rw, b in during if "W" in rw) / 1e3,
            "disk_flushes_in_synced_calls": sum(1 for t, rw, b in during if "F" in rw),
            "flush_cpu": f["cpu"],
            "flush_runnable": f["run"],
            "flush_fdatasync_sleep": f["sleep:fdatasync"],
        })
    if not rows:
        sys.exit("no checkpoint inside the traced span")
    keys = [k for k in rows[0] if k not in ("checkpoint", "order")]
    print("checkpoint,order," + ",".join(keys))
    for r in rows:
        print(f"{r['checkpoint']},{r['order']}," + ",".join(f"{r[k]:.2f}" for k in keys))
    print()
    for order in ("first", "second"):
        sel = [r for r in rows if r["order"] == order]
        if sel:
            print(f"median, {order} ({len(sel)} phases): " + ", ".join(f"{k} {st.median(r[k] for r in sel):.2f}" for k in keys))


if __name__ == "__main__":
    main()
