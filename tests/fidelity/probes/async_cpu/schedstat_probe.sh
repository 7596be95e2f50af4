#!/bin/bash
# Runs the real-Flink harness job NAME with its options beside the kernel-counter sampler
# (../jit_warmup/schedstat_sample.py), and keeps a copy of the counters AT seconds after the
# start (default 95: after the suite's 90 s warm-up) and at the end, for schedstat_window.py.
# usage: [AT=95] schedstat_probe.sh OUT NAME harness-options...   (about 3 minutes, quiet host)
set -euo pipefail
out=$1; name=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
mkdir -p "$out"
python3 "$here/../jit_warmup/schedstat_sample.py" "$out/schedstat_end.json" &
( sleep "${AT:-95}"; cp "$out/schedstat_end.json" "$out/schedstat_at_${AT:-95}s.json" ) &
cd "$root"
DURATION=135 WARMUP=90 RESULTS="$out/runs" ../shared/flink-real/run.sh "$name" "$@" >"$out/$name.run.log" 2>&1
wait
