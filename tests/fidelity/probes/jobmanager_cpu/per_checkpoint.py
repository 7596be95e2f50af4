"""jobmanager_cpu (README.md): from the per-thread counters every measuring pass keeps
(threads_warmup.json, threads_end.json, read by ../../thread_cpu_window.py), the
CPU the JobManager's checkpoint threads take per completed checkpoint after the warm-up: its I/O
thread (`jobmanager-io-thread`, completing a checkpoint), the checkpoint timer (`Checkpoint
Timer`, triggering), and the RPC actors (`flink-pekko`, all RPCs, not only checkpoints'), beside
the JIT compilers' CPU per second. A MiniCluster runs them on the TaskManagers' cores.
usage: per_checkpoint.py REAL_DIR [RUN ...]   (default runs: c04_empty.r1 and f05's)"""
import csv
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import thread_cpu_window as tcw  # noqa: E402

GROUPS = {"jobmanager-io-t": "JobManager I/O", "Checkpoint Time": "checkpoint timer",
          "flink-pekko.act": "RPC actors", "C2 CompilerThre": "JIT C2", "C1 CompilerThre": "JIT C1"}


def cpu_ms_by_group(run):
    """CPU of the groups above over the counters' window, ms, and the window's length, s."""
    seconds, cpu, _ = tcw.window(run)
    ms = {label: cpu.get(g, 0) / 1e6 for g, label in GROUPS.items()}
    return ms, seconds


def completed_after_warmup(run):
    warmup = tcw.warmup_of(run)
    rows = csv.DictReader(open(os.path.join(run, "checkpoints.csv")))
    return sum(1 for r in rows if float(r["t_since_job_start_s"]) >= warmup
               and r.get("status", "COMPLETED").upper().startswith("COMPLETED"))


def main(real, runs):
    print("| run | checkpoints/s | JobManager I/O ms per checkpoint | checkpoint timer ms per checkpoint | RPC actors ms/s | JIT C1 + C2 ms/s |")
    print("|---|---|---|---|---|---|")
    for name in runs:
        run = os.path.join(real, name)
        if not os.path.isfile(os.path.join(run, "threads_end.json")):
            continue
        ms, seconds = cpu_ms_by_group(run)
        n = completed_after_warmup(run)
        print(f"| {name} | {n / seconds:.2f} | {ms['JobManager I/O'] / n:.2f} | {ms['checkpoint timer'] / n:.2f} "
              f"| {ms['RPC actors'] / seconds:.2f} | {ms['JIT C1'] / seconds:.1f} + {ms['JIT C2'] / seconds:.1f} |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:] or ["c04_empty.r1", "f05_bp_aligned_remote.r1", "f05_bp_aligned_remote.r2"])
