//! A task's end of input under FLIP-147 (checkpoints after tasks finish, Flink's default since
//! 1.15): what `StreamTask` does between the end of its data and its `FINISHED` state.
//!
//! - A source's input ends when its split reader has nothing more; a task with inputs reaches
//!   the end of its data when every input channel delivered `EndOfData` (input status
//!   `END_OF_DATA`). Then `endData`: the operators finish and `EndOfData` goes out on every
//!   output, behind the last records (`endOfDataReceived`).
//! - The first checkpoint the task performs after that is its final checkpoint
//!   (`finalCheckpointMinId`); the task waits until a checkpoint with at least that id
//!   completes (`finalCheckpointCompleted`), so that a two-phase-commit sink commits the
//!   transaction holding its last records. Without periodic checkpoints there is nothing to
//!   wait for.
//! - It also waits for `EndOfPartition` on every input channel (input status `END_OF_INPUT`:
//!   the upstream tasks finished). Then it finishes: `EndOfPartition` on every output, and the
//!   JobManager learns that the task is `FINISHED`.
//!
//! A task whose every operator finished in the checkpoint it is restored from is deployed as
//! finished (`TaskStateSnapshot.isTaskDeployedAsFinished`): it ends its data and finishes at once.

use crate::ids::{CheckpointId, InputIndex};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndOfInputAction {
    /// `endData`: the operators finish and `EndOfData` goes out on every output.
    EndData,
    /// The task finishes: `EndOfPartition` on every output; the JobManager marks it `FINISHED`.
    Finish,
}

#[derive(Clone, Debug)]
pub struct EndOfInput {
    /// Checkpointing is on: the task waits for its final checkpoint before it finishes.
    waits_for_final_checkpoint: bool,
    /// Per input channel: `EndOfData` received; `EndOfPartition` received.
    data_ended: Vec<bool>,
    num_data_ended: u32,
    partition_ended: Vec<bool>,
    num_partitions_ended: u32,
    end_of_data_received: bool,
    final_checkpoint_min_id: Option<CheckpointId>,
    final_checkpoint_completed: bool,
    finished: bool,
}

impl EndOfInput {
    pub fn new(num_input_channels: u32, waits_for_final_checkpoint: bool) -> Self {
        let n = num_input_channels as usize;
        EndOfInput {
            waits_for_final_checkpoint,
            data_ended: vec![false; n],
            num_data_ended: 0,
            partition_ended: vec![false; n],
            num_partitions_ended: 0,
            end_of_data_received: false,
            final_checkpoint_min_id: None,
            final_checkpoint_completed: !waits_for_final_checkpoint,
            finished: false,
        }
    }

    pub fn is_finished(&self) -> bool {
        self.finished
    }

    pub fn end_of_data_received(&self) -> bool {
        self.end_of_data_received
    }

    /// Every input channel delivered `EndOfPartition` (always true for a source).
    pub fn all_partitions_ended(&self) -> bool {
        self.num_partitions_ended as usize == self.partition_ended.len()
    }

    /// A source's input is exhausted (its last record was emitted).
    pub fn source_input_ended(&mut self, out: &mut Vec<EndOfInputAction>) {
        self.end_data(out);
    }

    /// `EndOfData` from one input channel; the last one ends the task's data.
    pub fn on_end_of_data(&mut self, channel: InputIndex, out: &mut Vec<EndOfInputAction>) {
        if !std::mem::replace(&mut self.data_ended[channel as usize], true) {
            self.num_data_ended += 1;
        }
        if self.num_data_ended as usize == self.data_ended.len() {
            self.end_data(out);
        }
    }

    /// `EndOfPartition` from one input channel: its upstream task finished.
    pub fn on_end_of_partition(&mut self, channel: InputIndex, out: &mut Vec<EndOfInputAction>) {
        if !std::mem::replace(&mut self.partition_ended[channel as usize], true) {
            self.num_partitions_ended += 1;
        }
        self.maybe_finish(out);
    }

    /// The task performs checkpoint `checkpoint`: the first one after the end of its data is
    /// its final checkpoint.
    pub fn checkpoint_started(&mut self, checkpoint: CheckpointId) {
        if self.end_of_data_received && self.final_checkpoint_min_id.is_none() {
            self.final_checkpoint_min_id = Some(checkpoint);
        }
    }

