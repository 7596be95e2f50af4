#!/usr/bin/env bash
# The one_core_handoff probe (README.md): pinned.tsv through a copy of the harness whose run.sh
# pins the job's JVM (every thread) to core 0 as soon as it starts, then controls.tsv through
# the harness as it is, each once with measure.sh's load check and per-thread counters.
# SCRATCH (default /tmp/one-core) holds the wrapper and the runs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
scratch="${SCRATCH:-/tmp/one-core}"
harness="$root/../shared/flink-real"
wrap="$scratch/harness"
rm -rf "$wrap"
mkdir -p "$wrap"
ln -s "$harness/summarize.py" "$wrap/summarize.py"
cat > "$wrap/run.sh" <<WRAP
#!/usr/bin/env bash
# pins the JVM the harness starts to core 0 (all its threads; later ones inherit it)
( pid=""
  for _ in \$(seq 1 600); do pid=\$(pgrep -f bench.CheckpointBench | head -1); [ -n "\$pid" ] && break; sleep 0.1; done
  if [ -n "\$pid" ]; then taskset -a -cp 0 "\$pid"; else echo "no JVM found to pin"; fi > "\$RESULTS/pin-\$1.log" 2>&1 ) &
exec "$harness/run.sh" "\$@"
WRAP
chmod +x "$wrap/run.sh"
HARNESS="$wrap" CONFIGS="$here/pinned.tsv" REPS=r1 OUT="$here/real" SCRATCH="$scratch/pinned" \
  "$root/tests/fidelity/measure.sh"
CONFIGS="$here/controls.tsv" REPS=r1 OUT="$here/real" SCRATCH="$scratch/controls" \
  "$root/tests/fidelity/measure.sh"
