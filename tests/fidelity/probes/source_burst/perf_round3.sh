#!/usr/bin/env bash
# Round 3 of the source_burst probe (README.md): f05 through the suite's unpatched harness, with
# `perf sched` recorded for 20 s at 100 s into the job into tmpfs (as ../async_cpu/ does), then
# window_threads.py's table for 10 and 20 ms windows. usage: perf_round3.sh OUT (about 3.5
# minutes, quiet host)
set -euo pipefail
out=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
name=f05_bp_aligned_remote.r3
mkdir -p "$out"
perf_data=/dev/shm/$name.perf
( while ! pgrep -f bench.CheckpointBench >/dev/null; do sleep 0.2; done
  sleep 100
  perf sched record -a -o "$perf_data" -- sleep 20 >"$out/perf.log" 2>&1 ) &
cd "$root"
DURATION=135 WARMUP=90 RESULTS="$out/runs" ../shared/flink-real/run.sh "$name" \
  --parallelism 2 --tms 2 --rate 10000 --keys 20000 --opCostUs 300 >"$out/run.log" 2>&1
wait
perf sched timehist -i "$perf_data" -w --state >"/dev/shm/$name.timehist" 2>/dev/null
for w in 10 20; do python3 "$here/window_threads.py" "/dev/shm/$name.timehist" $w >"$out/window_${w}ms.txt"; done
rm -f "$perf_data" "/dev/shm/$name.timehist"
