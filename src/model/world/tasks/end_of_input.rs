//! The tasks' end of input (FLIP-147): each task's `protocol::end_of_input` state machine
//! (end of data, final checkpoint, finishing), the trigger RPC a task with inputs defers until
//! its inputs ended, and the finished phase.

use super::Tasks;
use crate::ids::CheckpointId;
use crate::model::task::TaskPhase;
use crate::protocol::CheckpointBarrier;
use crate::protocol::end_of_input::EndOfInputAction;
use crate::protocol::two_phase_commit::TransactionAction;
use crate::time::SimTime;
use crate::vocab::DeliveryGuarantee;

impl Tasks {
    /// Whether source `s` emitted the last record of its bounded input.
    #[inline]
    pub fn source_input_exhausted(&self, s: u32) -> bool {
        let t = &self.tasks[s as usize];
        t.batch.is_none()
            && t.source
                .as_ref()
                .is_some_and(|src| src.max_records.is_some_and(|m| src.reader.offset() >= m))
    }

    /// Source `s`'s input ended: `endData`, once (nothing the second time).
    #[inline]
    pub fn source_input_ended(&mut self, s: u32) -> Vec<EndOfInputAction> {
        let mut out = Vec::new();
        let eoi = &mut self.tasks[s as usize].end_of_input;
        if !eoi.end_of_data_received() {
            eoi.source_input_ended(&mut out);
        }
        out
    }

    /// Task `s` ended its data: an exactly-once sink without periodic checkpoints commits all
    /// it holds (there will be no final checkpoint to do it). Its transaction actions, if so.
    /// No arrival time is kept without periodic checkpoints, so these records add nothing to
    /// the visible latency.
    pub fn commit_sink_at_end_of_input(&mut self, s: u32) -> Option<Vec<TransactionAction>> {
        let sink = self.tasks[s as usize]
            .sink
            .as_mut()
            .filter(|k| k.guarantee == DeliveryGuarantee::ExactlyOnce && !k.commits)?;
        let mut actions = Vec::new();
        sink.txn
            .commit_at_end_of_input(&mut actions)
            .expect("a sink ends its input once per attempt");
        Some(actions)
    }

    /// `EndOfData` taken from input `input` of task `s`.
    #[inline]
    pub fn on_end_of_data(&mut self, s: u32, input: u32) -> Vec<EndOfInputAction> {
        let mut out = Vec::new();
        self.tasks[s as usize].end_of_input.on_end_of_data(input, &mut out);
        out
    }

    /// `EndOfPartition` taken from input `input` of task `s`: its end-of-input actions, and
    /// the trigger RPC that waited for the inputs to end, if they all did now.
    #[inline]
    pub fn on_end_of_partition(&mut self, s: u32, input: u32) -> (Vec<EndOfInputAction>, Option<CheckpointBarrier>) {
        let mut out = Vec::new();
        let t = &mut self.tasks[s as usize];
        t.end_of_input.on_end_of_partition(input, &mut out);
        let trigger = if t.end_of_input.all_partitions_ended() {
            t.deferred_rpc_trigger.take()
        } else {
            None
        };
        (out, trigger)
    }

    /// A trigger RPC reached task `s`, which has inputs: whether its inputs all ended (it
    /// checkpoints now); else the trigger waits for them.
    #[inline]
    pub fn trigger_when_inputs_ended(&mut self, s: u32, barrier: CheckpointBarrier) -> bool {
        let t = &mut self.tasks[s as usize];
        if t.end_of_input.all_partitions_ended() {
            return true;
        }
        t.deferred_rpc_trigger = Some(barrier);
        false
    }

    /// Whether task `s` has inputs whose partitions did not all end (a trigger after they did
    /// has no input channel state to wait for).
    #[inline]
    pub fn has_open_inputs(&self, s: u32) -> bool {
        let t = &self.tasks[s as usize];
        t.handler.is_some() && !t.end_of_input.all_partitions_ended()
    }

    /// Task `s` is deployed as finished (restored from a checkpoint taken after it finished):
    /// it ends its data and finishes once restored.
    #[inline]
    pub fn deploy_as_finished(&mut self, s: u32) {
        self.tasks[s as usize]
            .end_of_input
            .deployed_as_finished(&mut Vec::new());
    }

    /// Task `s` takes `checkpoint`: the first after its end of data is its final one (FLIP-147).
    #[inline]
    pub fn end_of_input_checkpoint_started(&mut self, s: u32, checkpoint: CheckpointId) {
        self.tasks[s as usize].end_of_input.checkpoint_started(checkpoint);
    }

    /// `notifyCheckpointComplete` reached task `s`: its final checkpoint may be complete now.
    #[inline]
    pub fn end_of_input_checkpoint_completed(&mut self, s: u32, checkpoint: CheckpointId) -> Vec<EndOfInputAction> {
        let mut out = Vec::new();
        self.tasks[s as usize]
            .end_of_input
            .checkpoint_completed(checkpoint, &mut out);
        out
    }

    /// Task `s` finishes at `now` (`FINISHED`): it runs no more, and a pending wake-up is stale.
    #[inline]
    pub fn finish(&mut self, s: u32, now: SimTime) {
        self.end_back_pressure(s, now);
        let t = &mut self.tasks[s as usize];
        t.phase = TaskPhase::Finished;
        t.wake_gen = t.wake_gen.wrapping_add(1);
    }
}
