#!/usr/bin/env bash
# Writes into DIR a wrapper of the real-Flink harness HARNESS whose run.sh pins the job's JVM,
# every thread of it, to core 0 as soon as the JVM starts (`taskset -a`; threads started later
# inherit it), logging taskset's output to $RESULTS/pin-RUN.log. With both of a generator
# source's threads on one core their hand-offs never cross cores, so such a run measures a
# source record's work (tests/fidelity/probes/handoff_placement). Used by the probes that pin a
# run (probes/one_core_handoff/run.sh, probes/source_work_pinned_pass/run.sh), which pass the
# wrapper to measure.sh as HARNESS.
# usage: pinned_harness.sh DIR HARNESS
set -euo pipefail
wrap=$1; harness=$2
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
