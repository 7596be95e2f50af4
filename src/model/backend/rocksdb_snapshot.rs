//! What RocksDB's snapshot strategies share (`RocksDBSnapshotStrategyBase`): the native
//! checkpoint of the synchronous part, the small files every file-based snapshot carries, and
//! the two savepoint formats.
//!
//! - **Native checkpoint** (`takeDBNativeCheckpoint`): `db.flush` writes what the memtable holds
//!   since the last flush as a new L0 SST (CPU to build it, at [`FlushCost::bytes_per_s`]), then
//!   `Checkpoint.createCheckpoint` hard-links every live SST into a local directory and writes
//!   its CURRENT, MANIFEST and OPTIONS; the synced writes are [`FlushCost::fixed_ns`], of which
//!   the flush thread holds [`FlushCost::flush_sync_ns`] (the flush's own) when it flushes. The full
//!   (`RocksNativeFullSnapshotStrategy`) and incremental strategies both start with it.
//! - **Canonical savepoint** (`RocksFullSnapshotStrategy`): the synchronous part only takes a
//!   RocksDB snapshot (`db.getSnapshot()`, no flush); the asynchronous part iterates every
//!   entry and writes it into one stream in the backend-independent format.
//! - **Native savepoint**: a native checkpoint whose files are all uploaded and shared with no
//!   checkpoint (`SharingFilesStrategy.NO_SHARING`).
//!
//! The keyed backend's meta-data file (`materializeMetaData`: the serializers' snapshots, a few
//! hundred bytes) is written before the files; it is below Flink's inline threshold and goes
//! into the checkpoint's `_metadata`, so it costs no storage request and is not modelled.

use super::lsm::{LsmTree, SstFile};
use super::{BackendConfig, FlushCost, HeapSerializeCost, SnapshotCost};
use crate::time::DurationNs;

/// Cost of one `link(2)` of an SST file into the checkpoint directory: a metadata-only
/// operation of a few microseconds on a local file system.
pub const HARD_LINK_NS: u64 = 10_000;

/// CURRENT: the name of the live MANIFEST and a newline (`MANIFEST-000005\n`).
pub const CURRENT_BYTES: u64 = 16;
/// OPTIONS: the instance's options as text (assumed: a few KB, below the inline threshold).
pub const OPTIONS_BYTES: u64 = 8 * 1024 - CURRENT_BYTES;
/// CURRENT, OPTIONS and MANIFEST.
pub const MISC_FILES: u32 = 3;

/// The local directory a native checkpoint leaves for the asynchronous part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NativeCheckpoint {
    /// Every live SST, hard-linked (the flushed one included).
    pub ssts: Vec<SstFile>,
    /// Sizes of CURRENT, OPTIONS and MANIFEST.
    pub misc_bytes: Vec<u64>,
    /// Memtable bytes the flush wrote.
    pub flushed_bytes: u64,
    /// The synchronous part without a core on the task thread, after the flush: the fixed
    /// cost less what the flush thread holds of it, and the links.
    pub sync_ns: DurationNs,
    /// The synchronous part on a core: building the flushed SST.
    pub sync_cpu_ns: DurationNs,
    /// The flush's synced writes, which the flush thread holds after building the SST (none
    /// when there was nothing to flush).
    pub sync_held_ns: DurationNs,
}

impl NativeCheckpoint {
    /// Every file of the directory: the SSTs, then the misc files.
    pub fn all_file_bytes(&self) -> Vec<u64> {
        self.ssts
            .iter()
            .map(|f| f.bytes)
            .chain(self.misc_bytes.iter().copied())
            .collect()
    }

    pub fn total_bytes(&self) -> u64 {
        self.all_file_bytes().iter().sum()
    }
}

/// Sizes of CURRENT, OPTIONS and a MANIFEST of `manifest_bytes` (the checkpoint copies the
/// MANIFEST as it stands, [`super::manifest`]).
pub fn misc_file_bytes(manifest_bytes: u64) -> Vec<u64> {
    vec![CURRENT_BYTES, OPTIONS_BYTES, manifest_bytes]
}

