//! The network's events in the world, and what the tasks hear of them. The network stack
//! (`network_stack.rs`) moves buffers; here the world hands it the events addressed to it and
//! tells the tasks what happened: a producer waiting for a buffer resumes once its pool has
//! room, a task waiting for its barrier to leave its outputs may acknowledge, a consumer wakes
//! up for a readable channel, and what arrives on a channel reaches the barrier handler and
//! the channel-state persister in the order Flink's threads see it.

use super::network_stack::{Arrival, Sent};
use super::{Event, World};
use crate::ids::CheckpointId;
use crate::model::records::{Payload, Record};
use crate::model::task::TaskPhase;
use crate::time::SimTime;

impl World {
    /// Tells the tasks what a send did. Most sends (a record appended to a buffer) did nothing
    /// a task must hear of: that test is inlined into every caller on the record path, the rest
    /// is not.
    #[inline(always)]
    pub(crate) fn after_send(&mut self, now: SimTime, sent: Sent) {
        if sent.freed_producer.is_some() || sent.barrier.is_some() {
            self.tell_tasks_after_send(now, sent);
        }
    }

    #[inline(never)]
    fn tell_tasks_after_send(&mut self, now: SimTime, sent: Sent) {
        if let Some(p) = sent.freed_producer {
            self.maybe_unblock_producer(now, p);
        }
        if let Some((p, id)) = sent.barrier {
            self.output_barrier_left(now, p, id);
        }
    }

    /// A barrier of `id` left one of producer `p`'s output subpartitions (sent, or read by a
    /// local consumer).
    pub(crate) fn output_barrier_left(&mut self, now: SimTime, p: u32, id: CheckpointId) {
        if self.tasks.awaits_output_barrier(p, id) {
            self.maybe_ack(now, p, id);
        } else {
            // A timeoutable barrier that left its last output queue completes this
            // subtask's part of a shared channel-state file (`completeOutput`), which its
            // acknowledgement and its neighbours' wait for.
            self.channel_file_progress(now, p, id);
        }
    }

    /// Starts fetching what `ev`, the event after the one being handled, will read first: with
    /// thousands of channels a delivery's or a credit's channel end is a cache miss, which the
    /// handling of the event before it can hide. Changes speed only.
    #[inline]
    pub(super) fn prefetch_for(&self, ev: Event) {
        match ev {
            Event::Deliver { ch, .. } => self.net.prefetch_delivery(ch),
            Event::Credit { ch, .. } | Event::Resume { ch, .. } => self.net.prefetch_producer_end(ch),
            Event::TaskWake { s, .. } => self.net.prefetch_next_take_end(s),
            _ => {}
        }
    }

    /// A task writes a record into an output channel.
    #[inline(always)]
    pub(crate) fn write_record(&mut self, now: SimTime, s: u32, ch: u32, r: Record, written_ns: u64) {
        self.checks.record_sent(ch);
        if !self.net.append_to_filling_buffer(s, ch, r) {
            self.write_record_to_network(now, s, ch, r, written_ns);
        }
    }

    /// [`World::write_record`] beyond the plain append: a buffer's first record, a full
    /// buffer, a flush to arm or to do at once.
    #[inline(never)]
    fn write_record_to_network(&mut self, now: SimTime, s: u32, ch: u32, r: Record, written_ns: u64) {
        let inc = self.tasks.incarnation(s);
        let sent = self.net.write_record(now, s, inc, ch, r, written_ns, &mut self.queue);
        self.after_send(now, sent);
    }

    /// Moves the buffer being filled into the send queue.
    pub(crate) fn finish_builder(&mut self, now: SimTime, ch: u32) {
        let sent = self.net.finish_builder(now, ch, &mut self.queue);
        self.after_send(now, sent);
    }

    /// Appends an event (barrier, cancellation marker) behind the data of a channel.
    pub(crate) fn enqueue_event(&mut self, now: SimTime, ch: u32, payload: Payload) {
        self.finish_builder(now, ch);
        let sent = self.net.push_event(now, ch, payload, &mut self.queue);
        self.after_send(now, sent);
    }

