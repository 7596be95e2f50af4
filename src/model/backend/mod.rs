//! State backends as per-subtask cost models (§1.6-1.8). Each answers, for a checkpoint: how
//! long the backend's synchronous part takes, how many bytes (and files) the asynchronous part
//! uploads, and the `checkpointed_size` / `state_size` Flink reports; and each reacts to state
//! writes and to the JobManager's complete / abort notifications. Pure and deterministic: the
//! world owns one per stateful subtask and tells it what happened.
//!
//! | here | Flink |
//! |---|---|
//! | [`heap::HeapBackend`] | `HashMapStateBackend` (copy-on-write snapshot) |
//! | [`rocksdb_full::RocksDbFullBackend`] | `RocksNativeFullSnapshotStrategy` (full checkpoints) |
//! | [`rocksdb_incremental::RocksDbIncrementalBackend`] | `RocksIncrementalSnapshotStrategy` |
//! | [`rocksdb_snapshot`] | `RocksDBSnapshotStrategyBase` (native checkpoint), `RocksFullSnapshotStrategy` (canonical savepoints) |
//! | [`transfer::TransferPool`] | `RocksDBStateUploader` (`…checkpoint.transfer.thread.num` streams) |
//! | [`changelog::ChangelogBackend`] | `ChangelogKeyedStateBackend` + DSTL (FLIP-158) |

pub mod changelog;
pub mod heap;
pub mod lsm;
pub mod manifest;
pub mod rocksdb_full;
pub mod rocksdb_incremental;
pub mod rocksdb_snapshot;
pub mod shared_registry;
pub mod transfer;

use crate::ids::CheckpointId;
use crate::time::{DurationNs, NS_PER_S, SimTime, ns_from_f64};
use crate::vocab::StateBackendKind;

use changelog::{ChangelogBackend, ChangelogConfig};
use heap::HeapBackend;
use lsm::LsmConfig;
use rocksdb_full::RocksDbFullBackend;
use rocksdb_incremental::RocksDbIncrementalBackend;

/// What one snapshot costs and reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SnapshotCost {
    /// The backend's part of the synchronous phase that waits without a core (on top of the
    /// operator's own `sync_time`): RocksDB's fixed native-checkpoint cost and hard links.
    pub sync_ns: DurationNs,
    /// CPU of the synchronous phase, on the TaskManager's cores: RocksDB building the SST of
    /// the memtable it flushes.
    pub sync_cpu_ns: DurationNs,
    /// What RocksDB's flush thread holds after that CPU without a core (the flush's synced
    /// writes): the synchronous phase waits for it, and so does the next flush on the thread.
    pub sync_held_ns: DurationNs,
    /// Bytes the asynchronous phase writes to checkpoint storage (the sum of `upload_plan`).
    pub upload_bytes: u64,
    /// The files those bytes go out as, in stages: a stage starts when the one before it has
    /// finished (RocksDB uploads new SSTs, then the misc files); within a stage, files go
    /// `upload_threads` at a time.
    pub upload_plan: Vec<Vec<u64>>,
    /// Files of a stage uploaded at once (`state.backend.rocksdb.checkpoint.transfer.thread.num`
    /// for RocksDB's file uploads; 1 for a single stream).
    pub upload_threads: u32,
    /// Wait before the upload starts (the changelog's batching delay).
    pub async_delay_ns: DurationNs,
    /// CPU the asynchronous snapshot thread spends before the upload (heap: serializing the
    /// state table), on the TaskManager's cores.
    pub async_cpu_ns: DurationNs,
    /// The snapshot thread writes the upload's stream itself (heap, a canonical savepoint:
    /// Flink's `FullSnapshotAsyncWriter`), so a request latency that is CPU
    /// (`StorageProfile::request_is_writer_cpu`) is its CPU too. RocksDB's transfer threads
    /// and the changelog's uploader are threads the model gives no cores.
    pub written_by_snapshot_thread: bool,
    /// `checkpointed_size`: bytes this checkpoint added to storage.
    pub checkpointed_size: u64,
    /// `state_size`: full size of the state this checkpoint refers to.
    pub state_size: u64,
    /// Changelog only: log bytes a recovery from this checkpoint replays after loading the
    /// materialized state.
    pub changelog_replay_bytes: u64,
}

