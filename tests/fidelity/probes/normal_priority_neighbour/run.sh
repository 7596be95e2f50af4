#!/bin/bash
# The probe's runs (README.md), one after the other, on an otherwise quiet host. From the project
# root: tests/fidelity/probes/normal_priority_neighbour/run.sh SCRATCH
# c02's options plainly and beside one busy loop at normal priority (nice 0), in the order
# plain, loop, loop, plain against the host's drift. Each run keeps the JVM's per-thread counters
# at the warm-up's end and at its end (../harness_runs.sh); statistics and counters are copied
# into real/. About 10 minutes. Read with ../saturated_parallelism/per_record.py real.
set -euo pipefail
scratch=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../harness_runs.sh
. "$here/../harness_runs.sh"
hog=""
start_loop() { nice -n 0 python3 -c 'while True: pass' & hog=$!; }
stop_loop() { [ -n "$hog" ] && { kill "$hog" 2> /dev/null || true; wait "$hog" 2> /dev/null || true; }; hog=""; }
trap stop_loop EXIT
c02=(--parallelism 1 --rate 20000 --keys 400000)
runs=(c02_plain_1 c02_loop_1 c02_loop_2 c02_plain_2)
one_run c02_plain_1 "${c02[@]}"
start_loop; one_run c02_loop_1 "${c02[@]}"; stop_loop
start_loop; one_run c02_loop_2 "${c02[@]}"; stop_loop
one_run c02_plain_2 "${c02[@]}"
for n in "${runs[@]}"; do
  d="$RESULTS/$n"
  mkdir -p "$here/real/$n"
  cp "$d"/{checkpoints.csv,subtasks.csv,metrics.csv,run-info.txt,threads_warmup.json,threads_end.json} "$here/real/$n/"
done
