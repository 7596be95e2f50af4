//! Shared vocabulary: the enums (and the few defaults) that both the scenario file and the
//! simulated world speak, defined once, below both. The scenario file reads them as they are
//! (`scenario` re-exports them, so their spelling in a file is theirs); the model runs on them.
//! Vocabulary whose concept is the protocol's lives in `protocol` instead
//! (`protocol::CheckpointingMode`).
//!
//! Imports nothing from the crate: every module may use it.

use serde::Deserialize;

/// Default key space of a source that names none.
pub const DEFAULT_KEY_COUNT: u64 = 1024;
/// Default record size (bytes) of a source that names none.
pub const DEFAULT_RECORD_BYTES: f64 = 100.0;

/// A built-in checkpoint storage profile (`storage.profile`): what a request costs, and what the
/// figures assume. The model builds its `StorageProfile` from these
/// (`model::storage::StorageProfile::named`); the scenario checks names against them; the README's
/// table ("Checkpoint storage profiles") repeats them with their sources.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StorageProfileFigures {
    pub name: &'static str,
    /// Median of the lognormal request latency (before a request moves bytes), ms.
    pub request_latency_ms_median: f64,
    pub request_latency_sigma: f64,
    /// Aggregate bandwidth shared by every request in flight, bytes/s.
    pub bandwidth_bytes_per_s: f64,
    /// Cap on one request's bandwidth, bytes/s.
    pub per_request_bandwidth_bytes_per_s: f64,
    /// Median of the lognormal `_metadata` write latency, ms.
    pub metadata_latency_ms_median: f64,
    pub metadata_latency_sigma: f64,
    /// Median of the lognormal time to force a closed state file to the device (Flink's
    /// `FsCheckpointStateOutputStream.closeAndGetHandle` syncs every file-backed stream it
    /// closes), ms; 0: closing costs nothing beyond the request and its bytes.
    pub sync_latency_ms_median: f64,
    pub sync_latency_sigma: f64,
    /// Whether a request's latency is CPU of the thread that makes it rather than a wait: on a
    /// local file system, creating a state file and setting up its stream are system calls and
    /// JVM work on the writing thread, so under a saturated host they stretch with its share
    /// of the cores. A remote store's request latency is a wait (network, the server's work).
    pub request_is_writer_cpu: bool,
    /// What the figures assume and where they come from.
    pub source: &'static str,
}

/// The built-in checkpoint storage profiles, the one place their names and figures live.
pub const STORAGE_PROFILES: [StorageProfileFigures; 4] = [
    StorageProfileFigures {
        name: "local-disk",
        request_latency_ms_median: 0.1,
        request_latency_sigma: 0.3,
        bandwidth_bytes_per_s: 500e6,
        per_request_bandwidth_bytes_per_s: 500e6,
        metadata_latency_ms_median: 1.0,
        metadata_latency_sigma: 0.3,
        sync_latency_ms_median: 1.97,
        sync_latency_sigma: 0.3,
        request_is_writer_cpu: true,
        source: "a synced local SSD (every file forced to the device): assumed, not measured; \
                 500 MB/s is below SATA 3.0's 600 MB/s line rate (6 Gb/s, 8b/10b). This project's \
                 host measured 414 MB/s and 4 ms per synced 4 KiB file (tests/storage_profiles). \
                 The sync on close is this host's: fsync of a 170 KB file written in 4 KiB writes, \
                 p50 1.97 ms alone (tests/fidelity/probes/fsync_bench.py); its spread (sigma 0.3) \
                 is assumed. A request's latency is the writing thread's CPU (the kernel's per-thread \
                 counters on Flink 2.3, tests/fidelity/probes: a snapshot thread is on a core or \
                 runnable for almost all of its phase)",
    },
    StorageProfileFigures {
        name: "local-page-cache",
        request_latency_ms_median: 0.06,
        request_latency_sigma: 0.19,
        bandwidth_bytes_per_s: 1.7e9,
        per_request_bandwidth_bytes_per_s: 1.7e9,
        metadata_latency_ms_median: 0.06,
        metadata_latency_sigma: 0.19,
        sync_latency_ms_median: 0.0,
        sync_latency_sigma: 0.0,
        request_is_writer_cpu: true,
        source: "a local file system whose writes land in the page cache (a single host, state below \
                 the kernel's dirty limits): measured on this project's host (tests/storage_profiles): \
                 create, write 4 KiB and close a file p50 60 us, p90 76 us; one writer 1.7 GB/s. \
                 A sync is free: what a file system whose syncs are no-ops (tmpfs) gives. A request's \
                 latency is the writing thread's CPU, as on `local-disk`",
    },
    StorageProfileFigures {
        name: "hdfs",
        request_latency_ms_median: 5.0,
        request_latency_sigma: 0.5,
        bandwidth_bytes_per_s: 1e9,
        per_request_bandwidth_bytes_per_s: 150e6,
        metadata_latency_ms_median: 10.0,
        metadata_latency_sigma: 0.5,
        sync_latency_ms_median: 0.0,
        sync_latency_sigma: 0.0,
        request_is_writer_cpu: false,
        source: "a datacenter HDFS: assumed, not measured (a NameNode round plus a DataNode pipeline \
                 per request; one stream at about one disk's sequential write; the pipeline's \
                 acknowledgement on close is taken as part of the request latency)",
    },
    StorageProfileFigures {
        name: "s3",
        request_latency_ms_median: 30.0,
        request_latency_sigma: 0.8,
        bandwidth_bytes_per_s: 2e9,
        per_request_bandwidth_bytes_per_s: 80e6,
        metadata_latency_ms_median: 50.0,
        metadata_latency_sigma: 0.5,
        sync_latency_ms_median: 0.0,
        sync_latency_sigma: 0.0,
        request_is_writer_cpu: false,
        source: "an object store: assumed, not measured; AWS's S3 performance guidance quotes \
                 100-200 ms first-byte latency for small objects, so the 30 ms median is optimistic \
                 for S3 Standard; an object has no sync: it exists once its upload completes",
    },
];

