//! The checkpoint protocol's vocabulary: barriers, options, failure reasons and the metrics a
//! subtask reports with its acknowledgement.

use serde::Serialize;

use crate::ids::CheckpointId;
use crate::time::{DurationNs, SimTime};

/// `CheckpointType` as the REST API reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CheckpointType {
    Checkpoint,
    UnalignedCheckpoint,
    Savepoint,
}

impl CheckpointType {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckpointType::Checkpoint => "CHECKPOINT",
            CheckpointType::UnalignedCheckpoint => "UNALIGNED_CHECKPOINT",
            CheckpointType::Savepoint => "SAVEPOINT",
        }
    }
}

/// How a barrier is to be aligned (`CheckpointOptions.AlignmentType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlignmentType {
    Aligned,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckpointOptions {
    pub checkpoint_type: CheckpointType,
    pub alignment: AlignmentType,
}

impl CheckpointOptions {
    /// `CheckpointOptions.alignedNoTimeout`.
    pub fn aligned_no_timeout(checkpoint_type: CheckpointType) -> Self {
        CheckpointOptions {
            checkpoint_type,
            alignment: AlignmentType::Aligned,
        }
    }
}

/// `CheckpointBarrier`: travels in the data stream. `timestamp` is the JobManager's trigger time;
/// start delay and alignment timeouts are measured from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckpointBarrier {
    pub id: CheckpointId,
    pub timestamp: SimTime,
    pub options: CheckpointOptions,
}

/// `CheckpointFailureReason`, the subset that this simulator can produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CheckpointFailureReason {
    CheckpointExpired,
    CheckpointDeclined,
    CheckpointSubsumed,
    CheckpointDeclinedSubsumed,
    CheckpointDeclinedOnCancellationBarrier,
    CheckpointAsyncException,
    IoException,
    TooManyCheckpointRequests,
    MinimumTimeBetweenCheckpoints,
    CheckpointCoordinatorSuspend,
}

impl CheckpointFailureReason {
    pub fn as_str(self) -> &'static str {
        use CheckpointFailureReason::*;
        match self {
            CheckpointExpired => "CHECKPOINT_EXPIRED",
            CheckpointDeclined => "CHECKPOINT_DECLINED",
            CheckpointSubsumed => "CHECKPOINT_SUBSUMED",
            CheckpointDeclinedSubsumed => "CHECKPOINT_DECLINED_SUBSUMED",
            CheckpointDeclinedOnCancellationBarrier => "CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER",
            CheckpointAsyncException => "CHECKPOINT_ASYNC_EXCEPTION",
            IoException => "IO_EXCEPTION",
            TooManyCheckpointRequests => "TOO_MANY_CHECKPOINT_REQUESTS",
            MinimumTimeBetweenCheckpoints => "MINIMUM_TIME_BETWEEN_CHECKPOINTS",
            CheckpointCoordinatorSuspend => "CHECKPOINT_COORDINATOR_SUSPEND",
        }
    }

    /// Whether `CheckpointFailureManager` counts this reason against the tolerable failures.
    /// Flink counts only I/O, async, declined and expired failures; every task-side decline is
    /// reported to the JobManager as a `CHECKPOINT_DECLINED`-family reason, of which Flink
    /// counts the plain decline and ignores the subsumption and cancellation-barrier ones.
    pub fn is_counted(self) -> bool {
        use CheckpointFailureReason::*;
        matches!(
            self,
            CheckpointExpired | CheckpointDeclined | CheckpointAsyncException | IoException
        )
    }
}

/// What a subtask reports in `AcknowledgeCheckpoint` (`CheckpointMetrics` + state sizes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SubtaskCheckpointMetrics {
    /// First barrier arrival minus the barrier's trigger timestamp.
    pub start_delay_ns: DurationNs,
    /// First to last barrier.
    pub alignment_duration_ns: DurationNs,
    pub sync_duration_ns: DurationNs,
    pub async_duration_ns: DurationNs,
    /// Bytes written by this checkpoint.
    pub checkpointed_size: u64,
    /// Full size of the state this checkpoint refers to.
    pub state_size: u64,
    /// Bytes processed during alignment.
    pub processed_data: u64,
    /// In-flight bytes persisted (unaligned checkpoints only).
    pub persisted_data: u64,
}
