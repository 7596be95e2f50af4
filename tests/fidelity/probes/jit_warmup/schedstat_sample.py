# Polls /proc/PID/task/*/schedstat of the Flink JVM once a second and keeps the last reading:
# cumulative on-CPU ns, run-queue wait ns and time slices per thread. usage: schedstat_sample.py OUT.json
import os,sys,time,glob,json
# Cumulative per-thread scheduler counters of the Flink JVM: on-CPU ns, runqueue-wait ns, slices.
pid=None
while pid is None:
    for p in glob.glob('/proc/[0-9]*/cmdline'):
        try:
            c=open(p,'rb').read()
            if b'bench.CheckpointBench' in c and b'javac' not in c: pid=p.split('/')[2]
        except Exception: pass
    time.sleep(0.2)
last={}
while os.path.exists(f'/proc/{pid}'):
    snap={}
    for t in glob.glob(f'/proc/{pid}/task/*'):
        try:
            comm=open(t+'/comm').read().strip(); s=open(t+'/schedstat').read().split()
            snap[t.split('/')[-1]]=(comm,int(s[0]),int(s[1]),int(s[2]))
        except Exception: pass
    for k,v in snap.items(): last[k]=v
    json.dump(last,open(sys.argv[1],'w'))
    time.sleep(1)
