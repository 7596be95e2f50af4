#!/usr/bin/env python3
"""How far the harness's key sequence has sent more records to map 0 than to map 1 at
parallelism 2, against what keys drawn at random would give on average: CheckpointBench.Gen
keys index i as floorMod(h, keys), h = i * 0x9E3779B97F4A7C15, h ^= h >>> 29; source
subtasks read the indexes from 0 and from 2^62 (NumberSequenceSource's two splits), and each
key goes to map floor(keyGroup * 2 / 128), keyGroup = murmurHash(key) % 128 (Flink's
KeyGroupRangeAssignment, Long.hashCode of a small key being the key itself).

usage: imbalance.py KEYS RECORDS_PER_SECOND_PER_SOURCE
"""
import sys

M32 = 0xFFFFFFFF
M64 = (1 << 64) - 1


def rotl(x, r):
    return ((x << r) | (x >> (32 - r))) & M32


def murmur(code):
    code &= M32
    code = rotl((code * 0xCC9E2D51) & M32, 15)
    code = rotl((code * 0x1B873593) & M32, 13)
    code = ((code * 5 + 0xE6546B64) & M32) ^ 4
    code ^= code >> 16
    code = (code * 0x85EBCA6B) & M32
    code ^= code >> 13
    code = (code * 0xC2B2AE35) & M32
    code ^= code >> 16
    if code >= 1 << 31:
        code -= 1 << 32
    return code if code >= 0 else (-code if code != -(1 << 31) else 0)


def key(i, keys):
    h = (i * 0x9E3779B97F4A7C15) & M64
    h ^= h >> 29
    if h >= 1 << 63:
        h -= 1 << 64
    return h % keys  # Python's % is Java's floorMod


keys, rate = int(sys.argv[1]), float(sys.argv[2])
to_map0 = [(murmur(k) % 128) * 2 // 128 == 0 for k in range(keys)]
share0 = sum(to_map0) / keys
excess, starts = 0, (0, 1 << 62)
print(f"keys to map 0: {sum(to_map0)} of {keys} ({share0:.5f})")
print("| s | records per source | map 0 minus map 1, the harness's keys | drawn keys' mean | ratio |")
print("|---|---|---|---|---|")
for n in range(1, int(rate * 240) + 1):
    excess += sum(1 if to_map0[key(s + n - 1, keys)] else -1 for s in starts)
    if n % int(rate * 20) == 0:
        mean = (2 * share0 - 1) * 2 * n
        print(f"| {n / rate:.0f} | {n} | {excess} | {mean:.0f} | {excess / mean:.2f} |")
