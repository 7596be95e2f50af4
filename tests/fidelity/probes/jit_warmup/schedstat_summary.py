# Sums schedstat_sample.py's readings by thread name (digits folded). usage: schedstat_summary.py IN.json
import json,collections,re,sys
d=json.load(open(sys.argv[1]))
agg=collections.defaultdict(lambda:[0,0,0,0])
for tid,(comm,cpu,wait,sl) in d.items():
    k=re.sub(r'\d+','N',comm); a=agg[k]; a[0]+=cpu;a[1]+=wait;a[2]+=sl;a[3]+=1
for k,(cpu,wait,sl,n) in sorted(agg.items(),key=lambda x:-x[1][0])[:30]:
    print(f"{k:20s} threads {n:3d} cpu {cpu/1e6:9.1f} ms  runq-wait {wait/1e6:8.1f} ms  slices {sl:7d}  wait/slice {wait/max(sl,1)/1e3:7.1f} us")
