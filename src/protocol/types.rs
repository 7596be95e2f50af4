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

/// `execution.checkpointing.mode`, as the scenario file spells it too (`exactly_once`,
/// `at_least_once`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckpointingMode {
    #[default]
    ExactlyOnce,
    /// Barriers are only counted (`CheckpointBarrierTracker`); channels are never blocked.
    AtLeastOnce,
}

/// What each mode decides, in one place: adding a mode means answering these (the matches are
/// exhaustive, so the compiler asks) and giving it a barrier handler
/// (`InputHandler::for_config`).
impl CheckpointingMode {
    /// Whether the mode aligns barriers, so that a snapshot is a consistent cut and unaligned
    /// checkpoints can be enabled (exactly-once); otherwise barriers are only counted.
    pub fn aligns_barriers(self) -> bool {
        match self {
            CheckpointingMode::ExactlyOnce => true,
            CheckpointingMode::AtLeastOnce => false,
        }
    }

    /// The mode's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            CheckpointingMode::ExactlyOnce => "exactly-once",
            CheckpointingMode::AtLeastOnce => "at-least-once",
        }
    }
}

/// How a barrier is to be aligned (`CheckpointOptions.AlignmentType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlignmentType {
    /// At-least-once mode: barriers are counted, not aligned.
    AtLeastOnce,
    /// Block each channel on its barrier; snapshot at the last one. With a timeout this is the
    /// "timeoutable" barrier that may switch to unaligned.
    Aligned,
    /// Priority event that overtakes in-flight data, which is persisted instead.
    Unaligned,
    /// An unaligned (or timeoutable) barrier sent over an edge that cannot carry one (pointwise
    /// or broadcast, `RecordWriterOutput.broadcastEvent`, FLINK-21945): aligned, never times out.
    ForcedAligned,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckpointOptions {
    pub checkpoint_type: CheckpointType,
    pub alignment: AlignmentType,
    /// `execution.checkpointing.aligned-checkpoint-timeout`, measured from the barrier's
    /// timestamp. `None` is Flink's `NO_ALIGNED_CHECKPOINT_TIME_OUT`.
    pub aligned_checkpoint_timeout_ns: Option<DurationNs>,
}

impl CheckpointOptions {
    /// `CheckpointOptions.alignedNoTimeout`.
    pub fn aligned_no_timeout(checkpoint_type: CheckpointType) -> Self {
        CheckpointOptions {
            checkpoint_type,
            alignment: AlignmentType::Aligned,
            aligned_checkpoint_timeout_ns: None,
        }
    }

    /// `CheckpointOptions.alignedWithTimeout`: the timeoutable barrier.
    pub fn aligned_with_timeout(checkpoint_type: CheckpointType, timeout_ns: DurationNs) -> Self {
        CheckpointOptions {
            checkpoint_type,
            alignment: AlignmentType::Aligned,
            aligned_checkpoint_timeout_ns: Some(timeout_ns),
        }
    }

    /// `CheckpointOptions.unaligned`.
    pub fn unaligned(checkpoint_type: CheckpointType) -> Self {
        CheckpointOptions {
            checkpoint_type,
            alignment: AlignmentType::Unaligned,
            aligned_checkpoint_timeout_ns: None,
        }
    }

    /// `CheckpointOptions.notExactlyOnce`.
    pub fn not_exactly_once(checkpoint_type: CheckpointType) -> Self {
        CheckpointOptions {
            checkpoint_type,
            alignment: AlignmentType::AtLeastOnce,
            aligned_checkpoint_timeout_ns: None,
        }
    }

    /// `CheckpointOptions.forConfig` (trigger pipeline step 6): at-least-once mode counts
    /// barriers; a savepoint or a job without unaligned checkpoints aligns without timeout;
    /// unaligned with timeout 0 is always unaligned; otherwise the barrier is timeoutable.
    pub fn for_config(
        checkpoint_type: CheckpointType,
        mode: CheckpointingMode,
        unaligned_enabled: bool,
        aligned_checkpoint_timeout_ns: Option<DurationNs>,
    ) -> Self {
        if !mode.aligns_barriers() {
            return Self::not_exactly_once(checkpoint_type);
        }
        if checkpoint_type == CheckpointType::Savepoint || !unaligned_enabled {
            return Self::aligned_no_timeout(checkpoint_type);
        }
        match aligned_checkpoint_timeout_ns {
            None | Some(0) => Self::unaligned(checkpoint_type),
            Some(t) => Self::aligned_with_timeout(checkpoint_type, t),
        }
    }

