#!/bin/bash
# Runs a real-Flink harness job with every otherwise idle core kept busy by SCHED_IDLE busy
# loops (one per core): the kernel runs them only when nothing else wants the core, and a
# waking Flink thread preempts them at once, so Flink's threads lose almost no CPU but never
# wake a halted (virtual) core. Compare with the same job run plainly, the same hour.
# usage: idle_hogs.sh RESULTS NAME harness-options...   (DURATION/WARMUP as for run.sh)
set -euo pipefail
out=$1; name=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
pids=()
for _ in $(seq "$(nproc)"); do
  chrt --idle 0 python3 -c 'while True: pass' & pids+=($!)
done
trap 'kill "${pids[@]}" 2>/dev/null' EXIT
cd "$root"
RESULTS="$out" ../shared/flink-real/run.sh "$name" "$@"
