#!/usr/bin/env python3
"""The map's async and sync phases of an incremental RocksDB run before and after its MANIFEST
outgrew Flink's 20 KB inline threshold. Only checkpoints after the 90 s warm-up (id >= 88 at a
1 s interval) whose upload is the flush's one SST (checkpointed size under 3 MB, so no
compaction output) are counted.
Usage: split.py subtasks.csv FIRST_ID   (FIRST_ID: the first checkpoint that uploaded its
MANIFEST as a file; in manifest.csv, the first shared_file under 100 kB, at t_s seconds after
the first sample, which came at checkpoint 2)"""
import csv
import statistics
import sys

rows = [r for r in csv.DictReader(open(sys.argv[1])) if "map" in r["vertex"] and int(r["checkpoint_id"]) >= 88]
first = int(sys.argv[2])
small = [r for r in rows if int(r["checkpointed_size_b"]) < 3_000_000]
for label, keep in (("MANIFEST inlined", lambda i: i < first - 1), ("MANIFEST uploaded", lambda i: i > first)):
    sel = [r for r in small if keep(int(r["checkpoint_id"]))]
    print(
        f"{label}: {len(sel)} acks, async p50 {statistics.median(int(r['async_ms']) for r in sel)} ms,"
        f" sync p50 {statistics.median(int(r['sync_ms']) for r in sel)} ms"
    )
