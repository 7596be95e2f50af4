"""fsync latency of checkpoint-sized files on this host's disk, alone and with concurrent writers.

Each writer: create a file, write SIZE bytes in 4 KiB writes (Flink's FsCheckpointStateOutputStream
buffer, state.storage.fs.write-buffer-size = 4096), fsync, close; ROUNDS times. Writers of one round
start together (a barrier), as the subtasks of one checkpoint do. Prints the median fsync time per
writer count and the median time from round start to the last writer's close.
usage: fsync_bench.py [DIR [SIZE [csv]]]; with `csv`, one line per writer count instead:
size_b,writers,p10_ms,p50_ms,p90_ms (what measure.sh keeps in real/fsync.csv)."""
import os, sys, time, threading, statistics, tempfile
d = tempfile.mkdtemp(prefix="fsync-", dir=sys.argv[1] if len(sys.argv) > 1 else "/tmp")
SIZE = int(sys.argv[2]) if len(sys.argv) > 2 else 170_000
ROUNDS = 30
buf = os.urandom(4096)
for writers in (1, 2, 4):
    syncs, writes, spans = [], [], []
    for r in range(ROUNDS):
        bar = threading.Barrier(writers)
        ends = [0.0] * writers
        def w(i):
            bar.wait()
            t0 = time.perf_counter()
            p = os.path.join(d, f"r{r}w{i}")
            fd = os.open(p, os.O_CREAT | os.O_WRONLY | os.O_TRUNC)
            n = 0
            while n < SIZE:
                n += os.write(fd, buf[: min(4096, SIZE - n)])
            t1 = time.perf_counter()
            os.fsync(fd)
            t2 = time.perf_counter()
            os.close(fd)
            writes.append(t1 - t0); syncs.append(t2 - t1); ends[i] = t2
        start = time.perf_counter()
        ts = [threading.Thread(target=w, args=(i,)) for i in range(writers)]
        [t.start() for t in ts]; [t.join() for t in ts]
        spans.append(max(ends) - start)
        time.sleep(0.2)
    ms = lambda xs: statistics.median(xs) * 1e3
    if len(sys.argv) > 3 and sys.argv[3] == "csv":
        q = sorted(syncs)
        print(f"{SIZE},{writers},{q[len(q)//10]*1e3:.3f},{ms(syncs):.3f},{q[9*len(q)//10]*1e3:.3f}", flush=True)
        continue
    print(f"writers {writers}: fsync p50 {ms(syncs):.2f} ms (p10 {sorted(syncs)[len(syncs)//10]*1e3:.2f}, p90 {sorted(syncs)[9*len(syncs)//10]*1e3:.2f}), write p50 {ms(writes):.2f} ms, round p50 {ms(spans):.2f} ms")
