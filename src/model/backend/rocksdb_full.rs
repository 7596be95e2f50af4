//! `EmbeddedRocksDBStateBackend` with full checkpoints, as Flink 2.x takes them
//! (`RocksNativeFullSnapshotStrategy`): the synchronous part is a native checkpoint (flush what
//! the memtable holds since the last flush, hard-link the live SSTs); the asynchronous part
//! uploads **every** file of it as private state. The full size is therefore what RocksDB holds
//! on disk, overwritten versions not yet compacted away included: it grows with the writes and
//! drops when a compaction merges them, exactly like the incremental backend's `state_size`.
//! It runs on the same [`LsmTree`] as the incremental backend.

use std::collections::BTreeMap;

use super::lsm::LsmTree;
use super::rocksdb_incremental::CheckpointFile;
use super::rocksdb_snapshot::{self, take_native_checkpoint, upload_everything};
use super::{BackendConfig, SavepointFormat, SnapshotCost, StateWrites};
use crate::ids::CheckpointId;
use crate::time::SimTime;

/// Per-checkpoint file lists kept for inspection (the newest ones; Flink keeps none).
const REFERENCED_MAX: usize = 64;
/// The misc files of a checkpoint get ids in their own space, above every SST id.
const PRIVATE_ID_BASE: u64 = 1 << 62;

#[derive(Clone, Debug)]
pub struct RocksDbFullBackend {
    cfg: BackendConfig,
    lsm: LsmTree,
    /// Distinct keys (entries) in the state, for canonical savepoints.
    entries: u64,
    referenced: BTreeMap<CheckpointId, Vec<CheckpointFile>>,
    next_private_id: u64,
}

impl RocksDbFullBackend {
    pub fn new(cfg: BackendConfig, initial_live_bytes: u64) -> Self {
        RocksDbFullBackend {
            cfg,
            lsm: LsmTree::new(cfg.lsm, initial_live_bytes, 1),
            entries: 0,
            referenced: BTreeMap::new(),
            next_private_id: PRIVATE_ID_BASE,
        }
    }

    pub fn on_state_change(&mut self, written: StateWrites, live_bytes: u64) {
        self.lsm.write(written, live_bytes);
    }

    pub fn on_entries(&mut self, entries: u64) {
        self.entries = entries;
    }

    pub fn live_bytes(&self) -> u64 {
        self.lsm.live_bytes()
    }

    pub fn lsm(&self) -> &LsmTree {
        &self.lsm
    }

    /// The files checkpoint `checkpoint` uploaded (one of the newest `REFERENCED_MAX`).
    pub fn referenced_files(&self, checkpoint: CheckpointId) -> Option<&[CheckpointFile]> {
        self.referenced.get(&checkpoint).map(Vec::as_slice)
    }

    /// A full checkpoint: native checkpoint, then every file uploaded.
    pub fn snapshot(&mut self, now: SimTime, checkpoint: CheckpointId) -> SnapshotCost {
        let nc = take_native_checkpoint(&mut self.lsm, &self.cfg.flush, now.0);
        let mut files: Vec<CheckpointFile> = nc
            .ssts
            .iter()
            .map(|f| CheckpointFile {
                id: f.id,
                bytes: f.bytes,
                shared: false,
            })
            .collect();
        for bytes in &nc.misc_bytes {
            files.push(CheckpointFile {
                id: self.next_private_id,
                bytes: *bytes,
                shared: false,
            });
            self.next_private_id += 1;
        }
        self.referenced.insert(checkpoint, files);
        while self.referenced.len() > REFERENCED_MAX {
            self.referenced.pop_first();
        }
        // The compaction the flush made due runs in the background, after the native checkpoint.
        self.lsm.maybe_compact();
        upload_everything(&nc, &self.cfg)
    }

