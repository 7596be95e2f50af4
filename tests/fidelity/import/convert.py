#!/usr/bin/env python3
"""Convert a capture of the real-Flink harness (../shared/flink-real: raw.json.gz + metrics.csv)
into the file layout `ckptsim import` reads (one JSON file per REST path, as `curl -o` saves it;
see `ckptsim import --help`), trimmed to what the importer reads.

  tests/fidelity/import/convert.py CAPTURE_DIR OUT_DIR [--keep 15] [--warmup 10]

- jobs/<jid>.json, jobs/<jid>/config.json, jobs/<jid>/checkpoints/config.json and
  jobs/<jid>/vertices/<vid>.json are Flink's responses as the harness saved them.
- jobs/<jid>/checkpoints.json keeps only the last KEEP terminal history entries (as a REST
  server with web.checkpoints.history = KEEP would), each with its details/<cid>.json and
  details/<cid>/subtasks/<vid>.json; counts and summary are Flink's, over every checkpoint.
- jobmanager/config.json keeps the execution.checkpointing.* and state.backend.* keys.
- run-info.txt is the harness's (its options and host), for the tests' assumption lines.
- The harness samples the vertex metrics every 2 s into metrics.csv (min/max/avg/sum over the
  subtasks, as /jobs/<jid>/vertices/<vid>/subtasks/metrics?get=...&agg=min,max,avg,sum answers);
  each sample after the warm-up becomes vertices/<vid>/subtasks/metrics.<n>.json in that shape.
Standard library only.
"""
import argparse
import csv
import gzip
import json
import os

METRICS = ["numRecordsInPerSecond", "numRecordsOutPerSecond", "numBytesInPerSecond",
           "numBytesOutPerSecond", "busyTimeMsPerSecond", "backPressuredTimeMsPerSecond"]


def dump(out, rel, obj):
    path = os.path.join(out, rel + ".json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"), sort_keys=True)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("capture")
    ap.add_argument("out")
    ap.add_argument("--keep", type=int, default=15)
    ap.add_argument("--warmup", type=float, default=10.0)
    a = ap.parse_args()
    raw = json.load(gzip.open(os.path.join(a.capture, "raw.json.gz"), "rt"))
    fin = raw["final"]
    jid = raw["job_id"]
    j = "jobs/" + jid
    dump(a.out, j, fin["job"])
    dump(a.out, j + "/config", fin["job_config"])
    dump(a.out, j + "/checkpoints/config", fin["checkpoint_config"])
    for vid, v in fin["vertex_subtasks"].items():
        dump(a.out, "%s/vertices/%s" % (j, vid), v)
    jm = [e for e in fin["jobmanager_config"]
          if e["key"].startswith("execution.checkpointing.") or e["key"].startswith("state.backend.")]
    dump(a.out, "jobmanager/config", sorted(jm, key=lambda e: e["key"]))

    # Terminal entries with details, newest first, as the REST history lists them.
    cps = raw["checkpoints"]
    hist = [h for h in fin["checkpoints"]["history"]
            if h["status"] in ("COMPLETED", "FAILED") and str(h["id"]) in cps]
    hist.sort(key=lambda h: -h["id"])
    hist = hist[:a.keep]
    ck = dict(fin["checkpoints"])
    ck["history"] = hist
    dump(a.out, j + "/checkpoints", ck)
    for h in hist:
        c = cps[str(h["id"])]
        dump(a.out, "%s/checkpoints/details/%d" % (j, h["id"]), c["details"])
        for vid, s in c["subtasks"].items():
            if s is not None:
                dump(a.out, "%s/checkpoints/details/%d/subtasks/%s" % (j, h["id"], vid), s)

    # The harness's options and host (REST cannot tell cores or key counts): for the tests.
    with open(os.path.join(a.capture, "run-info.txt")) as src, open(os.path.join(a.out, "run-info.txt"), "w") as dst:
        dst.write(src.read())

    by_name = {name: vid for vid, name in raw["vertices"].items()}
    samples = {}
    with open(os.path.join(a.capture, "metrics.csv")) as f:
        for r in csv.DictReader(f):
            if r["vertex"] not in by_name or r["metric"] not in METRICS:
                continue
            t = float(r["t_rel_s"])
            if t < a.warmup:
                continue
            row = {"id": r["metric"]}
            for k in ("min", "max", "avg", "sum"):
                row[k] = float(r[k]) if r[k] not in ("", None) else None
            samples.setdefault(by_name[r["vertex"]], {}).setdefault(t, []).append(row)
    for vid, by_t in samples.items():
        for n, t in enumerate(sorted(by_t)):
            dump(a.out, "%s/vertices/%s/subtasks/metrics.%02d" % (j, vid, n), by_t[t])


if __name__ == "__main__":
    main()
