#!/usr/bin/env bash
# handoff_placement probe (README.md): each job of configs.tsv through the suite's unpatched
# harness with its wake-ups traced for 10 s at 100 s into it (../perf_sched_trace.sh, WAKEUPS=1),
# then wakeups.py's table into OUT/NAME_wakeups.md. usage: run.sh OUT (about 15 minutes, quiet
# host; do not edit while it runs)
set -euo pipefail
out=$1
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
while IFS=$'\t' read -r name args _; do
  case "$name" in ''|'#'*) continue ;; esac
  echo "$(date -u +%T) $name"
  # shellcheck disable=SC2086  # the options are words
  WAKEUPS=1 TRACE_S=10 "$here/../perf_sched_trace.sh" "$out" "$name" $args
  python3 "$here/wakeups.py" "/dev/shm/$name.events" >"$out/${name}_wakeups.md"
  rm -f "/dev/shm/$name.events"
done <"$here/configs.tsv"
echo "$(date -u +%T) done"
