#!/usr/bin/env bash
# Round 5 of the source_burst probe (README.md): one job through the suite's unpatched harness
# with `perf sched` recorded for 20 s at 100 s into it, into tmpfs (../perf_sched_trace.sh), then
# placement.py's hand-off table. usage: perf_round5.sh OUT NAME harness-options... (about 3.5
# minutes, quiet host)
set -euo pipefail
out=$1; name=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
TRACE_S=20 "$here/../perf_sched_trace.sh" "$out" "$name" "$@"
python3 "$here/placement.py" "/dev/shm/$name.timehist" >"$out/${name}_placement.txt"
rm -f "/dev/shm/$name.timehist"
