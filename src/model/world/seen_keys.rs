//! The keys each stateful subtask has seen: its keyed state holds one entry per distinct key
//! (`state_bytes_per_key` each), so the count of distinct keys is what the state backend and
//! the restore read.
//!
//! Memory grows with the keys a subtask can own, not with the whole key space per subtask.
//! Behind keyed (hash) inputs only, a subtask sees just the keys of its key groups
//! (`KeyGroupRangeAssignment`, see [`crate::model::key_groups::key_to_subtask`]): the subtasks of an
//! operator see disjoint keys, so they share one bitset over the key space, each setting only
//! its own keys' bits (key space / 8 bytes per operator instead of per subtask). Behind a
//! forward, rebalance or broadcast input (or in a stateful source) any subtask may see any key:
//! each has a bitset of its own. Bitsets are zero-allocated, so the pages of keys never seen are
//! never touched.
//!
//! Over a key space larger than the caches (50 M keys: 6.25 MB per bitset), the word `see`
//! reads is a cache miss for nearly every record. The task loop hides it: [`SeenKeys::prefetch`]
//! fetches the words of a batch's keys when the batch starts, and again a few records ahead of
//! the one being emitted.
//!
//! With RocksDB, a flush writes each key's newest version only, so the backend needs to know
//! which writes are the first to their key since the subtask's memtable was last flushed. Each
//! key then has two bits, side by side in one word (32 keys a word): seen, and in the memtable.
//! The per-record read stays one word; a subtask logs the keys it put in its memtable (4 bytes
//! each, at most one memtable's distinct keys) and clears their bits when its backend flushes.
//!
//! On the fast path (`simulation.records_per_bundle` = k) a bundle keeps its own key for routing,
//! so keyed edges split bundles exactly as they split records, while its state goes to the block
//! of k keys it falls in (`key / k`), each block holding k keys' state: a bit per block. Behind
//! keyed inputs a block's keys may belong to several subtasks; the first to write the block
//! holds its state (in expectation each subtask's share, and the operator's total exactly).
//!
//! A restore point keeps no copy of a bitset: keys are only ever added between restores, so a
//! subtask's set at its snapshot is the first `n` keys it saw, and the mark is `n`. While
//! restore points are kept (checkpointing is on, or faults are planned), each subtask logs its new keys in the order it saw
//! them (4 bytes per key), from its oldest retained snapshot on (the log before it is dropped
//! when a checkpoint completes); a restore clears the bits of the keys logged after the mark.

use crate::model::graph::JobGraph;
use crate::model::key_groups::key_to_subtask;
use crate::vocab::Partitioning;

/// A subtask without keyed state.
const STATELESS: u32 = u32::MAX;

/// How many keys ahead of the one it clears a memtable flush fetches a key's bitset word.
const CLEAR_AHEAD: usize = 16;

/// What a snapshot keeps of a subtask's keys: how many it had seen, and how many times its log
/// had been cut back by restores then (a later cut below `distinct` means the snapshot belongs
/// to a timeline that a restore undid).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct KeysMark {
    pub distinct: u64,
    cuts: usize,
}

/// One bitset over the key space, and the subtasks that share it when their keys are disjoint.
struct KeyBits {
    words: Vec<u64>,
    /// Shared by an operator's subtasks: (first subtask, max parallelism, parallelism), to
    /// tell a key's owner.
    shared_by: Option<(u32, u32, u32)>,
}

/// One subtask's keys (what the per-record path reads first).
#[derive(Clone, Default)]
struct SubtaskKeys {
    /// Its bitset, or `STATELESS`.
    bits: u32,
    /// Distinct keys seen.
    distinct: u64,
    /// Its new keys since `log_base`, in the order seen.
    log: Vec<u32>,
    /// The distinct-key count at which its log starts.
    log_base: u64,
    /// The counts its log was cut back to by restores, in order.
    cuts: Vec<u64>,
    /// The keys in its RocksDB memtable (with memtables), in the order first written there.
    memtable: Vec<u32>,
    /// Its backend's flushes when `memtable` was last emptied.
    memtable_flushes: u64,
}

