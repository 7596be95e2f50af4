//! A deterministic model of RocksDB's LSM tree with leveled compaction: which SST files exist,
//! how big they are, and when compaction replaces them. It decides what an incremental
//! checkpoint must upload (§1.7: only files not yet uploaded), so compaction shows up as the
//! upload spikes Flink users see, and what a native full checkpoint uploads (every live file).
//!
//! - Writes fill the memtable (`state.backend.rocksdb.writebuffer.size`) with every version
//!   they write; a full memtable, or the flush in a checkpoint's synchronous phase
//!   (`takeDBNativeCheckpoint`), writes one L0 file holding each key's newest version only
//!   (RocksDB's flush drops the versions a newer one in the same memtable hides, as no
//!   snapshot holds them: Flink's native checkpoints take none).
//! - `level0_file_num_compaction_trigger` L0 files are merged with all of L1 (L0 files span the
//!   whole key range, so every L1 file overlaps them).
//! - A level i >= 1 above its target (`max-size-level-base` x multiplier^(i-1)) moves its files
//!   one at a time, round robin, into level i+1, merged with the share of level i+1 they overlap
//!   (keys are assumed spread evenly).
//! - Output is cut into files of `target-file-size-base`. Merging drops obsolete versions: the
//!   bytes on disk beyond the live state are garbage, and a compaction removes the garbage share
//!   of its input.
//!
//! Compaction is instantaneous here: its I/O competes with nothing (see the report's gaps).

use super::StateWrites;
use super::manifest::{FilesWritten, ManifestConfig, Pace, manifest_bytes};

/// RocksDB's default `num_levels`.
pub const NUM_LEVELS: usize = 7;

/// Bound on compactions run after one flush; each moves at least one file down a level, so a
/// real run needs far fewer.
const COMPACTIONS_PER_FLUSH_MAX: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LsmConfig {
    pub write_buffer_bytes: u64,
    pub level0_file_num_compaction_trigger: u32,
    pub max_size_level_base_bytes: u64,
    pub level_multiplier: u32,
    pub target_file_size_bytes: u64,
    /// The MANIFEST: the instance's age at the run's start, and RocksDB's roll-over size.
    pub manifest: ManifestConfig,
}

