//! `SingleCheckpointBarrierHandler`: exactly-once barrier handling, one checkpoint at a time.
//!
//! Three factories, as in Flink's `SingleCheckpointBarrierHandler`:
//! - [`SingleCheckpointBarrierHandler::aligned`]: each barrier blocks its channel (the upstream
//!   subpartition stops sending until resumed); at the last barrier the task snapshots
//!   (`triggerGlobalCheckpoint`) and all channels resume.
//! - [`SingleCheckpointBarrierHandler::alternating`]: what Flink's `InputProcessorUtil` builds
//!   whenever unaligned checkpoints are enabled. Aligned barriers (savepoints, timeoutable
//!   barriers) align; an unaligned barrier, the alignment timer or a barrier found timed out
//!   switches the checkpoint to unaligned (`AlternatingCollectingBarriers.alignmentTimeout`).
//! - [`SingleCheckpointBarrierHandler::unaligned`]: starts in
//!   `AlternatingWaitingForFirstBarrierUnaligned`; snapshots at the first barrier.
//!
//! A barrier with a higher id aborts a pending checkpoint (`CHECKPOINT_DECLINED_SUBSUMED`); a
//! `CancelCheckpointMarker` aborts it too (`CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER`).
//! The states are Flink's `BarrierHandlerState` classes; the transitions follow
//! `AbstractAlignedBarrierHandlerState`, `AbstractAlternatingAlignedBarrierHandlerState`,
//! `AlternatingWaitingForFirstBarrierUnaligned` and `AlternatingCollectingBarriersUnaligned`.

use crate::ids::{CheckpointId, InputIndex};
use crate::protocol::types::{CheckpointBarrier, CheckpointFailureReason, CheckpointType};
use crate::time::{DurationNs, SimTime};

/// `BarrierHandlerState`: Flink's state classes, one variant each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BarrierHandlerState {
    WaitingForFirstBarrier,
    CollectingBarriers,
    AlternatingWaitingForFirstBarrier,
    AlternatingCollectingBarriers,
    AlternatingWaitingForFirstBarrierUnaligned,
    AlternatingCollectingBarriersUnaligned,
}

impl BarrierHandlerState {
    fn is_alternating_aligned(self) -> bool {
        matches!(
            self,
            BarrierHandlerState::AlternatingWaitingForFirstBarrier | BarrierHandlerState::AlternatingCollectingBarriers
        )
    }

