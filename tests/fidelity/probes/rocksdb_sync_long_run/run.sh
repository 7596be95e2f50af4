#!/usr/bin/env bash
# The probe's two long jobs (README.md): one RocksDB instance alone, then f12's two, 600 s each
# with the suite's 90 s warm-up, and each JVM's per-thread scheduler counters every 30 s.
# usage: run.sh OUT   (about 21 minutes, the host otherwise idle)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
alone=(--parallelism 1 --rate 3000 --keys 15000 --stateBytes 400 --backend rocksdb)
f12=(--parallelism 2 --rate 6000 --keys 30000 --stateBytes 400 --backend rocksdb)
one() {
  local name=$1; shift
  python3 "$here/threads_every_30s.py" "$out/$name.threads.jsonl" &
  local sampler=$!
  (cd "$root" && DURATION=600 WARMUP=90 RESULTS="$out/runs" ../shared/flink-real/run.sh "$name" "$@" \
    >"$out/$name.run.log" 2>&1)
  wait "$sampler"
}
one alone_long "${alone[@]}"
one f12_long "${f12[@]}"
