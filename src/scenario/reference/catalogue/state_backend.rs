//! The catalogue's entries for `[state_backend]`, in the order the reference lists them.

use super::Def::*;
use super::Unit::*;
use super::{FieldDoc, f};
use super::{JOB, SUB};

pub(super) const FIELDS: &[FieldDoc] = &[
    f(
        "state_backend.kind",
        Enum,
        Value("\"heap\""),
        JOB,
        "`heap` (Flink's `hashmap`) or `rocksdb`.",
    ),
    f(
        "state_backend.memtable_size",
        Bytes,
        Value("\"64MiB\""),
        SUB,
        "RocksDB write buffer: a memtable this full is flushed to a new level-0 SST in the background; a checkpoint's native checkpoint flushes what it holds since the last flush.",
    ),
    f(
        "state_backend.local_disk_bandwidth",
        Rate,
        Value("\"200MB/s\""),
        "per TaskManager",
        "Local disk write speed: a changelog recovery re-applies its log at it. (No longer the RocksDB checkpoint flush: see `flush_throughput`, `native_checkpoint_time`.)",
    ),
    f(
        "state_backend.flush_throughput",
        Rate,
        Value("\"145MB/s\""),
        "per flush",
        "RocksDB: memtable bytes per second of CPU to build the SST a checkpoint flushes (synchronous phase, on the TaskManager's cores). Default calibrated on Flink 2.3 (tests/fidelity run c03_rocks_bytes: bytes per interval over the median sync less `native_checkpoint_time`).",
    ),
    f(
        "state_backend.flush_cpu_per_entry",
        Duration,
        Value("\"0ns\""),
        "per memtable entry",
        "RocksDB: CPU per put the memtable holds, on top of `flush_throughput`'s per-byte cost, to build the SST a checkpoint flushes (iterating the memtable, the index and filter entries).",
    ),
    f(
        "state_backend.native_checkpoint_time",
        Duration,
        Value("\"5ms\""),
        "per checkpoint",
        "RocksDB: fixed part of the native checkpoint (`takeDBNativeCheckpoint`) whatever it flushes: five synced small writes (flush MANIFEST record and directory; checkpoint MANIFEST copy, CURRENT, directory) at the `local-disk` profile's 1 ms.",
    ),
    f(
        "state_backend.transfer_threads",
        Integer,
        Value("4"),
        SUB,
        "RocksDB: files a subtask uploads at once in a snapshot's asynchronous part; each file is its own storage request (restore downloads are not split).",
    ),
    f(
        "state_backend.savepoint_format",
        Enum,
        Value("\"canonical\""),
        JOB,
        "RocksDB savepoints: `canonical` (Flink's default; no flush, every entry iterated and serialized into one stream at the `heap_serialize_*` costs) or `native` (a native checkpoint whose files are all copied).",
    ),
    f(
        "state_backend.heap_serialize_per_entry",
        Duration,
        Value("\"250ns\""),
        "per state entry",
        "Heap: CPU the asynchronous snapshot thread spends serializing one entry (`CopyOnWriteStateMapSnapshot.writeState`), on the TaskManager's cores, before the write to checkpoint storage. Default calibrated on Flink 2.3 (tests/fidelity runs c01_heap_bytes, c02_heap_entries, c03_rocks_bytes on a 2-core host).",
    ),
    f(
        "state_backend.heap_serialize_bandwidth",
        Rate,
        Value("\"2.5GB/s\""),
        "per snapshot thread",
        "Heap: bytes the snapshot thread serializes per second of CPU, on top of the per-entry cost. Default calibrated as `heap_serialize_per_entry`.",
    ),
    f(
        "state_backend.incremental",
        Bool,
        Value("false"),
        JOB,
        "RocksDB uploads only new SST files.",
    ),
    f(
        "state_backend.compaction.level0_file_num_compaction_trigger",
        Integer,
        Value("4"),
        SUB,
        "RocksDB: level-0 files that trigger a compaction.",
    ),
    f(
        "state_backend.compaction.max_size_level_base",
        Bytes,
        Value("\"256MiB\""),
        SUB,
        "Target size of level 1.",
    ),
    f(
        "state_backend.compaction.level_multiplier",
        Integer,
        Value("10"),
        SUB,
        "Each level's target is this times the previous one's (RocksDB `max_bytes_for_level_multiplier`).",
    ),
    f(
        "state_backend.compaction.target_file_size_base",
        Bytes,
        Value("\"64MiB\""),
        SUB,
        "Size of the files compaction writes.",
    ),
    f(
        "state_backend.changelog.enabled",
        Bool,
        Value("false"),
        JOB,
        "Wrap the backend in the changelog backend.",
    ),
    f(
        "state_backend.changelog.periodic_materialize_interval",
        Duration,
        Value("\"10min\""),
        SUB,
        "How often the wrapped backend's state is materialized.",
    ),
    f(
        "state_backend.changelog.persist_delay",
        Duration,
        Value("\"10ms\""),
        SUB,
        "An upload waits this long to batch more changes.",
    ),
    f(
        "state_backend.changelog.persist_size_threshold",
        Bytes,
        Value("\"10MiB\""),
        SUB,
        "A batch this large is uploaded at once.",
    ),
    f(
        "state_backend.changelog.preemptive_persist_threshold",
        Bytes,
        Value("\"5MiB\""),
        SUB,
        "Changes past this are uploaded without waiting for a checkpoint.",
    ),
];
