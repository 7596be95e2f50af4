"""Mean bytes a RocksDB entry's key shares with the key before it, for the harness's job.

Flink's RocksDB key of a ValueState with a Long key: the key group (1 B at the default maximum
parallelism of 128; MathUtils.murmurHash of Long.hashCode, modulo 128), the key (8 B,
big-endian) and VoidNamespace (1 B). Sorted as RocksDB sorts them, each entry after a block's
restart point stores only what it does not share with the one before it; a restart point's
entry stores its whole key. Prints the mean shared bytes over every key (a compacted L1 file)
and over a random 5 % (one interval's L0 file), for c03's 40,000 keys and h05's 100,000.
Usage: python3 shared_key_bytes.py
"""
import random,sys
M=0xffffffff
def rotl(x,r): return ((x<<r)|(x>>(32-r)))&M
def imul(a,b): return (a*b)&M
def bitmix(x):
    x^=x>>16; x=imul(x,0x85ebca6b); x^=x>>13; x=imul(x,0xc2b2ae35); x^=x>>16; return x
def murmur(code):
    code&=M
    code=imul(code,0xcc9e2d51); code=rotl(code,15); code=imul(code,0x1b873593); code=rotl(code,13)
    code=(imul(code,5)+0xe6546b64)&M; code^=4; code=bitmix(code)
    s=code-(1<<32) if code>=1<<31 else code
    if s>=0: return s
    if s!=-(1<<31): return -s
    return 0
def kg(k):
    h=(k^(k>>32))&M
    return murmur(h)%128
def key(k): return bytes([kg(k)])+k.to_bytes(8,'big')+b'\x00'
def shared(a,b):
    n=0
    for x,y in zip(a,b):
        if x!=y: break
        n+=1
    return n
for keys,frac in [(40000,1.0),(40000,0.05),(100000,1.0),(100000,0.05)]:
    random.seed(1)
    ks=[k for k in range(keys) if random.random()<frac]
    s=sorted(key(k) for k in ks)
    sh=[shared(s[i],s[i-1]) for i in range(1,len(s))]
    print(keys,frac,len(s),"mean shared user-key bytes %.2f"%(sum(sh)/len(sh)))
