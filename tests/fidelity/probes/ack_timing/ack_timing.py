#!/usr/bin/env python3
"""How a checkpoint's acknowledgements and its maps' start delays line up, per checkpoint.

Reads a real run's `subtasks.csv` (the harness's: whole ms, REST's floors) or a simulated
run's (`ckptsim run --out DIR`: DIR/subtasks.csv, fractional ms) and prints, over the
checkpoints triggered after the warm-up:

- the share of acknowledgements handled in the same millisecond (instant) as another one of
  their checkpoint;
- the wait between a subtask being ready (trigger + start delay + alignment + sync + async)
  and its acknowledgement's handling, for each checkpoint's first subtask to be ready and its
  last one, the last one binned by how long after the previous handling it became ready;
- for jobs with two or more map subtasks, the mean difference of their start delays.

A real run's phases are floored to whole ms: each is taken as the middle of its millisecond
(+0.5), as the suite reads them. Usage: ack_timing.py [--warmup-s 90] FILE...
"""
import argparse
import csv
import statistics as st
from collections import defaultdict


def rows(path, warmup_ms):
    """(trigger_ms, vertex, ready_ms, handled_ms, start_delay_ms) per acknowledgement."""
    rs = list(csv.DictReader(open(path)))
    real = "ack_ts_ms" in rs[0]
    out = []
    if real:
        rs = [r for r in rs if r["status"] == "completed"]
        t0 = min(int(r["ack_ts_ms"]) - int(r["end_to_end_ms"]) for r in rs)
        for r in rs:
            trig = int(r["ack_ts_ms"]) - int(r["end_to_end_ms"])
            if trig - t0 < warmup_ms:
                continue
            phases = sum(int(r[k]) + 0.5 for k in ("start_delay_ms", "sync_ms", "async_ms"))
            phases += int(r["alignment_ms"]) + (0.5 if int(r["alignment_ms"]) > 0 else 0)
            out.append((r["checkpoint_id"], r["vertex"], trig + phases, float(r["ack_ts_ms"]),
                        int(r["start_delay_ms"]) + 0.5))
    else:
        for r in rs:
            ack = float(r["ack_timestamp"])
            trig = ack - float(r["end_to_end_duration"])
            if trig < warmup_ms:
                continue
            phases = sum(float(r[k]) for k in ("start_delay", "alignment_duration", "sync_duration", "async_duration"))
            out.append((r["checkpoint_id"], r["task"], trig + phases, ack, float(r["start_delay"])))
    return out, real


def report(path, warmup_ms):
    acks, real = rows(path, warmup_ms)
    by = defaultdict(list)
    for a in acks:
        by[a[0]].append(a)
    same = total = 0
    first, last = [], defaultdict(list)
    map_gaps = []
    for v in by.values():
        handled = [a[3] for a in v]
        key = (lambda h: h) if real else (lambda h: round(h, 6))
        counts = defaultdict(int)
        for h in handled:
            counts[key(h)] += 1
        same += sum(n for n in counts.values() if n > 1)
        total += len(v)
        v = sorted(v, key=lambda a: a[2])
        first.append(v[0][3] - v[0][2])
        prev = max(a[3] for a in v[:-1]) if len(v) > 1 else None
        if prev is not None:
            g = v[-1][2] - prev
            b = "ready before" if g < 0 else ("0-2 ms" if g < 2 else ("2-5 ms" if g < 5 else "5+ ms"))
            last[b].append(v[-1][3] - v[-1][2])
        maps = [a[4] for a in v if a[1].startswith("stateful-map")]
        if len(maps) >= 2:
            map_gaps.append(max(maps) - min(maps))
    print(path)
    print(f"  {len(by)} checkpoints; acknowledgements sharing their {'ms' if real else 'instant'}: {same / total:.2f}")
    print(f"  wait of the first subtask to be ready: mean {st.mean(first):.2f} ms")
    for b in ("ready before", "0-2 ms", "2-5 ms", "5+ ms"):
        if last[b]:
            print(f"  wait of the last, ready {b:>12} the previous handling: mean {st.mean(last[b]):5.2f} ms (n {len(last[b])})")
    if map_gaps:
        print(f"  maps' start delays apart: mean {st.mean(map_gaps):.2f} ms")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--warmup-s", type=float, default=90.0)
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    for f in args.files:
        report(f, args.warmup_s * 1000)
