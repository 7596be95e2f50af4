#!/usr/bin/env bash
# Round 5 of the source_burst probe (README.md): one job through the suite's unpatched harness
# with `perf sched` recorded for 20 s at 100 s into it (into tmpfs), then placement.py's
# hand-off table. usage: perf_round5.sh OUT NAME harness-options... (about 3.5 minutes, quiet
# host)
set -euo pipefail
out=$1; name=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
mkdir -p "$out"
perf_data=/dev/shm/$name.perf
( while ! pgrep -f bench.CheckpointBench >/dev/null; do sleep 0.2; done
  sleep 100
  perf sched record -a -o "$perf_data" -- sleep 20 >"$out/$name.perf.log" 2>&1 ) &
cd "$root"
DURATION=135 WARMUP=90 RESULTS="$out/runs" ../shared/flink-real/run.sh "$name" "$@" >"$out/$name.run.log" 2>&1
wait
perf sched timehist -i "$perf_data" -w --state >"/dev/shm/$name.timehist" 2>/dev/null
python3 "$here/placement.py" "/dev/shm/$name.timehist" >"$out/${name}_placement.txt"
rm -f "$perf_data" "/dev/shm/$name.timehist"
