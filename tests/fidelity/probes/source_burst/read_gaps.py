"""The source_burst probe's per-record gaps (README.md): for each run of REAL_DIR, each source
subtask's records after the warm-up, its stalls (gaps of 1 ms or more), the median gap between
records outside stalls, and the mean gap by position behind a stall: records 1-10, 11-100,
101-1000 and beyond. `python3 read_gaps.py real`"""
import json
import os
import sys


def bucket_ns(b):
    """The geometric middle of quarter-octave bucket b, ns."""
    return 2 ** ((b + 0.5) / 4)


def median_of(hist):
    n = sum(hist)
    if n == 0:
        return float("nan")
    seen = 0
    for b, c in enumerate(hist):
        seen += c
        if seen >= n / 2:
            return bucket_ns(b)
    return float("nan")


def main(real):
    print("| run | subtask | records | span s | stalls | median stall ms | stalled s | "
          "median gap us | mean gap us at 1-10 / 11-100 / 101-1000 / beyond behind a stall |")
    print("|---|---|---|---|---|---|---|---|---|")
    for run in sorted(os.listdir(real)):
        path = os.path.join(real, run, "events.jsonl")
        if not os.path.exists(path):
            continue
        for line in open(path):
            e = json.loads(line)
            if e.get("kind") != "probe_gaps" or e["records"] == 0:
                continue
            stalls = e["stalls"]
            stalled_s = sum(c * bucket_ns(b) for b, c in enumerate(stalls)) / 1e9
            pos = ["%.1f" % (s / n / 1e3) if n else "-" for s, n in zip(e["pos_sum_ns"], e["pos_n"])]
            print("| %s | %d | %d | %.1f | %d | %.1f | %.1f | %.1f | %s |" % (
                run, e["subtask"], e["records"], e["span_ns"] / 1e9, sum(stalls),
                median_of(stalls) / 1e6, stalled_s, median_of(e["gaps"]) / 1e3, " / ".join(pos)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "real"))