impl SnapshotCost {
    /// An upload of `bytes` as one file in one stream (nothing when `bytes` is 0).
    pub fn one_file(bytes: u64) -> Vec<Vec<u64>> {
        if bytes == 0 { vec![] } else { vec![vec![bytes]] }
    }

    /// Files the asynchronous phase uploads.
    pub fn upload_files(&self) -> u32 {
        self.upload_plan.iter().map(|stage| stage.len() as u32).sum()
    }
}

/// CPU the heap backend's asynchronous snapshot spends serializing its state table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HeapSerializeCost {
    pub ns_per_entry: f64,
    /// Bytes serialized per second of CPU (infinite: free).
    pub bytes_per_s: f64,
}

impl HeapSerializeCost {
    /// No serialization cost (tests that want the upload alone).
    pub const FREE: HeapSerializeCost = HeapSerializeCost {
        ns_per_entry: 0.0,
        bytes_per_s: f64::INFINITY,
    };

    /// CPU to serialize `entries` entries holding `bytes` bytes.
    pub fn cpu_ns(&self, entries: u64, bytes: u64) -> DurationNs {
        let per_byte = if self.bytes_per_s > 0.0 && self.bytes_per_s.is_finite() {
            bytes as f64 / self.bytes_per_s * NS_PER_S as f64
        } else {
            0.0
        };
        ns_from_f64(entries as f64 * self.ns_per_entry + per_byte)
    }
}

/// What RocksDB's native checkpoint (`takeDBNativeCheckpoint`: `db.flush`, then
/// `Checkpoint.createCheckpoint`) costs in the synchronous phase.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FlushCost {
    /// Bytes of memtable per second of CPU that building an SST file takes (encoding blocks,
    /// compressing, checksums, the write), beyond the per-entry part.
    pub bytes_per_s: f64,
    /// CPU per memtable entry (one per put: iterating the skip list, comparing keys, the index
    /// and filter entries), beyond the per-byte part.
    pub ns_per_entry: f64,
    /// Fixed part of a native checkpoint, whatever it flushes: the synced writes of the new
    /// SST, the MANIFEST record, the checkpoint directory and its CURRENT and MANIFEST copies.
    pub fixed_ns: DurationNs,
    /// The part of `fixed_ns` the flush thread holds when there is something to flush (the
    /// SST's, its directory's and the MANIFEST record's synced writes); at most `fixed_ns`.
    pub flush_sync_ns: DurationNs,
}

impl FlushCost {
    /// CPU to build an SST of a memtable holding `writes`.
    pub fn cpu_ns(&self, writes: StateWrites) -> DurationNs {
        if writes.bytes == 0 && writes.puts == 0 {
            return 0;
        }
        let per_byte = if self.bytes_per_s > 0.0 && self.bytes_per_s.is_finite() {
            writes.bytes as f64 / self.bytes_per_s * NS_PER_S as f64
        } else {
            0.0
        };
        ns_from_f64(writes.puts as f64 * self.ns_per_entry + per_byte)
    }
}

/// Keyed-state writes (puts, updates, deletes): their bytes and how many there were.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StateWrites {
    /// Every version written (what fills RocksDB's memtable).
    pub bytes: u64,
    pub puts: u64,
    /// The bytes of the puts that were the first to their key since the memtable was last
    /// flushed: one version per key, what a flush writes (it keeps each key's newest).
    pub newest_bytes: u64,
}

