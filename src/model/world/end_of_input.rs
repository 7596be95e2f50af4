//! Bounded input in the world (FLIP-147, checkpoints after tasks finish): a source whose input
//! is exhausted ends its data, `EndOfData` and `EndOfPartition` travel down the channels behind
//! the last records, each task finishes once its final checkpoint completed and its inputs
//! ended, checkpoints go on without the finished tasks, and the job is `FINISHED` when every
//! task is. The decisions are [`crate::protocol::end_of_input::EndOfInput`]'s; this file carries
//! them out.

use super::World;
use super::restore_point::TaskSnapshot;
use crate::ids::CheckpointId;
use crate::model::records::Payload;
use crate::model::task::{DeferredMail, TaskPhase};
use crate::protocol::end_of_input::EndOfInputAction;
use crate::protocol::{CheckpointBarrier, CheckpointFailureReason, SubtaskCheckpointMetrics};
use crate::time::SimTime;

impl World {
    /// A source's input ended: `endData` (once).
    pub(crate) fn source_input_ended(&mut self, now: SimTime, s: u32) {
        let out = self.tasks.source_input_ended(s);
        self.apply_end_of_input_actions(now, s, out);
    }

    /// `EndOfData` taken from input channel `input`.
    pub(crate) fn on_end_of_data(&mut self, now: SimTime, s: u32, input: u32) {
        let out = self.tasks.on_end_of_data(s, input);
        self.apply_end_of_input_actions(now, s, out);
    }

    /// `EndOfPartition` taken from input channel `input`: the barrier handler stops waiting
    /// for it, a trigger RPC waiting for the inputs to end runs, and the task may finish.
    pub(crate) fn on_end_of_partition(&mut self, now: SimTime, s: u32, input: u32) {
        let actions = self.tasks.process_end_of_partition(s, now, input);
        self.apply_handler_actions(now, s, actions);
        let (out, trigger) = self.tasks.on_end_of_partition(s, input);
        if let Some(barrier) = trigger {
            self.perform_rpc_triggered_checkpoint(now, s, barrier);
        }
        self.apply_end_of_input_actions(now, s, out);
    }

    /// A trigger RPC reached a task with inputs (every upstream task finished): once its open
    /// channels have delivered their `EndOfPartition` (nothing else is left in them: the
    /// upstream tasks' final checkpoints already covered their data), it checkpoints as a
    /// source does. Flink injects the barrier into the open channels instead
    /// (`triggerUnfinishedChannelsCheckpoint`), which, with only `EndOfPartition` left in them,
    /// takes the same snapshot.
    pub(crate) fn trigger_task_with_inputs(&mut self, now: SimTime, s: u32, barrier: CheckpointBarrier) {
        if self.tasks.trigger_when_inputs_ended(s, barrier) {
            self.perform_rpc_triggered_checkpoint(now, s, barrier);
        }
    }

    fn perform_rpc_triggered_checkpoint(&mut self, now: SimTime, s: u32, barrier: CheckpointBarrier) {
        let metrics = SubtaskCheckpointMetrics {
            start_delay_ns: now.since(barrier.timestamp),
            ..Default::default()
        };
        self.perform_checkpoint(now, s, barrier, metrics);
    }

    /// A trigger RPC reached a task that has finished: the TaskExecutor no longer knows it
    /// (`CHECKPOINT_DECLINED_TASK_NOT_READY`, not counted as a failure).
    pub(crate) fn decline_trigger_at_finished_task(&mut self, now: SimTime, checkpoint: CheckpointId) {
        self.decline(now, checkpoint, CheckpointFailureReason::CheckpointDeclinedTaskNotReady);
    }

    /// `notifyCheckpointComplete` reached task `s` (after its sink committed): its final
    /// checkpoint may be complete now.
    pub(crate) fn end_of_input_checkpoint_completed(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId) {
        if self.tasks.phase(s) == TaskPhase::Down {
            return;
        }
        let out = self.tasks.end_of_input_checkpoint_completed(s, checkpoint);
        self.apply_end_of_input_actions(now, s, out);
    }

    fn apply_end_of_input_actions(&mut self, now: SimTime, s: u32, actions: Vec<EndOfInputAction>) {
        for a in actions {
            match a {
                EndOfInputAction::EndData => {
                    if let Some(actions) = self.tasks.commit_sink_at_end_of_input(s) {
                        self.apply_transactions(&actions);
                    }
                    self.broadcast(now, s, Payload::EndOfData);
                }
                // Mailbox order: the notification waits for the synchronous phase to end.
                EndOfInputAction::Finish if self.tasks.phase(s) == TaskPhase::SyncSnapshot => {
                    self.tasks.defer_mail(s, DeferredMail::Finish)
                }
                EndOfInputAction::Finish => self.finish_task(now, s),
            }
        }
    }

    /// The task is `FINISHED`: `EndOfPartition` goes out, and the JobManager stops triggering
    /// and waiting for it, keeping its final state for the checkpoints to come
    /// (`FullyFinishedOperatorState`). The job finishes with its last task.
    pub(crate) fn finish_task(&mut self, now: SimTime, s: u32) {
        self.broadcast(now, s, Payload::EndOfPartition);
        self.tasks.finish(s, now);
        let snapshot = self.jm.captures_snapshots().then(|| self.finished_snapshot(s));
        self.jm.task_finished(s, snapshot);
        // A finished task no longer holds its writer's files open (`releaseSubtask`).
        if let Some(w) = self.channel_state_writers.writer_of(s) {
            for checkpoint in self.channel_state_writers.open_checkpoints(w) {
                self.pump_channel_file(now, w, checkpoint);
            }
        }
        if self.tasks.all_finished() {
            let out = self.jm.job_finished(now);
            self.apply_coordinator_actions(out);
        }
    }

    /// A task deployed as finished: `EndOfData` and `EndOfPartition` go out at once.
    pub(crate) fn finish_restored_task(&mut self, now: SimTime, s: u32) {
        self.broadcast(now, s, Payload::EndOfData);
        self.finish_task(now, s);
    }

    /// What a finished task restores to: its final position and state, no open transaction.
    fn finished_snapshot(&self, s: u32) -> TaskSnapshot {
        TaskSnapshot {
            reader: self.tasks.source_reader(s),
            keys: self.keys.mark(s),
            state_bytes: self.state_bytes(s),
            sink: None,
            sink_absorbed: self.tasks.sink_absorbed(s),
            finished: true,
        }
    }

    /// `DefaultCheckpointPlanCalculator.calculateAfterTasksFinished`: the running sources, and
    /// every running task whose upstream tasks have all finished, in subtask order.
    pub(crate) fn tasks_to_trigger(&self) -> Vec<u32> {
        self.tasks
            .subtasks()
            .filter(|&s| {
                self.tasks.phase(s) != TaskPhase::Finished
                    && self.graph.inputs[s as usize].iter().all(|ch| {
                        let producer = self.graph.channels[ch.0 as usize].producer.0;
                        self.tasks.phase(producer) == TaskPhase::Finished
                    })
            })
            .collect()
    }

    /// Bytes in checkpoint storage held by the retained and pending checkpoints.
    pub fn retained_checkpoint_bytes(&self) -> u64 {
        self.jm.retained_checkpoint_bytes()
    }

    /// The retained completed checkpoints whose restore points the store holds.
    pub fn restorable_checkpoints(&self) -> Vec<u64> {
        self.jm.restorable_checkpoints()
    }

    /// When the job reached `FINISHED` (every task finished), if it did.
    pub fn job_finished_at(&self) -> Option<SimTime> {
        self.jm.job_finished_at()
    }
}
