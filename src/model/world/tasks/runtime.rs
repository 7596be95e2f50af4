//! One subtask's runtime state as a whole. Its fields are private to the `Tasks` component:
//! the rest of the world asks and tells the tasks through `Tasks`' methods.

use std::collections::{BTreeMap, VecDeque};

use crate::ids::CheckpointId;
use crate::model::backend::StateBackend;
use crate::model::task::{
    Batch, ChannelStateAcc, DeferredMail, PriorityMail, RescuedOvertaken, SinkRuntime, SourceRuntime, SubtaskCheckpoint,
};
use crate::model::task::{TaskIoCounters, TaskPhase};
use crate::protocol::CheckpointBarrier;
use crate::protocol::end_of_input::EndOfInput;
use crate::protocol::input_handler::InputHandler;
use crate::protocol::subtask::SubtaskCheckpointCoordinator;
use crate::sim::RngStream;
use crate::time::SimTime;

#[derive(Debug)]
pub(crate) struct Task {
    pub(super) phase: TaskPhase,
    /// Bumped at every restart: events of an earlier incarnation are stale.
    pub(super) incarnation: u32,
    /// Generation of the task's wake-up event; a wake with another generation is stale.
    pub(super) wake_gen: u32,
    pub(super) batch: Option<Batch>,
    pub(super) handler: Option<InputHandler>,
    pub(super) coordinator: SubtaskCheckpointCoordinator,
    pub(super) sync_until: SimTime,
    pub(super) sync_checkpoint: Option<CheckpointId>,
    pub(super) resume_after_sync: bool,
    /// Trigger RPCs that arrived during a synchronous phase (mailbox order).
    pub(super) deferred_triggers: VecDeque<CheckpointBarrier>,
    pub(super) checkpoints: Vec<SubtaskCheckpoint>,
    pub(super) rng: RngStream,
    pub(super) source: Option<SourceRuntime>,
    /// Sinks: the sink's writer (and its two-phase commit when it is exactly-once).
    pub(super) sink: Option<SinkRuntime>,
    /// Flink's task I/O metrics, counted from the start.
    pub(super) io: TaskIoCounters,
    /// Bytes processed when the current alignment started (for `processed_data`).
    pub(super) alignment_bytes_start: u64,
    /// Keyed state backend of a stateful subtask (`None`: stateless).
    pub(super) backend: Option<StateBackend>,
    /// State written since the last `on_state_change` (fed once per batch).
    pub(super) state_written_pending: super::backends::PendingWrites,
    /// Channel state of the unaligned checkpoint in progress at this task (at most one).
    pub(super) channel_state: Option<ChannelStateAcc>,
    /// Priority barriers and alignment timers that arrived during a synchronous phase.
    pub(super) deferred_mail: VecDeque<DeferredMail>,
    /// Priority barriers mailed to the task thread, not yet handled.
    pub(super) priority_mail: Vec<PriorityMail>,
    /// Overtaken buffers of pending priority barriers whose channels were emptied.
    pub(super) rescued_overtaken: Vec<RescuedOvertaken>,
    /// A checkpoint whose acknowledgement waits for its timeoutable barrier to leave an output.
    pub(super) waiting_output_barrier: Option<CheckpointId>,
    /// Changelog: log bytes a recovery from each of the latest checkpoints replays.
    pub(super) changelog_replay_bytes: BTreeMap<CheckpointId, u64>,
    /// End of data, final checkpoint and finishing (FLIP-147).
    pub(super) end_of_input: EndOfInput,
    /// A trigger RPC that reached a task with inputs after all its upstream tasks finished,
    /// waiting for the `EndOfPartition` of its still-open channels.
    pub(super) deferred_rpc_trigger: Option<CheckpointBarrier>,
    /// An idle task's input hand-off in progress: it wakes then to read its inputs.
    pub(super) input_handoff_until: Option<SimTime>,
}

impl Task {
    /// A subtask's runtime, idle at time zero: `handler` reads its inputs (none for a source),
    /// `rng` draws its service times.
    pub(crate) fn new(
        handler: Option<InputHandler>,
        rng: RngStream,
        source: Option<SourceRuntime>,
        sink: Option<SinkRuntime>,
        backend: Option<StateBackend>,
        end_of_input: EndOfInput,
    ) -> Task {
        Task {
            phase: TaskPhase::Idle,
            incarnation: 0,
            wake_gen: 0,
            batch: None,
            handler,
            coordinator: SubtaskCheckpointCoordinator::new(),
            sync_until: SimTime::ZERO,
            sync_checkpoint: None,
            resume_after_sync: false,
            deferred_triggers: Default::default(),
            checkpoints: Vec::new(),
            rng,
            source,
            sink,
            io: Default::default(),
            alignment_bytes_start: 0,
            backend,
            state_written_pending: Default::default(),
            channel_state: None,
            deferred_mail: Default::default(),
            priority_mail: Vec::new(),
            rescued_overtaken: Vec::new(),
            waiting_output_barrier: None,
            changelog_replay_bytes: Default::default(),
            end_of_input,
            deferred_rpc_trigger: None,
            input_handoff_until: None,
        }
    }
}
