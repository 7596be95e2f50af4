//! The tasks' input side of the protocol: barriers, announcements, cancellation markers,
//! alignment timers and ends of partitions go into a task's barrier handler
//! (`protocol::input_handler`), and its actions come back for the world to carry out.

use super::Tasks;
use crate::ids::CheckpointId;
use crate::protocol::CheckpointBarrier;
use crate::protocol::input_handler::barrier_handler::BarrierHandlerAction;
use crate::time::SimTime;

impl Tasks {
    /// Whether task `s` has inputs (a barrier handler); sources have none.
    #[inline]
    pub fn has_inputs(&self, s: u32) -> bool {
        self.tasks[s as usize].handler.is_some()
    }

    /// Barrier `barrier` taken from input `input` of task `s`. The first barrier of a
    /// checkpoint starts its `processed_data` count.
    pub fn process_barrier(
        &mut self,
        s: u32,
        now: SimTime,
        input: u32,
        barrier: CheckpointBarrier,
    ) -> Vec<BarrierHandlerAction> {
        let mut out = self.take_handler_actions();
        let t = &mut self.tasks[s as usize];
        let handler = t.handler.as_mut().expect("a task with inputs has a handler");
        let first = handler.is_new_checkpoint(barrier.id);
        handler.process_barrier(now, input, barrier, &mut out);
        if first {
            t.alignment_bytes_start = t.io.bytes_in;
        }
        out
    }

    /// An unaligned barrier announced on input `input` of task `s` (it overtakes the queue).
    /// The announcement starts the checkpoint here: `processed_data` counts from now.
    pub fn process_barrier_announcement(
        &mut self,
        s: u32,
        now: SimTime,
        input: u32,
        barrier: CheckpointBarrier,
        seq: u64,
    ) -> Vec<BarrierHandlerAction> {
        let mut out = self.take_handler_actions();
        let t = &mut self.tasks[s as usize];
        if let Some(h) = t.handler.as_mut() {
            let first = h.is_new_checkpoint(barrier.id);
            h.process_barrier_announcement(now, input, barrier, seq, &mut out);
            if first {
                t.alignment_bytes_start = t.io.bytes_in;
            }
        }
        out
    }

    /// A cancellation marker of checkpoint `id` taken from input `input` of task `s`.
    pub fn process_cancellation_barrier(
        &mut self,
        s: u32,
        now: SimTime,
        input: u32,
        id: CheckpointId,
    ) -> Vec<BarrierHandlerAction> {
        let mut out = self.take_handler_actions();
        self.tasks[s as usize]
            .handler
            .as_mut()
            .expect("handler")
            .process_cancellation_barrier(now, input, id, &mut out);
        out
    }

    /// The input-side alignment timer of `checkpoint` fires at task `s`.
    #[inline]
    pub fn on_alignment_timer(&mut self, s: u32, now: SimTime, checkpoint: CheckpointId) -> Vec<BarrierHandlerAction> {
        let mut out = self.take_handler_actions();
        if let Some(h) = self.tasks[s as usize].handler.as_mut() {
            h.on_alignment_timer(now, checkpoint, &mut out);
        }
        out
    }

    /// `EndOfPartition` taken from input `input` of task `s`.
    #[inline]
    pub fn process_end_of_partition(&mut self, s: u32, now: SimTime, input: u32) -> Vec<BarrierHandlerAction> {
        let mut out = self.take_handler_actions();
        if let Some(h) = self.tasks[s as usize].handler.as_mut() {
            h.process_end_of_partition(now, input, &mut out);
        }
        out
    }

    /// Input bytes task `s` processed since its current alignment started (`processed_data`).
    #[inline]
    pub fn processed_since_alignment_bytes(&self, s: u32) -> u64 {
        let t = &self.tasks[s as usize];
        t.io.bytes_in - t.alignment_bytes_start
    }

    /// A trigger RPC reached task `s` in a synchronous phase: it runs after it (mailbox order).
    #[inline]
    pub fn defer_trigger(&mut self, s: u32, barrier: CheckpointBarrier) {
        self.tasks[s as usize].deferred_triggers.push_back(barrier);
    }

    /// The next trigger RPC deferred by task `s`'s synchronous phase, if any.
    #[inline]
    pub fn next_deferred_trigger(&mut self, s: u32) -> Option<CheckpointBarrier> {
        self.tasks[s as usize].deferred_triggers.pop_front()
    }

    /// The handler resumed every input of task `s` during its synchronous phase: they resume
    /// when it ends.
    #[inline]
    pub fn resume_inputs_after_sync(&mut self, s: u32) {
        self.tasks[s as usize].resume_after_sync = true;
    }

    /// When the source record of task `s` started before `now` and not yet done finishes, if
    /// any (a trigger waits for it: Flink runs mailbox actions between records).
    #[inline]
    pub fn source_record_in_progress(&self, s: u32, now: SimTime) -> Option<u64> {
        let b = self.tasks[s as usize].batch.as_ref()?;
        if b.input_channel.is_some() || b.next >= b.records.len() {
            return None;
        }
        let prev_done = if b.next > 0 { b.done_at_ns[b.next - 1] } else { 0 };
        let start = b.not_before_ns.max(prev_done).max(b.records[b.next].origin_ns);
        (start < now.as_ns() && b.done_at_ns[b.next] > now.as_ns()).then_some(b.done_at_ns[b.next])
    }
}