/// `takeDBNativeCheckpoint`: flushes the memtable (without the compaction that follows it:
/// the directory is taken right after the flush) and links every live SST, `now_ns` into the run.
pub fn take_native_checkpoint(lsm: &mut LsmTree, flush: &FlushCost, now_ns: u64) -> NativeCheckpoint {
    let flushed = lsm.memtable_writes();
    lsm.flush_without_compaction();
    let ssts: Vec<SstFile> = lsm.live_files().copied().collect();
    let sync_cpu_ns = flush.cpu_ns(flushed);
    let flush_sync_ns = flush.flush_sync_ns.min(flush.fixed_ns);
    NativeCheckpoint {
        misc_bytes: misc_file_bytes(lsm.checkpoint_manifest_bytes(now_ns)),
        flushed_bytes: flushed.bytes,
        sync_ns: flush.fixed_ns - flush_sync_ns + ssts.len() as u64 * HARD_LINK_NS,
        sync_cpu_ns,
        // An empty memtable writes no SST, so its flush syncs nothing (createCheckpoint does).
        sync_held_ns: if sync_cpu_ns > 0 { flush_sync_ns } else { 0 },
        ssts,
    }
}

/// A canonical savepoint of `live_bytes` in `entries` entries: no flush, one stream, and the
/// snapshot thread iterating and writing every entry. RocksDB keeps keys and values serialized,
/// so writing them costs what the heap backend's serializer spends per entry and per byte
/// (`serialize`): the key-group-ordered iteration re-frames each entry with the same stream
/// format. That is a lower bound: RocksDB's iterator also merges the levels' versions.
pub fn canonical_savepoint(live_bytes: u64, entries: u64, serialize: &HeapSerializeCost) -> SnapshotCost {
    SnapshotCost {
        sync_ns: 0,
        sync_cpu_ns: 0,
        sync_held_ns: 0,
        upload_bytes: live_bytes,
        upload_plan: SnapshotCost::one_file(live_bytes),
        upload_threads: 1,
        async_delay_ns: 0,
        async_cpu_ns: serialize.cpu_ns(entries, live_bytes),
        written_by_snapshot_thread: true,
        checkpointed_size: live_bytes,
        state_size: live_bytes,
        changelog_replay_bytes: 0,
    }
}

/// The cost of uploading a whole native checkpoint (a full checkpoint, a native savepoint):
/// every file, `transfer_threads` at a time.
pub fn upload_everything(nc: &NativeCheckpoint, cfg: &BackendConfig) -> SnapshotCost {
    let files = nc.all_file_bytes();
    let total: u64 = files.iter().sum();
    SnapshotCost {
        sync_ns: nc.sync_ns,
        sync_cpu_ns: nc.sync_cpu_ns,
        sync_held_ns: nc.sync_held_ns,
        upload_bytes: total,
        upload_plan: vec![files],
        upload_threads: cfg.transfer_threads.max(1),
        async_delay_ns: 0,
        async_cpu_ns: 0,
        written_by_snapshot_thread: false,
        checkpointed_size: total,
        state_size: total,
        changelog_replay_bytes: 0,
    }
}

