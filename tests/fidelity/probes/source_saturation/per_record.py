#!/usr/bin/env python3
"""A generator source's time per record, from the harness's metrics.csv: its output rate and
its busy and idle time per second (Flink's busyTimeMsPerSecond, idleTimeMsPerSecond), the
map's busy time, and the JVM's and the whole host's CPU, means over the samples after the
warm-up. usage: per_record.py WARMUP_S RUN_DIR..."""
import csv, sys, statistics as st
from collections import defaultdict

warmup = float(sys.argv[1])
print("| run | source records/s | source busy us/record | source idle us/record | map busy us/record | JVM CPU (cores) | host CPU (cores) |")
print("|---|---|---|---|---|---|---|")
for run in sys.argv[2:]:
    d = defaultdict(list)
    for r in csv.DictReader(open(f"{run}/metrics.csv")):
        if float(r["t_rel_s"]) >= warmup:
            d[(r["vertex"].split(":")[0].split(" ->")[0], r["metric"])].append(float(r["avg"]))
    m = lambda v, k: st.mean(d[(v, k)])
    rate = m("Source", "numRecordsOutPerSecond")
    per = lambda v, k: m(v, k) / rate * 1000
    print(f"| {run.rstrip('/').split('/')[-1]} | {rate:,.0f} | {per('Source', 'busyTimeMsPerSecond'):.1f} | "
          f"{per('Source', 'idleTimeMsPerSecond'):.1f} | {per('stateful-map', 'busyTimeMsPerSecond'):.2f} | "
          f"{m('host', 'jvm_cpu_cores'):.2f} | {m('host', 'cpu_busy_cores'):.2f} |")
