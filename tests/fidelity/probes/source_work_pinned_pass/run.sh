#!/usr/bin/env bash
# The source_work_pinned_pass (README.md): pinned.tsv through ../one_core_handoff/'s pinning
# wrapper of the harness (the JVM and all its threads on core 0), then configs.tsv through the
# harness as it is, both with measure.sh's load check and per-thread counters into real/; the
# pinned run's summary is kept as real/summary_pinned.*. About 60 minutes, the host otherwise
# idle. SCRATCH (default /tmp/swpp) holds the wrapper and the runs. Do not edit while it runs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
scratch="${SCRATCH:-/tmp/swpp}"
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
cp "$scratch/pinned/runs/pin-c11_source_pinned.r1.log" "$here/real/" 2>/dev/null || true
for f in "$here"/real/summary.*; do mv "$f" "${f/summary./summary_pinned.}"; done
CONFIGS="$here/configs.tsv" OUT="$here/real" SCRATCH="$scratch/plain" "$root/tests/fidelity/measure.sh"
