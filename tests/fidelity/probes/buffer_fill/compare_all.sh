#!/usr/bin/env bash
# Flink's per-subtask network metrics (real/, taken on 2026-12-05 with run.sh) beside ckptsim's
# for the same configurations: each runs the replication day's scenario
# (tests/fidelity/replication/2026-12-05/scenarios/) with seeds 1-6 and prints compare.py's table.
# usage: tests/fidelity/probes/buffer_fill/compare_all.sh > compare_output.md
# env:   CKPTSIM=target/release/ckptsim (built with cargo build --release)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
ckptsim="${CKPTSIM:-$root/target/release/ckptsim}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for c in $(ls "$here/real" | grep '\.p[0-9]*$' | sed 's/\.p[0-9]*$//' | sort -u); do
  for seed in 1 2 3 4 5 6; do
    "$ckptsim" run "$root/tests/fidelity/replication/2026-12-05/scenarios/$c.toml" --seed "$seed" \
      --out "$scratch/$c.s$seed" > /dev/null
  done
  echo "### $c"
  echo
  python3 "$here/compare.py" --flink "$here/real/$c".p* --sim "$scratch/$c".s*/summary.json
  echo
done