/// One immutable SST file. Ids are never reused, so "same id" means "same file".
#[cfg(test)]
impl LsmConfig {
    /// Flink's default RocksDB options (`state.backend.rocksdb.writebuffer.size` 64 MiB, 4 L0
    /// files to compact, 256 MiB level base, multiplier 10, 64 MiB target files): the shape
    /// the backends' unit tests run on.
    pub(crate) fn flink_defaults() -> LsmConfig {
        const MIB: u64 = 1024 * 1024;
        LsmConfig {
            write_buffer_bytes: 64 * MIB,
            level0_file_num_compaction_trigger: 4,
            max_size_level_base_bytes: 256 * MIB,
            level_multiplier: 10,
            target_file_size_bytes: 64 * MIB,
            manifest: ManifestConfig::fresh(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SstFile {
    pub id: u64,
    pub bytes: u64,
}

#[derive(Clone, Debug)]
pub struct LsmTree {
    cfg: LsmConfig,
    memtable_bytes: u64,
    /// Puts the memtable holds (every version: a flush iterates them all).
    memtable_puts: u64,
    /// Bytes of each key's newest version in the memtable: what its flush writes.
    memtable_newest_bytes: u64,
    levels: Vec<Vec<SstFile>>,
    /// Round-robin position of the next file to compact out of each level.
    cursors: Vec<usize>,
    next_file_id: u64,
    /// The id of the first file this instance wrote: every id since is a file written.
    first_file_id: u64,
    /// Files cut from the state the instance opened with (the rest were written since).
    files_at_open: u64,
    /// When the first native checkpoint was taken, and the files written by then: where the
    /// MANIFEST's pace is measured from.
    first_checkpoint: Option<(u64, u64)>,
    live_bytes: u64,
    flushes: u64,
    compacted_bytes_total: u64,
}

impl LsmTree {
    /// A tree holding `initial_live_bytes` already compacted into the lowest level that fits
    /// (a bulk-loaded or long-running store).
    pub fn new(cfg: LsmConfig, initial_live_bytes: u64, first_file_id: u64) -> Self {
        let mut t = LsmTree {
            cfg,
            memtable_bytes: 0,
            memtable_puts: 0,
            memtable_newest_bytes: 0,
            levels: vec![Vec::new(); NUM_LEVELS],
            cursors: vec![0; NUM_LEVELS],
            next_file_id: first_file_id,
            first_file_id,
            files_at_open: 0,
            first_checkpoint: None,
            live_bytes: initial_live_bytes,
            flushes: 0,
            compacted_bytes_total: 0,
        };
        if initial_live_bytes > 0 {
            let level = (1..NUM_LEVELS - 1)
                .find(|l| t.level_target_bytes(*l) >= initial_live_bytes)
                .unwrap_or(NUM_LEVELS - 1);
            let files = t.cut_into_files(initial_live_bytes);
            t.files_at_open = files.len() as u64;
            t.levels[level] = files;
        }
        t
    }

    pub fn config(&self) -> &LsmConfig {
        &self.cfg
    }

    /// Target size of level `l` >= 1; the bottom level has none.
    pub fn level_target_bytes(&self, l: usize) -> u64 {
        let mut t = self.cfg.max_size_level_base_bytes;
        for _ in 1..l {
            t = t.saturating_mul(self.cfg.level_multiplier as u64);
        }
        t
    }

    /// State writes (puts, merges, deletes), after which the live state is `live_bytes`. Full
    /// memtables are flushed (and compacted) as they fill; the puts are spread over the bytes.
    pub fn write(&mut self, written: StateWrites, live_bytes: u64) {
        self.live_bytes = live_bytes;
        let mut left = written.bytes;
        let wb = self.cfg.write_buffer_bytes.max(1);
        let mut flushed = false;
        // The keys' newest versions go into the memtable with their bytes, by proportion.
        let total = written.bytes.max(1) as u128;
        let mut newest_left = written.newest_bytes;
        // A write larger than many memtables would flush many times; the bound keeps a huge
        // input from looping long (the excess lands in the last memtable).
        for _ in 0..COMPACTIONS_PER_FLUSH_MAX {
            if left == 0 {
                break;
            }
            let room = wb - self.memtable_bytes.min(wb);
            let take = left.min(room);
            let newest = if take == left {
                newest_left
            } else {
                ((written.newest_bytes as u128 * take as u128 / total) as u64).min(newest_left)
            };
            self.memtable_bytes += take;
            self.memtable_newest_bytes += newest;
            left -= take;
            newest_left -= newest;
            if self.memtable_bytes >= wb {
                self.flush();
                flushed = true;
            }
        }
        self.memtable_bytes += left;
        self.memtable_newest_bytes += newest_left;
        self.memtable_puts += if flushed {
            // The puts of the bytes still in the memtable, by proportion.
            (written.puts as u128 * self.memtable_bytes as u128 / total) as u64
        } else {
            written.puts
        };
    }

    /// Flush the memtable to a new L0 file (if it holds anything) of each key's newest
    /// version, without compacting: a checkpoint's native checkpoint captures the files right
    /// after its flush.
    pub fn flush_without_compaction(&mut self) -> Option<SstFile> {
        if self.memtable_bytes == 0 {
            return None;
        }
        let f = SstFile {
            id: self.take_file_id(),
            bytes: self.memtable_newest_bytes.clamp(1, self.memtable_bytes),
        };
        self.memtable_bytes = 0;
        self.memtable_puts = 0;
        self.memtable_newest_bytes = 0;
        self.flushes += 1;
        self.levels[0].push(f);
        Some(f)
    }

    /// Flush, then run the compactions that became due.
    pub fn flush(&mut self) {
        self.flush_without_compaction();
        self.maybe_compact();
    }

    pub fn memtable_bytes(&self) -> u64 {
        self.memtable_bytes
    }

    /// What the memtable holds: its bytes and puts, and its keys' newest versions.
    pub fn memtable_writes(&self) -> StateWrites {
        StateWrites {
            bytes: self.memtable_bytes,
            puts: self.memtable_puts,
            newest_bytes: self.memtable_newest_bytes,
        }
    }

    pub fn live_bytes(&self) -> u64 {
        self.live_bytes
    }

    pub fn flushes(&self) -> u64 {
        self.flushes
    }

    /// Bytes written by compactions so far (write amplification).
    pub fn compacted_bytes_total(&self) -> u64 {
        self.compacted_bytes_total
    }

    /// Every live SST file, level by level (L0 newest last).
    pub fn live_files(&self) -> impl Iterator<Item = &SstFile> {
        self.levels.iter().flatten()
    }

    pub fn level_bytes(&self, l: usize) -> u64 {
        self.levels[l].iter().map(|f| f.bytes).sum()
    }

    pub fn sst_bytes(&self) -> u64 {
        self.live_files().map(|f| f.bytes).sum()
    }

    pub fn num_files(&self) -> usize {
        self.levels.iter().map(Vec::len).sum()
    }

    /// Runs every compaction that is due, L0 first, then upper levels before lower ones.
    pub fn maybe_compact(&mut self) {
        for _ in 0..COMPACTIONS_PER_FLUSH_MAX {
            if self.levels[0].len() >= self.cfg.level0_file_num_compaction_trigger as usize {
                let l0 = std::mem::take(&mut self.levels[0]);
                let l1 = std::mem::take(&mut self.levels[1]);
                let merged = self.merge(l0.iter().chain(l1.iter()));
                self.levels[1] = merged;
                continue;
            }
            let Some(level) = (1..NUM_LEVELS - 1).find(|l| self.level_bytes(*l) > self.level_target_bytes(*l)) else {
                return;
            };
            self.compact_one_file(level);
        }
    }

    /// Moves one file of `level` into `level + 1`, merged with the files it overlaps there.
    fn compact_one_file(&mut self, level: usize) {
        let level_bytes = self.level_bytes(level).max(1);
        let pick = self.cursors[level] % self.levels[level].len();
        let file = self.levels[level].remove(pick);
        self.cursors[level] = pick;
        let next = level + 1;
        let n_next = self.levels[next].len();
        // Evenly spread keys: the file covers bytes/level_bytes of the key range, so it overlaps
        // that share of the next level's files (at least one when there are any).
        let overlap = if n_next == 0 {
            0
        } else {
            let share = (n_next as u128 * file.bytes as u128).div_ceil(level_bytes as u128) as usize;
            share.clamp(1, n_next)
        };
        let start = self.cursors[next] % n_next.max(1);
        let mut inputs = vec![file];
        for _ in 0..overlap {
            // Remove at `start` repeatedly, wrapping: these are contiguous in key order.
            let idx = if start < self.levels[next].len() { start } else { 0 };
            inputs.push(self.levels[next].remove(idx));
        }
        self.cursors[next] = start;
        let merged = self.merge(inputs.iter());
        let at = start.min(self.levels[next].len());
        self.levels[next].splice(at..at, merged);
    }

    /// Merge `inputs` into new files, dropping their share of the garbage.
    fn merge<'a>(&mut self, inputs: impl Iterator<Item = &'a SstFile>) -> Vec<SstFile> {
        let input_bytes: u64 = inputs.map(|f| f.bytes).sum();
        // The inputs are still counted in the tree while the garbage share is computed.
        let on_disk = self.sst_bytes() + input_bytes + self.memtable_newest_bytes;
        let garbage = on_disk.saturating_sub(self.live_bytes);
        let removed = if on_disk == 0 {
            0
        } else {
            (garbage as u128 * input_bytes as u128 / on_disk as u128) as u64
        };
        let out = input_bytes - removed.min(input_bytes);
        self.compacted_bytes_total += out;
        self.cut_into_files(out)
    }

    fn cut_into_files(&mut self, bytes: u64) -> Vec<SstFile> {
        let target = self.cfg.target_file_size_bytes.max(1);
        let n = bytes.div_ceil(target);
        let mut files = Vec::with_capacity(n as usize);
        let mut left = bytes;
        for i in 0..n {
            let size = left / (n - i);
            left -= size;
            files.push(SstFile {
                id: self.take_file_id(),
                bytes: size,
            });
        }
        files
    }

    fn take_file_id(&mut self) -> u64 {
        let id = self.next_file_id;
        self.next_file_id += 1;
        id
    }

    /// The next file id this tree would use (so that a second id space can start after it).
    pub fn next_file_id(&self) -> u64 {
        self.next_file_id
    }

    /// SST files this instance has written since it opened (its initial files, flushes and
    /// compaction outputs): each one is a version edit in its MANIFEST.
    pub fn files_written(&self) -> u64 {
        self.next_file_id - self.first_file_id
    }

    /// The MANIFEST a native checkpoint copies `now_ns` into the run ([`manifest_bytes`]); the
    /// first one also marks where the instance's pace is measured from.
    pub fn checkpoint_manifest_bytes(&mut self, now_ns: u64) -> u64 {
        let since_open = self.files_written() - self.files_at_open;
        let (t0, files0) = *self.first_checkpoint.get_or_insert((now_ns, since_open));
        let pace = (now_ns > t0).then(|| Pace {
            files: since_open - files0,
            over_ns: now_ns - t0,
        });
        let files = FilesWritten {
            at_open: self.files_at_open,
            since_open,
        };
        manifest_bytes(&self.cfg.manifest, files, pace)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;

    fn cfg() -> LsmConfig {
        LsmConfig::flink_defaults()
    }

    /// The memtable counts its puts until a flush empties it; a write that fills a memtable
    /// leaves the new memtable the puts of its bytes, by proportion.
    #[test]
    fn memtable_puts_follow_its_bytes() {
        let mut t = LsmTree::new(cfg(), 0, 1);
        let w = |bytes, puts, newest_bytes| StateWrites {
            bytes,
            puts,
            newest_bytes,
        };
        t.write(w(1_000, 10, 1_000), 1_000);
        t.write(w(1_000, 30, 500), 2_000);
        assert_eq!(t.memtable_writes(), w(2_000, 40, 1_500));
        t.flush_without_compaction();
        assert_eq!(t.memtable_writes(), StateWrites::default());
        // 64 MiB + 2 MiB in 660 puts to 330 keys' worth: a full memtable flushes, 2 MiB (20
        // puts, 1 MiB of newest versions) stay.
        t.write(w(66 * MIB, 660, 33 * MIB), 66 * MIB);
        assert_eq!(t.memtable_writes(), w(2 * MIB, 20, MIB));
    }

    /// A flush writes each key's newest version: a memtable of 1000 puts to 600 keys makes a
    /// file of 600 entries' bytes, and the memtable's fill counts all 1000.
    #[test]
    fn a_flush_keeps_each_keys_newest_version() {
        let mut t = LsmTree::new(cfg(), 0, 1);
        let written = StateWrites {
            bytes: 1_000 * 400,
            puts: 1_000,
            newest_bytes: 600 * 400,
        };
        t.write(written, 600 * 400);
        assert_eq!(t.memtable_bytes(), 400_000, "every version fills the memtable");
        let f = t.flush_without_compaction().expect("a file");
        assert_eq!(f.bytes, 240_000, "one version per key");
        // Negative control: writes to a key each flush every byte.
        t.write(StateWrites::bytes(400_000), 640_000);
        assert_eq!(t.flush_without_compaction().expect("a file").bytes, 400_000);
    }

    /// RocksDB leveled compaction: the fourth L0 file triggers an L0 -> L1 merge.
    #[test]
    fn four_level0_files_are_merged_into_level1() {
        let mut t = LsmTree::new(cfg(), 0, 1);
        for i in 1..=3u64 {
            t.write(StateWrites::bytes(64 * MIB), 64 * MIB * i);
        }
        assert_eq!(t.levels[0].len(), 3);
        t.write(StateWrites::bytes(64 * MIB), 256 * MIB);
        assert!(t.levels[0].is_empty());
        assert_eq!(t.level_bytes(1), 256 * MIB, "all live: nothing to drop");
        assert_eq!(t.levels[1].len(), 4, "cut into 64 MiB files");
    }

    /// Overwrites leave garbage that compaction removes: the tree shrinks towards the live size.
    #[test]
    fn compaction_drops_obsolete_versions() {
        let mut t = LsmTree::new(cfg(), 100 * MIB, 1);
        for _ in 0..40 {
            t.write(StateWrites::bytes(64 * MIB), 100 * MIB); // pure overwrites: the live state stays 100 MiB
        }
        let on_disk = t.sst_bytes() + t.memtable_bytes();
        assert!(on_disk < 4 * 100 * MIB, "space amplification stays bounded: {on_disk}");
        assert!(t.compacted_bytes_total() > 0);
    }

    /// Levels above their target push files down, so no level (but the last) stays over it.
    #[test]
    fn levels_stay_within_their_targets() {
        let mut t = LsmTree::new(cfg(), 0, 1);
        let mut live = 0;
        for _ in 0..60 {
            live += 64 * MIB;
            t.write(StateWrites::bytes(64 * MIB), live);
        }
        for l in 1..NUM_LEVELS - 1 {
            assert!(t.level_bytes(l) <= t.level_target_bytes(l), "level {l}");
        }
        assert_eq!(t.sst_bytes() + t.memtable_bytes(), live, "growth only: no garbage");
    }
}
