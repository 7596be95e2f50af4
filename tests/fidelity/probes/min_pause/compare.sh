#!/usr/bin/env bash
# A minimum pause between checkpoints under backpressure: runs the replication day's f04 scenario
# (aligned, local channels, the map back-pressuring the sources) with `checkpoint.min_pause` at
# 2 s, as the real run in real/ (`--minPauseMs 2000`), seeds 1-6, and prints the p50 end to end,
# map start delay and interval between triggers of the checkpoints triggered after the 90 s
# warm-up, pooled over the seeds, beside Flink's from real/.
# usage: tests/fidelity/probes/min_pause/compare.sh   (from the repository's root; ~10 s)
set -euo pipefail
ckptsim="${CKPTSIM:-target/release/ckptsim}"
day=tests/fidelity/replication/2026-12-05/scenarios
real=tests/fidelity/probes/min_pause/real/f04_minpause2s
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for seed in 1 2 3 4 5 6; do
  "$ckptsim" run "$day/f04_bp_aligned_local.toml" --seed "$seed" --set checkpoint.min_pause=2000ms \
    --out "$tmp/$seed" --no-plots > /dev/null
done
python3 - "$tmp" "$real" <<'PY'
import csv, glob, statistics, sys
tmp, real = sys.argv[1:]
p50 = statistics.median
e2e, delay, gaps = [], [], []
for out in sorted(glob.glob(f"{tmp}/*")):
    cps = sorted(csv.DictReader(open(out + "/checkpoints.csv")), key=lambda r: float(r["trigger_timestamp"]))
    late = [r for r in cps if float(r["trigger_timestamp"]) >= 90000]
    done = {r["id"] for r in late if r["status"] == "COMPLETED"}
    e2e += [float(r["end_to_end_duration"]) for r in late if r["id"] in done]
    gaps += [float(b["trigger_timestamp"]) - float(a["trigger_timestamp"]) for a, b in zip(late, late[1:])]
    delay += [float(r["start_delay"]) for r in csv.DictReader(open(out + "/subtasks.csv"))
              if r["task"].startswith("stateful") and r["checkpoint_id"] in done]
cps = list(csv.DictReader(open(real + "/checkpoints.csv")))
late = sorted((r for r in cps if float(r["t_since_job_start_s"]) >= 90), key=lambda r: float(r["trigger_ts_ms"]))
r_e2e = [float(r["end_to_end_ms"]) for r in late if r["status"] == "COMPLETED"]
r_gaps = [float(b["trigger_ts_ms"]) - float(a["trigger_ts_ms"]) for a, b in zip(late, late[1:])]
ids = {r["checkpoint_id"] for r in late if r["status"] == "COMPLETED"}
r_delay = [float(r["start_delay_ms"]) for r in csv.DictReader(open(real + "/subtasks.csv"))
           if r["vertex"].startswith("stateful") and r["checkpoint_id"] in ids]
print(f"f04, min pause 2 s: p50 end to end Flink {p50(r_e2e):.1f} ms, ckptsim {p50(e2e):.1f} ({p50(e2e)/p50(r_e2e):.2f}); "
      f"map start delay Flink {p50(r_delay):.1f}, ckptsim {p50(delay):.1f} ({p50(delay)/p50(r_delay):.2f}); "
      f"between triggers Flink {p50(r_gaps):.0f}, ckptsim {p50(gaps):.0f} ({p50(gaps)/p50(r_gaps):.2f}); "
      f"checkpoints Flink {len(r_e2e)}, ckptsim {len(e2e)} over 6 seeds")
PY
