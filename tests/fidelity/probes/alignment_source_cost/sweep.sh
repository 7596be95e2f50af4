#!/usr/bin/env bash
# The simulated map's alignment on remote channels against the source's CPU per record: runs the
# replication day's f05 and f09 scenarios with the source's service_time replaced, seeds 1 and 2,
# and prints the p50 map alignment after the 90 s warm-up (what the fidelity suite compares).
# usage: tests/fidelity/probes/alignment_source_cost/sweep.sh   (from the repository's root; ~1 min)
set -euo pipefail
ckptsim="${CKPTSIM:-target/release/ckptsim}"
day=tests/fidelity/replication/2026-12-05/scenarios
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for row in f05_bp_aligned_remote f09_bp_debloat_remote; do
  for us in 5.181 10 15 20 31.143; do
    sed "s/service_time = \"5.181us\"/service_time = \"${us}us\"/" "$day/$row.toml" > "$tmp/s.toml"
    grep -q "service_time = \"${us}us\"" "$tmp/s.toml" || { echo "no source service_time to replace in $row" >&2; exit 1; }
    for seed in 1 2; do
      rm -rf "$tmp/out"
      "$ckptsim" run "$tmp/s.toml" --seed "$seed" --out "$tmp/out" > /dev/null
      python3 - "$tmp/out" "$row" "$us" "$seed" <<'PY'
import csv, statistics, sys
out, row, us, seed = sys.argv[1:]
trigger = {r["id"]: float(r["trigger_timestamp"]) for r in csv.DictReader(open(out + "/checkpoints.csv"))}
align = [float(r["alignment_duration"]) for r in csv.DictReader(open(out + "/subtasks.csv"))
         if r["task"].startswith("stateful") and trigger.get(r["checkpoint_id"], 0) >= 90000]
print(f"{row} source {us} us/record seed {seed}: p50 map alignment {statistics.median(align):.1f} ms")
PY
    done
  done
done
