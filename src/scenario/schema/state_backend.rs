//! `[state_backend]`: heap, RocksDB (compaction) and the changelog wrapper.

use super::StateBackendKind;
use super::dur;
use crate::sim::dist::{Bytes, Duration, Rate};
use crate::time::{NS_PER_MS, NS_PER_S};
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateBackendCfg {
    #[serde(default = "default_backend")]
    pub kind: StateBackendKind,
    /// RocksDB `state.backend.rocksdb.writebuffer.size` (64 MiB): a memtable this full is
    /// flushed to a new L0 file in the background; a checkpoint flushes what it holds then.
    #[serde(default = "default_memtable")]
    pub memtable_size: Bytes,
    /// Local disk write speed: a recovery of the changelog backend re-applies its log at it.
    /// (Before the native RocksDB model it also set the checkpoint flush; that is
    /// `flush_throughput` and `native_checkpoint_time` now.)
    #[serde(default = "default_local_disk")]
    pub local_disk_bandwidth: Rate,
    /// RocksDB: memtable bytes per second of CPU that building the flushed SST file takes, in
    /// a checkpoint's native checkpoint (the synchronous phase), on the TaskManager's cores.
    #[serde(default = "default_flush_throughput")]
    pub flush_throughput: Rate,
    /// RocksDB: CPU per memtable entry (one per put) of building the flushed SST, on top of
    /// `flush_throughput`'s per-byte cost.
    #[serde(default = "default_flush_cpu_per_entry")]
    pub flush_cpu_per_entry: Duration,
    /// RocksDB: the fixed part of a native checkpoint, whatever it flushes (synced writes of the
    /// flush's MANIFEST record and directory, the checkpoint's MANIFEST copy, CURRENT and
    /// directory).
    #[serde(default = "default_native_checkpoint_time")]
    pub native_checkpoint_time: Duration,
    /// RocksDB: the part of `native_checkpoint_time` that RocksDB's flush thread holds after
    /// building the SST (the SST's, its directory's and the MANIFEST record's synced writes), so
    /// that another instance's flush on the same TaskManager waits for it; the rest runs on the
    /// task thread after the flush (`Checkpoint.createCheckpoint`). Only when the memtable
    /// held something to flush.
    #[serde(default = "default_flush_sync_time")]
    pub flush_sync_time: Duration,
    /// `state.backend.rocksdb.checkpoint.transfer.thread.num` (4): RocksDB files a subtask
    /// uploads at once.
    #[serde(default = "default_transfer_threads")]
    pub transfer_threads: u32,
    /// `state.backend.rocksdb.thread.num` (2): RocksDB's `max_background_jobs`, of which a
    /// quarter (at least one) are the flush threads a TaskManager's instances share.
    #[serde(default = "default_background_threads")]
    pub background_threads: u32,
    /// Format of RocksDB savepoints (REST `formatType`, CLI `--type`): `canonical` (Flink's
    /// default: every entry iterated and written) or `native` (the files copied).
    #[serde(default)]
    pub savepoint_format: SavepointFormatCfg,
    /// RocksDB: how long each instance has been open when the run starts (since the job last
    /// started or restored); its MANIFEST holds that long's version edits at the run's pace.
    #[serde(default = "default_instance_age")]
    pub instance_age: Duration,
    /// RocksDB's `max_manifest_file_size` (1 GiB; Flink sets none): past it, a new MANIFEST.
    #[serde(default = "default_max_manifest_file_size")]
    pub max_manifest_file_size: Bytes,
    /// `execution.checkpointing.incremental` (false): RocksDB uploads only new SST files.
    #[serde(default)]
    pub incremental: bool,
    /// RocksDB leveled compaction, which decides which SST files exist.
    #[serde(default)]
    pub compaction: CompactionCfg,
    /// The changelog state backend (FLIP-158) wrapping `kind`.
    #[serde(default)]
    pub changelog: ChangelogCfg,
    /// Heap: CPU time the asynchronous snapshot thread spends serializing one state entry
    /// (`CopyOnWriteStateMapSnapshot.writeState`: key, namespace, value serializers).
    #[serde(default = "default_heap_entry_cpu")]
    pub heap_serialize_per_entry: Duration,
    /// Heap: bytes per second of CPU the snapshot thread serializes, on top of the per-entry
    /// cost (the write to checkpoint storage is the storage model's).
    #[serde(default = "default_heap_byte_rate")]
    pub heap_serialize_bandwidth: Rate,
}

