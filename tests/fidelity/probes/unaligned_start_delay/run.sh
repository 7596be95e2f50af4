#!/usr/bin/env bash
# Unaligned under backpressure, one TaskManager: does the map's start delay beyond its sources'
# grow with the per-record cost (opCostUs) at the same utilisation?
set -u
H=../shared/flink-real/run.sh   # run from the project root
export DURATION=40 WARMUP=10 RESULTS=${RESULTS:-flink-measurements/unaligned_start_delay}
"$H" ua_cost100 --parallelism 2 --rate 30000 --keys 20000 --opCostUs 100 --unaligned true
"$H" ua_cost1000 --parallelism 2 --rate 3000 --keys 20000 --opCostUs 1000 --unaligned true
"$H" ua_cost300 --parallelism 2 --rate 10000 --keys 20000 --opCostUs 300 --unaligned true