/// The figures of the profile called `name`.
pub fn storage_profile_figures(name: &str) -> Option<&'static StorageProfileFigures> {
    STORAGE_PROFILES.iter().find(|p| p.name == name)
}

/// The profiles' names, as a scenario error or a reference lists them: `` `a`, `b` or `c` ``.
pub fn storage_profile_names() -> String {
    let names: Vec<String> = STORAGE_PROFILES.iter().map(|p| format!("`{}`", p.name)).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// What an operator is in the job graph.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OperatorKind {
    Source,
    Operator,
    Sink,
}

/// What a sink promises about its output after a failure: Flink's `DeliveryGuarantee`
/// (`org.apache.flink.connector.base.DeliveryGuarantee`), spelled as Flink prints it.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeliveryGuarantee {
    /// Two-phase commit: records become visible when the checkpoint that covers them
    /// completes, and each exactly once (a Kafka sink with transactions, a file sink).
    #[default]
    ExactlyOnce,
    /// Records are visible as soon as they are written; the writer flushes what is pending in
    /// the synchronous phase of a checkpoint, and a failover replays (and duplicates) what came
    /// after the restored checkpoint.
    AtLeastOnce,
    /// Nothing is kept (Flink's `DiscardingSink`): no output, no transaction.
    None,
}

/// An operator's chaining strategy as the DataStream API sets it (`ChainingStrategy`).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainingStrategy {
    /// `disableChaining()` (`NEVER`): chained with neither its input nor its output.
    Disable,
    /// `startNewChain()` (`HEAD`): heads a new chain; its output may still chain to it.
    StartNewChain,
}

/// How an edge distributes records over the consumer's subtasks.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Partitioning {
    /// One-to-one; both sides need the same parallelism.
    Forward,
    /// keyBy: by key hash.
    Hash,
    /// Round robin.
    Rebalance,
    /// Every record to every consumer subtask.
    Broadcast,
}

/// When a source's records arrive in the external system.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ArrivalProcess {
    /// Evenly spaced records.
    Constant,
    /// Exponential gaps.
    Poisson,
    /// Poisson at `records_per_second` during `on`, silent during `off`.
    Bursts,
}

/// What a source reads from (`connector`, as a Flink SQL table names it).
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SourceConnector {
    /// A log (Kafka-like): records arrive at `rate` whether or not the job reads them; they
    /// wait there (input lag) while it is slow or down and are read again after a restore.
    #[default]
    Log,
    /// Flink's `DataGeneratorSource` with `RateLimiterStrategy.perSecond` (the SQL `datagen`
    /// connector): emits at most `rate`, slows under backpressure, builds no backlog.
    Datagen,
}

/// How a source's record keys are drawn.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum KeyDistribution {
    Uniform,
    Zipf,
    /// A fixed hash of the record's index in its `DataGeneratorSource` split, as a generator
    /// function that derives the key from the index makes it (this project's real-Flink
    /// harness does): the same keys in the same order whatever the seed.
    SequenceHash,
}

/// `state.backend.type`; with `execution.checkpointing.incremental` it picks the backend.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StateBackendKind {
    /// HashMapStateBackend: copy-on-write snapshot in the sync phase, full upload. `hashmap`,
    /// Flink's name for it (`state.backend.type`), is accepted too.
    #[serde(alias = "hashmap")]
    Heap,
    /// EmbeddedRocksDBStateBackend: memtable flush and hard links in the sync phase; full
    /// upload, or only new SST files when incremental.
    Rocksdb,
}

/// `jobmanager.execution.failover-strategy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailoverStrategyKind {
    /// `RestartPipelinedRegionFailoverStrategy` (Flink's default).
    Region,
    /// `RestartAllFailoverStrategy`.
    Full,
}

/// Who owns a random failure process: each target separately, or the job as a whole (one
/// process whose events hit a uniformly drawn target).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MtbfScope {
    /// Every subtask (task crashes) or every TaskManager (losses) fails independently with the
    /// given MTBF; the job's MTBF is MTBF / targets.
    #[serde(alias = "taskmanager")]
    Task,
    /// The job as a whole fails with the given MTBF.
    Job,
}

/// How the JobManager learns that a TaskManager is gone.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LossDetection {
    /// A hung or unreachable process: only `heartbeat.timeout` after its last heartbeat.
    Heartbeat,
    /// A dead process: its TCP connections close, and RPC and netty report it within
    /// `connection_drop_delay`.
    ConnectionDrop,
}

/// What a straggler slows down.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StragglerKind {
    /// Every task on the TaskManager processes `slowdown` times slower (CPU contention, GC).
    Taskmanager,
    /// The TaskManager's local disk is `slowdown` times slower (RocksDB flushes, local recovery).
    Disk,
}
