//! `SingleCheckpointBarrierHandler` for aligned exactly-once checkpoints.
//!
//! One checkpoint at a time. Each barrier blocks its channel (the upstream subpartition stops
//! sending until it is resumed); when the barrier has arrived on every open channel the task
//! snapshots (`triggerGlobalCheckpoint`) and all channels resume. A barrier with a higher id
//! aborts a pending alignment (`CHECKPOINT_DECLINED_SUBSUMED`); a `CancelCheckpointMarker`
//! aborts it too (`CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER`).

use crate::ids::{CheckpointId, InputIndex};
use crate::protocol::types::{CheckpointBarrier, CheckpointFailureReason};
use crate::time::{DurationNs, SimTime};

/// `BarrierHandlerState` for the aligned handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BarrierHandlerState {
    WaitingForFirstBarrier,
    CollectingBarriers,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BarrierHandlerAction {
    /// Stop consuming from this channel until resumed (`ChannelState.blockChannel`).
    BlockChannel(InputIndex),
    /// `resumeConsumption` for one channel (an obsolete barrier's channel).
    ResumeChannel(InputIndex),
    /// `unblockAllChannels`, after the snapshot's synchronous part.
    ResumeAllChannels,
    /// All barriers in: take the snapshot (`triggerGlobalCheckpoint`).
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
}

#[derive(Clone, Debug)]
pub struct SingleCheckpointBarrierHandler {
    state: BarrierHandlerState,
    num_open_channels: u32,
    current_checkpoint_id: CheckpointId,
    pending_checkpoint_barrier: Option<CheckpointBarrier>,
    aligned_channels: Vec<bool>,
    num_aligned: u32,
    first_barrier_arrival: SimTime,
    start_delay_ns: DurationNs,
}

impl SingleCheckpointBarrierHandler {
    /// `SingleCheckpointBarrierHandler.aligned(...)`.
    pub fn aligned(num_open_channels: u32) -> Self {
        assert!(num_open_channels > 0, "a barrier handler needs input channels");
        SingleCheckpointBarrierHandler {
            state: BarrierHandlerState::WaitingForFirstBarrier,
            num_open_channels,
            current_checkpoint_id: 0,
            pending_checkpoint_barrier: None,
            aligned_channels: vec![false; num_open_channels as usize],
            num_aligned: 0,
            first_barrier_arrival: SimTime::ZERO,
            start_delay_ns: 0,
        }
    }

    pub fn state(&self) -> BarrierHandlerState {
        self.state
    }

    pub fn is_checkpoint_pending(&self) -> bool {
        self.pending_checkpoint_barrier.is_some()
    }

    pub fn current_checkpoint_id(&self) -> CheckpointId {
        self.current_checkpoint_id
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
        if self.current_checkpoint_id > id || (self.current_checkpoint_id == id && !self.is_checkpoint_pending()) {
            // Obsolete barrier (its checkpoint was completed here, subsumed or cancelled):
            // nothing to align, but the channel was blocked by sending it, so resume it.
            out.push(BarrierHandlerAction::ResumeChannel(channel));
            return;
        }
        self.check_new_checkpoint(now, barrier, out);
        debug_assert_eq!(self.current_checkpoint_id, id);
        if self.aligned_channels[channel as usize] {
            // A second barrier of one checkpoint on one channel breaks Chandy-Lamport's
            // "one marker per channel": a bug upstream, not an input error.
            panic!("duplicate barrier {id} on channel {channel}");
        }
        self.aligned_channels[channel as usize] = true;
        self.num_aligned += 1;
        if self.num_aligned == 1 {
            // markAlignmentStart
            self.first_barrier_arrival = now;
            self.start_delay_ns = now.since(barrier.timestamp);
        }
        out.push(BarrierHandlerAction::BlockChannel(channel));
        if self.num_aligned == self.num_open_channels {
            // markAlignmentEnd + triggerGlobalCheckpoint + unblockAllChannels
            let alignment_duration_ns = now.since(self.first_barrier_arrival);
            let barrier = self.pending_checkpoint_barrier.take().expect("pending");
            out.push(BarrierHandlerAction::TriggerCheckpoint {
                barrier,
                start_delay_ns: self.start_delay_ns,
                alignment_duration_ns,
            });
            out.push(BarrierHandlerAction::ResumeAllChannels);
            self.reset_alignment();
        } else {
            self.state = BarrierHandlerState::CollectingBarriers;
        }
    }

