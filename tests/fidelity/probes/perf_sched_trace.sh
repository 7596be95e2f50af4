#!/usr/bin/env bash
# Shared by the probes that trace the host's scheduler (async_cpu/, source_burst/,
# handoff_placement/): runs one harness job with the scheduler traced for TRACE_S seconds (default
# 8) from 100 s into it (after the suite's 90 s warm-up), into tmpfs so that the trace's own
# writes do not touch the disk the job fsyncs to. By default it records `perf sched` and leaves
# its `perf sched timehist -w --state` text in /dev/shm/NAME.timehist; with WAKEUPS=1 it records
# the wake-up path instead (sched_waking on the waker's CPU, the migration the wake-up chose,
# sched_wakeup on the CPU picked, and every switch) and leaves `perf script`'s text in
# /dev/shm/NAME.events. The caller reads and deletes it (tens to hundreds of MB). OUT gets
# NAME.perf.log, NAME.run.log and the harness's runs/.
# usage: [TRACE_S=8] [WAKEUPS=1] perf_sched_trace.sh OUT NAME harness-options...   (about 3.5
# minutes, quiet host)
set -euo pipefail
mkdir -p "$1"
out=$(cd "$1" && pwd); name=$2; shift 2
root=$(cd "$(dirname "$0")/../../.." && pwd)
perf_data=/dev/shm/$name.perf
if [ "${WAKEUPS:-0}" = 1 ]; then
  record=(perf record -a -e sched:sched_switch -e sched:sched_waking -e sched:sched_wakeup
    -e sched:sched_migrate_task -o "$perf_data")
else
  record=(perf sched record -a -o "$perf_data")
fi
( while ! pgrep -f bench.CheckpointBench >/dev/null; do sleep 0.2; done
  sleep 100
  "${record[@]}" -- sleep "${TRACE_S:-8}" >"$out/$name.perf.log" 2>&1 ) &
cd "$root"
DURATION=135 WARMUP=90 RESULTS="$out/runs" ../shared/flink-real/run.sh "$name" "$@" >"$out/$name.run.log" 2>&1
wait
if [ "${WAKEUPS:-0}" = 1 ]; then
  perf script -i "$perf_data" -F comm,tid,cpu,time,event,trace >"/dev/shm/$name.events" 2>/dev/null
else
  perf sched timehist -i "$perf_data" -w --state >"/dev/shm/$name.timehist" 2>/dev/null
fi
rm -f "$perf_data"
