//! `EmbeddedRocksDBStateBackend` with incremental checkpoints (`RocksIncrementalSnapshotStrategy`,
//! §1.7). The synchronous part takes a native checkpoint (memtable flush + hard links); the
//! asynchronous part uploads the SST files not already confirmed by the last completed
//! checkpoint (`uploadedSstFiles`, pruned on `notifyCheckpointComplete`), plus the small files
//! (MANIFEST, CURRENT, OPTIONS) every time. `checkpointed_size` is that delta, `state_size` the
//! sum of every file the checkpoint references; shared files are reference-counted across
//! retained checkpoints ([`SharedStateRegistry`]).

use std::collections::{BTreeMap, BTreeSet};

use super::lsm::{LsmTree, SstFile};
use super::rocksdb_snapshot::{self, take_native_checkpoint};
use super::shared_registry::SharedStateRegistry;
use super::{BackendConfig, SavepointFormat, SnapshotCost, StateWrites};
use crate::ids::CheckpointId;
use crate::time::SimTime;
/// Private (not shared) files get ids in their own space, above every SST id.
const PRIVATE_ID_BASE: u64 = 1 << 62;
/// Per-checkpoint file lists kept for inspection (pending and retained ones; more is a leak).
const REFERENCED_MAX: usize = 64;

/// A file a checkpoint refers to in checkpoint storage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckpointFile {
    pub id: u64,
    pub bytes: u64,
    /// Shared SST (reference-counted across checkpoints) or private to this checkpoint.
    pub shared: bool,
}

#[derive(Clone, Debug)]
pub struct RocksDbIncrementalBackend {
    cfg: BackendConfig,
    lsm: LsmTree,
    /// `uploadedSstFiles`: SST ids per checkpoint, kept from the last completed one on.
    uploaded: BTreeMap<CheckpointId, Vec<u64>>,
    last_completed: CheckpointId,
    registry: SharedStateRegistry,
    referenced: BTreeMap<CheckpointId, Vec<CheckpointFile>>,
    next_private_id: u64,
    /// Distinct keys (entries) in the state, for canonical savepoints.
    entries: u64,
}

impl RocksDbIncrementalBackend {
    pub fn new(cfg: BackendConfig, initial_live_bytes: u64) -> Self {
        RocksDbIncrementalBackend {
            cfg,
            lsm: LsmTree::new(cfg.lsm, initial_live_bytes, 1),
            uploaded: BTreeMap::new(),
            last_completed: 0,
            registry: SharedStateRegistry::new(cfg.num_retained),
            referenced: BTreeMap::new(),
            next_private_id: PRIVATE_ID_BASE,
            entries: 0,
        }
    }

    pub fn on_entries(&mut self, entries: u64) {
        self.entries = entries;
    }

    pub fn on_state_change(&mut self, written: StateWrites, live_bytes: u64) {
        self.lsm.write(written, live_bytes);
    }

    pub fn live_bytes(&self) -> u64 {
        self.lsm.live_bytes()
    }

    pub fn lsm(&self) -> &LsmTree {
        &self.lsm
    }

    pub fn registry(&self) -> &SharedStateRegistry {
        &self.registry
    }

    /// The files checkpoint `checkpoint` refers to (while it is pending or retained).
    pub fn referenced_files(&self, checkpoint: CheckpointId) -> Option<&[CheckpointFile]> {
        self.referenced.get(&checkpoint).map(Vec::as_slice)
    }

