"""Every 30 s, each thread of the harness's JVM: name, on-CPU ns, run-queue ns (cumulative,
from /proc/PID/task/*/schedstat), one JSON line per sample with the seconds since the JVM was
found. Ends with the JVM. usage: threads_every_30s.py OUT.jsonl"""
import glob
import json
import os
import sys
import time

pid = None
while pid is None:
    for p in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            c = open(p, "rb").read()
        except OSError:
            continue
        if b"bench.CheckpointBench" in c and b"javac" not in c:
            pid = p.split("/")[2]
    time.sleep(0.2)
t0 = time.monotonic()
with open(sys.argv[1], "w") as out:
    while os.path.exists(f"/proc/{pid}"):
        threads = {}
        for t in glob.glob(f"/proc/{pid}/task/*"):
            try:
                name = open(t + "/comm").read().strip()
                on_cpu, queued, _ = open(t + "/schedstat").read().split()
            except (OSError, ValueError):
                continue
            threads[t.split("/")[-1]] = [name, int(on_cpu), int(queued)]
        out.write(json.dumps({"t_s": round(time.monotonic() - t0, 1), "threads": threads}) + "\n")
        out.flush()
        time.sleep(30)
