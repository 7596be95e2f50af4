#!/usr/bin/env python3
"""The acknowledgement waits of ack_timing.py, read the same way from a real and a simulated run.

ack_timing.py reads a real run's floored phases as the middle of their millisecond (+0.5) and
a simulated run's exactly. Where the simulator's phases are exactly 0 (a source's sync and
async) or constant, that treats the two differently. This script floors a simulated run's
trigger and acknowledgement timestamps and its phases to whole ms first, as Flink's REST API
does, and then reads both runs alike: per checkpoint, each subtask's readiness (trigger +
start delay + alignment + sync + async, each floored phase + 0.5 ms) and the wait to its
acknowledgement's handling, for the first subtask to be ready and for every later one binned
by how long after the latest earlier handling it became ready (<0: before it; 0: 0-1 ms; ...).
Several files are pooled. usage: like_for_like.py [--warmup-s 90] FILE..."""
import argparse
import csv
import math
import statistics as st
from collections import defaultdict


def acknowledgements(path, warmup_ms):
    """(checkpoint, trigger ms, floored phases, acknowledgement ms) per subtask."""
    rs = list(csv.DictReader(open(path)))
    out = []
    if "ack_ts_ms" in rs[0]:
        rs = [r for r in rs if r["status"] == "completed"]
        t0 = min(int(r["ack_ts_ms"]) - int(r["end_to_end_ms"]) for r in rs)
        for r in rs:
            trigger = int(r["ack_ts_ms"]) - int(r["end_to_end_ms"])
            if trigger - t0 < warmup_ms:
                continue
            phases = [int(r[k]) for k in ("start_delay_ms", "alignment_ms", "sync_ms", "async_ms")]
            out.append((r["checkpoint_id"], trigger, phases, int(r["ack_ts_ms"])))
    else:
        for r in rs:
            ack = float(r["ack_timestamp"])
            trigger = ack - float(r["end_to_end_duration"])
            if trigger < warmup_ms:
                continue
            keys = ("start_delay", "alignment_duration", "sync_duration", "async_duration")
            phases = [math.floor(float(r[k])) for k in keys]
            out.append((r["checkpoint_id"], math.floor(trigger), phases, math.floor(ack)))
    return out


def ready_ms(trigger, phases):
    """Trigger plus each floored phase taken as the middle of its ms (an alignment of 0 as 0)."""
    return trigger + sum(p + 0.5 for p in phases) - (0.5 if phases[1] == 0 else 0.0)


def waits(paths, warmup_ms):
    first, later = [], defaultdict(list)
    for path in paths:
        by = defaultdict(list)
        for cp, trigger, phases, ack in acknowledgements(path, warmup_ms):
            by[(path, cp)].append((ready_ms(trigger, phases), ack))
        for acks in by.values():
            acks.sort()
            first.append(acks[0][1] - acks[0][0])
            for i in range(1, len(acks)):
                gap = acks[i][0] - max(a[1] for a in acks[:i])
                b = "<0" if gap < 0 else str(min(int(gap), 5))
                later[b].append(acks[i][1] - acks[i][0])
    return first, later


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--warmup-s", type=float, default=90.0)
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    first, later = waits(args.files, args.warmup_s * 1000)
    cells = [f"first {st.mean(first):.2f} ({len(first)})"]
    for b in ("<0", "0", "1", "2", "3", "4", "5"):
        if later[b]:
            cells.append(f"{b}: {st.mean(later[b]):.2f} ({len(later[b])})")
    print("  ".join(cells))
