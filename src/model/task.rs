//! The pieces of a subtask's runtime state: its phase, the batch it works on, its checkpoints
//! in progress, its channel state, its source or sink, its I/O counters. The subtask's state as
//! a whole (`Task`) is private to the world's `Tasks` component (`world::tasks`).

use std::sync::Arc;

use crate::ids::CheckpointId;
use crate::model::record_shape::RecordShape;
use crate::model::records::Record;
use crate::model::source::{ReaderMark, SourceReader};
use crate::protocol::async_checkpoint::AsyncCheckpointProgress;
use crate::protocol::{CheckpointBarrier, SubtaskCheckpointMetrics};
use crate::time::SimTime;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskPhase {
    /// Nothing to read.
    Idle,
    /// Working through a batch (an input buffer, or a chunk of source records).
    Processing,
    /// Back-pressured: the output has no buffer free.
    WaitingForOutput,
    /// In the synchronous phase of a snapshot.
    SyncSnapshot,
    /// Failed or cancelled, waiting for a restart, or restoring its state.
    Down,
    /// `FINISHED` (FLIP-147): its input ended, its final checkpoint completed, and its outputs
    /// carry `EndOfPartition`. It runs no more.
    Finished,
}

/// Records being processed, each with its own completion time, so that a checkpoint trigger
/// (which Flink runs between records) can split the batch exactly.
#[derive(Debug, Default)]
pub struct Batch {
    pub records: Vec<Record>,
    pub done_at_ns: Vec<u64>,
    /// First record not yet emitted.
    pub next: usize,
    /// The input buffer to recycle when the batch is done (operators), as a channel index.
    pub input_channel: Option<u32>,
    pub end: SimTime,
    /// The input buffer was restored channel state: it holds no credit, so nothing is recycled.
    pub recovered: bool,
    /// No record from `next` on starts before this (the batch's start, then the end of a sync
    /// phase that shifted the rest of the batch).
    pub not_before_ns: u64,
}

/// A checkpoint this subtask has started and not yet acknowledged.
#[derive(Clone, Debug)]
pub struct SubtaskCheckpoint {
    pub id: CheckpointId,
    pub barrier: CheckpointBarrier,
    pub metrics: SubtaskCheckpointMetrics,
    /// What the acknowledgement waits for (upload, channel state, output barrier).
    pub progress: AsyncCheckpointProgress,
    /// Storage requests of the upload's files in flight.
    pub uploads: Vec<u32>,
    /// A savepoint (canonical snapshot; no incremental bookkeeping).
    pub savepoint: bool,
    /// The files the backend's asynchronous part uploads, after `async_delay_ns`.
    pub transfer: crate::model::backend::transfer::TransferPool,
    pub async_delay_ns: u64,
    /// CPU the snapshot thread has still to spend before the upload (heap serialization, and
    /// its files' request latency when that is CPU).
    pub async_cpu_left_ns: u64,
    /// The snapshot thread spent its files' request latency as CPU: they go to storage
    /// without one.
    pub request_latency_spent: bool,
}

/// Channel state (in-flight data) of the checkpoint a task takes unaligned: bytes written so far
/// (input buffers per `StartPersisting`, output buffers overtaken by the barrier), and, when
/// restore points are kept, the records themselves, to put back into the channels on recovery.
#[derive(Clone, Debug, Default)]
pub struct ChannelStateAcc {
    pub checkpoint: CheckpointId,
    pub input_bytes: u64,
    pub output_bytes: u64,
    /// Persisted records per channel, in channel order.
    pub records: Vec<PersistedChannel>,
}

/// Which end of a channel a piece of channel state belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelSide {
    /// Received by the consumer, not yet processed (`InputChannelStateHandle`).
    Input,
    /// Produced, not yet sent (`ResultSubpartitionStateHandle`).
    Output,
}

/// The persisted in-flight records of one channel at one end.
#[derive(Clone, Debug)]
pub struct PersistedChannel {
    pub channel: u32,
    pub side: ChannelSide,
    pub records: Vec<Record>,
}

impl ChannelStateAcc {
    /// Appends records to a channel's state (behind what it already holds).
    pub fn push_records(&mut self, channel: u32, side: ChannelSide, records: &[Record]) {
        if records.is_empty() {
            return;
        }
        match self.records.iter_mut().find(|p| p.channel == channel && p.side == side) {
            Some(p) => p.records.extend_from_slice(records),
            None => self.records.push(PersistedChannel {
                channel,
                side,
                records: records.to_vec(),
            }),
        }
    }

