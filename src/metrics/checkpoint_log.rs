//! The raw checkpoint statistics of a run, in integer nanoseconds, kept for exports that need
//! more than the CSV rows carry: which vertex each acknowledgement came from, whether it was
//! unaligned, when a completed checkpoint was discarded, and when checkpoints were restored.
//! `output::flink_rest` turns it into Flink's REST responses.

use crate::ids::CheckpointId;
use crate::protocol::SubtaskCheckpointMetrics;

/// One job vertex (operator), in job-graph order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedVertex {
    pub name: String,
    pub parallelism: u32,
}

/// Where a checkpoint ended up (`CheckpointStatsStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoggedStatus {
    InProgress,
    Completed,
    Failed,
}

/// One subtask's acknowledgement.
#[derive(Clone, Debug, PartialEq)]
pub struct LoggedAck {
    /// Index into `CheckpointLog::vertices`.
    pub vertex: u32,
    /// Subtask index within the vertex.
    pub index: u32,
    pub ack_ns: u64,
    pub metrics: SubtaskCheckpointMetrics,
    /// The subtask took this checkpoint unaligned.
    pub unaligned: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LoggedCheckpoint {
    pub id: CheckpointId,
    /// `CHECKPOINT`, `UNALIGNED_CHECKPOINT` or `SAVEPOINT`.
    pub checkpoint_type: &'static str,
    pub status: LoggedStatus,
    pub trigger_ns: u64,
    /// Completion or failure time.
    pub end_ns: Option<u64>,
    /// Flink's `CheckpointFailureReason` name, for failed checkpoints.
    pub failure_reason: Option<String>,
    pub num_subtasks: u32,
    /// In acknowledgement order.
    pub acks: Vec<LoggedAck>,
    /// Subsumed out of the completed-checkpoint store (`num_retained`) and deleted.
    pub discarded: bool,
}

/// A recovery restored a completed checkpoint (`RestoredCheckpointStats`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoggedRestore {
    pub checkpoint: CheckpointId,
    pub restore_ns: u64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct CheckpointLog {
    /// Epoch milliseconds of simulated time zero (`simulation.start_epoch_ms`).
    pub start_epoch_ms: u64,
    /// Where completed checkpoints are said to live, by storage profile (`s3://…`, `hdfs://…`,
    /// `file:/…`).
    pub checkpoint_dir: String,
    /// `web.checkpoints.history`: the newest checkpoints the REST history and details keep.
    pub history_size: u32,
    pub vertices: Vec<LoggedVertex>,
    /// By id, ascending.
    pub checkpoints: Vec<LoggedCheckpoint>,
    /// In time order.
    pub restores: Vec<LoggedRestore>,
}