pub(crate) struct SeenKeys {
    bits: Vec<KeyBits>,
    subtasks: Vec<SubtaskKeys>,
    /// Whether new keys are logged (restores can happen).
    logging: bool,
    /// Whether keys also have a memtable bit (the state backend is RocksDB).
    memtables: bool,
    /// Keys per bit: 1, or the fast path's bundle size (a bit per block of keys).
    keys_per_block: u32,
}

/// Where `key`'s bits are: its word and the shift of its seen bit (the memtable bit, with
/// memtables, is the next one up).
#[inline]
fn slot(memtables: bool, key: u32) -> (usize, u32) {
    if memtables {
        ((key / 32) as usize, (key % 32) * 2)
    } else {
        ((key / 64) as usize, key % 64)
    }
}

/// Bits of each key's seen flag in a word (every bit without memtables, the even ones with).
fn seen_mask(memtables: bool) -> u64 {
    if memtables { 0x5555_5555_5555_5555 } else { u64::MAX }
}

impl SeenKeys {
    /// Bitsets over `key_space` keys, a bit per `keys_per_block` of them, for the vertices with
    /// keyed state; `logging` when restore points are kept from the start; `memtables` when the
    /// backend is RocksDB.
    pub(crate) fn new(
        graph: &JobGraph,
        key_space: u64,
        keys_per_block: u32,
        logging: bool,
        memtables: bool,
    ) -> SeenKeys {
        let n = graph.subtasks.len();
        let keys_per_block = keys_per_block.max(1);
        let blocks = key_space.div_ceil(keys_per_block as u64);
        let words = blocks.div_ceil(if memtables { 32 } else { 64 }) as usize;
        let mut bits = Vec::new();
        let mut subtasks = vec![
            SubtaskKeys {
                bits: STATELESS,
                ..Default::default()
            };
            n
        ];
        for v in graph.vertices.iter().filter(|v| v.state_bytes_per_key > 0.0) {
            let own = v.first_subtask as usize..(v.first_subtask + v.parallelism) as usize;
            if keyed_inputs_only(graph, v.first_subtask) {
                let shared_by = Some((v.first_subtask, v.max_parallelism, v.parallelism));
                subtasks[own].iter_mut().for_each(|k| k.bits = bits.len() as u32);
                bits.push(KeyBits {
                    words: vec![0; words],
                    shared_by,
                });
            } else {
                for k in &mut subtasks[own] {
                    k.bits = bits.len() as u32;
                    bits.push(KeyBits {
                        words: vec![0; words],
                        shared_by: None,
                    });
                }
            }
        }
        SeenKeys {
            bits,
            subtasks,
            logging,
            memtables,
            keys_per_block,
        }
    }

    /// The bit a key's state is tracked by: the key itself, or its block on the fast path.
    #[inline]
    fn block_of(&self, key: u32) -> u32 {
        if self.keys_per_block > 1 {
            key / self.keys_per_block
        } else {
            key
        }
    }

    /// From now on restores can happen: new keys are logged.
    pub(crate) fn keep_log(&mut self) {
        if !self.logging {
            self.logging = true;
            self.subtasks.iter_mut().for_each(|k| k.log_base = k.distinct);
        }
    }

    /// Subtask `s` processed a record of `key`, which writes its state. `None` if `s` keeps no
    /// keyed state; else whether the write is the first to `key` since `s`'s memtable was last
    /// flushed (always without memtables: every write counts).
    #[inline]
    pub(crate) fn see(&mut self, s: u32, key: u32) -> Option<bool> {
        let key = self.block_of(key);
        let k = &mut self.subtasks[s as usize];
        if k.bits == STATELESS {
            return None;
        }
        let (w, shift) = slot(self.memtables, key);
        let Some(word) = self.bits[k.bits as usize].words.get_mut(w) else {
            return Some(true);
        };
        if *word & (1 << shift) == 0 {
            *word |= 1 << shift;
            k.distinct += 1;
            if self.logging {
                k.log.push(key);
            }
        }
        if !self.memtables {
            return Some(true);
        }
        if *word & (2 << shift) != 0 {
            return Some(false);
        }
        *word |= 2 << shift;
        k.memtable.push(key);
        Some(true)
    }

