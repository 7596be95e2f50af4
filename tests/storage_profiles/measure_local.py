# Page-cache and synced-write figures of this host's checkpoint-like writes (see README).
import os, time, statistics, sys
d = sys.argv[1]; os.makedirs(d, exist_ok=True)
buf = b"\xa5" * (1 << 20)
def bw(sync, mib=256):
    p = os.path.join(d, "big"); t = time.perf_counter()
    with open(p, "wb", buffering=0) as f:
        for _ in range(mib): f.write(buf)
        if sync: os.fsync(f.fileno())
    dt = time.perf_counter() - t; os.remove(p); return mib * (1 << 20) / dt / 1e6
def lat(sync, n=300):
    xs = []; small = b"\x5a" * 4096
    for i in range(n):
        p = os.path.join(d, f"s{i}"); t = time.perf_counter()
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, small)
        if sync: os.fsync(fd)
        os.close(fd); xs.append((time.perf_counter() - t) * 1e6)
    for i in range(n): os.remove(os.path.join(d, f"s{i}"))
    xs.sort(); return xs[len(xs)//2], xs[int(len(xs)*0.9)]
for sync in (False, True):
    b = [bw(sync) for _ in range(3)]
    l = lat(sync)
    print(f"{'fsync' if sync else 'page-cache'}: write MB/s runs={[round(x) for x in b]} median={statistics.median(b):.0f}; 4KiB create+write+close{'+fsync' if sync else ''} us p50={l[0]:.1f} p90={l[1]:.1f}")