    /// Puts records ahead of what a channel's state already holds (the rest of the buffer the
    /// task was reading when the snapshot was taken comes before the queued ones).
    pub fn prepend_records(&mut self, channel: u32, side: ChannelSide, records: &[Record]) {
        if records.is_empty() {
            return;
        }
        match self.records.iter_mut().find(|p| p.channel == channel && p.side == side) {
            Some(p) => {
                p.records.splice(0..0, records.iter().copied());
            }
            None => self.records.push(PersistedChannel {
                channel,
                side,
                records: records.to_vec(),
            }),
        }
    }
}

/// An unaligned barrier on its way from the input gate to the task thread: the priority event
/// completed the gate's priority future, whose callback mails the task (`CheckpointedInputGate`
/// -> `processPriorityEvents`). Until the mail runs the barrier sits at its channel's head, so
/// nothing of that channel is read.
#[derive(Clone, Copy, Debug)]
pub struct PriorityMail {
    pub input: u32,
    pub barrier: CheckpointBarrier,
    /// Data buffers at the head of the input channel it overtook (see
    /// [`DeferredMail::PriorityBarrier`]).
    pub overtaken_buffers: u32,
    /// The mail reached the thread while it processed a record and waited for its end: it runs
    /// at that boundary whatever the thread starts next.
    pub waited_for_record: bool,
}

/// The buffers a priority barrier overtook, copied out of their channel before a failure
/// elsewhere emptied it (the barrier's producer died): its mail, when it runs, persists these
/// instead of the channel's head. A live consumer keeps what it received in Flink until it
/// fails itself; here the channel is reset at once, so its share is kept beside the mail.
#[derive(Clone, Debug)]
pub struct RescuedOvertaken {
    pub input: u32,
    pub checkpoint: CheckpointId,
    pub bytes: u64,
    pub records: Vec<crate::model::records::Record>,
}

/// Mailbox work that must wait for the end of a synchronous phase.
#[derive(Clone, Copy, Debug)]
pub enum DeferredMail {
    /// An unaligned barrier that overtook the input queue of `input`.
    PriorityBarrier {
        input: u32,
        barrier: CheckpointBarrier,
        /// Data buffers at the head of the input channel it overtook (persisted as channel
        /// state); they stay there while the synchronous phase runs.
        overtaken_buffers: u32,
    },
    /// The input-side alignment timer of a checkpoint.
    AlignmentTimer { checkpoint: CheckpointId },
    /// The task finishes (its final checkpoint's notification came during a sync phase).
    Finish,
}

#[derive(Debug)]
pub struct SourceRuntime {
    pub reader: SourceReader,
    /// Where `reader` stood when the batch in progress (or the last one) started: a snapshot
    /// inside a batch reads its unemitted records again from there.
    pub batch_start: ReaderMark,
    pub shape: Arc<RecordShape>,
    pub max_records: Option<u64>,
}

/// A sink: what it promises (its delivery guarantee) and, for an exactly-once sink, its
/// two-phase commit: the transaction machinery plus, per transaction, the arrival times of its
/// records (for the latency until output becomes visible).
#[derive(Debug)]
pub struct SinkRuntime {
    pub guarantee: crate::vocab::DeliveryGuarantee,
    pub txn: crate::protocol::two_phase_commit::TwoPhaseCommitSink,
    pub open_origins_ns: crate::model::arrival_log::ArrivalLog,
    pub pending_origins_ns: std::collections::BTreeMap<CheckpointId, crate::model::arrival_log::ArrivalLog>,
    /// Periodic checkpoints commit its transactions. Without them nothing becomes visible
    /// before the end of input, which commits everything (savepoints commit nothing), so no
    /// arrival time is kept: for an unbounded input it would grow forever.
    pub commits: bool,
    /// Records processed, per source subtask (for the consistent-cut check).
    pub absorbed_per_source: Vec<u64>,
}

/// What Flink's `TaskIOMetricGroup` counts for a task: busy and back-pressured time, records
/// in and out, bytes in.
#[derive(Clone, Copy, Debug, Default)]
pub struct TaskIoCounters {
    pub busy_ns: u64,
    pub back_pressured_ns: u64,
    /// Back-pressured since then (waiting for an output buffer), if it is now.
    pub back_pressured_since: Option<SimTime>,
    pub records_in: u64,
    pub records_out: u64,
    pub bytes_in: u64,
    /// Time the task thread's work took longer because asynchronous snapshot threads of its
    /// host held cores it would otherwise have had (part of `busy_ns`).
    pub slowed_by_snapshots_ns: u64,
    /// Time the task thread was runnable without a core, whichever threads of its host held
    /// them (part of `busy_ns`; includes `slowed_by_snapshots_ns`): Linux's run delay.
    pub waiting_for_cores_ns: u64,
}
