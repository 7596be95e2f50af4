"""Does an fsync of a 170 kB file wait for other files' dirty data (ext4 data=ordered)?

Writes 0, 0.6, 1.2 or 4 MB to another file without syncing it, then writes and fsyncs a 170 kB
file; 25 rounds each, everything synced and 0.1 s apart between rounds. Usage: python3
fsync_other_dirty_data.py (files under /tmp)."""
import os, sys, time, statistics, tempfile
d = tempfile.mkdtemp(prefix="ent-", dir="/tmp")
buf = os.urandom(4096)
def write(p, size):
    fd = os.open(p, os.O_CREAT|os.O_WRONLY|os.O_TRUNC)
    n=0
    while n<size: n+=os.write(fd, buf[:min(4096,size-n)])
    return fd
res={}
for other in (0, 600_000, 1_200_000, 4_000_000):
    xs=[]
    for r in range(25):
        fo = write(f"{d}/o{r}", other) if other else None
        fd = write(f"{d}/s{r}", 170_000)
        t=time.perf_counter(); os.fsync(fd); xs.append(time.perf_counter()-t)
        os.close(fd)
        if fo is not None: os.close(fo)
        os.sync(); time.sleep(0.1)
    print(f"other dirty {other:>8} B: 170 KB fsync p50 {statistics.median(xs)*1e3:.2f} ms  p10 {sorted(xs)[2]*1e3:.2f} p90 {sorted(xs)[22]*1e3:.2f}")
