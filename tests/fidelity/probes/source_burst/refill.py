"""Round 2 of the source_burst probe (README.md): for each checkpoint of an f05-like run after
the warm-up, when each source subtask's long stall (100 ms or more) ended against map 0's
resumption of the previous checkpoint, and how many records it emitted from then until its own
barrier. `python3 refill.py RUN_DIR`"""
import csv
import json
import statistics
import sys


def main(run):
    events = [json.loads(l) for l in open(run + "/events.jsonl")]
    # nanoTime -> epoch ms: every event line has both; the median offset.
    offset_ms = statistics.median(e["ts_ms"] - e["nano"] / 1e6 for e in events if "nano" in e)
    stalls = {}
    for e in events:
        if e.get("kind") == "probe_long_stall":
            stalls.setdefault(e["subtask"], []).append(
                (e["end_nano"] / 1e6 + offset_ms, e["len_ns"] / 1e6, e["records_by_ms"]))
    for v in stalls.values():
        v.sort()
    trig = {int(r["checkpoint_id"]): int(r["trigger_ts_ms"])
            for r in csv.DictReader(open(run + "/checkpoints.csv")) if r["status"] == "COMPLETED"}
    sub = {}
    for r in csv.DictReader(open(run + "/subtasks.csv")):
        if r["status"] != "completed":
            continue
        v = "src" if r["vertex"].startswith("Source") else "map"
        sub[(int(r["checkpoint_id"]), v, int(r["subtask"]))] = r
    first_stall = min(s[0][0] for s in stalls.values() if s)
    rows = []
    for k in sorted(trig):
        m0 = sub.get((k - 1, "map", 0))
        if k - 1 not in trig or m0 is None:
            continue
        resume = trig[k - 1] + float(m0["start_delay_ms"]) + float(m0["alignment_ms"]) + float(m0["sync_ms"])
        if resume < first_stall - 1000:
            continue
        for s in sorted(stalls):
            src = sub.get((k, "src", s))
            if src is None:
                continue
            inject = trig[k] + float(src["start_delay_ms"])
            # the long stall of this subtask that ended last before its barrier
            before = [x for x in stalls[s] if x[0] <= inject + 1]
            if not before:
                continue
            end, length, by_ms = before[-1]
            ms = int(inject - end)
            emitted = by_ms[min(max(ms, 0), len(by_ms) - 1)] if ms < len(by_ms) else None
            rows.append((k, s, end - resume, length, inject - resume, ms, emitted))
    print("| checkpoint | source subtask | stall end - map 0 resumed (ms) | stall (ms) | barrier - map 0 resumed (ms) | barrier - stall end (ms) | records from stall end to barrier |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print("| %d | %d | %.1f | %.0f | %.1f | %d | %s |" % (r[0], r[1], r[2], r[3], r[4], r[5], r[6] if r[6] is not None else "50 ms or more"))
    for s in sorted(stalls):
        mine = [r for r in rows if r[1] == s]
        if not mine:
            continue
        late = statistics.median(r[2] for r in mine)
        counts = [r[6] for r in mine if r[6] is not None]
        print("subtask %d: median stall end - map 0 resumed %.1f ms; median records before the barrier %s (%d of %d checkpoints within 50 ms)" % (
            s, late, statistics.median(counts) if counts else "-", len(counts), len(mine)))


if __name__ == "__main__":
    main(sys.argv[1])