    /// A savepoint in the configured format.
    pub fn snapshot_savepoint(&mut self, now: SimTime) -> SnapshotCost {
        match self.cfg.savepoint_format {
            SavepointFormat::Canonical => {
                rocksdb_snapshot::canonical_savepoint(self.lsm.live_bytes(), self.entries, &self.cfg.heap)
            }
            SavepointFormat::Native => rocksdb_snapshot::native_savepoint(&mut self.lsm, &self.cfg, now.0),
        }
    }
}

/// Checks that a full checkpoint reports as its full size exactly the bytes of the files it
/// uploads: `Err` names the difference.
pub fn check_full_size(cost: &SnapshotCost, files: &[CheckpointFile]) -> Result<(), String> {
    let referenced: u64 = files.iter().map(|f| f.bytes).sum();
    let planned: u64 = cost.upload_plan.iter().flatten().sum();
    if cost.state_size != referenced || cost.checkpointed_size != referenced || planned != referenced {
        return Err(format!(
            "state_size {} / checkpointed_size {} / uploaded {} != {} referenced",
            cost.state_size, cost.checkpointed_size, planned, referenced
        ));
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::backend::lsm::LsmConfig;
    use crate::model::backend::rocksdb_snapshot::{HARD_LINK_NS, MISC_FILES};
    use crate::model::backend::{FlushCost, HeapSerializeCost};
    use crate::vocab::StateBackendKind;

    const MIB: u64 = 1024 * 1024;

    pub(crate) fn cfg() -> BackendConfig {
        BackendConfig {
            kind: StateBackendKind::Rocksdb,
            incremental: false,
            local_disk_bytes_per_s: 100e6,
            flush: FlushCost {
                bytes_per_s: 100e6,
                ns_per_entry: 0.0,
                fixed_ns: 2_000_000,
                flush_sync_ns: 0,
            },
            transfer_threads: 4,
            background_jobs: 2,
            savepoint_format: SavepointFormat::Canonical,
            lsm: LsmConfig::flink_defaults(),
            num_retained: 1,
            heap: HeapSerializeCost {
                ns_per_entry: 250.0,
                bytes_per_s: 2.5e9,
            },
            changelog: None,
        }
    }

    /// The definition: a native full checkpoint's full size equals the live SST files
    /// it references (plus its misc files), which are exactly the LSM's files after the flush.
    /// Negative control: a size one byte off, or one that counts only the live state, is caught.
    #[test]
    fn full_size_equals_the_live_sst_files_it_references() {
        let mut b = RocksDbFullBackend::new(cfg(), 200 * MIB);
        for id in 1..=20 {
            b.on_state_change(StateWrites::bytes(16 * MIB), 200 * MIB); // overwrites: the live state stays
            let live_ids: Vec<u64> = {
                let mut probe = b.lsm.clone();
                probe.flush_without_compaction();
                probe.live_files().map(|f| f.id).collect()
            };
            let c = b.snapshot(SimTime(0), id);
            let files = b.referenced_files(id).expect("kept");
            check_full_size(&c, files).unwrap_or_else(|e| panic!("checkpoint {id}: {e}"));
            let sst_ids: Vec<u64> = files.iter().filter(|f| f.id < PRIVATE_ID_BASE).map(|f| f.id).collect();
            assert_eq!(sst_ids, live_ids, "checkpoint {id}: every live SST, nothing else");
            assert_eq!(files.len(), live_ids.len() + MISC_FILES as usize);
            assert!(files.iter().all(|f| !f.shared), "a full checkpoint's files are private");

            let mut off_by_one = c.clone();
            off_by_one.state_size += 1;
            assert!(check_full_size(&off_by_one, files).is_err(), "negative control");
            let mut live_only = c.clone();
            live_only.state_size = b.live_bytes();
            live_only.checkpointed_size = b.live_bytes();
            if c.state_size != b.live_bytes() {
                assert!(
                    check_full_size(&live_only, files).is_err(),
                    "the legacy definition is caught"
                );
            }
        }
    }

    /// Overwrites pile up as L0 files until a compaction merges them: the full size climbs
    /// above the live state, then falls back (a saw-tooth), never below the live state.
    #[test]
    fn full_size_saw_tooths_with_compaction() {
        let mut b = RocksDbFullBackend::new(cfg(), 200 * MIB);
        let sizes: Vec<u64> = (1..=16)
            .map(|id| {
                b.on_state_change(StateWrites::bytes(16 * MIB), 200 * MIB);
                b.snapshot(SimTime(0), id).state_size
            })
            .collect();
        assert!(sizes.iter().all(|s| *s >= 200 * MIB), "{sizes:?}");
        let rises = sizes.windows(2).filter(|w| w[1] > w[0]).count();
        let drops = sizes.windows(2).filter(|w| w[1] + 8 * MIB < w[0]).count();
        assert!(rises >= 8 && drops >= 3, "saw-tooth expected: {sizes:?}");
        let max = *sizes.iter().max().expect("16");
        assert!(max >= 240 * MIB, "overwritten versions are uploaded: {sizes:?}");
    }

    /// The synchronous part flushes only what was written since the last flush: twice the
    /// writes (a twice as long interval at the same rate) cost twice the CPU, the fixed part
    /// once; a checkpoint right after another flushes nothing.
    #[test]
    fn sync_grows_with_the_writes_since_the_last_flush() {
        let sync_after = |written: u64| {
            let mut b = RocksDbFullBackend::new(cfg(), 100 * MIB);
            b.snapshot(SimTime(0), 1);
            b.on_state_change(StateWrites::bytes(written), 100 * MIB);
            b.snapshot(SimTime(0), 2)
        };
        let one = sync_after(2_000_000);
        let two = sync_after(4_000_000);
        assert_eq!(one.sync_cpu_ns, 20_000_000, "2 MB at 100 MB/s");
        assert_eq!(two.sync_cpu_ns, 2 * one.sync_cpu_ns);
        assert_eq!(
            one.sync_ns,
            2_000_000 + 3 * HARD_LINK_NS,
            "fixed + 2 L1 files + the new one"
        );
        let mut b = RocksDbFullBackend::new(cfg(), 100 * MIB);
        b.on_state_change(StateWrites::bytes(2_000_000), 100 * MIB);
        b.snapshot(SimTime(0), 1);
        assert_eq!(
            b.snapshot(SimTime(0), 2).sync_cpu_ns,
            0,
            "the memtable is empty after a flush"
        );
    }

    /// A canonical savepoint iterates and serializes every entry (CPU on the snapshot thread,
    /// one stream), so it takes longer than a checkpoint of the same state; a native one
    /// copies the checkpoint's files and costs what a full checkpoint costs.
    #[test]
    fn canonical_savepoint_serializes_native_savepoint_copies_files() {
        let mut canonical = RocksDbFullBackend::new(cfg(), 100 * MIB);
        canonical.on_entries(200_000);
        let mut native_cfg = cfg();
        native_cfg.savepoint_format = SavepointFormat::Native;
        let mut native = RocksDbFullBackend::new(native_cfg, 100 * MIB);
        native.on_entries(200_000);
        let mut checkpointing = RocksDbFullBackend::new(cfg(), 100 * MIB);

        let sp = canonical.snapshot_savepoint(SimTime(0));
        let cp = checkpointing.snapshot(SimTime(0), 1);
        let nsp = native.snapshot_savepoint(SimTime(0));
        // 200 000 entries x 250 ns + 100 MiB at 2.5 GB/s.
        assert!(
            sp.async_cpu_ns.abs_diff(50_000_000 + 41_943_040) <= 1,
            "{}",
            sp.async_cpu_ns
        );
        assert_eq!(
            (sp.upload_bytes, sp.upload_threads, sp.upload_files()),
            (100 * MIB, 1, 1)
        );
        assert_eq!(sp.sync_cpu_ns + sp.sync_ns, 0, "a RocksDB snapshot, no flush");
        assert_eq!(cp.async_cpu_ns, 0, "a checkpoint uploads files, it serializes nothing");
        assert_eq!(nsp, cp, "a native savepoint is a full checkpoint's copy of the files");
    }
}
