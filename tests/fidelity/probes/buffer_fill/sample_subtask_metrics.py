"""Per-subtask network metrics of the harness's running job, which its metrics.csv has only as
min/max/avg over a vertex's subtasks.

Waits for a RUNNING job on the harness's REST port, writes every metric name each vertex offers to
NAMES.txt (once), then every EVERY_S seconds until the job ends reads, for each subtask, the
metrics below whose names the vertex offers, and appends rows `t_rel_s,vertex,subtask,metric,value`
to OUT.csv. Counters (numBuffersInLocal, ...) are cumulative; gauges are read as they stand.
usage: sample_subtask_metrics.py OUT.csv NAMES.txt [REST_URL] [EVERY_S]
"""
import json, sys, time, urllib.request

out_path, names_path = sys.argv[1], sys.argv[2]
base = sys.argv[3] if len(sys.argv) > 3 else "http://127.0.0.1:18081"
every_s = float(sys.argv[4]) if len(sys.argv) > 4 else 2.0

WANTED = [
    "numRecordsIn",
    "numRecordsOut",
    "numBytesInLocal",
    "numBytesInRemote",
    "numBuffersInLocal",
    "numBuffersInRemote",
    "numBuffersOut",
    "numBytesOut",
    "busyTimeMsPerSecond",
    "backPressuredTimeMsPerSecond",
    "idleTimeMsPerSecond",
    "Shuffle.Netty.Output.Buffers.outPoolUsage",
    "Shuffle.Netty.Output.Buffers.outputQueueLength",
    "Shuffle.Netty.Output.Buffers.outputQueueSize",
    "Shuffle.Netty.Input.Buffers.inPoolUsage",
    "Shuffle.Netty.Input.Buffers.inputQueueLength",
    "Shuffle.Netty.Input.Buffers.inputQueueSize",
    "Shuffle.Netty.Input.Buffers.inputExclusiveBuffersUsage",
    "Shuffle.Netty.Input.Buffers.inputFloatingBuffersUsage",
]


def get(path):
    with urllib.request.urlopen(base + path, timeout=5) as r:
        return json.loads(r.read())


def running_job():
    while True:
        try:
            for j in get("/jobs")["jobs"]:
                if j["status"] == "RUNNING":
                    return j["id"]
        except OSError:
            pass
        time.sleep(0.5)


jid = running_job()
t0 = time.time()
plan = get("/jobs/%s" % jid)["vertices"]
names_written = False
with open(out_path, "w") as out:
    out.write("t_rel_s,vertex,subtask,metric,value\n")
    while True:
        try:
            if get("/jobs/%s" % jid)["state"] != "RUNNING":
                break
            t = round(time.time() - t0, 3)
            lines = []
            for v in plan:
                have = [m["id"] for m in get("/jobs/%s/vertices/%s/metrics" % (jid, v["id"]))]
                if not names_written:
                    with open(names_path, "a") as f:
                        f.write("# %s\n%s\n" % (v["name"], "\n".join(sorted(have))))
                ids = []
                for i in range(v["parallelism"]):
                    for m in WANTED:
                        # Network metrics of a subtask also appear under `<i>.Shuffle...`.
                        if "%d.%s" % (i, m) in have:
                            ids.append("%d.%s" % (i, m))
                if not ids:
                    continue
                vals = get("/jobs/%s/vertices/%s/metrics?get=%s" % (jid, v["id"], ",".join(ids)))
                for x in vals:
                    i, m = x["id"].split(".", 1)
                    lines.append("%s,%s,%s,%s,%s\n" % (t, v["name"], i, m, x["value"]))
            names_written = True
            out.writelines(lines)
            out.flush()
        except OSError:
            break
        time.sleep(every_s)
