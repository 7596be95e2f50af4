#!/usr/bin/env bash
# after_the_walk (README.md): the four back-pressured remote rows of the suite, each run twice
# (r1 over the list, then r2), with statistics from 180 s to 240 s after the job's start instead
# of the suite's 90-135 s, through measure.sh (its load check and counters) into real/. About 40
# minutes, the host otherwise idle. Do not edit while it runs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
CONFIGS="$here/configs.tsv" OUT="$here/real" SCRATCH="${SCRATCH:-/tmp/atw}" WARMUP=180 OBSERVED=60 \
  REPS="r1 r2" "$root/tests/fidelity/measure.sh"