    pub fn snapshot(&mut self, now: SimTime, checkpoint: CheckpointId) -> SnapshotCost {
        // Sync: takeDBNativeCheckpoint = flush the memtable, hard-link every live SST.
        let nc = take_native_checkpoint(&mut self.lsm, &self.cfg.flush, now.0);
        let ssts: &[SstFile] = &nc.ssts;

        // Async: upload what the last completed checkpoint did not confirm.
        let confirmed: BTreeSet<u64> = self
            .uploaded
            .get(&self.last_completed)
            .map(|v| v.iter().copied().collect())
            .unwrap_or_default();
        let new: Vec<&SstFile> = ssts.iter().filter(|f| !confirmed.contains(&f.id)).collect();
        let new_bytes: u64 = new.iter().map(|f| f.bytes).sum();
        let misc_bytes: u64 = nc.misc_bytes.iter().sum();

        let mut files: Vec<CheckpointFile> = ssts
            .iter()
            .map(|f| CheckpointFile {
                id: f.id,
                bytes: f.bytes,
                shared: true,
            })
            .collect();
        files.push(CheckpointFile {
            id: self.next_private_id,
            bytes: misc_bytes,
            shared: false,
        });
        self.next_private_id += 1;
        let state_size = files.iter().map(|f| f.bytes).sum();

        self.registry
            .register(checkpoint, files.iter().map(|f| (f.id, f.bytes)).collect());
        self.uploaded.insert(checkpoint, ssts.iter().map(|f| f.id).collect());
        self.referenced.insert(checkpoint, files);
        while self.referenced.len() > REFERENCED_MAX {
            self.referenced.pop_first();
        }
        // Compaction due after the flush runs in the background, after the native checkpoint:
        // its new files go out with the next checkpoint (the "compaction spike").
        self.lsm.maybe_compact();

        // `uploadSnapshotFiles`: the new SSTs, then (once they are all up) the misc files.
        let mut upload_plan = vec![];
        if !new.is_empty() {
            upload_plan.push(new.iter().map(|f| f.bytes).collect());
        }
        upload_plan.push(nc.misc_bytes.clone());
        SnapshotCost {
            sync_ns: nc.sync_ns,
            sync_cpu_ns: nc.sync_cpu_ns,
            sync_held_ns: nc.sync_held_ns,
            upload_bytes: new_bytes + misc_bytes,
            upload_plan,
            upload_threads: self.cfg.transfer_threads.max(1),
            async_delay_ns: 0,
            async_cpu_ns: 0,
            written_by_snapshot_thread: false,
            checkpointed_size: new_bytes + misc_bytes,
            state_size,
            changelog_replay_bytes: 0,
        }
    }

    /// A savepoint in the configured format: no shared files, no bookkeeping (a native one
    /// uploads every file, `SharingFilesStrategy.NO_SHARING`).
    pub fn snapshot_savepoint(&mut self, now: SimTime) -> SnapshotCost {
        match self.cfg.savepoint_format {
            SavepointFormat::Canonical => {
                rocksdb_snapshot::canonical_savepoint(self.lsm.live_bytes(), self.entries, &self.cfg.heap)
            }
            SavepointFormat::Native => rocksdb_snapshot::native_savepoint(&mut self.lsm, &self.cfg, now.0),
        }
    }

    /// `notifyCheckpointComplete`: the files of `checkpoint` are now confirmed.
    pub fn notify_checkpoint_complete(&mut self, checkpoint: CheckpointId) {
        if checkpoint > self.last_completed && self.uploaded.contains_key(&checkpoint) {
            self.uploaded.retain(|id, _| *id >= checkpoint);
            self.last_completed = checkpoint;
        }
        self.registry.checkpoint_completed(checkpoint);
        let tracked: BTreeSet<CheckpointId> = self.registry.retained().copied().collect();
        self.referenced.retain(|id, _| *id > checkpoint || tracked.contains(id));
    }