    /// `isUnalignedCheckpoint`.
    pub fn is_unaligned(&self) -> bool {
        self.alignment == AlignmentType::Unaligned
    }

    /// `isTimeoutable`: an aligned barrier that may switch to unaligned.
    pub fn is_timeoutable(&self) -> bool {
        self.alignment == AlignmentType::Aligned && self.aligned_checkpoint_timeout_ns.is_some_and(|t| t > 0)
    }

    /// `needsAlignment`: exactly-once, and a savepoint or not unaligned.
    pub fn needs_alignment(&self) -> bool {
        self.alignment != AlignmentType::AtLeastOnce
            && (self.checkpoint_type == CheckpointType::Savepoint || !self.is_unaligned())
    }

    /// `toUnaligned`: the options of a timed-out aligned barrier. Savepoints and at-least-once
    /// barriers are returned unchanged (Flink treats converting them as a violated precondition).
    pub fn to_unaligned(&self) -> Self {
        if self.checkpoint_type == CheckpointType::Savepoint {
            return *self; // savepoints are always aligned (`CheckpointOptions.unaligned` refuses them)
        }
        match self.alignment {
            // A forced-aligned barrier that reaches a task already checkpointing unaligned joins
            // that unaligned checkpoint; only its own edge stayed aligned.
            AlignmentType::Aligned | AlignmentType::Unaligned | AlignmentType::ForcedAligned => {
                Self::unaligned(self.checkpoint_type)
            }
            AlignmentType::AtLeastOnce => *self,
        }
    }

    /// `withUnalignedUnsupported`: what a pointwise or broadcast output sends instead of an
    /// unaligned or timeoutable barrier.
    pub fn with_unaligned_unsupported(&self) -> Self {
        if self.is_unaligned() || self.is_timeoutable() {
            CheckpointOptions {
                alignment: AlignmentType::ForcedAligned,
                ..*self
            }
        } else {
            *self
        }
    }

    /// The checkpoint type a task reports for a checkpoint it took with these options
    /// (`CHECKPOINT` / `UNALIGNED_CHECKPOINT` / `SAVEPOINT`).
    pub fn reported_type(&self) -> CheckpointType {
        match (self.checkpoint_type, self.alignment) {
            (CheckpointType::Savepoint, _) => CheckpointType::Savepoint,
            (_, AlignmentType::Unaligned) => CheckpointType::UnalignedCheckpoint,
            (t, _) => t,
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

impl CheckpointBarrier {
    /// `CheckpointBarrier.asUnaligned`.
    pub fn as_unaligned(&self) -> Self {
        CheckpointBarrier {
            options: self.options.to_unaligned(),
            ..*self
        }
    }

    /// `BarrierAlignmentUtil.getTimerDelay`: time left until a timeoutable barrier times out,
    /// counted from the JobManager's trigger time (not from the barrier's arrival here).
    pub fn alignment_timer_delay_ns(&self, now: SimTime) -> Option<DurationNs> {
        if !self.options.is_timeoutable() {
            return None;
        }
        let timeout = self.options.aligned_checkpoint_timeout_ns.unwrap_or(0);
        Some(timeout.saturating_sub(now.since(self.timestamp)))
    }

    /// `isTimedOut` in `SingleCheckpointBarrierHandler`: `timeout < now - timestamp`.
    pub fn is_timed_out(&self, now: SimTime) -> bool {
        self.options.is_timeoutable()
            && self.options.aligned_checkpoint_timeout_ns.unwrap_or(0) < now.since(self.timestamp)
    }
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
    /// The job finished: the coordinator shuts down and aborts what is still pending.
    CheckpointCoordinatorShutdown,
    /// The trigger reached a task that is no longer running (it finished).
    CheckpointDeclinedTaskNotReady,
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
            CheckpointCoordinatorShutdown => "CHECKPOINT_COORDINATOR_SHUTDOWN",
            CheckpointDeclinedTaskNotReady => "CHECKPOINT_DECLINED_TASK_NOT_READY",
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
