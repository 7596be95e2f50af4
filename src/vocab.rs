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

/// The built-in checkpoint storage profiles (`storage.profile`); the model holds their figures
/// (`model::storage::StorageProfile::named`).
pub const STORAGE_PROFILES: [&str; 3] = ["local-disk", "hdfs", "s3"];

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
