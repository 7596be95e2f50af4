//! The barrier handler of a task with inputs, whichever kind the job's configuration asks for
//! (`InputProcessorUtil.createCheckpointBarrierHandler`): exactly-once without unaligned
//! checkpoints → aligned; exactly-once with unaligned checkpoints → alternating (it aligns
//! savepoints, and timeoutable barriers until they time out); at-least-once → the tracker.
//!
//! Each handler is a submodule, as Flink keeps them together in
//! `org.apache.flink.streaming.runtime.io.checkpointing`: a barrier mode adds its variant to
//! [`CheckpointingMode`] (which the scenario file reads directly), its handler file here, and its
//! case in [`InputHandler::for_config`].

pub mod barrier_handler;
pub mod barrier_tracker;

use crate::ids::{CheckpointId, InputIndex};
use crate::protocol::input_handler::barrier_handler::{BarrierHandlerAction, SingleCheckpointBarrierHandler};
use crate::protocol::input_handler::barrier_tracker::CheckpointBarrierTracker;
use crate::protocol::types::{CheckpointBarrier, CheckpointingMode};
use crate::time::SimTime;

#[derive(Clone, Debug)]
pub enum InputHandler {
    Single(SingleCheckpointBarrierHandler),
    Tracker(CheckpointBarrierTracker),
}

impl InputHandler {
    /// `InputProcessorUtil.createCheckpointBarrierHandler`.
    pub fn for_config(num_open_channels: u32, mode: CheckpointingMode, unaligned_enabled: bool) -> Self {
        match (mode, unaligned_enabled) {
            (CheckpointingMode::AtLeastOnce, _) => {
                InputHandler::Tracker(CheckpointBarrierTracker::new(num_open_channels))
            }
            (CheckpointingMode::ExactlyOnce, false) => {
                InputHandler::Single(SingleCheckpointBarrierHandler::aligned(num_open_channels))
            }
            (CheckpointingMode::ExactlyOnce, true) => {
                InputHandler::Single(SingleCheckpointBarrierHandler::alternating(num_open_channels))
            }
        }
    }

    pub fn process_barrier(
        &mut self,
        now: SimTime,
        channel: InputIndex,
        barrier: CheckpointBarrier,
        out: &mut Vec<BarrierHandlerAction>,
    ) {
        match self {
            InputHandler::Single(h) => h.process_barrier(now, channel, barrier, out),
            InputHandler::Tracker(t) => t.process_barrier(now, channel, barrier, out),
        }
    }

    /// A `CancelCheckpointMarker` from `channel` (the tracker counts markers per channel).
    pub fn process_cancellation_barrier(
        &mut self,
        now: SimTime,
        channel: InputIndex,
        checkpoint: CheckpointId,
        out: &mut Vec<BarrierHandlerAction>,
    ) {
        match self {
            InputHandler::Single(h) => h.process_cancellation_barrier(checkpoint, out),
            InputHandler::Tracker(t) => t.process_cancellation_barrier(now, channel, checkpoint, out),
        }
    }

    /// `EndOfPartition` from `channel`: its upstream finished (FLIP-147).
    pub fn process_end_of_partition(&mut self, now: SimTime, channel: InputIndex, out: &mut Vec<BarrierHandlerAction>) {
        match self {
            InputHandler::Single(h) => h.process_end_of_partition(now, channel, out),
            InputHandler::Tracker(t) => t.process_end_of_partition(now, channel, out),
        }
    }

    /// A timeoutable barrier reached an input channel behind data (the tracker ignores it).
    pub fn process_barrier_announcement(
        &mut self,
        now: SimTime,
        channel: InputIndex,
        barrier: CheckpointBarrier,
        sequence_number: u64,
        out: &mut Vec<BarrierHandlerAction>,
    ) {
        if let InputHandler::Single(h) = self {
            h.process_barrier_announcement(now, channel, barrier, sequence_number, out);
        }
    }

    pub fn on_alignment_timer(&mut self, now: SimTime, checkpoint: CheckpointId, out: &mut Vec<BarrierHandlerAction>) {
        if let InputHandler::Single(h) = self {
            h.on_alignment_timer(now, checkpoint, out);
        }
    }

    /// Whether checkpoint `id` is under way here: some of its barriers arrived, not all (an
    /// aligned alignment in progress, or an unaligned checkpoint collecting the rest).
    pub fn is_pending_checkpoint(&self, id: CheckpointId) -> bool {
        match self {
            InputHandler::Single(h) => h.current_checkpoint_id() == id && h.is_checkpoint_pending(),
            // At least once never persists channel state: nothing asks.
            InputHandler::Tracker(_) => false,
        }
    }

    /// Whether a barrier with this id would start a new checkpoint here (for "first barrier"
    /// bookkeeping such as `processed_data`).
    pub fn is_new_checkpoint(&self, id: CheckpointId) -> bool {
        match self {
            // A newer id starts a new checkpoint even while an older one is pending here: it
            // subsumes that one (`checkNewCheckpoint`).
            InputHandler::Single(h) => id > h.current_checkpoint_id(),
            InputHandler::Tracker(t) => id > t.latest_pending_checkpoint_id(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::input_handler::barrier_handler::BarrierHandlerState;

    /// `InputProcessorUtil`: the mode and the unaligned switch pick the handler.
    #[test]
    fn the_configuration_picks_the_handler_as_flink_does() {
        let aligned = InputHandler::for_config(2, CheckpointingMode::ExactlyOnce, false);
        assert!(
            matches!(aligned, InputHandler::Single(ref h) if h.state() == BarrierHandlerState::WaitingForFirstBarrier)
        );
        let alternating = InputHandler::for_config(2, CheckpointingMode::ExactlyOnce, true);
        assert!(
            matches!(alternating, InputHandler::Single(ref h) if h.state() == BarrierHandlerState::AlternatingWaitingForFirstBarrier)
        );
        assert!(matches!(
            InputHandler::for_config(2, CheckpointingMode::AtLeastOnce, true),
            InputHandler::Tracker(_)
        ));
    }
}