    /// The output flusher (`execution.buffer-timeout`) of task `s` fired.
    pub(crate) fn on_flush(&mut self, now: SimTime, s: u32) {
        let chans = self.net.flush_fired(s);
        for &ch in &chans {
            let sent = self.net.flush_channel(now, ch, &mut self.queue);
            self.after_send(now, sent);
        }
        self.net.flush_done(s, chans);
    }

    /// Sends what the channel's credits and blocking allow.
    pub(crate) fn try_send(&mut self, now: SimTime, ch: u32) {
        let sent = self.net.try_send(now, ch, &mut self.queue);
        self.after_send(now, sent);
    }

    /// The head buffer on a channel's wire reaches the consumer.
    pub(crate) fn on_deliver(&mut self, now: SimTime, ch: u32) {
        match self.net.deliver(now, ch, &mut self.checks, &mut self.queue) {
            Arrival::Lost => return,
            Arrival::PriorityBarrier(b) => {
                self.checks.barrier_delivered(b.id, ch);
                self.on_priority_barrier_delivered(now, ch, b);
                return;
            }
            Arrival::Barrier {
                barrier,
                behind_data,
                seq,
            } => {
                self.checks.barrier_delivered(barrier.id, ch);
                if barrier.options.is_timeoutable() && behind_data {
                    self.announce_barrier(now, ch, barrier, seq);
                }
            }
            Arrival::Marker => {}
            Arrival::Data { bytes, backlog } => {
                self.persist_arriving(ch, bytes);
                self.net.on_data_received(now, ch, backlog, &mut self.queue);
            }
        }
        // The consumer end, just read, names the consumer and its input: the job graph's channel
        // table would cost another cache miss.
        let c = self.net.consumer_end(ch);
        let (consumer, input) = (c.consumer, c.input_index);
        self.mark_input_available(now, consumer, input);
    }

    /// The consumer finished with a data buffer: on a local channel the producer's pool gets it
    /// back, and a producer waiting for a buffer resumes.
    pub(crate) fn recycle(&mut self, now: SimTime, ch: u32, bytes: u32, records: Vec<Record>) {
        let sent = self.net.recycle(now, ch, bytes, records, &mut self.queue);
        self.after_send(now, sent);
    }

    /// Sends an unaligned barrier ahead of the data in a subpartition. On a local channel the
    /// consumer polls priority events before any buffer (`LocalInputChannel`), so it gets the
    /// barrier at once: nothing it takes afterwards was left out of the producer's output state.
    pub(crate) fn send_priority_barrier(&mut self, now: SimTime, ch: u32, barrier: crate::protocol::CheckpointBarrier) {
        if !self.graph.channels[ch as usize].remote {
            self.net.priority_event_local(ch);
            self.checks.barrier_delivered(barrier.id, ch);
            self.on_priority_barrier_delivered(now, ch, barrier);
            return;
        }
        let sent = self.net.send_priority(now, ch, barrier, &mut self.queue);
        self.after_send(now, sent);
    }

    pub(crate) fn on_credit(&mut self, now: SimTime, ch: u32, n: u32) {
        let sent = self.net.on_credit(now, ch, n, &mut self.queue);
        self.after_send(now, sent);
    }

    /// Consumer side of `resumeConsumption`: unblock, tell the producer, read on.
    pub(crate) fn resume_input(&mut self, now: SimTime, s: u32, input: u32) {
        if self.net.resume_input(now, s, input, &self.graph, &mut self.queue) {
            self.mark_input_available(now, s, input);
        }
    }

    /// `resumeConsumption` for an obsolete aligned barrier (`SingleCheckpointBarrierHandler`
    /// resumes its channel unconditionally): the barrier blocked its producer's subpartition by
    /// being sent, whether or not this consumer ever blocked the channel. It had not when a newer
    /// checkpoint (an unaligned barrier that overtook the data, or a cancellation marker) had
    /// already replaced the barrier's one here, so [`World::resume_input`], which resumes only
    /// channels the consumer blocked, left the subpartition blocked for good.
    pub(crate) fn resume_after_obsolete_barrier(&mut self, now: SimTime, s: u32, input: u32) {
        self.net.force_resume_input(now, s, input, &self.graph, &mut self.queue);
        self.mark_input_available(now, s, input);
    }

    pub(crate) fn on_resume(&mut self, now: SimTime, ch: u32) {
        if self.checks.take_lost_resume() {
            return;
        }
        let sent = self.net.on_resume(now, ch, &mut self.queue);
        self.after_send(now, sent);
    }