/// `savepoint_format`.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SavepointFormatCfg {
    #[default]
    Canonical,
    Native,
}

/// Measured on Flink 2.3 (2026-12-03/04, `tests/fidelity/probes/rocksdb_two_instances`): one
/// RocksDB instance at f12's per-subtask load (3000 puts of 400 B a second, 1 s interval, 90 s
/// warm-up) has a map sync p50 of 11 ms with its directory on this host's ext4 and 6 ms with it on
/// tmpfs (`java.io.tmpdir` on `/dev/shm`, where an fsync returns at once): 5 ms of synced writes
/// (the flushed SST, the MANIFEST record, the checkpoint's MANIFEST copy, CURRENT and the
/// directories), within a millisecond either way as REST floors both. It was first set to 5 ms
/// by assumption (five synced small writes at the `local-disk` profile's 1 ms).
fn default_native_checkpoint_time() -> Duration {
    dur(5 * NS_PER_MS)
}

/// Measured on Flink 2.3 (2026-12-04, `tests/fidelity/probes/rocksdb_two_instances`, every
/// fsync of the JVM traced with perf at the calibration runs' shapes, one instance): RocksDB's
/// flush thread holds the flush's synced calls for 2.55 ms (c03's shape, 2 k puts of 1 kB a
/// second) and 1.74 ms (c07's, 10 k puts of a Long) at the median, from the SST's sync to the
/// MANIFEST record's end; the mean, rounded. The task thread's `createCheckpoint` follows
/// (1.6-1.8 ms of synced calls, after 0.4-0.9 ms of links and copies). A larger SST takes
/// longer to sync; that is not modelled.
fn default_flush_sync_time() -> Duration {
    dur(2_100_000)
}

/// Calibrated on Flink 2.3 (`tests/fidelity` runs c03_rocks_bytes, 2 k puts of 1 kB per
/// interval, and c07_rocks_entries, 10 k puts of a Long: the map's median sync duration, + 0.5 ms
/// as Flink reports it floored to whole ms, less `native_checkpoint_time`, solved for a cost per
/// byte, 530.7 MB/s, and one per put, 818.0 ns), rounded, as measured on 2026-12-03 after a 90 s
/// warm-up, c03's entries at RocksDB's size on disk (1025.3 B, fitted on c03's state size: before
/// that fit, with the heap's 1012.5 B, 524.0 MB/s and 817.5 ns). Without the half millisecond
/// the same runs gave 585.6 MB/s and 771.0 ns (with the heap's entry size). The first
/// suite (2026-12-01, a 10 s warm-up, in the git history of tests/fidelity/real) measured the
/// JIT compiler as well: 163.3 MB/s and 795.8 ns.
fn default_flush_throughput() -> Rate {
    Rate::new(FLUSH_THROUGHPUT_DEFAULT_BYTES_PER_S)
}

/// See [`default_flush_throughput`].
fn default_flush_cpu_per_entry() -> Duration {
    dur(818)
}

/// See [`default_flush_throughput`].
pub const FLUSH_THROUGHPUT_DEFAULT_BYTES_PER_S: f64 = 531e6;

/// Freshly opened instances, as a run of the fidelity suite has them.
fn default_instance_age() -> Duration {
    dur(0)
}

/// RocksDB's default (`DBOptions::max_manifest_file_size`).
fn default_max_manifest_file_size() -> Bytes {
    Bytes::new(crate::model::backend::manifest::MAX_MANIFEST_FILE_SIZE_DEFAULT_BYTES as f64)
}

/// Flink's default (`RocksDBConfigurableOptions.CHECKPOINT_TRANSFER_THREAD_NUM`).
fn default_transfer_threads() -> u32 {
    4
}

/// Flink's default (`RocksDBConfigurableOptions.MAX_BACKGROUND_THREADS`).
fn default_background_threads() -> u32 {
    2
}

/// Calibrated on Flink 2.3 (`tests/fidelity`: runs c01_heap_bytes, c02_heap_entries and
/// c03_rocks_bytes on a 2-core host, 149.3 ns and 3213 MB/s), rounded, as measured on
/// 2026-12-03 after a 90 s warm-up. The first suite (2026-12-01, a 10 s warm-up, in the git
/// history of tests/fidelity/real) measured the JIT compiler as well: 242.7 ns and 2658 MB/s.
fn default_heap_entry_cpu() -> Duration {
    dur(150)
}
fn default_heap_byte_rate() -> Rate {
    Rate::new(3.2e9)
}

