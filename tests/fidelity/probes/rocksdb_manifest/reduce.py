#!/usr/bin/env python3
"""Reduces sample_files.sh's lines to manifest.csv: per second, each live RocksDB MANIFEST's size
(kind=manifest, id=the instance's index in order of appearance), and each file of the checkpoint
directory's shared/ folder the first second it was seen, with its final size (kind=shared_file,
id=its order of appearance). Times are seconds since the first sample.
Usage: reduce.py samples.txt > manifest.csv"""
import sys

first = None
instances, shared, shared_size, rows = {}, {}, {}, []
for line in open(sys.argv[1]):
    parts = line.split(maxsplit=2)
    if len(parts) < 3:
        continue
    t, size, path = int(parts[0]), int(parts[1]), parts[2].strip()
    first = t if first is None else first
    if "/db/MANIFEST-" in path:
        inst = instances.setdefault(path.split("/db/")[0], len(instances))
        rows.append((t - first, "manifest", inst, size))
    elif "/shared/" in path:
        if path not in shared:
            shared[path] = (t - first, len(shared))
        shared_size[path] = max(shared_size.get(path, 0), size)
for path, (t, i) in shared.items():
    rows.append((t, "shared_file", i, shared_size[path]))
print("t_s,kind,id,bytes")
for r in sorted(rows):
    print(",".join(map(str, r)))
