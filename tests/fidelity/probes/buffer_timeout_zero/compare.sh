#!/usr/bin/env bash
# Flink's buffer timeout of 0 (flush after every record) under backpressure: runs the replication
# day's f04 and f05 scenarios with `network.buffer_timeout` at 100 ms (as measured) and at 0, seeds
# 1-3, and prints the p50 end to end, map start delay and map alignment of the checkpoints
# triggered after the 90 s warm-up (what the fidelity suite compares), pooled over the seeds.
# The real runs with `--bufferTimeoutMs 0` are in real/ (summary.md).
# usage: tests/fidelity/probes/buffer_timeout_zero/compare.sh   (from the repository's root; ~1 min)
set -euo pipefail
ckptsim="${CKPTSIM:-target/release/ckptsim}"
day=tests/fidelity/replication/2026-12-05/scenarios
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for row in f04_bp_aligned_local f05_bp_aligned_remote; do
  for timeout in 100ms 0ms; do
    for seed in 1 2 3; do
      "$ckptsim" run "$day/$row.toml" --seed "$seed" --set "network.buffer_timeout=$timeout" \
        --out "$tmp/$row.$timeout.$seed" --no-plots > /dev/null
    done
    python3 - "$tmp" "$row" "$timeout" <<'PY'
import csv, glob, statistics, sys
tmp, row, timeout = sys.argv[1:]
e2e, delay, align = [], [], []
for out in sorted(glob.glob(f"{tmp}/{row}.{timeout}.*")):
    cps = {r["id"]: r for r in csv.DictReader(open(out + "/checkpoints.csv"))}
    late = {i for i, r in cps.items() if float(r["trigger_timestamp"]) >= 90000 and r["status"] == "COMPLETED"}
    e2e += [float(cps[i]["end_to_end_duration"]) for i in late]
    for r in csv.DictReader(open(out + "/subtasks.csv")):
        if r["task"].startswith("stateful") and r["checkpoint_id"] in late:
            delay.append(float(r["start_delay"]))
            align.append(float(r["alignment_duration"]))
p50 = statistics.median
print(f"{row} buffer_timeout {timeout:>5}: p50 end to end {p50(e2e):7.1f} ms, map start delay "
      f"{p50(delay):7.1f}, map alignment {p50(align):6.1f} ({len(e2e)} checkpoints, seeds 1-3)")
PY
  done
done
