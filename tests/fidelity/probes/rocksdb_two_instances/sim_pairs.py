"""ckptsim's side of sync_pairs.py: the two map subtasks' sync phases, paired per checkpoint.

Usage: python3 sim_pairs.py WARMUP_MS OUT_DIR...   (ckptsim run directories of one row, e.g. its
seeds: `ckptsim run tests/fidelity/replication/2026-12-07/scenarios/f12_rocks_full.toml --seed N
--out OUT_DIR --no-plots`; WARMUP_MS the scenario's `simulation.warmup` in ms)

For every completed checkpoint triggered after the warm-up, pooled over the runs given: the map
subtasks' sync phases floored to whole ms as Flink's REST floors them, and which one started
first (start delay + alignment; the first listed on a tie). Prints the medians of both, of the
first and of the second, as sync_pairs.py prints Flink's.
"""
import csv
import math
import statistics as st
import sys


def main():
    warm_ms = float(sys.argv[1])
    first, second, both = [], [], []
    for out in sys.argv[2:]:
        cps = {c["id"]: c for c in csv.DictReader(open(f"{out}/checkpoints.csv"))}
        by_cp = {}
        for r in csv.DictReader(open(f"{out}/subtasks.csv")):
            c = cps[r["checkpoint_id"]]
            if r["task"].startswith("stateful") and c["status"] == "COMPLETED" and float(c["trigger_timestamp"]) >= warm_ms:
                by_cp.setdefault(r["checkpoint_id"], []).append(r)
        for rs in by_cp.values():
            if len(rs) != 2:
                continue
            start = [float(r["start_delay"]) + float(r["alignment_duration"]) for r in rs]
            sync = [math.floor(float(r["sync_duration"])) for r in rs]
            i = 0 if start[0] <= start[1] else 1
            first.append(sync[i])
            second.append(sync[1 - i])
            both += sync
    print(f"n={len(first)} sync {st.median(both)} | started first {st.median(first)}, second {st.median(second)}")


if __name__ == "__main__":
    main()