    /// Subtask `s`'s backend has flushed `flushes` memtables in all: if that is more than when
    /// its memtable keys were last cleared, they are cleared (the memtable is empty again).
    pub(crate) fn memtable_flushed(&mut self, s: u32, flushes: u64) {
        if self.subtasks[s as usize].memtable_flushes != flushes {
            self.clear_memtable(s);
            self.subtasks[s as usize].memtable_flushes = flushes;
        }
    }

    /// Subtask `s`'s backend was opened anew (a restart): an empty memtable, no flushes yet.
    pub(crate) fn memtable_reopened(&mut self, s: u32) {
        self.clear_memtable(s);
        self.subtasks[s as usize].memtable_flushes = 0;
    }

    fn clear_memtable(&mut self, s: u32) {
        let k = &mut self.subtasks[s as usize];
        if k.bits == STATELESS || k.memtable.is_empty() {
            return;
        }
        let words = &mut self.bits[k.bits as usize].words;
        for (i, &key) in k.memtable.iter().enumerate() {
            // Over a large key space each word is a cache miss: fetch ahead so they overlap.
            if let Some(&ahead) = k.memtable.get(i + CLEAR_AHEAD) {
                crate::sim::prefetch(&words[slot(true, ahead).0]);
            }
            let (w, shift) = slot(true, key);
            words[w] &= !(2 << shift);
        }
        k.memtable.clear();
        if k.memtable.capacity() > 1 << 20 {
            // A flush of a huge memtable: give the memory back, the next one will grow again.
            k.memtable.shrink_to(1 << 16);
        }
    }

    /// Starts fetching the bitset words `see(s, key)` will read for `keys`, so that their cache
    /// misses overlap with other work: over a large key space each is a miss. Changes nothing
    /// else.
    #[inline]
    pub(crate) fn prefetch(&self, s: u32, keys: impl IntoIterator<Item = u32>) {
        let k = &self.subtasks[s as usize];
        if k.bits == STATELESS {
            return;
        }
        let words = &self.bits[k.bits as usize].words;
        for key in keys {
            if let Some(word) = words.get(slot(self.memtables, self.block_of(key)).0) {
                crate::sim::prefetch(word);
            }
        }
    }

    /// How many bitsets the operators share out (tests: one per hash-fed operator, one per
    /// subtask otherwise).
    #[cfg(test)]
    pub(crate) fn bitset_count(&self) -> usize {
        self.bits.len()
    }

    /// Whether subtask `s` keeps keyed state: [`SeenKeys::see`] and [`SeenKeys::prefetch`] do
    /// nothing for one that does not.
    #[inline]
    pub(crate) fn tracks(&self, s: u32) -> bool {
        self.subtasks[s as usize].bits != STATELESS
    }

    /// Distinct keys subtask `s` has seen.
    pub(crate) fn distinct(&self, s: u32) -> u64 {
        self.subtasks[s as usize].distinct
    }

    /// What a snapshot of subtask `s` keeps.
    pub(crate) fn mark(&self, s: u32) -> KeysMark {
        let k = &self.subtasks[s as usize];
        KeysMark {
            distinct: k.distinct,
            cuts: k.cuts.len(),
        }
    }

    /// Restores the keys of each subtask to its snapshot's mark, or to none; their memtables
    /// are empty.
    pub(crate) fn restore(&mut self, targets: &[(u32, Option<KeysMark>)]) {
        let mut clear_all = vec![false; self.subtasks.len()];
        for &(s, mark) in targets {
            // Its memtable goes with the state it held.
            self.clear_memtable(s);
            let k = &mut self.subtasks[s as usize];
            if k.bits == STATELESS {
                continue;
            }
            let to = mark.map_or(0, |m| m.distinct);
            if let Some(m) = mark {
                assert!(self.logging, "subtask {s}: a snapshot restored without the key log");
                assert!(
                    k.holds(m),
                    "subtask {s}: a snapshot restored after a restore that undid it"
                );
                assert!(to >= k.log_base, "subtask {s}: a snapshot older than its key log");
            }
            if to < k.log_base {
                // From nothing, with keys seen before the log starts: cleared by owner below.
                clear_all[s as usize] = true;
                continue;
            }
            let keep = ((to - k.log_base) as usize).min(k.log.len());
            let words = &mut self.bits[k.bits as usize].words;
            for &key in &k.log[keep..] {
                let (w, shift) = slot(self.memtables, key);
                words[w] &= !(1 << shift);
            }
            k.log.truncate(keep);
            k.distinct = to;
            k.cuts.push(to);
        }
        if clear_all.iter().any(|c| *c) {
            self.clear_subtasks(&clear_all);
        }
    }

