//! The event type. Small and `Copy`: large payloads (buffers, metrics) live in the world's
//! tables and events refer to them by index. Events aimed at a task or a channel carry its
//! incarnation: after a restart, the old incarnation's events are stale and dropped.

use crate::protocol::coordinator::CoordinatorTimer;
use crate::protocol::{CheckpointBarrier, CheckpointFailureReason};

#[derive(Clone, Copy, Debug)]
pub enum Event {
    /// A task's batch or sync phase ends, or it has new work; stale when `generation` is old.
    TaskWake {
        s: u32,
        generation: u32,
    },
    /// The output flusher (`execution.buffer-timeout`) of a task.
    Flush {
        s: u32,
        inc: u32,
    },
    /// The head buffer on a channel's wire reaches the consumer.
    Deliver {
        ch: u32,
        inc: u32,
    },
    /// Credit announcement reaches the producer.
    Credit {
        ch: u32,
        n: u32,
        inc: u32,
    },
    /// `ResumeConsumption` reaches the producer.
    Resume {
        ch: u32,
        inc: u32,
    },
    CoordTimer(CoordinatorTimer),
    /// `triggerCheckpoint` RPC reaches a source task.
    TriggerArrive {
        s: u32,
        barrier: CheckpointBarrier,
        inc: u32,
    },
    /// `acknowledgeCheckpoint` reaches the JobManager.
    AckArrive {
        s: u32,
        checkpoint: u64,
    },
    /// `declineCheckpoint` reaches the JobManager.
    DeclineArrive {
        checkpoint: u64,
        reason: CheckpointFailureReason,
    },
    /// `notifyCheckpointComplete` / `notifyCheckpointAborted` reaches a task.
    NotifyArrive {
        s: u32,
        checkpoint: u64,
        complete: bool,
    },
    /// The `_metadata` file is written.
    MetadataWritten {
        checkpoint: u64,
    },
    /// A storage request's latency is over; its bytes start to flow.
    StorageStart {
        req: u32,
    },
    /// The next storage transfer completes.
    StorageTick {
        generation: u64,
    },
    /// A request's file is forced to the device (its sync on close is over).
    StorageSynced {
        req: u32,
    },
    /// Timeline sample.
    Sample,
    /// End of warm-up: statistics start counting.
    WarmupEnd,
    /// An injected fault strikes (index into the world's fault list).
    Fault {
        index: u32,
    },
    /// The JobManager learns of a failure (immediate report, or heartbeat timeout).
    FailureDetected {
        failure: u32,
    },
    /// The restart delay is over: the failed tasks are redeployed and start restoring.
    Restart {
        failure: u32,
    },
    /// A restarting task has its state back and runs again.
    Restored {
        s: u32,
        inc: u32,
    },
    /// A fault window (storage outage or throttling, straggler, partition) opens or closes.
    FaultWindow {
        window: u32,
    },
    /// Input-side alignment timer of a timeoutable checkpoint (`registerAlignmentTimer`).
    AlignmentTimer {
        s: u32,
        checkpoint: u64,
        inc: u32,
    },
    /// Output-side alignment timer (FLINK-27251): a barrier still queued in an output
    /// subpartition overtakes the data ahead of it.
    OutputAlignmentTimer {
        s: u32,
        checkpoint: u64,
        inc: u32,
    },
    /// A scheduled savepoint (`checkpoint.savepoint_times`).
    SavepointTrigger,
    /// A subtask's state backend has background work due (changelog uploads, materialization).
    BackendWake {
        s: u32,
        inc: u32,
    },
    /// Buffer debloating: every input gate recalculates its buffer size.
    DebloatTick,
    /// A priority barrier's mail reaches the task thread.
    PriorityMail {
        s: u32,
        input: u32,
        checkpoint: u64,
        inc: u32,
    },
    /// A subtask's snapshot thread finished a chunk of serialization.
    SnapshotChunk {
        s: u32,
        checkpoint: u64,
        inc: u32,
    },
}

impl Event {
    /// (kind, component) folded into the trace hash.
    pub fn trace_key(&self) -> (u32, u32) {
        match *self {
            Event::TaskWake { s, .. } => (1, s),
            Event::Flush { s, .. } => (2, s),
            Event::Deliver { ch, .. } => (3, ch),
            Event::Credit { ch, n, .. } => (4, ch ^ (n << 24)),
            Event::Resume { ch, .. } => (5, ch),
            Event::CoordTimer(_) => (6, 0),
            Event::TriggerArrive { s, barrier, .. } => (7, s ^ ((barrier.id as u32) << 16)),
            Event::AckArrive { s, checkpoint } => (8, s ^ ((checkpoint as u32) << 16)),
            Event::DeclineArrive { checkpoint, .. } => (9, checkpoint as u32),
            Event::NotifyArrive {
                s,
                checkpoint,
                complete,
            } => (10 + complete as u32, s ^ ((checkpoint as u32) << 16)),
            Event::MetadataWritten { checkpoint } => (12, checkpoint as u32),
            Event::StorageStart { req } => (13, req),
            Event::StorageTick { generation } => (14, generation as u32),
            Event::Sample => (15, 0),
            Event::WarmupEnd => (16, 0),
            Event::Fault { index } => (17, index),
            Event::FailureDetected { failure } => (18, failure),
            Event::Restart { failure } => (19, failure),
            Event::Restored { s, .. } => (20, s),
            Event::FaultWindow { window } => (21, window),
            Event::AlignmentTimer { s, checkpoint, .. } => (22, s ^ ((checkpoint as u32) << 16)),
            Event::OutputAlignmentTimer { s, checkpoint, .. } => (23, s ^ ((checkpoint as u32) << 16)),
            Event::SavepointTrigger => (24, 0),
            Event::BackendWake { s, .. } => (25, s),
            Event::DebloatTick => (26, 0),
            Event::SnapshotChunk { s, checkpoint, .. } => (27, s ^ ((checkpoint as u32) << 16)),
            Event::StorageSynced { req } => (28, req),
            Event::PriorityMail { s, checkpoint, .. } => (29, s ^ ((checkpoint as u32) << 16)),
        }
    }
}
