#!/usr/bin/env bash
# Runs fidelity configurations on the real-Flink harness with sample_subtask_metrics.py beside
# each run, so that the per-subtask network metrics (buffers and bytes read from local and from
# remote channels, pool usages) sit next to the run's checkpoint statistics.
# usage: tests/fidelity/probes/buffer_fill/run.sh NAME...   (names of tests/fidelity/configs.tsv)
# env:   RESULTS=/tmp/ckptsim-buffer-fill  WARMUP=90  DURATION=135  HARNESS=../shared/flink-real
# About 2.5 minutes per run. Run it alone on a quiet machine.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
harness="${HARNESS:-$root/../shared/flink-real}"
export RESULTS="${RESULTS:-/tmp/ckptsim-buffer-fill}" WARMUP="${WARMUP:-90}" DURATION="${DURATION:-135}"
python="${FLINK_ENV:-/tmp/flinkenv}/bin/python"
mkdir -p "$RESULTS"
for name in "$@"; do
  args="$(awk -F'\t' -v n="$name" '$1 == n {print $2}' "$root/tests/fidelity/configs.tsv")"
  [ -n "$args" ] || { echo "no configuration $name" >&2; exit 1; }
  run="$name.${REP:-p1}"
  "$python" "$here/sample_subtask_metrics.py" "$RESULTS/subtask_metrics-$run.csv" \
    "$RESULTS/metric_names-$run.txt" > "$RESULTS/sampler-$run.log" 2>&1 &
  sampler=$!
  # shellcheck disable=SC2086  # the options are words
  "$harness/run.sh" "$run" $args > "$RESULTS/log-$run.txt" 2>&1 || true
  sleep 2; kill "$sampler" 2> /dev/null || true; wait "$sampler" 2> /dev/null || true
  mv "$RESULTS/subtask_metrics-$run.csv" "$RESULTS/metric_names-$run.txt" "$RESULTS/$run/" 2> /dev/null || true
  echo "$(date +%T) $run done"
done