    /// `notifyCheckpointAborted`: its upload list is forgotten, its own files deleted.
    pub fn notify_checkpoint_aborted(&mut self, checkpoint: CheckpointId) {
        self.uploaded.remove(&checkpoint);
        self.registry.checkpoint_aborted(checkpoint);
        self.referenced.remove(&checkpoint);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::backend::lsm::LsmConfig;
    use crate::vocab::StateBackendKind;

    const MIB: u64 = 1024 * 1024;

    fn cfg(num_retained: u32) -> BackendConfig {
        BackendConfig {
            kind: StateBackendKind::Rocksdb,
            incremental: true,
            local_disk_bytes_per_s: 200e6,
            flush: crate::model::backend::FlushCost {
                bytes_per_s: 200e6,
                ns_per_entry: 0.0,
                fixed_ns: 0,
                flush_sync_ns: 0,
            },
            transfer_threads: 4,
            background_jobs: 2,
            savepoint_format: SavepointFormat::Canonical,
            lsm: LsmConfig::flink_defaults(),
            num_retained,
            heap: crate::model::backend::HeapSerializeCost::FREE,
            changelog: None,
        }
    }

    /// §1.7: for a large, slowly changing state the delta is far below the full size, and the
    /// files a checkpoint references always add up to its `state_size`.
    #[test]
    fn incremental_uploads_the_delta_and_references_add_up_to_state_size() {
        let mut b = RocksDbIncrementalBackend::new(cfg(1), 1024 * MIB);
        let first = b.snapshot(SimTime(0), 1);
        b.notify_checkpoint_complete(1);
        assert!(first.checkpointed_size >= 1024 * MIB, "the first checkpoint is full");
        let mut live = 1024 * MIB;
        let mut below = 0;
        for id in 2..=30 {
            live += MIB; // slowly growing, 8 MiB of writes per checkpoint
            b.on_state_change(StateWrites::bytes(8 * MIB), live);
            let c = b.snapshot(SimTime(0), id);
            let files = b.referenced_files(id).expect("pending");
            assert_eq!(
                files.iter().map(|f| f.bytes).sum::<u64>(),
                c.state_size,
                "checkpoint {id}"
            );
            assert!(c.state_size >= live, "at least the live state is referenced");
            if c.checkpointed_size < c.state_size / 10 {
                below += 1;
            }
            b.notify_checkpoint_complete(id);
        }
        assert!(below >= 25, "most deltas are small: {below} of 29");
    }

    /// §1.7 "deltas can far exceed the logical change": an L0 -> L1 compaction rewrites files,
    /// and the next checkpoint uploads them all.
    #[test]
    fn compaction_makes_the_next_checkpoint_spike() {
        let mut b = RocksDbIncrementalBackend::new(cfg(1), 200 * MIB);
        let mut sizes = vec![];
        for id in 1..=12 {
            b.on_state_change(StateWrites::bytes(16 * MIB), 200 * MIB);
            let c = b.snapshot(SimTime(0), id);
            b.notify_checkpoint_complete(id);
            sizes.push(c.checkpointed_size);
        }
        let small = sizes[1..].iter().filter(|s| **s < 20 * MIB).count();
        let spikes = sizes[1..].iter().filter(|s| **s > 100 * MIB).count();
        assert!(small >= 6 && spikes >= 2, "{sizes:?}");
    }

    /// Only files confirmed by a *completed* checkpoint are skipped: a checkpoint taken while
    /// the previous one is still pending uploads the new files again.
    #[test]
    fn files_of_a_pending_checkpoint_are_not_yet_confirmed() {
        let mut b = RocksDbIncrementalBackend::new(cfg(1), 0);
        b.on_state_change(StateWrites::bytes(10 * MIB), 10 * MIB);
        let c1 = b.snapshot(SimTime(0), 1);
        let c2 = b.snapshot(SimTime(0), 2);
        assert!(c2.upload_bytes >= c1.upload_bytes, "checkpoint 1 never completed");
        b.notify_checkpoint_complete(2);
        b.notify_checkpoint_aborted(1);
        let c3 = b.snapshot(SimTime(0), 3);
        assert!(c3.upload_bytes < MIB, "now confirmed: only the small files go");
    }

    /// `SharedStateRegistry`: with num-retained 2 the files of the two newest checkpoints stay
    /// in storage, older ones are deleted.
    #[test]
    fn shared_files_are_deleted_when_no_retained_checkpoint_needs_them() {
        let mut b = RocksDbIncrementalBackend::new(cfg(2), 0);
        let mut live = 0;
        for id in 1..=20 {
            live += 32 * MIB;
            b.on_state_change(StateWrites::bytes(32 * MIB), live);
            b.snapshot(SimTime(0), id);
            b.notify_checkpoint_complete(id);
        }
        let retained: Vec<_> = b.registry().retained().copied().collect();
        assert_eq!(retained, vec![19, 20]);
        let needed: BTreeSet<u64> = [19, 20]
            .iter()
            .flat_map(|id| b.referenced_files(*id).expect("retained").iter().map(|f| f.id))
            .collect();
        assert_eq!(b.registry().stored_files(), needed.len());
        assert!(
            b.registry().discarded_bytes_total() > 0,
            "compaction made old files garbage"
        );
    }
}
