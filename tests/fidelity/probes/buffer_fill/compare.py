"""Flink's per-subtask network metrics beside ckptsim's for the same configuration.

Flink's side: the runs' subtask_metrics*.csv (sample_subtask_metrics.py), over the window after
WARMUP_S: gauges averaged over the samples, counters as rates; runs of one configuration are
averaged. ckptsim's side: the `job.tasks` of summary.json files (one per seed), averaged.
usage: compare.py --flink RUN_DIR... --sim SUMMARY_JSON... [--warmup 90]
"""
import argparse, collections, csv, glob, json

ap = argparse.ArgumentParser()
ap.add_argument("--flink", nargs="+", required=True)
ap.add_argument("--sim", nargs="+", required=True)
ap.add_argument("--warmup", type=float, default=90.0)
a = ap.parse_args()

# (Flink metric, ckptsim field, kind, label)
FIGURES = [
    ("Shuffle.Netty.Output.Buffers.outPoolUsage", "out_pool_usage", "gauge", "outPoolUsage"),
    ("Shuffle.Netty.Output.Buffers.outputQueueLength", "output_queue_length", "gauge", "outputQueueLength"),
    ("Shuffle.Netty.Input.Buffers.inPoolUsage", "in_pool_usage", "gauge", "inPoolUsage"),
    ("numBuffersInLocal", "buffers_in_local_per_second", "counter", "buffers in local /s"),
    ("numBytesInLocal", "bytes_in_local_per_second", "counter", "bytes in local /s"),
    ("numBuffersInRemote", "buffers_in_remote_per_second", "counter", "buffers in remote /s"),
    ("numBytesInRemote", "bytes_in_remote_per_second", "counter", "bytes in remote /s"),
    ("numRecordsOut", None, "counter", "records out /s"),
    ("numRecordsIn", None, "counter", "records in /s"),
]


def flink_run(run_dir):
    path = glob.glob(run_dir + "/subtask_metrics*.csv")[0]
    series = collections.defaultdict(list)
    for r in csv.DictReader(open(path)):
        try:
            series[(r["vertex"], int(r["subtask"]), r["metric"])].append((float(r["t_rel_s"]), float(r["value"])))
        except ValueError:
            pass
    out = {}
    for (v, s, m), pts in series.items():
        w = [p for p in pts if p[0] >= a.warmup]
        if len(w) < 2:
            continue
        if m.startswith("Shuffle"):
            out[(v, s, m)] = sum(x for _, x in w) / len(w)
        else:
            out[(v, s, m)] = (w[-1][1] - w[0][1]) / (w[-1][0] - w[0][0])
    return out


def mean_of(dicts):
    keys = set().union(*dicts)
    return {k: sum(d[k] for d in dicts if k in d) / sum(1 for d in dicts if k in d) for k in keys}


flink = mean_of([flink_run(d) for d in a.flink])
sims = []
for p in a.sim:
    d = {}
    for t in json.load(open(p))["job"]["tasks"]:
        for k, x in t.items():
            if isinstance(x, (int, float)):
                d[(t["task"], t["subtask_index"], k)] = x
        d[(t["task"], t["subtask_index"], "records_in_per_s")] = t["records_in"]
    sims.append(d)
sim = mean_of(sims)
window = json.load(open(a.sim[0]))
vertices = sorted({k[0] for k in flink})
print("| task | subtask | figure | Flink | ckptsim | ratio |")
print("|---|---|---|---|---|---|")
for v in vertices:
    sim_task = v.replace("Source: ", "")
    for s in sorted({k[1] for k in flink if k[0] == v}):
        for fm, sf, kind, label in FIGURES:
            f = flink.get((v, s, fm))
            if f is None or sf is None:
                continue
            x = sim.get((sim_task, s, sf))
            if x is None:
                continue
            if f == 0 and x == 0:
                continue
            ratio = "%.2f" % (x / f) if f else "-"
            fmt = "%.3f" if kind == "gauge" else "%.1f"
            print("| %s | %d | %s | %s | %s | %s |" % (v, s, label, fmt % f, fmt % x, ratio))
