#!/bin/bash
# Samples, once a second while a harness run named $1 is alive, the size of every live RocksDB
# MANIFEST (the MiniCluster's TaskManagers keep their RocksDB instances under
# /tmp/minicluster_*/tm_*/tmp/job_*/db) and of every file of the run's checkpoint directory:
# what a native checkpoint copies, and what an incremental checkpoint uploads beside its new SST
# files. Output: "epoch_s size path" lines.
# Usage: sample_files.sh NAME > samples.txt   (start it right after ../shared/flink-real/run.sh NAME)
name="$1"
run="${FLINK_WORK:-/tmp/flink-real}/runs/$name"
for _ in $(seq 1 30); do [ -d "$run" ] && break; sleep 1; done
while [ -d "$run" ]; do
  now=$(date +%s)
  for f in /tmp/minicluster_*/tm_*/tmp/job_*/db/MANIFEST-*; do
    [ -e "$f" ] && echo "$now $(stat -c %s "$f") $f"
  done
  find "$run/cp" -type f -printf "$now %s %p\n" 2>/dev/null
  sleep 1
done
