#!/usr/bin/env python3
"""What the partial pass says whatever the model: per run, the generator source's CPU per record
on its two threads (the kernel's counters after the warm-up, as ../../thread_cpu_window.py reads
them) and its busy time per record (Flink's busyTimeMsPerSecond over records out, per subtask),
the mean difference of two sources' start delays within a checkpoint (whole ms, as Flink
reports them), and each map subtask's median alignment; checkpoints triggered after the warm-up.
usage: describe.py REAL_DIR"""
import csv, itertools, os, statistics as st, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import thread_cpu_window as tcw  # noqa: E402


def after_warmup(run):
    """Subtask rows of the checkpoints triggered after the warm-up."""
    warmup_s = tcw.warmup_of(run)
    cps = csv.DictReader(open(os.path.join(run, "checkpoints.csv")))
    late = {c["checkpoint_id"] for c in cps if float(c["t_since_job_start_s"]) >= warmup_s}
    return [r for r in csv.DictReader(open(os.path.join(run, "subtasks.csv"))) if r["checkpoint_id"] in late]


def busy_us_per_record(run):
    warmup_s = tcw.warmup_of(run)
    rows = [r for r in csv.DictReader(open(os.path.join(run, "metrics.csv")))
            if r["vertex"] == "Source: gen" and float(r["t_rel_s"]) >= warmup_s and r["avg"]]
    mean = lambda m: st.mean(float(r["avg"]) for r in rows if r["metric"] == m)
    return 1000 * mean("busyTimeMsPerSecond") / mean("numRecordsOutPerSecond")


def main():
    real = sys.argv[1]
    print("| run | source CPU us/record | source busy us/record | start-delay spread ms | map alignment p50 per subtask ms |")
    print("|---|---|---|---|---|")
    for name in sorted(os.listdir(real)):
        run = os.path.join(real, name)
        if not os.path.isfile(os.path.join(run, "subtasks.csv")):
            continue
        seconds, cpu, _ = tcw.window(run)
        rate = tcw.source_rate(run, tcw.warmup_of(run))
        src = cpu.get("Source: gen", 0) + cpu.get("flink-rate-limi", 0)
        rows = after_warmup(run)
        by_cp = {}
        for r in rows:
            if r["vertex"].startswith("Source") and r["status"] == "completed":
                by_cp.setdefault(r["checkpoint_id"], []).append(float(r["start_delay_ms"]))
        diffs = [abs(a - b) for v in by_cp.values() for a, b in itertools.combinations(v, 2)]
        spread = f"{st.mean(diffs):.2f}" if diffs else "-"
        align = {}
        for r in rows:
            if r["vertex"].startswith("stateful") and r["status"] == "completed":
                align.setdefault(r["subtask"], []).append(float(r["alignment_ms"]))
        align_s = ", ".join(f"{k}: {st.median(v):.1f}" for k, v in sorted(align.items()))
        print(f"| {name} | {src / 1e3 / seconds / rate:.2f} | {busy_us_per_record(run):.2f} | {spread} | {align_s} |")


if __name__ == "__main__":
    main()
