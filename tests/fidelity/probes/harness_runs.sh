# Sourced by the probes' run scripts that keep per-thread counters (snapshot_cpu_rate_or_load/,
# source_halted_cores/), with `scratch` set to the caller's scratch directory: goes to the
# project root, sets the harness's run length (135 s, the last 45 after a 90 s warm-up) and
# results directory, finds the Flink environment's interpreter, and defines `one_run`: one
# harness run with the JVM's per-thread counters kept at the warm-up's end and at the run's end,
# as measure.sh keeps them.
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
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
