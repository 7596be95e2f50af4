# Medians per block of checkpoints of one harness run: end to end, and the map's and the
# sources' phases. usage: trend.py RUN_DIR [CHECKPOINTS_PER_BLOCK]
import csv,sys,statistics,collections
d=sys.argv[1]
rows=[r for r in csv.DictReader(open(d+'/subtasks.csv')) if r['status']=='completed']
cps={int(r['checkpoint_id']):r for r in csv.DictReader(open(d+'/checkpoints.csv')) if r['status']=='COMPLETED'}
by=collections.defaultdict(lambda: collections.defaultdict(list))
for r in rows:
    v='map' if 'stateful' in r['vertex'] else 'src'
    for k in ('async_ms','start_delay_ms','sync_ms','alignment_ms'):
        by[int(r['checkpoint_id'])][v+'_'+k].append(float(r[k]))
ids=sorted(cps); step=int(sys.argv[2]) if len(sys.argv)>2 else 20
print(f"{'ids':>9} {'e2e':>6} {'map_async':>9} {'map_sd':>7} {'map_sync':>8} {'src_async':>9}")
for i in range(0,len(ids),step):
    ch=ids[i:i+step]
    def med(k): 
        xs=[x for c in ch for x in by[c][k]]; return statistics.median(xs) if xs else float('nan')
    print(f"{ch[0]:>4}-{ch[-1]:<4} {statistics.median(float(cps[c]['end_to_end_ms']) for c in ch):6.1f} {med('map_async_ms'):9.1f} {med('map_start_delay_ms'):7.1f} {med('map_sync_ms'):8.1f} {med('src_async_ms'):9.1f}")
