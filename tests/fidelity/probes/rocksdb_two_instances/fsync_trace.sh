#!/usr/bin/env bash
# Which thread of the Flink JVM syncs what, and when, during a job's checkpoints: runs the harness
# (f12's options unless others are given) and, for 30 s after the warm-up, records every fsync and fdatasync of every
# process (perf's syscall tracepoints: no ptrace, so the JVM runs at its own speed), then writes
# them as one line per call (thread name, thread id, start, duration) beside the harness's output.
# A marker fdatasync from this script, stamped with the wall clock, aligns perf's clock with
# Flink's acknowledgement timestamps (subtasks.csv).
#
# usage: fsync_trace.sh OUT_DIR [NAME HARNESS_OPTIONS...]   (needs perf and ../shared/flink-real)
# Takes about 4 minutes. Run it alone on a quiet machine.
set -euo pipefail
out="$(mkdir -p "$1" && cd "$1" && pwd)"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
harness="${HARNESS:-$here/../../../../../shared/flink-real}"
shift
if [ $# -gt 0 ]; then
  name="$1"
  shift
  options=("$@")
else
  name=f12_fsync_trace
  options=(--parallelism 2 --rate 6000 --keys 30000 --stateBytes 400 --backend rocksdb)
fi

DURATION=135 WARMUP=90 RESULTS="$out" "$harness/run.sh" "$name" "${options[@]}" > "$out/harness.log" 2>&1 &
harness_pid=$!
sleep 100
events=syscalls:sys_enter_fsync,syscalls:sys_exit_fsync,syscalls:sys_enter_fdatasync,syscalls:sys_exit_fdatasync
perf record -q -a -e "$events" -o "$out/perf.data" -- python3 -c '
import ctypes, os, time
ctypes.CDLL(None).prctl(15, b"fsync-marker")  # PR_SET_NAME: the thread name perf records
fd = os.open("'"$out"'/marker", os.O_WRONLY | os.O_CREAT)
os.write(fd, b"x")
print("marker_wall_s", repr(time.time()))
os.fdatasync(fd)
os.close(fd)
time.sleep(30)
' > "$out/marker.txt"
wait "$harness_pid" || true
perf script -i "$out/perf.data" -F comm,pid,tid,time,event --ns 2> /dev/null |
  python3 "$here/fsync_rows.py" "$out/marker.txt" > "$out/fsyncs.csv"
echo "wrote $out/fsyncs.csv ($(($(wc -l < "$out/fsyncs.csv") - 1)) calls) and $out/$name/"
