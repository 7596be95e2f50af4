"""Per-thread CPU of the Flink JVM from the kernel's own counters, for the measuring pass.

Polls /proc/PID/task/*/schedstat of the harness's JVM once a second (cumulative time on a core,
time runnable in the run queue, time slices; ns) and writes two snapshots: WARMUP.json the first
time the JVM is at least WARMUP_S seconds old, END.json the first time it is END_S old (the run's
duration: the job starts a few seconds after the JVM, so it still runs then), or its last sample
if it exits before. Each maps a thread id to [name, on-core ns, queued ns, slices], as
probes/jit_warmup/schedstat_sample.py does, keeping a thread that ended at its last reading, plus
"_jvm_age_s", the JVM's age at the sample, so that the window between the two is known.
A cost split into CPU and waiting (issue 12's datagen source, say) needs these from the same day
as the runs it is compared with: the paced source's CPU per record moved five-fold between days.
usage: DURATION=END_S thread_cpu_sample.py WARMUP_S WARMUP.json END.json   (measure.sh exports DURATION)
"""
import glob, json, os, sys, time

warmup_s, warmup_out, end_out = float(sys.argv[1]), sys.argv[2], sys.argv[3]
end_s = float(os.environ.get("DURATION", "inf"))
ticks = os.sysconf("SC_CLK_TCK")


def find_jvm():
    for p in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            c = open(p, "rb").read()
        except OSError:
            continue
        # The JVM itself: a `pgrep -f bench.CheckpointBench` (the pinning wrapper's, say) names
        # the class too, and lives for a few ms.
        if b"bench.CheckpointBench" in c and c.split(b"\0")[0].endswith(b"java"):
            return p.split("/")[2]
    return None


def age_s(pid):
    # Field 22 of /proc/PID/stat is the start time in clock ticks after boot; the fields after
    # the command name's closing parenthesis start at field 3.
    stat = open(f"/proc/{pid}/stat").read()
    start = int(stat[stat.rfind(")") + 2:].split()[19]) / ticks
    return float(open("/proc/uptime").read().split()[0]) - start


def snapshot(pid):
    snap = {}
    for t in glob.glob(f"/proc/{pid}/task/*"):
        try:
            comm = open(t + "/comm").read().strip()
            s = open(t + "/schedstat").read().split()
            snap[t.split("/")[-1]] = [comm, int(s[0]), int(s[1]), int(s[2])]
        except OSError:
            pass  # the thread ended between the listing and the read
    return snap


pid = None
deadline = time.monotonic() + 600  # the first run installs the jars first
while pid is None:
    if time.monotonic() > deadline:
        sys.exit("no Flink JVM (bench.CheckpointBench) appeared within 600 s")
    pid = find_jvm()
    time.sleep(0.2)

wrote_warmup = False
last = {}
while True:
    try:
        age = age_s(pid)
        snap = snapshot(pid)
    except OSError:
        break  # the JVM exited; END.json holds its last sample
    if not snap:
        break
    last.update(snap)
    last["_jvm_age_s"] = round(age, 2)
    if not wrote_warmup and age >= warmup_s:
        json.dump(last, open(warmup_out, "w"))
        wrote_warmup = True
    json.dump(last, open(end_out + ".tmp", "w"))
    os.replace(end_out + ".tmp", end_out)
    if age >= end_s:
        break
    time.sleep(1)