    /// No restore goes back beyond `oldest` (the oldest retained snapshot of subtask `s`): the
    /// log before it goes (the keys stay seen). The log holds only the keys first seen since.
    pub(crate) fn trim_log(&mut self, s: u32, oldest: KeysMark) {
        let k = &mut self.subtasks[s as usize];
        if !k.holds(oldest) || oldest.distinct <= k.log_base {
            return;
        }
        let drop = (oldest.distinct.min(k.distinct) - k.log_base) as usize;
        k.log.drain(..drop);
        if k.log.capacity() > 4 * k.log.len() + 64 {
            k.log.shrink_to(2 * k.log.len());
        }
        k.log_base += drop as u64;
    }

    /// Forgets every key of the flagged subtasks (a restore from nothing without a log).
    fn clear_subtasks(&mut self, flagged: &[bool]) {
        let (memtables, seen) = (self.memtables, seen_mask(self.memtables));
        let keys_per_word = if memtables { 32 } else { 64 };
        let keys_per_block = self.keys_per_block;
        for (bi, kb) in self.bits.iter_mut().enumerate() {
            let owners: Vec<usize> = (0..flagged.len())
                .filter(|&s| flagged[s] && self.subtasks[s].bits == bi as u32)
                .collect();
            if owners.is_empty() {
                continue;
            }
            match kb.shared_by {
                None => kb.words.iter_mut().for_each(|w| *w = 0),
                Some((first, max_p, p)) => {
                    for (wi, word) in kb.words.iter_mut().enumerate() {
                        let mut rest = *word & seen;
                        while rest != 0 {
                            let bit = rest.trailing_zeros();
                            rest &= rest - 1;
                            let block = wi as u32 * keys_per_word + if memtables { bit / 2 } else { bit };
                            // A block's owner is taken as its first key's (exact for single keys).
                            let key = block * keys_per_block;
                            if flagged[(first + key_to_subtask(key, max_p, p)) as usize] {
                                // Its memtable bit too: the owner's memtable list is dropped below.
                                *word &= !(if memtables { 3 << bit } else { 1 << bit });
                            }
                        }
                    }
                }
            }
            for s in owners {
                let k = &mut self.subtasks[s];
                k.distinct = 0;
                k.log.clear();
                k.log_base = 0;
                k.cuts.push(0);
                k.memtable.clear();
            }
        }
    }
}

impl SubtaskKeys {
    /// The mark is of this subtask's current timeline: no restore since cut below it.
    fn holds(&self, mark: KeysMark) -> bool {
        self.cuts[mark.cuts..].iter().all(|&c| c >= mark.distinct)
    }
}

