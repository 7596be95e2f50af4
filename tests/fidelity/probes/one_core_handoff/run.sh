#!/usr/bin/env bash
# The one_core_handoff probe (README.md): pinned.tsv through a copy of the harness whose run.sh
# pins the job's JVM (every thread) to core 0 as soon as it starts (../../pinned_harness.sh),
# then controls.tsv through the harness as it is, each once with measure.sh's load check and
# per-thread counters. SCRATCH (default /tmp/one-core) holds the wrapper and the runs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
scratch="${SCRATCH:-/tmp/one-core}"
harness="$root/../shared/flink-real"
wrap="$scratch/harness"
"$root/tests/fidelity/pinned_harness.sh" "$wrap" "$harness"
HARNESS="$wrap" CONFIGS="$here/pinned.tsv" REPS=r1 OUT="$here/real" SCRATCH="$scratch/pinned" \
  "$root/tests/fidelity/measure.sh"
CONFIGS="$here/controls.tsv" REPS=r1 OUT="$here/real" SCRATCH="$scratch/controls" \
  "$root/tests/fidelity/measure.sh"
