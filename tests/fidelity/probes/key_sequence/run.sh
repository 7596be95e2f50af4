#!/bin/sh
# f07 in ckptsim with drawn (uniform) keys and with the harness's own key sequence, seeds 1-4,
# 240 s each, into OUT/uniform_SEED and OUT/sequence_hash_SEED. usage: run.sh CKPTSIM OUT
set -eu
bin=$1; out=$2
scenario=$(dirname "$0")/../../scenarios/f07_bp_unaligned_remote.toml
for seed in 1 2 3 4; do
  for keys in uniform sequence_hash; do
    "$bin" run "$scenario" --set "operators[0].keys.distribution=$keys" --set simulation.seed=$seed \
      --set simulation.duration=240s --no-plots --out "$out/${keys}_$seed" > /dev/null
  done
done