    /// `checkNewCheckpoint`: a barrier with a higher id than any seen starts a new checkpoint
    /// and aborts the pending one.
    fn check_new_checkpoint(&mut self, now: SimTime, barrier: CheckpointBarrier, out: &mut Vec<BarrierHandlerAction>) {
        if barrier.id <= self.current_checkpoint_id {
            return;
        }
        if let Some(pending) = self.pending_checkpoint_barrier {
            out.push(BarrierHandlerAction::AbortCheckpoint {
                checkpoint: pending.id,
                reason: CheckpointFailureReason::CheckpointDeclinedSubsumed,
            });
            self.unblock_all(out);
        }
        let _ = now;
        self.current_checkpoint_id = barrier.id;
        self.pending_checkpoint_barrier = Some(barrier);
    }

    /// `processCancellationBarrier`.
    pub fn process_cancellation_barrier(&mut self, checkpoint: CheckpointId, out: &mut Vec<BarrierHandlerAction>) {
        let newer = checkpoint > self.current_checkpoint_id;
        let current_pending = checkpoint == self.current_checkpoint_id && self.is_checkpoint_pending();
        if !(newer || current_pending) {
            return;
        }
        if self.is_checkpoint_pending() {
            self.unblock_all(out);
        }
        self.current_checkpoint_id = checkpoint;
        self.pending_checkpoint_barrier = None;
        self.reset_alignment();
        out.push(BarrierHandlerAction::AbortCheckpoint {
            checkpoint,
            reason: CheckpointFailureReason::CheckpointDeclinedOnCancellationBarrier,
        });
    }

    fn unblock_all(&mut self, out: &mut Vec<BarrierHandlerAction>) {
        out.push(BarrierHandlerAction::ResumeAllChannels);
        self.reset_alignment();
    }

    fn reset_alignment(&mut self) {
        self.aligned_channels.iter_mut().for_each(|a| *a = false);
        self.num_aligned = 0;
        self.state = BarrierHandlerState::WaitingForFirstBarrier;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::types::{CheckpointOptions, CheckpointType};
    use BarrierHandlerAction::*;

    fn barrier(id: u64, ts: u64) -> CheckpointBarrier {
        CheckpointBarrier {
            id,
            timestamp: SimTime(ts),
            options: CheckpointOptions::aligned_no_timeout(CheckpointType::Checkpoint),
        }
    }

    #[test]
    fn snapshot_is_taken_at_the_last_barrier_and_channels_resume_after() {
        let mut h = SingleCheckpointBarrierHandler::aligned(3);
        let mut out = vec![];
        h.process_barrier(SimTime(15), 1, barrier(1, 10), &mut out);
        assert_eq!(out, vec![BlockChannel(1)]);
        assert_eq!(h.state(), BarrierHandlerState::CollectingBarriers);
        out.clear();
        h.process_barrier(SimTime(20), 0, barrier(1, 10), &mut out);
        h.process_barrier(SimTime(40), 2, barrier(1, 10), &mut out);
        assert_eq!(
            out,
            vec![
                BlockChannel(0),
                BlockChannel(2),
                TriggerCheckpoint {
                    barrier: barrier(1, 10),
                    start_delay_ns: 5,
                    alignment_duration_ns: 25
                },
                ResumeAllChannels
            ]
        );
        assert_eq!(h.state(), BarrierHandlerState::WaitingForFirstBarrier);
    }

    #[test]
    fn a_newer_barrier_subsumes_the_pending_alignment() {
        let mut h = SingleCheckpointBarrierHandler::aligned(2);
        let mut out = vec![];
        h.process_barrier(SimTime(1), 0, barrier(1, 0), &mut out);
        out.clear();
        h.process_barrier(SimTime(2), 1, barrier(2, 1), &mut out);
        assert_eq!(
            out,
            vec![
                AbortCheckpoint {
                    checkpoint: 1,
                    reason: CheckpointFailureReason::CheckpointDeclinedSubsumed
                },
                ResumeAllChannels,
                BlockChannel(1)
            ]
        );
        out.clear();
        // The late barrier 1 on channel 0 is obsolete: resume its channel, nothing else.
        h.process_barrier(SimTime(3), 0, barrier(1, 0), &mut out);
        assert_eq!(out, vec![ResumeChannel(0)]);
    }

    #[test]
    fn a_cancellation_marker_aborts_the_alignment() {
        let mut h = SingleCheckpointBarrierHandler::aligned(2);
        let mut out = vec![];
        h.process_barrier(SimTime(1), 0, barrier(4, 0), &mut out);
        out.clear();
        h.process_cancellation_barrier(4, &mut out);
        assert_eq!(
            out,
            vec![
                ResumeAllChannels,
                AbortCheckpoint {
                    checkpoint: 4,
                    reason: CheckpointFailureReason::CheckpointDeclinedOnCancellationBarrier
                }
            ]
        );
        out.clear();
        h.process_barrier(SimTime(2), 1, barrier(4, 0), &mut out);
        assert_eq!(
            out,
            vec![ResumeChannel(1)],
            "the cancelled checkpoint's late barrier only resumes"
        );
    }
}
