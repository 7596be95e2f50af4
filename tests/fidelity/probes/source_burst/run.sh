#!/usr/bin/env bash
# The source_burst probe (README.md): the suite's harness with record_gaps.patch applied (a copy
# in the scratch directory; ../../../../../shared/flink-real stays as it is), run through
# measure.sh on this probe's configurations, once each, with its load check and per-thread
# counters. SCRATCH (default /tmp/source-burst) holds the copy and the runs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
scratch="${SCRATCH:-/tmp/source-burst}"
rm -rf "$scratch/harness"
mkdir -p "$scratch"
cp -r "$root/../shared/flink-real" "$scratch/harness"
patch -s -d "$scratch/harness" -p0 < "$here/record_gaps.patch"
HARNESS="$scratch/harness" CONFIGS="${CONFIGS:-$here/configs.tsv}" REPS=r1 OUT="${OUT:-$here/real}" \
  SCRATCH="$scratch/measure" "$root/tests/fidelity/measure.sh" "$@"