    /// `notifyCheckpointComplete`: a checkpoint at or after the final one completes it.
    pub fn checkpoint_completed(&mut self, checkpoint: CheckpointId, out: &mut Vec<EndOfInputAction>) {
        if self.final_checkpoint_min_id.is_some_and(|min| checkpoint >= min) {
            self.final_checkpoint_completed = true;
            self.maybe_finish(out);
        }
    }

    /// Restored from a checkpoint in which the task had finished: it finishes at once.
    pub fn deployed_as_finished(&mut self, out: &mut Vec<EndOfInputAction>) {
        self.data_ended.iter_mut().for_each(|d| *d = true);
        self.partition_ended.iter_mut().for_each(|p| *p = true);
        self.num_data_ended = self.data_ended.len() as u32;
        self.num_partitions_ended = self.partition_ended.len() as u32;
        self.final_checkpoint_completed = true;
        self.end_data(out);
    }

    fn end_data(&mut self, out: &mut Vec<EndOfInputAction>) {
        if std::mem::replace(&mut self.end_of_data_received, true) {
            return;
        }
        out.push(EndOfInputAction::EndData);
        self.maybe_finish(out);
    }

    fn maybe_finish(&mut self, out: &mut Vec<EndOfInputAction>) {
        if self.end_of_data_received && self.final_checkpoint_completed && self.all_partitions_ended() && !self.finished
        {
            self.finished = true;
            out.push(EndOfInputAction::Finish);
        }
    }

    /// Whether the task waits for a final checkpoint at all (checkpointing is on).
    pub fn waits_for_final_checkpoint(&self) -> bool {
        self.waits_for_final_checkpoint
    }
}

#[cfg(test)]
mod tests {
    use super::EndOfInputAction::*;
    use super::*;

    /// FLIP-147: a source ends its data at once, and finishes only when a checkpoint it
    /// performed after that completes, not an earlier one.
    #[test]
    fn a_source_finishes_after_its_final_checkpoint_completes() {
        let mut e = EndOfInput::new(0, true);
        let mut out = vec![];
        e.checkpoint_started(1);
        e.source_input_ended(&mut out);
        assert_eq!(out, vec![EndData]);
        out.clear();
        e.checkpoint_completed(1, &mut out);
        assert!(out.is_empty(), "checkpoint 1 was taken before the end of data");
        e.checkpoint_started(2);
        e.checkpoint_started(3);
        e.checkpoint_completed(3, &mut out);
        assert_eq!(out, vec![Finish], "a later checkpoint than the final one also counts");
        assert!(e.is_finished());
    }

    /// A task with inputs ends its data at the last `EndOfData` and finishes once every input
    /// partition ended too and its final checkpoint completed.
    #[test]
    fn a_task_with_inputs_waits_for_every_end_of_data_and_end_of_partition() {
        let mut e = EndOfInput::new(2, true);
        let mut out = vec![];
        e.on_end_of_data(0, &mut out);
        e.on_end_of_data(0, &mut out);
        assert!(out.is_empty());
        e.on_end_of_data(1, &mut out);
        assert_eq!(out, vec![EndData]);
        out.clear();
        e.checkpoint_started(4);
        e.checkpoint_completed(4, &mut out);
        e.on_end_of_partition(0, &mut out);
        assert!(out.is_empty(), "channel 1 is still open");
        e.on_end_of_partition(1, &mut out);
        assert_eq!(out, vec![Finish]);
    }

    /// Without checkpointing nothing is waited for; restored as finished, a task finishes at once.
    #[test]
    fn without_checkpoints_or_when_deployed_as_finished_a_task_finishes_at_the_end_of_input() {
        let mut e = EndOfInput::new(0, false);
        let mut out = vec![];
        e.source_input_ended(&mut out);
        assert_eq!(out, vec![EndData, Finish]);
        let mut e = EndOfInput::new(3, true);
        out.clear();
        e.deployed_as_finished(&mut out);
        assert_eq!(out, vec![EndData, Finish]);
    }
}
