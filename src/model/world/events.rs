//! The event type. Small and `Copy`: large payloads (buffers, metrics) live in the world's
//! tables and events refer to them by index.

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
    },
    /// The head buffer on a channel's wire reaches the consumer.
    Deliver {
        ch: u32,
    },
    /// Credit announcement reaches the producer.
    Credit {
        ch: u32,
        n: u32,
    },
    /// `ResumeConsumption` reaches the producer.
    Resume {
        ch: u32,
    },
    CoordTimer(CoordinatorTimer),
    /// `triggerCheckpoint` RPC reaches a source task.
    TriggerArrive {
        s: u32,
        barrier: CheckpointBarrier,
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
    /// Timeline sample.
    Sample,
    /// End of warm-up: statistics start counting.
    WarmupEnd,
}

impl Event {
    /// (kind, component) folded into the trace hash.
    pub fn trace_key(&self) -> (u32, u32) {
        match *self {
            Event::TaskWake { s, .. } => (1, s),
            Event::Flush { s } => (2, s),
            Event::Deliver { ch } => (3, ch),
            Event::Credit { ch, n } => (4, ch ^ (n << 24)),
            Event::Resume { ch } => (5, ch),
            Event::CoordTimer(_) => (6, 0),
            Event::TriggerArrive { s, barrier } => (7, s ^ ((barrier.id as u32) << 16)),
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
        }
    }
}
