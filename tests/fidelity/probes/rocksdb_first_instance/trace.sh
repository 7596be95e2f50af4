#!/usr/bin/env bash
# One harness job with its checkpoints' threads traced: for TRACE_S seconds (default 20) from
# 100 s into the job (after the suite's 90 s warm-up), every context switch and wake-up, every
# synced call (fsync, fdatasync, sync_file_range), hard link and rename of every process, the
# ext4 journal's commits (jbd2) and the disk's requests, recorded by perf into tmpfs (so that
# the trace's writes do not touch the disk the job syncs to). A marker fdatasync stamped with the
# wall clock aligns perf's clock with Flink's timestamps. Leaves `perf script`'s text, gzipped,
# in OUT/NAME.events.gz (a few MB), the harness's run in OUT/runs/NAME/, and its logs.
# usage: [TRACE_S=20] trace.sh OUT NAME harness-options...   (about 4 minutes, quiet host)
set -euo pipefail
mkdir -p "$1"
out=$(cd "$1" && pwd); name=$2; shift 2
root=$(cd "$(dirname "$0")/../../../.." && pwd)
perf_data=/dev/shm/$name.perf
events=(
  -e sched:sched_switch -e sched:sched_wakeup
  -e syscalls:sys_enter_fsync -e syscalls:sys_exit_fsync
  -e syscalls:sys_enter_fdatasync -e syscalls:sys_exit_fdatasync
  -e syscalls:sys_enter_sync_file_range -e syscalls:sys_exit_sync_file_range
  -e syscalls:sys_enter_link -e syscalls:sys_exit_link
  -e syscalls:sys_enter_linkat -e syscalls:sys_exit_linkat
  -e syscalls:sys_enter_rename -e syscalls:sys_exit_rename
  -e syscalls:sys_enter_renameat2 -e syscalls:sys_exit_renameat2
  -e jbd2:jbd2_start_commit -e jbd2:jbd2_end_commit
  -e block:block_rq_issue -e block:block_rq_complete
)
( while ! pgrep -f bench.CheckpointBench >/dev/null; do sleep 0.2; done
  sleep 100
  perf record -q -a "${events[@]}" -o "$perf_data" -- python3 -c '
import ctypes, os, time
ctypes.CDLL(None).prctl(15, b"fsync-marker")  # PR_SET_NAME: the thread name perf records
fd = os.open("/dev/shm/'"$name"'.marker", os.O_WRONLY | os.O_CREAT)
os.write(fd, b"x")
print("marker_wall_s", repr(time.time()))
os.fdatasync(fd)
os.close(fd)
time.sleep('"${TRACE_S:-20}"')
' >"$out/$name.marker.txt" 2>"$out/$name.perf.log" ) &
cd "$root"
DURATION=135 WARMUP=90 RESULTS="$out/runs" ../shared/flink-real/run.sh "$name" "$@" >"$out/$name.run.log" 2>&1
wait
perf script -i "$perf_data" -F comm,pid,tid,cpu,time,event,trace --ns 2>/dev/null | gzip >"$out/$name.events.gz"
rm -f "$perf_data" "/dev/shm/$name.marker"
