#!/bin/bash
# The probe's runs (README.md), one after the other, on a quiet host. From the project root:
#   tests/fidelity/probes/source_halted_cores/run.sh SCRATCH [ROUND]
# c02's options plainly and beside one SCHED_IDLE busy loop per core (../source_saturation/
# idle_hogs.sh's loops: they keep the cores from halting and give way at once to a waking Flink
# thread), in the order plain, loops, loops, plain against the host's drift; then f14's options
# once, plainly (round 1); round 2 runs a saturated job at parallelism 3 twice. Each run keeps the JVM's per-thread counters at the warm-up's end and at its end,
# as measure.sh's runs do; statistics and counters are copied into real/ (the raw REST JSON stays
# in SCRATCH). About 13 minutes. Read with ../source_saturation/per_record.py 90 real/* and
# ../../thread_cpu_window.py real/RUN.
set -euo pipefail
scratch=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../harness_runs.sh
. "$here/../harness_runs.sh"
hogs=()
start_loops() { for _ in $(seq "$(nproc)"); do chrt --idle 0 python3 -c 'while True: pass' & hogs+=($!); done; }
stop_loops() { kill "${hogs[@]}" 2> /dev/null || true; wait "${hogs[@]}" 2> /dev/null || true; hogs=(); }
trap stop_loops EXIT
c02=(--parallelism 1 --rate 20000 --keys 400000)
if [ "${2:-1}" = 2 ]; then
  # Second round: a saturated job at parallelism 3, twice.
  runs=(c11_p3_saturated_1 c11_p3_saturated_2)
  for n in "${runs[@]}"; do one_run "$n" --parallelism 3 --rate 750000 --keys 30000; done
else
  runs=(c02_plain_1 c02_loops_1 c02_loops_2 c02_plain_2 f14_plain_1)
  one_run c02_plain_1 "${c02[@]}"
  start_loops; one_run c02_loops_1 "${c02[@]}"; stop_loops
  start_loops; one_run c02_loops_2 "${c02[@]}"; stop_loops
  one_run c02_plain_2 "${c02[@]}"
  one_run f14_plain_1 --parallelism 2 --rate 500000 --keys 20000
fi
for n in "${runs[@]}"; do
  d="$RESULTS/$n"
  mkdir -p "$here/real/$n"
  cp "$d"/{checkpoints.csv,subtasks.csv,metrics.csv,run-info.txt,threads_warmup.json,threads_end.json} "$here/real/$n/"
done
