#!/bin/bash
# Runs the real-Flink harness job with NAME and its options, and records `perf sched` for 8 s
# at 100 s into the job (after the suite's 90 s warm-up) into tmpfs (../perf_sched_trace.sh),
# so the trace's own writes do not touch the disk the job fsyncs to. Then writes the two tables
# this probe reads.
# usage: [MIN_CPU_MS=1] perf_sched_probe.sh OUT NAME harness-options...   (about 3.5 minutes,
# quiet host; MIN_CPU_MS keeps the phases with at least that much CPU: the maps, not the sources)
set -euo pipefail
out=$1; name=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
TRACE_S=8 "$here/../perf_sched_trace.sh" "$out" "$name" "$@"
timehist=/dev/shm/$name.timehist
python3 "$here/async_phase_split.py" "$timehist" "${MIN_CPU_MS:-0}" >"$out/${name}_async_phases.txt"
python3 "$here/runnable_threads.py" "$timehist" >"$out/${name}_runnable_threads.txt"
rm -f "$timehist"