/// Every input of the vertex whose first subtask is `s` is a hash edge: its subtasks see
/// disjoint keys.
fn keyed_inputs_only(graph: &JobGraph, s: u32) -> bool {
    let inputs = &graph.inputs[s as usize];
    !inputs.is_empty()
        && inputs.iter().all(|c| {
            let ch = &graph.channels[c.0 as usize];
            graph.outputs[ch.producer.0 as usize][ch.output_edge as usize].partitioning == Partitioning::Hash
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(p: u32, key_space: u64) -> SeenKeys {
        let mut k = SeenKeys {
            bits: vec![KeyBits {
                words: vec![0; key_space.div_ceil(64) as usize],
                shared_by: Some((0, 128, p)),
            }],
            subtasks: vec![SubtaskKeys::default(); p as usize],
            logging: false,
            memtables: false,
            keys_per_block: 1,
        };
        k.keep_log();
        k
    }

    /// Each subtask of a keyed operator sees the keys of its key groups; its distinct count
    /// and a restore to its snapshot are those of a bitset of its own.
    #[test]
    fn a_shared_bitset_counts_and_restores_each_subtask_like_its_own() {
        let (p, keys) = (7u32, 5000u32);
        let mut k = shared(p, keys as u64);
        let owner = |key: u32| key_to_subtask(key, 128, p);
        let mut own: Vec<std::collections::BTreeSet<u32>> = vec![Default::default(); p as usize];
        let mut marks = Vec::new();
        for round in 0..3u32 {
            for i in 0..keys {
                let key = (i * 7919 + round * 13) % keys;
                if i % (round + 2) == 0 {
                    let s = owner(key);
                    assert!(k.see(s, key).is_some());
                    own[s as usize].insert(key);
                }
            }
            marks.push(((0..p).map(|s| k.mark(s)).collect::<Vec<_>>(), own.clone()));
        }
        for s in 0..p {
            assert_eq!(k.distinct(s), own[s as usize].len() as u64);
        }
        // Back to the first snapshot: each count and each key's presence are the snapshot's.
        let (first, sets) = &marks[0];
        let targets: Vec<_> = (0..p).map(|s| (s, Some(first[s as usize]))).collect();
        k.restore(&targets);
        for key in 0..keys {
            let s = owner(key);
            let present = k.bits[0].words[(key / 64) as usize] & (1 << (key % 64)) != 0;
            assert_eq!(present, sets[s as usize].contains(&key), "key {key}");
        }
        for s in 0..p {
            assert_eq!(k.distinct(s), sets[s as usize].len() as u64);
        }
    }

    /// Negative control: restoring one subtask leaves its neighbours' keys in the shared bitset.
    #[test]
    fn restoring_one_subtask_keeps_the_others_keys() {
        let p = 4u32;
        let mut k = shared(p, 4096);
        for key in 0..4096u32 {
            k.see(key_to_subtask(key, 128, p), key);
        }
        let before: Vec<u64> = (0..p).map(|s| k.distinct(s)).collect();
        k.restore(&[(1, None)]);
        assert_eq!(k.distinct(1), 0);
        for s in [0u32, 2, 3] {
            assert_eq!(k.distinct(s), before[s as usize]);
        }
        // Subtask 1 sees its keys again as new; the others see theirs as known.
        for key in 0..4096u32 {
            k.see(key_to_subtask(key, 128, p), key);
        }
        let after: Vec<u64> = (0..p).map(|s| k.distinct(s)).collect();
        assert_eq!(after, before);
    }

    /// Once a checkpoint is the oldest a restore can reach, the log before it goes, and a
    /// restore to it is still exact.
    #[test]
    fn a_trimmed_log_still_restores_to_the_oldest_retained_snapshot() {
        let p = 4u32;
        let mut k = shared(p, 8192);
        let owner = |key: u32| key_to_subtask(key, 128, p);
        (0..4096u32).for_each(|key| assert!(k.see(owner(key), key).is_some()));
        let marks: Vec<KeysMark> = (0..p).map(|s| k.mark(s)).collect();
        (0..p).for_each(|s| k.trim_log(s, marks[s as usize]));
        assert!(
            k.subtasks.iter().all(|t| t.log.is_empty()),
            "nothing after the retained snapshot yet"
        );
        (4096..8192u32).for_each(|key| assert!(k.see(owner(key), key).is_some()));
        let logged: usize = k.subtasks.iter().map(|t| t.log.len()).sum();
        assert_eq!(logged, 4096, "only keys first seen after the snapshot are logged");
        k.restore(&(0..p).map(|s| (s, Some(marks[s as usize]))).collect::<Vec<_>>());
        let ones: Vec<u32> = k.bits[0].words.iter().map(|w| w.count_ones()).collect();
        assert!(ones[..64].iter().all(|&n| n == 64) && ones[64..].iter().all(|&n| n == 0));
        (0..p).for_each(|s| assert_eq!(k.distinct(s), marks[s as usize].distinct));
    }

    /// Without a log (no fault planned) a restore from nothing clears exactly the owner's bits.
    #[test]
    fn a_restore_without_log_clears_only_the_owners_keys() {
        let p = 4u32;
        let mut k = shared(p, 4096);
        k.logging = false;
        for key in 0..4096u32 {
            k.see(key_to_subtask(key, 128, p), key);
        }
        k.keep_log(); // starts late: the keys before it are not in the log
        let before: Vec<u64> = (0..p).map(|s| k.distinct(s)).collect();
        k.restore(&[(2, None)]);
        let ones: u64 = k.bits[0].words.iter().map(|w| w.count_ones() as u64).sum();
        assert_eq!(ones, 4096 - before[2]);
        assert_eq!(k.distinct(2), 0);
    }

    fn shared_with_memtables(p: u32, key_space: u64) -> SeenKeys {
        let mut k = SeenKeys {
            bits: vec![KeyBits {
                words: vec![0; key_space.div_ceil(32) as usize],
                shared_by: Some((0, 128, p)),
            }],
            subtasks: vec![SubtaskKeys::default(); p as usize],
            logging: false,
            memtables: true,
            keys_per_block: 1,
        };
        k.keep_log();
        k
    }

    /// With memtables, a write is "newest" once per key per memtable: again after its
    /// subtask's backend flushes, and a neighbour's flush (same shared bitset) changes nothing.
    #[test]
    fn a_key_is_new_to_each_memtable_once() {
        let p = 2u32;
        let mut k = shared_with_memtables(p, 4096);
        let owner = |key: u32| key_to_subtask(key, 128, p);
        let (a, b) = (
            (0..4096u32).find(|&x| owner(x) == 0).unwrap(),
            (0..4096u32).find(|&x| owner(x) == 1).unwrap(),
        );
        assert_eq!(k.see(0, a), Some(true));
        assert_eq!(k.see(0, a), Some(false), "a second version in the same memtable");
        assert_eq!(k.see(1, b), Some(true));
        k.memtable_flushed(0, 1);
        assert_eq!(k.see(0, a), Some(true), "a new memtable");
        assert_eq!(k.see(1, b), Some(false), "subtask 1 did not flush");
        k.memtable_flushed(0, 1);
        assert_eq!(k.see(0, a), Some(false), "no flush since: the memtable still holds it");
        assert_eq!((k.distinct(0), k.distinct(1)), (1, 1), "distinct keys unaffected");
        k.memtable_reopened(1);
        assert_eq!(k.see(1, b), Some(true), "a reopened instance's memtable is empty");
    }

    /// Two bits a key: counts and restores are those of the one-bit layout, seen and memtable
    /// bits do not leak into each other (a restore from nothing clears both of the owner's).
    #[test]
    fn memtable_bits_leave_counts_and_restores_alone() {
        let p = 4u32;
        let (mut one, mut two) = (shared(p, 8192), shared_with_memtables(p, 8192));
        let owner = |key: u32| key_to_subtask(key, 128, p);
        for key in (0..8192u32).map(|i| (i * 7919) % 8192).take(5000) {
            assert!(one.see(owner(key), key).is_some());
            assert!(two.see(owner(key), key).is_some());
        }
        let marks: Vec<KeysMark> = (0..p).map(|s| two.mark(s)).collect();
        for key in 0..8192u32 {
            one.see(owner(key), key);
            two.see(owner(key), key);
        }
        for s in 0..p {
            assert_eq!(one.distinct(s), two.distinct(s));
        }
        let targets: Vec<_> = (0..p).map(|s| (s, Some(marks[s as usize]))).collect();
        one.restore(&targets);
        two.restore(&targets);
        (0..p).for_each(|s| two.memtable_reopened(s));
        for key in 0..8192u32 {
            assert_eq!(
                one.see(owner(key), key).is_some(),
                two.see(owner(key), key) == Some(true)
            );
        }
        for s in 0..p {
            assert_eq!(one.distinct(s), two.distinct(s));
        }
        two.restore(&[(3, None)]);
        assert_eq!(two.distinct(3), 0);
        let key = (0..8192u32).find(|&x| owner(x) == 3).unwrap();
        assert_eq!(two.see(3, key), Some(true), "both of the owner's bits were cleared");
        assert_eq!(two.distinct(3), 1);
    }
}