    fn is_unaligned(self) -> bool {
        matches!(
            self,
            BarrierHandlerState::AlternatingWaitingForFirstBarrierUnaligned
                | BarrierHandlerState::AlternatingCollectingBarriersUnaligned
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BarrierHandlerAction {
    /// Stop consuming from this channel until resumed (`ChannelState.blockChannel`). An aligned
    /// barrier blocks its upstream subpartition by being sent; this is the consumer's bookkeeping.
    BlockChannel(InputIndex),
    /// `resumeConsumption` for one channel (an obsolete aligned barrier's channel).
    ResumeChannel(InputIndex),
    /// `unblockAllChannels`, after the snapshot's synchronous part (aligned) or once the last
    /// barrier of an unaligned checkpoint arrived (channels whose aligned barrier came after the
    /// switch stayed blocked by the credit-based network until then).
    ResumeAllChannels,
    /// Take the snapshot (`triggerGlobalCheckpoint`). Aligned: at the last barrier. Unaligned:
    /// at the first barrier (or at the switch), with `barrier.options` unaligned, so that
    /// `barrier.options.reported_type()` is `UNALIGNED_CHECKPOINT`; `alignment_duration_ns` is
    /// then 0 and the real value comes with [`BarrierHandlerAction::AllBarriersReceived`].
    TriggerCheckpoint {
        barrier: CheckpointBarrier,
        start_delay_ns: DurationNs,
        alignment_duration_ns: DurationNs,
    },
    /// Abort the pending checkpoint: decline it and send a `CancelCheckpointMarker` downstream.
    AbortCheckpoint {
        checkpoint: CheckpointId,
        reason: CheckpointFailureReason,
    },
    /// Call [`SingleCheckpointBarrierHandler::on_alignment_timer`] at `at` (a timeoutable
    /// barrier, `registerAlignmentTimer`). Stale timers are ignored, so none needs cancelling.
    RegisterAlignmentTimer { checkpoint: CheckpointId, at: SimTime },
    /// `convertToPriorityEvent`: the announced barrier, still queued behind data in this input
    /// channel, moves to the head of the queue as an unaligned barrier. The buffers it overtakes
    /// are covered by the channel's [`BarrierHandlerAction::StartPersisting`].
    PrioritizeAnnouncedBarrier { channel: InputIndex, sequence_number: u64 },
    /// `ChannelStatePersister.startPersisting`: write to the checkpoint's channel state every data
    /// buffer of this channel that precedes the checkpoint's barrier and that the task has not
    /// consumed yet: the buffers already queued in the input channel, then each one arriving
    /// until [`BarrierHandlerAction::StopPersisting`]. Emitted for every channel whose barrier
    /// had not been processed when the checkpoint went unaligned.
    StartPersisting {
        checkpoint: CheckpointId,
        channel: InputIndex,
    },
    /// `stopPersisting`: this channel's barrier arrived; its channel state is complete.
    StopPersisting {
        checkpoint: CheckpointId,
        channel: InputIndex,
    },
    /// The last barrier of a checkpoint that was triggered unaligned arrived
    /// (`markAlignmentEnd`, `checkpointStopped`): the channel-state write can finish and the
    /// acknowledgement may go once the async part is done.
    AllBarriersReceived {
        checkpoint: CheckpointId,
        alignment_duration_ns: DurationNs,
    },
}

#[derive(Clone, Debug)]
pub struct SingleCheckpointBarrierHandler {
    /// The state each checkpoint starts in (and returns to).
    initial_state: BarrierHandlerState,
    state: BarrierHandlerState,
    num_open_channels: u32,
    current_checkpoint_id: CheckpointId,
    pending_checkpoint_barrier: Option<CheckpointBarrier>,
    aligned_channels: Vec<bool>,
    num_aligned: u32,
    blocked_channels: Vec<bool>,
    persisting_channels: Vec<bool>,
    /// `ChannelState.seenAnnouncements`: sequence number of the announced barrier per channel.
    announcements: Vec<Option<u64>>,
    /// Channels whose upstream finished (`EndOfPartition`, FLIP-147): they count as aligned for
    /// every checkpoint from then on.
    closed_channels: Vec<bool>,
    first_barrier_arrival: Option<SimTime>,
    start_delay_ns: DurationNs,
}

impl SingleCheckpointBarrierHandler {
    /// `SingleCheckpointBarrierHandler.aligned(...)`.
    pub fn aligned(num_open_channels: u32) -> Self {
        Self::new(num_open_channels, BarrierHandlerState::WaitingForFirstBarrier)
    }

    /// `SingleCheckpointBarrierHandler.unaligned(...)`: always unaligned. A savepoint's barrier,
    /// which can never be unaligned, is aligned as in the alternating handler.
    pub fn unaligned(num_open_channels: u32) -> Self {
        Self::new(
            num_open_channels,
            BarrierHandlerState::AlternatingWaitingForFirstBarrierUnaligned,
        )
    }

    /// `SingleCheckpointBarrierHandler.alternating(...)`: the handler for a job with unaligned
    /// checkpoints enabled, with or without `aligned-checkpoint-timeout` (the barrier's options
    /// say which).
    pub fn alternating(num_open_channels: u32) -> Self {
        Self::new(
            num_open_channels,
            BarrierHandlerState::AlternatingWaitingForFirstBarrier,
        )
    }

    fn new(num_open_channels: u32, initial_state: BarrierHandlerState) -> Self {
        assert!(num_open_channels > 0, "a barrier handler needs input channels");
        let n = num_open_channels as usize;
        SingleCheckpointBarrierHandler {
            initial_state,
            state: initial_state,
            num_open_channels,
            current_checkpoint_id: 0,
            pending_checkpoint_barrier: None,
            aligned_channels: vec![false; n],
            num_aligned: 0,
            blocked_channels: vec![false; n],
            persisting_channels: vec![false; n],
            announcements: vec![None; n],
            closed_channels: vec![false; n],
            first_barrier_arrival: None,
            start_delay_ns: 0,
        }
    }

    pub fn state(&self) -> BarrierHandlerState {
        self.state
    }

    pub fn num_open_channels(&self) -> u32 {
        self.num_open_channels
    }

    pub fn is_checkpoint_pending(&self) -> bool {
        self.pending_checkpoint_barrier.is_some()
    }

    pub fn current_checkpoint_id(&self) -> CheckpointId {
        self.current_checkpoint_id
    }

    /// Whether the pending checkpoint has already been triggered unaligned.
    pub fn is_unaligned_in_progress(&self) -> bool {
        self.is_checkpoint_pending() && self.state == BarrierHandlerState::AlternatingCollectingBarriersUnaligned
    }

    fn is_obsolete(&self, id: CheckpointId) -> bool {
        self.current_checkpoint_id > id || (self.current_checkpoint_id == id && !self.is_checkpoint_pending())
    }

    /// `processBarrier`.
    pub fn process_barrier(
        &mut self,
        now: SimTime,
        channel: InputIndex,
        barrier: CheckpointBarrier,
        out: &mut Vec<BarrierHandlerAction>,
    ) {
        let id = barrier.id;
        if self.is_obsolete(id) {
            // Obsolete barrier (its checkpoint was completed here, subsumed or cancelled):
            // nothing to align, but an aligned barrier blocked its channel by being sent.
            if !barrier.options.is_unaligned() {
                out.push(BarrierHandlerAction::ResumeChannel(channel));
            }
            return;
        }
        self.check_new_checkpoint(now, barrier, out);
        debug_assert_eq!(self.current_checkpoint_id, id);
        self.mark_aligned(now, channel, barrier);
        // A savepoint can never be unaligned: the always-unaligned handler aligns it.
        if self.state == BarrierHandlerState::AlternatingWaitingForFirstBarrierUnaligned
            && barrier.options.checkpoint_type == CheckpointType::Savepoint
            && !barrier.options.is_unaligned()
        {
            self.state = BarrierHandlerState::AlternatingWaitingForFirstBarrier;
        }
        self.barrier_received(now, channel, barrier, out);
    }

    /// `markCheckpointAlignedAndTransformState`'s first half: the channel counts as aligned
    /// before the state reacts, so a switch to unaligned persists only the other channels; the
    /// first barrier starts the alignment (`markAlignmentStart`).
    fn mark_aligned(&mut self, now: SimTime, channel: InputIndex, barrier: CheckpointBarrier) {
        let id = barrier.id;
        let ch = channel as usize;
        if self.aligned_channels[ch] {
            // A second barrier of one checkpoint on one channel breaks Chandy-Lamport's
            // "one marker per channel": a bug upstream, not an input error.
            panic!("duplicate barrier {id} on channel {channel}");
        }
        self.aligned_channels[ch] = true;
        self.num_aligned += 1;
        self.announcements[ch] = None;
        if self.first_barrier_arrival.is_none() {
            // markAlignmentStart
            self.first_barrier_arrival = Some(now);
            self.start_delay_ns = now.since(barrier.timestamp);
        }
    }

    /// The state's `barrierReceived`: what the barrier does in the state the handler is in.
    fn barrier_received(
        &mut self,
        now: SimTime,
        channel: InputIndex,
        barrier: CheckpointBarrier,
        out: &mut Vec<BarrierHandlerAction>,
    ) {
        match self.state {
            BarrierHandlerState::WaitingForFirstBarrier | BarrierHandlerState::CollectingBarriers => {
                self.aligned_barrier_received(now, channel, barrier, BarrierHandlerState::CollectingBarriers, out);
            }
            BarrierHandlerState::AlternatingWaitingForFirstBarrier
            | BarrierHandlerState::AlternatingCollectingBarriers => {
                if barrier.options.is_unaligned() {
                    // An upstream task already went unaligned: so does this one.
                    self.alignment_timeout(now, barrier, out);
                    self.unaligned_barrier_received(now, channel, barrier, out);
                } else if !self.all_barriers_received() && barrier.is_timed_out(now) {
                    self.block(channel, out);
                    self.alignment_timeout(now, barrier, out);
                    self.unaligned_barrier_received(now, channel, barrier.as_unaligned(), out);
                } else {
                    self.aligned_barrier_received(
                        now,
                        channel,
                        barrier,
                        BarrierHandlerState::AlternatingCollectingBarriers,
                        out,
                    );
                }
            }
            BarrierHandlerState::AlternatingWaitingForFirstBarrierUnaligned => {
                if !barrier.options.is_unaligned() {
                    self.block(channel, out);
                }
                self.alignment_timeout(now, barrier, out);
                if self.all_barriers_received() {
                    self.finish_unaligned(now, out);
                }
            }
            BarrierHandlerState::AlternatingCollectingBarriersUnaligned => {
                self.unaligned_barrier_received(now, channel, barrier, out);
            }
        }
    }

    /// `processEndOfPartition` with checkpoints after tasks finish: the channel's upstream
    /// finished, so no barrier will come from it. For a pending checkpoint the channel counts as
    /// aligned (the last one completes the alignment); later checkpoints no longer wait for it.
    pub fn process_end_of_partition(&mut self, now: SimTime, channel: InputIndex, out: &mut Vec<BarrierHandlerAction>) {
        let ch = channel as usize;
        if std::mem::replace(&mut self.closed_channels[ch], true) || self.aligned_channels[ch] {
            return; // its barrier already arrived: nothing changes for the pending checkpoint
        }
        self.aligned_channels[ch] = true;
        self.num_aligned += 1;
        self.announcements[ch] = None;
        if std::mem::take(&mut self.persisting_channels[ch]) {
            // Everything the channel held before its end was persisted: its state is complete.
            out.push(BarrierHandlerAction::StopPersisting {
                checkpoint: self.current_checkpoint_id,
                channel,
            });
        }
        let Some(barrier) = self.pending_checkpoint_barrier else {
            return;
        };
        if !self.all_barriers_received() || self.first_barrier_arrival.is_none() {
            return; // still waiting, or only announced so far
        }
        if self.state == BarrierHandlerState::AlternatingCollectingBarriersUnaligned {
            self.finish_unaligned(now, out);
        } else if !self.state.is_unaligned() {
            // The last channel to align ended: markAlignmentEnd, triggerGlobalCheckpoint,
            // unblockAllChannels.
            let alignment_duration_ns = now.since(self.first_barrier_arrival.unwrap_or(now));
            self.pending_checkpoint_barrier = None;
            out.push(BarrierHandlerAction::TriggerCheckpoint {
                barrier,
                start_delay_ns: self.start_delay_ns,
                alignment_duration_ns,
            });
            out.push(BarrierHandlerAction::ResumeAllChannels);
            self.reset_alignment();
        }
    }

    fn num_closed(&self) -> u32 {
        self.closed_channels.iter().filter(|c| **c).count() as u32
    }

    /// `processBarrierAnnouncement`: a timeoutable barrier reached this input channel but is
    /// still queued behind data. Starts the checkpoint (and its alignment timer) here early.
    pub fn process_barrier_announcement(
        &mut self,
        now: SimTime,
        channel: InputIndex,
        barrier: CheckpointBarrier,
        sequence_number: u64,
        out: &mut Vec<BarrierHandlerAction>,
    ) {
        self.check_new_checkpoint(now, barrier, out);
        if self.is_obsolete(barrier.id) || self.aligned_channels[channel as usize] {
            return;
        }
        if self.state.is_unaligned() {
            out.push(BarrierHandlerAction::PrioritizeAnnouncedBarrier {
                channel,
                sequence_number,
            });
        } else if self.state.is_alternating_aligned() {
            self.announcements[channel as usize] = Some(sequence_number);
        }
    }

    /// The alignment timer of `checkpoint` fired: if that checkpoint is still aligning, it
    /// continues unaligned (`AbstractAlternatingAlignedBarrierHandlerState.alignmentTimeout`).
    pub fn on_alignment_timer(&mut self, now: SimTime, checkpoint: CheckpointId, out: &mut Vec<BarrierHandlerAction>) {
        if checkpoint != self.current_checkpoint_id || !self.state.is_alternating_aligned() {
            return; // stale: completed, aborted, superseded or already unaligned
        }
        let Some(barrier) = self.pending_checkpoint_barrier else {
            return;
        };
        if barrier.options.checkpoint_type == CheckpointType::Savepoint {
            return;
        }
        self.alignment_timeout(now, barrier, out);
    }

    fn all_barriers_received(&self) -> bool {
        self.num_aligned == self.num_open_channels
    }

    fn block(&mut self, channel: InputIndex, out: &mut Vec<BarrierHandlerAction>) {
        self.blocked_channels[channel as usize] = true;
        out.push(BarrierHandlerAction::BlockChannel(channel));
    }

    /// Aligned states: block the channel; at the last barrier snapshot and unblock.
    fn aligned_barrier_received(
        &mut self,
        now: SimTime,
        channel: InputIndex,
        barrier: CheckpointBarrier,
        collecting: BarrierHandlerState,
        out: &mut Vec<BarrierHandlerAction>,
    ) {
        self.block(channel, out);
        if self.all_barriers_received() {
            // markAlignmentEnd + triggerGlobalCheckpoint + unblockAllChannels
            let alignment_duration_ns = now.since(self.first_barrier_arrival.unwrap_or(now));
            let barrier = self.pending_checkpoint_barrier.take().unwrap_or(barrier);
            out.push(BarrierHandlerAction::TriggerCheckpoint {
                barrier,
                start_delay_ns: self.start_delay_ns,
                alignment_duration_ns,
            });
            out.push(BarrierHandlerAction::ResumeAllChannels);
            self.reset_alignment();
        } else {
            self.state = collecting;
        }
    }

    /// The switch to unaligned (`alignmentTimeout` of the aligned alternating states, and the
    /// first barrier of `AlternatingWaitingForFirstBarrierUnaligned`): prioritize announced
    /// barriers, start persisting every channel whose barrier is still to come, and snapshot now
    /// as an unaligned checkpoint.
    fn alignment_timeout(&mut self, now: SimTime, barrier: CheckpointBarrier, out: &mut Vec<BarrierHandlerAction>) {
        let id = barrier.id;
        for ch in 0..self.num_open_channels {
            if let Some(sequence_number) = self.announcements[ch as usize].take() {
                out.push(BarrierHandlerAction::PrioritizeAnnouncedBarrier {
                    channel: ch,
                    sequence_number,
                });
            }
        }
        for ch in 0..self.num_open_channels {
            if !self.aligned_channels[ch as usize] {
                self.persisting_channels[ch as usize] = true;
                out.push(BarrierHandlerAction::StartPersisting {
                    checkpoint: id,
                    channel: ch,
                });
            }
        }
        let unaligned = barrier.as_unaligned();
        self.pending_checkpoint_barrier = Some(unaligned);
        let start_delay_ns = if self.first_barrier_arrival.is_none() {
            now.since(barrier.timestamp)
        } else {
            self.start_delay_ns
        };
        out.push(BarrierHandlerAction::TriggerCheckpoint {
            barrier: unaligned,
            start_delay_ns,
            alignment_duration_ns: 0,
        });
        self.state = BarrierHandlerState::AlternatingCollectingBarriersUnaligned;
    }

    /// `AlternatingCollectingBarriersUnaligned.barrierReceived`.
    fn unaligned_barrier_received(
        &mut self,
        now: SimTime,
        channel: InputIndex,
        barrier: CheckpointBarrier,
        out: &mut Vec<BarrierHandlerAction>,
    ) {
        // An aligned barrier arriving after the switch still blocked its upstream subpartition
        // (credit-based network): keep the books until the checkpoint ends.
        if !barrier.options.is_unaligned() && !self.blocked_channels[channel as usize] {
            self.block(channel, out);
        }
        if std::mem::take(&mut self.persisting_channels[channel as usize]) {
            out.push(BarrierHandlerAction::StopPersisting {
                checkpoint: barrier.id,
                channel,
            });
        }
        if self.all_barriers_received() {
            self.finish_unaligned(now, out);
        }
    }

    /// Last barrier of an unaligned checkpoint: `markAlignmentEnd`, `checkpointStopped`,
    /// `unblockAllChannels`.
    fn finish_unaligned(&mut self, now: SimTime, out: &mut Vec<BarrierHandlerAction>) {
        let checkpoint = self.current_checkpoint_id;
        self.stop_persisting_all(checkpoint, out);
        out.push(BarrierHandlerAction::AllBarriersReceived {
            checkpoint,
            alignment_duration_ns: now.since(self.first_barrier_arrival.unwrap_or(now)),
        });
        if self.blocked_channels.iter().any(|b| *b) {
            out.push(BarrierHandlerAction::ResumeAllChannels);
        }
        self.pending_checkpoint_barrier = None;
        self.reset_alignment();
    }

    fn stop_persisting_all(&mut self, checkpoint: CheckpointId, out: &mut Vec<BarrierHandlerAction>) {
        for ch in 0..self.num_open_channels {
            if std::mem::take(&mut self.persisting_channels[ch as usize]) {
                out.push(BarrierHandlerAction::StopPersisting {
                    checkpoint,
                    channel: ch,
                });
            }
        }
    }

    /// `checkNewCheckpoint`: a barrier (or announcement) with a higher id than any seen starts a
    /// new checkpoint and aborts the pending one; a timeoutable barrier starts its timer, with
    /// the delay counted from the checkpoint's trigger time (`BarrierAlignmentUtil.getTimerDelay`).
    fn check_new_checkpoint(&mut self, now: SimTime, barrier: CheckpointBarrier, out: &mut Vec<BarrierHandlerAction>) {
        if barrier.id <= self.current_checkpoint_id {
            return;
        }
        if let Some(pending) = self.pending_checkpoint_barrier {
            out.push(BarrierHandlerAction::AbortCheckpoint {
                checkpoint: pending.id,
                reason: CheckpointFailureReason::CheckpointDeclinedSubsumed,
            });
            self.abort_state(pending.id, out);
        }
        self.reset_alignment();
        self.current_checkpoint_id = barrier.id;
        self.pending_checkpoint_barrier = Some(barrier);
        if self.initial_state != BarrierHandlerState::WaitingForFirstBarrier
            && let Some(delay) = barrier.alignment_timer_delay_ns(now)
        {
            out.push(BarrierHandlerAction::RegisterAlignmentTimer {
                checkpoint: barrier.id,
                at: now + delay,
            });
        }
    }

    /// `processCancellationBarrier`.
    pub fn process_cancellation_barrier(&mut self, checkpoint: CheckpointId, out: &mut Vec<BarrierHandlerAction>) {
        let newer = checkpoint > self.current_checkpoint_id;
        let current_pending = checkpoint == self.current_checkpoint_id && self.is_checkpoint_pending();
        if !(newer || current_pending) {
            return;
        }
        if let Some(pending) = self.pending_checkpoint_barrier {
            self.abort_state(pending.id, out);
        }
        self.current_checkpoint_id = checkpoint;
        self.pending_checkpoint_barrier = None;
        self.reset_alignment();
        out.push(BarrierHandlerAction::AbortCheckpoint {
            checkpoint,
            reason: CheckpointFailureReason::CheckpointDeclinedOnCancellationBarrier,
        });
    }

    /// `BarrierHandlerState.abort`: stop persisting, unblock what was blocked.
    fn abort_state(&mut self, checkpoint: CheckpointId, out: &mut Vec<BarrierHandlerAction>) {
        self.stop_persisting_all(checkpoint, out);
        if self.blocked_channels.iter().any(|b| *b) {
            out.push(BarrierHandlerAction::ResumeAllChannels);
        }
        self.reset_alignment();
    }

    fn reset_alignment(&mut self) {
        self.aligned_channels.clone_from(&self.closed_channels);
        self.blocked_channels.iter_mut().for_each(|a| *a = false);
        self.persisting_channels.iter_mut().for_each(|a| *a = false);
        self.announcements.iter_mut().for_each(|a| *a = None);
        self.num_aligned = self.num_closed();
        self.first_barrier_arrival = None;
        self.state = self.initial_state;
    }
}

#[cfg(test)]
#[path = "barrier_handler_tests.rs"]
mod tests;
