#!/bin/bash
# The probe's runs (README.md), one after the other, on a quiet host. From the project root:
#   tests/fidelity/probes/snapshot_cpu_rate_or_load/run.sh SCRATCH [ROUND]
# ROUND 1 (the default): f02's job alone, beside two busy loops, and one map at a high rate;
# ROUND 2: one map at three rates; ROUND 3: the interval and the keys varied at one map, each
# configuration twice in the order A B C D D C B A against the host's drift; ROUND 4: few entries
# and many at one share, A B B A. Each run keeps the
# JVM's per-thread counters at the warm-up's end and at its end, as measure.sh's runs do;
# statistics and counters are copied into real/ (the raw REST JSON stays in SCRATCH). About 8
# minutes for rounds 1 and 2, 20 for round 3, 10 for round 4. Read with per_checkpoint.py.
set -euo pipefail
scratch=$1
round=${2:-1}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../harness_runs.sh
. "$here/../harness_runs.sh"
runs=()
in_order() { # NAME... (of opts, each twice): runs them in that order, the second time as NAME_2
  local n rep
  for n in "$@"; do
    rep=1; [[ " ${runs[*]} " == *" ${n}_1 "* ]] && rep=2
    # shellcheck disable=SC2086 # the options are words
    one_run "${n}_$rep" "${p1[@]}" ${opts[$n]}
    runs+=("${n}_$rep")
  done
}
if [ "$round" = 1 ]; then
  runs=(a_control b_load c_rate)
  f02=(--parallelism 2 --rate 9000 --keys 20000 --payload 100)
  one_run a_control "${f02[@]}"
  # Two busy loops at normal priority, from 5 s before the job until after it.
  hogs=()
  for _ in 1 2; do (while :; do :; done) & hogs+=($!); done
  sleep 5
  one_run b_load "${f02[@]}"
  kill "${hogs[@]}"
  one_run c_rate --parallelism 1 --rate 100000 --keys 10000 --payload 100
elif [ "$round" = 2 ]; then
  runs=(e_p1_rate4500 d_p1_rate13000 c2_p1_rate100000)
  p1=(--parallelism 1 --keys 10000 --payload 100)
  one_run e_p1_rate4500 "${p1[@]}" --rate 4500
  one_run d_p1_rate13000 "${p1[@]}" --rate 13000
  one_run c2_p1_rate100000 "${p1[@]}" --rate 100000
elif [ "$round" = 4 ]; then
  p1=(--parallelism 1 --payload 100)
  declare -A opts=(
    [m_k10k_r490]="--keys 10000 --rate 490"
    [n_k400k_r20000]="--keys 400000 --rate 20000")
  in_order m_k10k_r490 n_k400k_r20000 n_k400k_r20000 m_k10k_r490
else
  p1=(--parallelism 1 --payload 100)
  declare -A opts=(
    [g_k10k_r4500]="--keys 10000 --rate 4500"
    [i_k10k_r4500_int5s]="--keys 10000 --rate 4500 --cpIntervalMs 5000"
    [h_k40k_r18000]="--keys 40000 --rate 18000"
    [k_k1k_r450]="--keys 1000 --rate 450")
  in_order g_k10k_r4500 i_k10k_r4500_int5s h_k40k_r18000 k_k1k_r450 \
    k_k1k_r450 h_k40k_r18000 i_k10k_r4500_int5s g_k10k_r4500
fi
for n in "${runs[@]}"; do
  d="$RESULTS/$n"
  mkdir -p "$here/real/$n"
  cp "$d"/{checkpoints.csv,subtasks.csv,metrics.csv,run-info.txt,threads_warmup.json,threads_end.json} "$here/real/$n/"
done
