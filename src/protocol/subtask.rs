//! `SubtaskCheckpointCoordinatorImpl`: what a task does once a checkpoint is triggered on it
//! (by the trigger RPC at a source, by the barrier handler elsewhere), and with the JobManager's
//! notifications.

use std::collections::VecDeque;

use crate::ids::CheckpointId;
use crate::protocol::types::CheckpointBarrier;
use crate::time::SimTime;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubtaskAction {
    /// `prepareSnapshotPreBarrier` (sinks flush and pre-commit before the barrier).
    PrepareSnapshotPreBarrier { checkpoint: CheckpointId },
    /// Emit the barrier on every output, after the data already written (`broadcastEvent`).
    BroadcastBarrier { barrier: CheckpointBarrier },
    /// Emit a `CancelCheckpointMarker` on every output.
    BroadcastCancelMarker { checkpoint: CheckpointId },
    /// Synchronous part of the snapshot: the task processes nothing meanwhile.
    TakeSnapshotSync { checkpoint: CheckpointId },
    /// Output-side alignment timeout (`registerAlignmentTimer`, FLINK-27251), for a timeoutable
    /// barrier: at `at` (already past if the barrier is late; then at once), if the barrier
    /// still waits behind data in an output subpartition, the buffers ahead of it are written to
    /// the checkpoint's output channel state and it moves to the head as an unaligned barrier
    /// (`PipelinedSubpartition.alignedBarrierTimeout`). A barrier already sent is left alone.
    RegisterAlignmentTimer { checkpoint: CheckpointId, at: SimTime },
}

/// Aborted ids remembered, as Flink bounds `abortedCheckpointIds`.
const ABORTED_IDS_MAX: usize = 128;

#[derive(Clone, Debug, Default)]
pub struct SubtaskCheckpointCoordinator {
    last_checkpoint_id: CheckpointId,
    aborted_ids: VecDeque<CheckpointId>,
    /// Async parts running (`checkpoints` map of `AsyncCheckpointRunnable`s), ascending.
    running_async: Vec<CheckpointId>,
}

impl SubtaskCheckpointCoordinator {
    pub fn new() -> Self {
        Self::default()
    }

    /// `checkpointState`: returns the steps to perform, in order.
    pub fn checkpoint_state(&mut self, barrier: CheckpointBarrier, out: &mut Vec<SubtaskAction>) {
        let id = barrier.id;
        if id <= self.last_checkpoint_id {
            return; // (0) out of order or duplicate: drop
        }
        self.last_checkpoint_id = id;
        if self.aborted_ids.contains(&id) {
            // (0) the JobManager already aborted it: tell downstream, skip the snapshot
            out.push(SubtaskAction::BroadcastCancelMarker { checkpoint: id });
            return;
        }
        out.push(SubtaskAction::PrepareSnapshotPreBarrier { checkpoint: id });
        out.push(SubtaskAction::BroadcastBarrier { barrier });
        if let Some(timeout) = barrier
            .options
            .aligned_checkpoint_timeout_ns
            .filter(|_| barrier.options.is_timeoutable())
        {
            // BarrierAlignmentUtil.getTimerDelay: counted from the trigger time.
            out.push(SubtaskAction::RegisterAlignmentTimer {
                checkpoint: id,
                at: barrier.timestamp + timeout,
            });
        }
        out.push(SubtaskAction::TakeSnapshotSync { checkpoint: id });
        self.running_async.push(id);
    }

    /// `abortCheckpointOnBarrier`: the barrier handler aborted; decline and cancel downstream.
    pub fn abort_checkpoint_on_barrier(&mut self, checkpoint: CheckpointId, out: &mut Vec<SubtaskAction>) {
        self.last_checkpoint_id = self.last_checkpoint_id.max(checkpoint);
        out.push(SubtaskAction::BroadcastCancelMarker { checkpoint });
    }

    /// `notifyCheckpointAborted`: remember the id; returns true if an async part was running
    /// and must be cancelled.
    pub fn notify_checkpoint_aborted(&mut self, checkpoint: CheckpointId) -> bool {
        if !self.aborted_ids.contains(&checkpoint) {
            self.aborted_ids.push_back(checkpoint);
            if self.aborted_ids.len() > ABORTED_IDS_MAX {
                self.aborted_ids.pop_front();
            }
        }
        self.finish_async(checkpoint)
    }

    /// `notifyCheckpointComplete`: returns true if the task should run its completion hooks.
    pub fn notify_checkpoint_complete(&mut self, _checkpoint: CheckpointId) -> bool {
        true
    }

    /// The async part finished; returns true if the task should acknowledge (it was not cancelled).
    pub fn finish_async(&mut self, checkpoint: CheckpointId) -> bool {
        match self.running_async.iter().position(|c| *c == checkpoint) {
            Some(i) => {
                self.running_async.remove(i);
                true
            }
            None => false,
        }
    }

    pub fn is_async_running(&self, checkpoint: CheckpointId) -> bool {
        self.running_async.contains(&checkpoint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::types::{CheckpointOptions, CheckpointType};

    fn barrier(id: u64) -> CheckpointBarrier {
        CheckpointBarrier {
            id,
            timestamp: SimTime(0),
            options: CheckpointOptions::aligned_no_timeout(CheckpointType::Checkpoint),
        }
    }

    #[test]
    fn barrier_goes_out_before_the_sync_snapshot() {
        let mut c = SubtaskCheckpointCoordinator::new();
        let mut out = vec![];
        c.checkpoint_state(barrier(1), &mut out);
        assert_eq!(
            out,
            vec![
                SubtaskAction::PrepareSnapshotPreBarrier { checkpoint: 1 },
                SubtaskAction::BroadcastBarrier { barrier: barrier(1) },
                SubtaskAction::TakeSnapshotSync { checkpoint: 1 }
            ]
        );
        assert!(c.is_async_running(1));
    }

    #[test]
    fn an_aborted_checkpoint_only_cancels_downstream() {
        let mut c = SubtaskCheckpointCoordinator::new();
        c.notify_checkpoint_aborted(2);
        let mut out = vec![];
        c.checkpoint_state(barrier(2), &mut out);
        assert_eq!(out, vec![SubtaskAction::BroadcastCancelMarker { checkpoint: 2 }]);
        out.clear();
        c.checkpoint_state(barrier(1), &mut out);
        assert!(out.is_empty(), "older ids are dropped");
    }

    /// FLINK-27251: a timeoutable barrier also times out in the output queue, counted from the
    /// trigger time; aligned and unaligned barriers set no timer.
    #[test]
    fn a_timeoutable_barrier_registers_the_output_alignment_timer() {
        let mut c = SubtaskCheckpointCoordinator::new();
        let mut out = vec![];
        let b = CheckpointBarrier {
            id: 1,
            timestamp: SimTime(100),
            options: CheckpointOptions::aligned_with_timeout(CheckpointType::Checkpoint, 1_000),
        };
        c.checkpoint_state(b, &mut out);
        assert_eq!(
            out,
            vec![
                SubtaskAction::PrepareSnapshotPreBarrier { checkpoint: 1 },
                SubtaskAction::BroadcastBarrier { barrier: b },
                SubtaskAction::RegisterAlignmentTimer {
                    checkpoint: 1,
                    at: SimTime(1_100)
                },
                SubtaskAction::TakeSnapshotSync { checkpoint: 1 }
            ]
        );
        out.clear();
        c.checkpoint_state(barrier(2), &mut out);
        assert_eq!(out.len(), 3);
    }
}
