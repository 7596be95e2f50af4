#!/usr/bin/env bash
# The probe's four traced jobs, alternating one RocksDB instance alone and f12's two (README.md).
# usage: run.sh OUT   (about 14 minutes, the host otherwise idle)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
alone=(--parallelism 1 --rate 3000 --keys 15000 --stateBytes 400 --backend rocksdb)
f12=(--parallelism 2 --rate 6000 --keys 30000 --stateBytes 400 --backend rocksdb)
"$here/trace.sh" "$1" alone_1 "${alone[@]}"
"$here/trace.sh" "$1" f12_1 "${f12[@]}"
"$here/trace.sh" "$1" alone_2 "${alone[@]}"
"$here/trace.sh" "$1" f12_2 "${f12[@]}"
