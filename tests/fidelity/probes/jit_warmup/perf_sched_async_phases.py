# Per asynchronous snapshot phase of the two busiest AsyncOperations threads: its span, its own
# CPU, its scheduling delay, and which threads held the cores meanwhile (ms); then each thread
# group's CPU near the async phases against its total. Input: `perf sched timehist -w` text.
import re,collections
import sys
lines=open(sys.argv[1]).read().splitlines()[3:]  # perf sched timehist -w output
pat=re.compile(r'^\s*([\d.]+)\s+\[(\d+)\]\s+(.+?)\s{2,}([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$')
slices=[]  # (start,end,cpu,task,schdelay)
for l in lines:
    if 'awakened' in l: continue
    m=pat.match(l)
    if not m: continue
    t,cpu,task,wait,sd,run=m.groups(); t=float(t)*1000; run=float(run); sd=float(sd)
    slices.append((t-run,t,int(cpu),task.strip(),sd))
name=lambda s: re.sub(r'\[.*','',s)
tasks=collections.defaultdict(list)
for s in slices: tasks[s[3]].append(s)
asyncs=sorted([k for k in tasks if k.startswith('AsyncOperations')], key=lambda k:-sum(x[1]-x[0] for x in tasks[k]))
print('async threads', [(k, round(sum(x[1]-x[0] for x in tasks[k]),1)) for k in asyncs])
for k in asyncs[:2]:
    sl=sorted(tasks[k]); phases=[]; cur=[sl[0]]
    for s in sl[1:]:
        if s[0]-cur[-1][1]>50: phases.append(cur); cur=[s]
        else: cur.append(s)
    phases.append(cur)
    for ph in phases:
        st=ph[0][0]-ph[0][4]; en=ph[-1][1]; cpu=sum(x[1]-x[0] for x in ph); sd=sum(x[4] for x in ph)
        # who ran on cpus during [st,en] besides this thread
        occ=collections.Counter()
        for s in slices:
            if s[1]<st or s[0]>en or s[3]==k: continue
            occ[re.sub(r'\d','',name(s[3]))]+=min(s[1],en)-max(s[0],st)
        top=', '.join(f"{n.strip()[:16]} {v:.1f}" for n,v in occ.most_common(5))
        print(f"{k[-10:]} span {en-st:5.1f} ms cpu {cpu:4.1f} schdelay {sd:4.1f} slices {len(ph):3d} | {top}")
print()
# compiler activity relative to the async phases of the map threads
starts=sorted(min(x[0] for x in ph) for ph in [sorted(tasks[asyncs[0]])] for _ in [0])
ph_starts=[]
for k in asyncs[:2]:
    sl=sorted(tasks[k]); prev=-1e9
    for s in sl:
        if s[0]-prev>50: ph_starts.append(s[0])
        prev=s[1]
ph_starts.sort()
import bisect
t0=slices[0][0]; t1=slices[-1][1]
tot=collections.Counter(); near=collections.Counter()
for s in slices:
    n=re.sub(r'\d','',name(s[3])).strip()
    i=bisect.bisect_right(ph_starts,s[0])-1
    d=s[0]-ph_starts[i] if i>=0 else 1e9
    tot[n]+=s[1]-s[0]
    if -20<=d<=60: near[n]+=s[1]-s[0]
W=t1-t0; nph=len(set(int(x/500) for x in ph_starts))
print(f"window {W:.0f} ms, checkpoints {nph}; near = from 20 ms before to 60 ms after an async start")
for n,v in tot.most_common(14):
    print(f"{n[:24]:24s} total {v:7.1f} ms ({v/W*1000:5.1f} ms/s) near {near[n]:6.1f} ms = {near[n]/max(v,1e-9)*100:4.0f}%")