impl StateWrites {
    /// `bytes` written by puts not counted, each to a key of its own (what a byte-only
    /// caller, or a test, knows).
    pub const fn bytes(bytes: u64) -> StateWrites {
        StateWrites {
            bytes,
            puts: 0,
            newest_bytes: bytes,
        }
    }
}

/// Format of a RocksDB savepoint (`SavepointFormatType`, REST `formatType`, CLI `--type`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SavepointFormat {
    /// `CANONICAL` (Flink's default): every entry iterated and written into one stream, in the
    /// backend-independent format (`RocksFullSnapshotStrategy`).
    #[default]
    Canonical,
    /// `NATIVE`: a native checkpoint's files copied, none shared with checkpoints.
    Native,
}

/// Backend configuration (compiled from the scenario's `[state_backend]`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BackendConfig {
    pub kind: StateBackendKind,
    /// `execution.checkpointing.incremental`: RocksDB uploads only new SST files.
    pub incremental: bool,
    /// Local disk write speed: a changelog recovery re-applies its log at it.
    pub local_disk_bytes_per_s: f64,
    /// RocksDB's native checkpoint in the synchronous phase.
    pub flush: FlushCost,
    /// `state.backend.rocksdb.checkpoint.transfer.thread.num`: RocksDB files uploaded at once
    /// per subtask.
    pub transfer_threads: u32,
    /// `state.backend.rocksdb.thread.num` (RocksDB's `max_background_jobs`): sizes the flush
    /// threads a TaskManager's instances share.
    pub background_jobs: u32,
    /// Format of RocksDB savepoints.
    pub savepoint_format: SavepointFormat,
    pub lsm: LsmConfig,
    /// `execution.checkpointing.num-retained`, for the shared-state reference counts.
    pub num_retained: u32,
    /// Heap: the asynchronous snapshot thread's CPU per entry and per byte.
    pub heap: HeapSerializeCost,
    pub changelog: Option<ChangelogConfig>,
}

impl BackendConfig {
    /// The configuration of a restored backend: its RocksDB instance is opened at the restore,
    /// not before the run.
    pub fn reopened(&self) -> BackendConfig {
        let mut cfg = *self;
        cfg.lsm.manifest = cfg.lsm.manifest.reopened();
        cfg
    }

    /// Time to write `bytes` to local disk.
    pub fn local_write_ns(&self, bytes: u64) -> DurationNs {
        if self.local_disk_bytes_per_s <= 0.0 {
            return 0;
        }
        ns_from_f64(bytes as f64 / self.local_disk_bytes_per_s * NS_PER_S as f64)
    }
}

/// One subtask's keyed state backend.
#[derive(Clone, Debug)]
pub enum StateBackend {
    Heap(HeapBackend),
    RocksdbFull(Box<RocksDbFullBackend>),
    /// Boxed: its SST bookkeeping is several times the size of the other variants.
    RocksdbIncremental(Box<RocksDbIncrementalBackend>),
    Changelog(Box<ChangelogBackend>),
}

impl StateBackend {
    /// A backend already holding `initial_live_bytes` (the scenario's `state.initial`).
    pub fn new(cfg: &BackendConfig, initial_live_bytes: u64) -> Self {
        let plain = Self::plain(cfg, initial_live_bytes);
        match cfg.changelog {
            None => plain,
            Some(cl) => StateBackend::Changelog(Box::new(ChangelogBackend::new(cl, plain, initial_live_bytes))),
        }
    }

    /// A source's state: its readers' splits and offsets are operator state, which Flink keeps
    /// in the `DefaultOperatorStateBackend` on the heap whatever the keyed state backend is
    /// (RocksDB and the changelog hold keyed state only), so it costs no flush and no native
    /// checkpoint.
    pub fn operator_state(cfg: &BackendConfig, initial_live_bytes: u64) -> Self {
        StateBackend::Heap(HeapBackend::new(initial_live_bytes, cfg.heap))
    }

