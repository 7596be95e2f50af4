#!/bin/bash
# Runs the real-Flink harness job with NAME and its options, and records `perf sched` for 8 s
# at 100 s into the job (after the suite's 90 s warm-up) into tmpfs, so the trace's own writes
# do not touch the disk the job fsyncs to. Then writes the two tables this probe reads.
# usage: [MIN_CPU_MS=1] perf_sched_probe.sh OUT NAME harness-options...   (about 3.5 minutes,
# quiet host; MIN_CPU_MS keeps the phases with at least that much CPU: the maps, not the sources)
set -euo pipefail
out=$1; name=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
mkdir -p "$out"
perf_data=/dev/shm/$name.perf
( while ! pgrep -f bench.CheckpointBench >/dev/null; do sleep 0.2; done
  sleep 100
  perf sched record -a -o "$perf_data" -- sleep 8 >"$out/$name.perf.log" 2>&1 ) &
cd "$root"
DURATION=135 WARMUP=90 RESULTS="$out/runs" ../shared/flink-real/run.sh "$name" "$@" >"$out/$name.run.log" 2>&1
wait
perf sched timehist -i "$perf_data" -w --state >"$out/$name.timehist" 2>/dev/null
python3 "$here/async_phase_split.py" "$out/$name.timehist" "${MIN_CPU_MS:-0}" >"$out/${name}_async_phases.txt"
python3 "$here/runnable_threads.py" "$out/$name.timehist" >"$out/${name}_runnable_threads.txt"
rm -f "$perf_data" "$out/$name.timehist"
