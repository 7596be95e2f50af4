"""Per-subtask network figures over a run's measured window from sample_subtask_metrics.py's rows.

Counters become rates (difference over the window, per second) and, for the buffers read, bytes
per buffer; gauges become their mean over the samples in the window.
usage: window.py RUN_DIR [WARMUP_S]    (RUN_DIR holds subtask_metrics-*.csv or subtask_metrics.csv)
"""
import collections, csv, glob, sys

run = sys.argv[1]
warmup = float(sys.argv[2]) if len(sys.argv) > 2 else 90.0
path = (glob.glob(run + "/subtask_metrics*.csv") or [run])[0]
series = collections.defaultdict(list)
for r in csv.DictReader(open(path)):
    try:
        series[(r["vertex"], int(r["subtask"]), r["metric"])].append((float(r["t_rel_s"]), float(r["value"])))
    except ValueError:
        pass
COUNTERS = {"numRecordsIn", "numRecordsOut", "numBytesOut", "numBuffersOut", "numBytesInLocal", "numBytesInRemote",
            "numBuffersInLocal", "numBuffersInRemote"}
rows = collections.defaultdict(dict)
for (v, s, m), pts in sorted(series.items()):
    w = [p for p in pts if p[0] >= warmup]
    if len(w) < 2:
        continue
    if m in COUNTERS:
        rows[(v, s)][m + "/s"] = (w[-1][1] - w[0][1]) / (w[-1][0] - w[0][0])
    else:
        rows[(v, s)][m.split(".")[-1]] = sum(x for _, x in w) / len(w)
for (v, s), d in sorted(rows.items()):
    for kind in ("Local", "Remote"):
        b = d.get("numBuffersIn%s/s" % kind)
        if b:
            d["bytesPerBuffer%s" % kind] = d["numBytesIn%s/s" % kind] / b
    print("%s[%d]" % (v, s))
    for k, x in sorted(d.items()):
        print("   %-32s %12.3f" % (k, x))
