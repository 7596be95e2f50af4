#!/usr/bin/env bash
# Round 3 of the source_burst probe (README.md): f05 through the suite's unpatched harness, with
# `perf sched` recorded for 20 s at 100 s into the job into tmpfs (../perf_sched_trace.sh), then
# window_threads.py's table for 10 and 20 ms windows. usage: perf_round3.sh OUT (about 3.5
# minutes, quiet host)
set -euo pipefail
out=$1
here=$(cd "$(dirname "$0")" && pwd)
name=f05_bp_aligned_remote.r3
TRACE_S=20 "$here/../perf_sched_trace.sh" "$out" "$name" \
  --parallelism 2 --tms 2 --rate 10000 --keys 20000 --opCostUs 300
for w in 10 20; do python3 "$here/window_threads.py" "/dev/shm/$name.timehist" $w >"$out/window_${w}ms.txt"; done
rm -f "/dev/shm/$name.timehist"