    /// Lists an input channel with readable buffers, and wakes the task if it was idle.
    #[inline]
    /// An idle consumer wakes after the input hand-off (`notifyChannelNonEmpty` completes the
    /// gate's availability future; its callback mails the task thread, which resumes reading);
    /// what arrives before it wakes is read then too. A busy consumer reads the input when it is
    /// done with what it does, without a hand-off.
    pub(crate) fn mark_input_available(&mut self, now: SimTime, s: u32, input: u32) {
        if self.net.mark_input_available(s, input, &self.graph) && self.tasks.phase(s) == TaskPhase::Idle {
            let (net, graph) = (&mut self.net, &self.graph);
            // The producer is looked up only when a hand-off is drawn; else the task is already
            // being woken and reads this input too.
            let draw = || {
                let producer = graph.channels[graph.inputs[s as usize][input as usize].index()]
                    .producer
                    .0;
                now + net.input_handoff_ns_from(producer, now)
            };
            if let Some(at) = self.tasks.start_input_handoff(s, now, draw) {
                self.wake_at(s, at);
            }
        }
    }

    /// A producer waiting for output buffers resumes once its pool has room.
    fn maybe_unblock_producer(&mut self, now: SimTime, s: u32) {
        if self.tasks.phase(s) == TaskPhase::WaitingForOutput && self.net.output_available(s) {
            self.wake_at(s, now);
        }
    }
}

/// Test hooks on the network: what a test observes at every step.
impl World {
    /// The consumer end of channel `ch` as it is now (tests).
    pub fn consumer_end(&self, ch: u32) -> &crate::model::network::ConsumerEnd {
        self.net.consumer_end(ch)
    }

    /// Floating buffers input gate `gate` of subtask `s` has left, and the channels waiting for
    /// one (tests).
    pub fn gate_floating(&self, s: u32, gate: u32) -> (u32, Vec<u32>) {
        self.net.gate_floating(s, gate)
    }

    /// Data bytes of producer `s`'s outputs not yet recycled: in its buffers being filled, its
    /// subpartitions, on the wire, received, and in the input buffers its consumers are reading
    /// (a buffer is held whole until recycled).
    pub fn output_in_flight_bytes(&self, s: u32) -> u64 {
        let mut bytes = 0u64;
        for e in &self.graph.outputs[s as usize] {
            for ch in &e.channels {
                let c = self.net.channel(ch.0);
                bytes += c.producer.builder_bytes as u64 + c.buffered_bytes(self.net.buffer_pool());
            }
        }
        let channels = &self.graph.channels;
        bytes
            + self
                .tasks
                .input_bytes_being_read_from(s, |ch| channels[ch as usize].producer.0)
    }

    /// Bytes producer `s`'s output pools hold at most, overdraft buffers included, in full
    /// segments (tests).
    pub fn output_pools_bytes(&self, s: u32) -> u64 {
        self.net.output_pools_bytes(s)
    }

    /// Negative control for the local-channel pool bound: a local channel's buffer goes back to
    /// the producer's pool when sent, not when its consumer recycles it. Never set outside tests.
    pub fn free_local_buffers_at_send_for_negative_control(&mut self) {
        self.net.free_local_buffers_at_send();
    }

    /// Negative control for the floating-buffer rule: remote channels ask for floating buffers
    /// up to their sender's backlog only. Never set outside tests.
    pub fn floating_target_without_initial_credit_for_negative_control(&mut self) {
        self.net.floating_target_without_initial_credit();
    }

    /// Negative control for the backlog of events: an aligned barrier reports the data queued
    /// behind it, and receivers ignore events' backlogs. Never set outside tests.
    pub fn barrier_backlog_as_data_for_negative_control(&mut self) {
        self.net.ignore_event_backlog();
    }

    /// Negative control for the zero buffer timeout: every record finishes its buffer, even
    /// behind a back-pressured queue. Never set outside tests.
    pub fn finish_every_record_for_negative_control(&mut self) {
        self.net.finish_every_record();
    }

    /// Whether an aligned barrier waits in channel `ch`'s received queue (tests).
    pub fn aligned_barrier_received(&self, ch: u32) -> bool {
        self.net.aligned_barrier_received(ch)
    }
}