    /// The backend without the changelog (what a changelog backend materializes).
    fn plain(cfg: &BackendConfig, initial_live_bytes: u64) -> Self {
        match (cfg.kind, cfg.incremental) {
            (StateBackendKind::Heap, _) => StateBackend::Heap(HeapBackend::new(initial_live_bytes, cfg.heap)),
            (StateBackendKind::Rocksdb, false) => {
                StateBackend::RocksdbFull(Box::new(RocksDbFullBackend::new(*cfg, initial_live_bytes)))
            }
            (StateBackendKind::Rocksdb, true) => {
                StateBackend::RocksdbIncremental(Box::new(RocksDbIncrementalBackend::new(*cfg, initial_live_bytes)))
            }
        }
    }

    /// State writes since the last call, after which the subtask's live state is `live_bytes`.
    pub fn on_state_change(&mut self, now: SimTime, written: StateWrites, live_bytes: u64) {
        match self {
            StateBackend::Heap(b) => b.on_state_change(live_bytes),
            StateBackend::RocksdbFull(b) => b.on_state_change(written, live_bytes),
            StateBackend::RocksdbIncremental(b) => b.on_state_change(written, live_bytes),
            StateBackend::Changelog(b) => b.on_state_change(now, written, live_bytes),
        }
    }

    /// Memtables its RocksDB instance has flushed since it opened; `None` for the heap.
    pub fn memtable_flushes(&self) -> Option<u64> {
        match self {
            StateBackend::Heap(_) => None,
            StateBackend::RocksdbFull(b) => Some(b.lsm().flushes()),
            StateBackend::RocksdbIncremental(b) => Some(b.lsm().flushes()),
            StateBackend::Changelog(b) => b.materialized().memtable_flushes(),
        }
    }

    /// The keyed state now holds `entries` entries (one per distinct key).
    pub fn on_entries(&mut self, entries: u64) {
        match self {
            StateBackend::Heap(b) => b.on_entries(entries),
            StateBackend::RocksdbFull(b) => b.on_entries(entries),
            StateBackend::RocksdbIncremental(b) => b.on_entries(entries),
            StateBackend::Changelog(b) => b.on_entries(entries),
        }
    }

    /// The snapshot of checkpoint `checkpoint`, taken now (the synchronous phase starts).
    pub fn snapshot(&mut self, now: SimTime, checkpoint: CheckpointId) -> SnapshotCost {
        match self {
            StateBackend::Heap(b) => b.snapshot(),
            StateBackend::RocksdbFull(b) => b.snapshot(now, checkpoint),
            StateBackend::RocksdbIncremental(b) => b.snapshot(now, checkpoint),
            StateBackend::Changelog(b) => b.snapshot(now, checkpoint),
        }
    }

    /// A savepoint: a full, self-contained copy of the state that shares no files with
    /// checkpoints and leaves the incremental bookkeeping alone (FLINK-23949). RocksDB writes
    /// it in the configured [`SavepointFormat`]; the heap backend's native format is its
    /// canonical one.
    pub fn snapshot_savepoint(&mut self, now: SimTime) -> SnapshotCost {
        match self {
            StateBackend::Heap(b) => b.snapshot(),
            StateBackend::RocksdbFull(b) => b.snapshot_savepoint(now),
            StateBackend::RocksdbIncremental(b) => b.snapshot_savepoint(now),
            StateBackend::Changelog(b) => b.snapshot_savepoint(now),
        }
    }

    pub fn notify_checkpoint_complete(&mut self, checkpoint: CheckpointId) {
        match self {
            StateBackend::Heap(_) | StateBackend::RocksdbFull(_) => {}
            StateBackend::RocksdbIncremental(b) => b.notify_checkpoint_complete(checkpoint),
            StateBackend::Changelog(b) => b.notify_checkpoint_complete(checkpoint),
        }
    }

