#!/bin/bash
# run.sh BIN OUT: the unaligned rows f06 (seeds 1-4) and f07 (seeds 1-6), and the aligned f05
# (seeds 1, 2), simulated by the
# ckptsim binary BIN into OUT/<row>_s<seed>/, then the in-flight tables of README.md
# (python3 in_flight.py OUT). Run it once with the binary as committed and once with the patch
# applied, into two directories.
set -eu
BIN=$1
OUT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
SCEN=$HERE/../../scenarios
mkdir -p "$OUT"
for row in f06_bp_unaligned_local:4 f07_bp_unaligned_remote:6 f05_bp_aligned_remote:2; do
  name=${row%%:*}
  seeds=${row##*:}
  for s in $(seq 1 "$seeds"); do
    sed "s/^seed = 1\b/seed = $s/" "$SCEN/$name.toml" > "$OUT/$name.s$s.toml"
    rm -rf "$OUT/${name}_s$s"
    "$BIN" run "$OUT/$name.s$s.toml" --out "$OUT/${name}_s$s" --no-plots > /dev/null
  done
done
python3 "$HERE/in_flight.py" "$OUT"