/// A native savepoint of `lsm`: a native checkpoint, every file uploaded; the compaction the
/// flush made due runs afterwards, as after any flush.
pub fn native_savepoint(lsm: &mut LsmTree, cfg: &BackendConfig, now_ns: u64) -> SnapshotCost {
    let nc = take_native_checkpoint(lsm, &cfg.flush, now_ns);
    lsm.maybe_compact();
    upload_everything(&nc, cfg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::backend::StateWrites;
    use crate::model::backend::lsm::LsmConfig;

    const MIB: u64 = 1024 * 1024;

    fn lsm_cfg() -> LsmConfig {
        LsmConfig::flink_defaults()
    }

    /// The flush costs CPU in proportion to what the memtable holds, plus a fixed part; the
    /// links cost per live file.
    #[test]
    fn native_checkpoint_costs_cpu_per_flushed_byte_plus_a_fixed_part() {
        let flush = FlushCost {
            bytes_per_s: 100e6,
            ns_per_entry: 0.0,
            fixed_ns: 5_000_000,
            flush_sync_ns: 0,
        };
        let mut lsm = LsmTree::new(lsm_cfg(), 128 * MIB, 1);
        lsm.write(StateWrites::bytes(10_000_000), 130 * MIB);
        let nc = take_native_checkpoint(&mut lsm, &flush, 0);
        assert_eq!(nc.flushed_bytes, 10_000_000);
        assert_eq!(nc.sync_cpu_ns, 100_000_000, "10 MB at 100 MB/s of CPU");
        assert_eq!(nc.ssts.len(), 3, "two 64 MiB files and the flushed one");
        assert_eq!(nc.sync_ns, 5_000_000 + 3 * HARD_LINK_NS);
        let again = take_native_checkpoint(&mut lsm, &flush, 0);
        assert_eq!(
            (again.flushed_bytes, again.sync_cpu_ns),
            (0, 0),
            "nothing since the flush"
        );
        assert_eq!(again.sync_ns, 5_000_000 + 3 * HARD_LINK_NS, "the fixed part stays");
    }

    /// The flush thread holds its share of the fixed part after the SST's CPU; the task thread
    /// keeps the rest. With nothing to flush, no SST is synced: only the task thread's part.
    #[test]
    fn the_flush_thread_holds_its_synced_writes_when_it_flushes() {
        let flush = FlushCost {
            bytes_per_s: 100e6,
            ns_per_entry: 0.0,
            fixed_ns: 5_000_000,
            flush_sync_ns: 2_000_000,
        };
        let mut lsm = LsmTree::new(lsm_cfg(), 0, 1);
        lsm.write(StateWrites::bytes(1_000_000), 1_000_000);
        let nc = take_native_checkpoint(&mut lsm, &flush, 0);
        assert_eq!(nc.sync_cpu_ns, 10_000_000);
        assert_eq!(nc.sync_held_ns, 2_000_000, "the flush's synced writes");
        assert_eq!(
            nc.sync_ns,
            3_000_000 + HARD_LINK_NS,
            "createCheckpoint's part and the link"
        );
        let empty = take_native_checkpoint(&mut lsm, &flush, 0);
        assert_eq!((empty.sync_cpu_ns, empty.sync_held_ns), (0, 0), "nothing to flush");
        assert_eq!(empty.sync_ns, 3_000_000 + HARD_LINK_NS);
    }

    /// The flush's CPU has a part per memtable put: the same bytes in ten times the puts cost
    /// more, by exactly the puts' part (small values flush slower per byte than large ones).
    #[test]
    fn native_checkpoint_costs_cpu_per_flushed_entry_too() {
        let flush = FlushCost {
            bytes_per_s: 100e6,
            ns_per_entry: 1_000.0,
            fixed_ns: 0,
            flush_sync_ns: 0,
        };
        let cost_of = |puts: u64| {
            let mut lsm = LsmTree::new(lsm_cfg(), 0, 1);
            lsm.write(
                StateWrites {
                    bytes: 1_000_000,
                    puts,
                    newest_bytes: 1_000_000,
                },
                1_000_000,
            );
            take_native_checkpoint(&mut lsm, &flush, 0).sync_cpu_ns
        };
        assert_eq!(
            cost_of(1_000),
            10_000_000 + 1_000_000,
            "1 MB at 100 MB/s + 1 k puts at 1 us"
        );
        assert_eq!(cost_of(10_000) - cost_of(1_000), 9_000_000, "9 k more puts: 9 ms more");
    }

    #[test]
    fn misc_files_add_up() {
        let m = misc_file_bytes(1_740);
        assert_eq!(m.len(), MISC_FILES as usize);
        assert_eq!(m, vec![16, 8 * 1024 - 16, 1_740]);
    }

    /// The MANIFEST grows with every file the instance writes, flushes and compaction outputs
    /// alike, and never shrinks while the instance lives: after 150 files it no longer fits
    /// Flink's 20 KB inline threshold.
    #[test]
    fn the_manifest_grows_with_the_files_written_and_outgrows_the_inline_threshold() {
        let flush = FlushCost {
            bytes_per_s: 1e9,
            ns_per_entry: 0.0,
            fixed_ns: 0,
            flush_sync_ns: 0,
        };
        let mut lsm = LsmTree::new(lsm_cfg(), 0, 1);
        let mut manifest = Vec::new();
        for _ in 0..160 {
            lsm.write(
                StateWrites {
                    bytes: 1_000_000,
                    puts: 1_000,
                    newest_bytes: 1_000_000,
                },
                5_000_000,
            );
            let nc = take_native_checkpoint(&mut lsm, &flush, 0);
            lsm.maybe_compact();
            manifest.push(nc.misc_bytes[2]);
        }
        assert!(manifest.windows(2).all(|w| w[1] > w[0]), "grows with every flush");
        assert!(lsm.files_written() > 160, "compaction outputs count too");
        assert!(manifest[0] < 20 * 1024 && manifest[159] > 20 * 1024);
    }
}
