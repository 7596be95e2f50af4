"""When a map subtask's keyed-state file is synced, relative to the shared channel-state file.

Usage: python3 order_after_channel_state.py DIR   (DIR: fsync_trace.sh's output: fsyncs.csv and
subtasks.csv). Prints, per checkpoint-relative offset (ms after the trigger, from subtasks.csv's
acknowledgement time less its end-to-end duration), when each thread's fsync starts and ends, and
how many of the AsyncOperations fsyncs (the maps' keyed state) start after the
`Channel state writer` fsync of the same checkpoint ended."""
import collections
import csv
import statistics as st
import sys

d = sys.argv[1]
trigger = {}
for x in csv.DictReader(open(f"{d}/subtasks.csv")):
    if x["status"] == "completed":
        trigger[int(x["checkpoint_id"])] = int(x["ack_ts_ms"]) - int(x["end_to_end_ms"])
rows = list(csv.DictReader(open(f"{d}/fsyncs.csv")))
offsets = collections.defaultdict(list)
for f in rows:
    w = float(f["wall_s"]) * 1000
    c = next((c for c, t in trigger.items() if 0 <= w - t < 500), None)
    if c is not None:
        offsets[f["thread"]].append((w - trigger[c], float(f["duration_ms"])))
for thread, v in sorted(offsets.items()):
    print(f"{thread:24} n={len(v):3} start p50 {st.median(a for a, _ in v):6.2f} ms  "
          f"end p50 {st.median(a + b for a, b in v):6.2f} ms  fsync p50 {st.median(b for _, b in v):5.2f} ms")
channel = [(float(f["wall_s"]), float(f["duration_ms"])) for f in rows if f["thread"].startswith("Channel")]
keyed = [float(f["wall_s"]) for f in rows if f["thread"].startswith("AsyncOperations")]
gaps = []
for start, ms in channel:
    end = start + ms / 1000
    gaps += [(k - end) * 1000 for k in keyed if 0 <= k - start < 0.5]
after = sum(g >= 0 for g in gaps)
print(f"{after}/{len(gaps)} keyed-state fsyncs start after the channel-state file's fsync ended; "
      f"gap p50 {st.median(gaps):.2f} ms (min {min(gaps):.2f}, max {max(gaps):.2f})")