/// RocksDB's leveled compaction, with Flink's defaults (`state.backend.rocksdb.compaction.*`)
/// and RocksDB's where Flink sets none.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompactionCfg {
    /// RocksDB `level0_file_num_compaction_trigger` (4).
    #[serde(default = "default_l0_trigger")]
    pub level0_file_num_compaction_trigger: u32,
    /// `…compaction.level.max-size-level-base` (256 MiB): target size of level 1.
    #[serde(default = "default_level_base")]
    pub max_size_level_base: Bytes,
    /// RocksDB `max_bytes_for_level_multiplier` (10): each level's target is this times the
    /// previous one's.
    #[serde(default = "default_level_multiplier")]
    pub level_multiplier: u32,
    /// `…compaction.level.target-file-size-base` (64 MiB): size of the files compaction writes.
    #[serde(default = "default_target_file")]
    pub target_file_size_base: Bytes,
}

fn default_l0_trigger() -> u32 {
    4
}
fn default_level_base() -> Bytes {
    Bytes::new(256.0 * 1024.0 * 1024.0)
}
fn default_level_multiplier() -> u32 {
    10
}
fn default_target_file() -> Bytes {
    Bytes::new(64.0 * 1024.0 * 1024.0)
}

impl Default for CompactionCfg {
    fn default() -> Self {
        CompactionCfg {
            level0_file_num_compaction_trigger: default_l0_trigger(),
            max_size_level_base: default_level_base(),
            level_multiplier: default_level_multiplier(),
            target_file_size_base: default_target_file(),
        }
    }
}

/// `state.backend.changelog.*` and `dstl.dfs.*` (FLIP-158), with Flink's defaults.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangelogCfg {
    /// `state.backend.changelog.enabled` (false).
    #[serde(default)]
    pub enabled: bool,
    /// `state.backend.changelog.periodic-materialize.interval` (10 min).
    #[serde(default = "default_materialize_interval")]
    pub periodic_materialize_interval: Duration,
    /// `dstl.dfs.batch.persist-delay` (10 ms): an upload waits this long to batch more changes.
    #[serde(default = "default_persist_delay")]
    pub persist_delay: Duration,
    /// `dstl.dfs.batch.persist-size-threshold` (10 MiB): a batch this large goes at once.
    #[serde(default = "default_persist_size")]
    pub persist_size_threshold: Bytes,
    /// `dstl.dfs.preemptive-persist-threshold` (5 MiB): changes accumulated past this are
    /// uploaded without waiting for a checkpoint.
    #[serde(default = "default_preemptive")]
    pub preemptive_persist_threshold: Bytes,
}

fn default_materialize_interval() -> Duration {
    dur(10 * 60 * NS_PER_S)
}
fn default_persist_delay() -> Duration {
    dur(10 * NS_PER_MS)
}
fn default_persist_size() -> Bytes {
    Bytes::new(10.0 * 1024.0 * 1024.0)
}
fn default_preemptive() -> Bytes {
    Bytes::new(5.0 * 1024.0 * 1024.0)
}

impl Default for ChangelogCfg {
    fn default() -> Self {
        ChangelogCfg {
            enabled: false,
            periodic_materialize_interval: default_materialize_interval(),
            persist_delay: default_persist_delay(),
            persist_size_threshold: default_persist_size(),
            preemptive_persist_threshold: default_preemptive(),
        }
    }
}

fn default_backend() -> StateBackendKind {
    StateBackendKind::Heap
}
fn default_memtable() -> Bytes {
    Bytes::new(64.0 * 1024.0 * 1024.0)
}
fn default_local_disk() -> Rate {
    Rate::new(200e6)
}

impl Default for StateBackendCfg {
    fn default() -> Self {
        StateBackendCfg {
            kind: default_backend(),
            memtable_size: default_memtable(),
            local_disk_bandwidth: default_local_disk(),
            flush_throughput: default_flush_throughput(),
            flush_cpu_per_entry: default_flush_cpu_per_entry(),
            native_checkpoint_time: default_native_checkpoint_time(),
            flush_sync_time: default_flush_sync_time(),
            transfer_threads: default_transfer_threads(),
            background_threads: default_background_threads(),
            savepoint_format: SavepointFormatCfg::Canonical,
            instance_age: default_instance_age(),
            max_manifest_file_size: default_max_manifest_file_size(),
            incremental: false,
            compaction: CompactionCfg::default(),
            changelog: ChangelogCfg::default(),
            heap_serialize_per_entry: default_heap_entry_cpu(),
            heap_serialize_bandwidth: default_heap_byte_rate(),
        }
    }
}
