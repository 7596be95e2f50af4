#!/usr/bin/env bash
# Regenerates the real side of the fidelity suite: runs every configuration of configs.tsv on a
# real Flink 2.3 MiniCluster with ../shared/flink-real/run.sh (calibration runs once, table runs
# twice, r1 then r2 over the whole list so that drift shows as run-to-run spread), rejects and
# redoes a run whose whole-host CPU exceeded the Flink JVM's by more than 0.2 cores (other load on
# the machine), and copies Flink's statistics into real/ (the raw REST JSON stays in SCRATCH).
#
# usage: tests/fidelity/measure.sh [NAME ...]     (default: every configuration)
# env:   SCRATCH=/tmp/ckptsim-fidelity   WARMUP=90 (s before the statistics start)
#        OBSERVED=45 (s of statistics per run)   REPS="r1 r2"   HARNESS=../shared/flink-real
# The warm-up lets the JVM's JIT compiler settle: in the first minute of a run its compiler
# threads take the cores the checkpoint threads need, and a small checkpoint's duration falls by
# half over the first 80-100 s (tests/fidelity/probes/README.md). Each run records its warm-up in
# run-info.txt, and the test cuts both sides there.
# Takes about 2.5 minutes per run (36 runs: about 90 minutes). Run it alone on a quiet machine.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
harness="${HARNESS:-$root/../shared/flink-real}"
scratch="${SCRATCH:-/tmp/ckptsim-fidelity}"
export WARMUP="${WARMUP:-90}" RESULTS="$scratch/runs"
export DURATION=$((WARMUP + ${OBSERVED:-45}))
mkdir -p "$RESULTS"
python="${FLINK_ENV:-/tmp/flinkenv}/bin/python"

excess_cpu_cores() { # mean whole-host CPU minus the JVM's after warm-up, in cores
  "$python" - "$1/metrics.csv" "$WARMUP" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["vertex"] == "host" and float(r["t_rel_s"] or 0) >= float(sys.argv[2])]
mean = lambda m: [float(r["avg"]) for r in rows if r["metric"] == m and r["avg"]]
h, j = mean("cpu_busy_cores"), mean("jvm_cpu_cores")
print("%.3f" % (sum(h) / len(h) - sum(j) / len(j)) if h and j else "nan")
PY
}

# This host's fsync of a checkpoint-sized file (170 kB in 4 KiB writes, as a heap snapshot of
# small state writes it), in the directory the harness puts its checkpoints under, before and
# after the runs: the disk's sync moves by 3x between days (tests/fidelity/probes/README.md), and
# the calibration takes it out of the calibration runs' asynchronous phases, so it is measured in
# the same pass. A full pass replaces real/fsync.csv; a partial one adds its samples.
fsync_dir="${FLINK_WORK:-/tmp/flink-real}/runs"
fsync_csv="$scratch/fsync.csv"
echo "when,date_utc,size_b,writers,p10_ms,p50_ms,p90_ms" > "$fsync_csv"
fsync_sample() {
  mkdir -p "$fsync_dir"
  "$python" "$here/probes/fsync_bench.py" "$fsync_dir" 170000 csv | sed "s/^/$1,$(date -u +%FT%TZ),/" >> "$fsync_csv"
  rm -rf "$fsync_dir"/fsync-*
}
fsync_sample before

want=("$@")
selected() { [ ${#want[@]} -eq 0 ] && return 0; local w; for w in "${want[@]}"; do [ "$w" = "$1" ] && return 0; done; return 1; }

for rep in ${REPS:-r1 r2}; do
  while IFS=$'\t' read -r name args _; do
    case "$name" in ''|'#'*) continue ;; esac
    selected "$name" || continue
    case "$name" in c*) [ "$rep" = r2 ] && continue ;; esac
    run="$name.$rep"
    for attempt in 1 2 3; do
      # c09 also samples the RocksDB MANIFEST and the checkpoint directory while it runs.
      sampler=""
      if [ "$name" = c09_rocks_manifest ]; then
        "$here/probes/rocksdb_manifest/sample_files.sh" "$run" > "$scratch/samples-$run.txt" 2>&1 &
        sampler=$!
      fi
      # shellcheck disable=SC2086  # the options are words
      "$harness/run.sh" "$run" $args > "$scratch/log-$run.txt" 2>&1 || true
      if [ -n "$sampler" ]; then
        wait "$sampler" || true
        "$python" "$here/probes/rocksdb_manifest/reduce.py" "$scratch/samples-$run.txt" > "$RESULTS/$run/manifest.csv"
      fi
      excess="$(excess_cpu_cores "$RESULTS/$run")"
      echo "$(date +%T) $run attempt $attempt: host CPU beyond the JVM's = $excess cores"
      if "$python" -c 'import sys; x = sys.argv[1]; sys.exit(0 if x != "nan" and float(x) <= 0.2 else 1)' "$excess"; then
        break
      fi
      rm -rf "$RESULTS/rejected.$run.$attempt"
      mv "$RESULTS/$run" "$RESULTS/rejected.$run.$attempt"
    done
  done < "$here/configs.tsv"
done

fsync_sample after

# Flink's statistics, without the raw REST JSON (tens of MB).
"$python" "$harness/summarize.py" --results "$RESULTS" --warmup "$WARMUP" > /dev/null
mkdir -p "$here/real"
for d in "$RESULTS"/*.r[12]; do
  [ -f "$d/checkpoints.csv" ] || continue
  n="$(basename "$d")"
  mkdir -p "$here/real/$n"
  cp "$d"/{checkpoints.csv,subtasks.csv,metrics.csv,run-info.txt} "$here/real/$n/"
  [ -s "$d/events.jsonl" ] && cp "$d/events.jsonl" "$here/real/$n/"
  [ -s "$d/manifest.csv" ] && cp "$d/manifest.csv" "$here/real/$n/"
done
cp "$RESULTS"/summary.md "$RESULTS"/summary.csv "$here/real/"
if [ ${#want[@]} -eq 0 ] || [ ! -f "$here/real/fsync.csv" ]; then
  cp "$fsync_csv" "$here/real/fsync.csv"
else
  tail -n +2 "$fsync_csv" >> "$here/real/fsync.csv"
fi
[ -f "$RESULTS/recovery.csv" ] && cp "$RESULTS/recovery.csv" "$here/real/"
echo "real/ updated; now run: cargo test --release --test fidelity -- --nocapture"
