"""The source's start delay in the runs that calibrate it and in the rows it predicts.

A pass's trigger and RPC latencies are calibrated on its c04_empty run (the source's start
delay) and its c08_trigger_split run, and every row's simulated start delay is built on them.
This prints, for each pass, the median start delay Flink reported for the source subtasks of
those two runs and of the small heap rows, over the checkpoints after the suite's 90 s warm-up,
so that a pass whose calibration run was slower or faster than the rows it predicts shows.
usage: python3 tests/fidelity/source_start_delays.py   (from the repository's root)
"""
import csv, os, statistics

PASSES = {
    "referee 2026-12-03": "tests/fidelity/real",
    "2026-12-05": "tests/fidelity/replication/2026-12-05/real",
    "2026-12-06": "tests/fidelity/replication/2026-12-06/real",
    "2026-12-07": "tests/fidelity/replication/2026-12-07/real",
}
RUNS = [
    "c04_empty.r1", "c08_trigger_split.r1",
    "f01_heap_p1_interval2s.r1", "f01_heap_p1_interval2s.r2",
    "f02_heap_p2_local.r1", "f02_heap_p2_local.r2",
    "f11_heap_state.r1", "f11_heap_state.r2",
]
WARMUP_S = 90.0


def source_start_delay_ms(run_dir):
    after_warmup = {
        row["checkpoint_id"]
        for row in csv.DictReader(open(os.path.join(run_dir, "checkpoints.csv")))
        if float(row["t_since_job_start_s"]) >= WARMUP_S
    }
    delays = [
        float(row["start_delay_ms"])
        for row in csv.DictReader(open(os.path.join(run_dir, "subtasks.csv")))
        if row["vertex"].startswith("Source")
        and row["status"] == "completed"
        and row["checkpoint_id"] in after_warmup
    ]
    return statistics.median(delays) if delays else None


print("| pass | " + " | ".join(r.split("_")[0] + r[-3:] for r in RUNS) + " |")
print("|---" * (len(RUNS) + 1) + "|")
for name, directory in PASSES.items():
    cells = []
    for run in RUNS:
        path = os.path.join(directory, run)
        value = source_start_delay_ms(path) if os.path.isdir(path) else None
        cells.append("-" if value is None else f"{value:.1f}")
    print(f"| {name} | " + " | ".join(cells) + " |")
