#!/usr/bin/env bash
# The source_work_pinned_pass (README.md): pinned.tsv through the pinning wrapper of the harness
# (../../pinned_harness.sh: the JVM and all its threads on core 0), then configs.tsv through the
# harness as it is, both with measure.sh's load check and per-thread counters into real/; the
# pinned run's summary is kept as real/summary_pinned.*. About 60 minutes, the host otherwise
# idle. SCRATCH (default /tmp/swpp) holds the wrapper and the runs. Do not edit while it runs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
scratch="${SCRATCH:-/tmp/swpp}"
harness="$root/../shared/flink-real"
wrap="$scratch/harness"
"$root/tests/fidelity/pinned_harness.sh" "$wrap" "$harness"
HARNESS="$wrap" CONFIGS="$here/pinned.tsv" REPS=r1 OUT="$here/real" SCRATCH="$scratch/pinned" \
  "$root/tests/fidelity/measure.sh"
cp "$scratch/pinned/runs/pin-c11_source_pinned.r1.log" "$here/real/" 2>/dev/null || true
for f in "$here"/real/summary.*; do mv "$f" "${f/summary./summary_pinned.}"; done
CONFIGS="$here/configs.tsv" OUT="$here/real" SCRATCH="$scratch/plain" "$root/tests/fidelity/measure.sh"
