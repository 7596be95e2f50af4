#!/usr/bin/env python3
"""Whether a barrier's hand-off is the consumer's or common to the consumers of one emission.

Reads a harness run's subtasks.csv with two or more sources and maps and prints, over the
checkpoints after the warm-up (whole ms, as REST reports them): each map's start delay beyond
its checkpoint's earliest source, how far apart the maps start, and how far apart the
sources start. Usage: handoff_split.py [--warmup-s 90] subtasks.csv
"""
import argparse
import csv
import itertools
import statistics as st
from collections import defaultdict

ap = argparse.ArgumentParser()
ap.add_argument("--warmup-s", type=float, default=90.0)
ap.add_argument("file")
args = ap.parse_args()
rows = [r for r in csv.DictReader(open(args.file)) if r["status"] == "completed"]
t0 = min(int(r["ack_ts_ms"]) - int(r["end_to_end_ms"]) for r in rows)
by = defaultdict(lambda: defaultdict(dict))
for r in rows:
    if int(r["ack_ts_ms"]) - int(r["end_to_end_ms"]) - t0 < args.warmup_s * 1000:
        continue
    kind = "source" if r["vertex"].startswith("Source") else "map"
    by[r["checkpoint_id"]][kind][int(r["subtask"])] = int(r["start_delay_ms"])
trail, maps_apart, sources_apart = [], [], []
for v in by.values():
    s, m = v["source"], v["map"]
    if len(s) < 2 or len(m) < 2:
        continue
    trail += [x - min(s.values()) for x in m.values()]
    maps_apart += [abs(a - b) for a, b in itertools.combinations(m.values(), 2)]
    sources_apart += [abs(a - b) for a, b in itertools.combinations(s.values(), 2)]
print(f"{len(maps_apart)} map pairs over the checkpoints after {args.warmup_s:.0f} s")
print(f"  a map's start delay beyond the earliest source: mean {st.mean(trail):.2f} ms")
print(f"  two maps' start delays apart:                    mean {st.mean(maps_apart):.2f} ms")
print(f"  two sources' start delays apart:                 mean {st.mean(sources_apart):.2f} ms")