    pub fn notify_checkpoint_aborted(&mut self, checkpoint: CheckpointId) {
        match self {
            StateBackend::Heap(_) | StateBackend::RocksdbFull(_) => {}
            StateBackend::RocksdbIncremental(b) => b.notify_checkpoint_aborted(checkpoint),
            StateBackend::Changelog(b) => b.notify_checkpoint_aborted(checkpoint),
        }
    }

    /// Live state now.
    pub fn live_bytes(&self) -> u64 {
        match self {
            StateBackend::Heap(b) => b.live_bytes(),
            StateBackend::RocksdbFull(b) => b.live_bytes(),
            StateBackend::RocksdbIncremental(b) => b.live_bytes(),
            StateBackend::Changelog(b) => b.live_bytes(),
        }
    }

    /// The changelog part, for its background uploads and materializations.
    pub fn changelog_mut(&mut self) -> Option<&mut ChangelogBackend> {
        match self {
            StateBackend::Changelog(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_incremental(&self) -> Option<&RocksDbIncrementalBackend> {
        match self {
            StateBackend::RocksdbIncremental(b) => Some(b),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::NS_PER_MS;

    const MIB: u64 = 1024 * 1024;

    fn cfg(changelog: bool) -> BackendConfig {
        BackendConfig {
            kind: StateBackendKind::Rocksdb,
            incremental: true,
            local_disk_bytes_per_s: 200e6,
            flush: FlushCost {
                bytes_per_s: 200e6,
                ns_per_entry: 0.0,
                fixed_ns: 0,
                flush_sync_ns: 0,
            },
            transfer_threads: 4,
            background_jobs: 2,
            savepoint_format: SavepointFormat::Canonical,
            lsm: LsmConfig::flink_defaults(),
            num_retained: 1,
            heap: HeapSerializeCost::FREE,
            changelog: changelog.then_some(ChangelogConfig {
                materialize_interval_ns: 600 * NS_PER_S,
                persist_delay_ns: 10 * NS_PER_MS,
                persist_size_threshold_bytes: 10 * MIB,
                preemptive_persist_threshold_bytes: 5 * MIB,
            }),
        }
    }

    /// One job, two backends: 1 GiB of state, 4 MiB/s of updates, a checkpoint every 10 s for
    /// 5 min. Returns (largest checkpoint upload, largest replay) over the run.
    fn run(changelog: bool) -> (u64, u64) {
        let mut b = StateBackend::new(&cfg(changelog), 1024 * MIB);
        let mut ups = vec![];
        let (mut max_upload, mut max_replay) = (0, 0);
        for step in 1..=30_000u64 {
            let now = SimTime(step * 10 * NS_PER_MS);
            b.on_state_change(now, StateWrites::bytes(40 * 1024), 1024 * MIB);
            if let Some(cl) = b.changelog_mut() {
                cl.poll_uploads(now, &mut ups);
            }
            if step % 1000 == 0 {
                let id = step / 1000;
                let c = b.snapshot(now, id);
                b.notify_checkpoint_complete(id);
                if id > 1 {
                    max_upload = max_upload.max(c.upload_bytes);
                }
                max_replay = max_replay.max(c.changelog_replay_bytes);
            }
        }
        (max_upload, max_replay)
    }

    /// FLIP-158 / §1.8: the changelog's asynchronous part only carries the log tail, so its
    /// largest upload stays far below incremental RocksDB's (whose deltas include every flush
    /// and compaction); the price is the log a recovery replays.
    #[test]
    fn changelog_uploads_less_per_checkpoint_but_replays_more_than_incremental() {
        let (incremental_upload, incremental_replay) = run(false);
        let (changelog_upload, changelog_replay) = run(true);
        assert!(changelog_upload < 5 * MIB, "changelog tail {changelog_upload}");
        assert!(incremental_upload >= 39 * MIB, "incremental delta {incremental_upload}");
        assert_eq!(incremental_replay, 0);
        assert!(
            changelog_replay > 1000 * MIB,
            "5 min of 4 MiB/s since the last materialization"
        );
    }
}
