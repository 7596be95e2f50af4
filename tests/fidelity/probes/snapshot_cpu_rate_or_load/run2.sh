#!/bin/bash
# The probe's second round (README.md): three runs at parallelism 1, on a quiet host. From
# the project root: tests/fidelity/probes/snapshot_cpu_rate_or_load/run2.sh SCRATCH
# Each run keeps the JVM's per-thread counters at the warm-up's end and at its end, as
# measure.sh's runs do; statistics and counters are copied into real/ (the raw REST JSON stays
# in SCRATCH). About 8 minutes.
set -euo pipefail
scratch=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
cd "$root"
export DURATION=135 WARMUP=90 RESULTS="$scratch/runs"
mkdir -p "$RESULTS"
python="${FLINK_ENV:-/tmp/flinkenv}/bin/python"
one_run() { # NAME harness-options...
  local run=$1; shift
  "$python" tests/fidelity/thread_cpu_sample.py "$WARMUP" "$scratch/threads_warmup-$run.json" \
    "$scratch/threads_end-$run.json" < /dev/null > "$scratch/threads-$run.log" 2>&1 &
  local threads=$!
  ../shared/flink-real/run.sh "$run" "$@" > "$scratch/log-$run.txt" 2>&1 || true
  sleep 2; kill "$threads" 2> /dev/null || true; wait "$threads" 2> /dev/null || true
  for f in threads_warmup threads_end; do mv "$scratch/$f-$run.json" "$RESULTS/$run/$f.json"; done
  echo "$(date -u +%T) $run done"
}
p1=(--parallelism 1 --keys 10000 --payload 100)
one_run e_p1_rate4500 "${p1[@]}" --rate 4500
one_run d_p1_rate13000 "${p1[@]}" --rate 13000
one_run c2_p1_rate100000 "${p1[@]}" --rate 100000
for n in e_p1_rate4500 d_p1_rate13000 c2_p1_rate100000; do
  d="$RESULTS/$n"
  mkdir -p "$here/real/$n"
  cp "$d"/{checkpoints.csv,subtasks.csv,metrics.csv,run-info.txt,threads_warmup.json,threads_end.json} "$here/real/$n/"
done
