#!/usr/bin/env bash
# Shared by the probes that trace the host's scheduler (async_cpu/, source_burst/): runs one
# harness job with `perf sched` recorded for TRACE_S seconds (default 8) from 100 s into it (after
# the suite's 90 s warm-up), into tmpfs so that the trace's own writes do not touch the disk the
# job fsyncs to, and leaves its `perf sched timehist -w --state` text in /dev/shm/NAME.timehist
# for the caller to read and delete (tens to hundreds of MB). OUT gets NAME.perf.log,
# NAME.run.log and the harness's runs/.
# usage: [TRACE_S=8] perf_sched_trace.sh OUT NAME harness-options...   (about 3.5 minutes, quiet
# host)
set -euo pipefail
mkdir -p "$1"
out=$(cd "$1" && pwd); name=$2; shift 2
root=$(cd "$(dirname "$0")/../../.." && pwd)
perf_data=/dev/shm/$name.perf
( while ! pgrep -f bench.CheckpointBench >/dev/null; do sleep 0.2; done
  sleep 100
  perf sched record -a -o "$perf_data" -- sleep "${TRACE_S:-8}" >"$out/$name.perf.log" 2>&1 ) &
cd "$root"
DURATION=135 WARMUP=90 RESULTS="$out/runs" ../shared/flink-real/run.sh "$name" "$@" >"$out/$name.run.log" 2>&1
wait
perf sched timehist -i "$perf_data" -w --state >"/dev/shm/$name.timehist" 2>/dev/null
rm -f "$perf_data"
