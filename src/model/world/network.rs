//! Moving buffers: writing records into output buffers, the output flusher, sending against
//! credits, delivery, recycling and credit announcements, and resuming blocked channels.

use super::{Event, World};
use crate::model::records::{EVENT_BYTES, NetBuffer, Payload, Record};
use crate::model::task::TaskPhase;
use crate::time::{NS_PER_S, SimTime, ns_from_f64};

impl World {
    /// Buffers of the producer's pool a channel holds: queued data plus a non-empty builder.
    fn usage(&self, ch: u32) -> u32 {
        let c = &self.chans[ch as usize];
        c.queued_data + (!c.builder.is_empty()) as u32
    }

    /// Keeps the producer's pool counters in step with a change of one channel's usage.
    fn account_usage(&mut self, ch: u32, before: u32, after: u32) {
        let info = &self.graph.channels[ch as usize];
        let (s, e) = (info.producer.index(), info.output_edge as usize);
        let cap = self.set.max_buffers_per_channel;
        let t = &mut self.tasks[s];
        t.pool_used[e] = t.pool_used[e] + after - before;
        match (before >= cap, after >= cap) {
            (false, true) => t.channels_at_cap[e] += 1,
            (true, false) => t.channels_at_cap[e] -= 1,
            _ => {}
        }
    }

    /// Appends a record to a channel's buffer, finishing the buffer when full (or at once with a
    /// zero buffer timeout) and arming the output flusher otherwise. `written_ns` is when the
    /// task produced the record (a batch emits its records at its end, possibly later).
    pub(crate) fn write_record(&mut self, now: SimTime, s: u32, ch: u32, r: Record, written_ns: u64) {
        let before = self.usage(ch);
        self.record_counts[ch as usize].sent += 1;
        let c = &mut self.chans[ch as usize];
        if c.builder.capacity() == 0 {
            c.builder = self.vec_pool.pop().unwrap_or_default();
        }
        c.builder.push(r);
        c.builder_bytes += r.bytes;
        // A debloated channel finishes its buffers at the size its consumer announced.
        let size = if c.buffer_size == 0 {
            self.set.segment_bytes
        } else {
            c.buffer_size
        };
        let full = c.builder_bytes >= size;
        let after = self.usage(ch);
        if after != before {
            self.account_usage(ch, before, after);
        }
        if full || self.set.buffer_timeout_ns == 0 {
            self.finish_builder(now, ch);
        } else if !self.tasks[s as usize].flush_armed {
            self.tasks[s as usize].flush_armed = true;
            let p = self.set.buffer_timeout_ns;
            // The flusher runs on a fixed grid, as Flink's OutputFlusher thread does: the first
            // tick after the record was written, or now if that tick has passed meanwhile.
            let tick = SimTime((written_ns / p + 1) * p).max(now);
            let inc = self.tasks[s as usize].incarnation;
            self.queue.schedule(tick, Event::Flush { s, inc });
        }
    }

    /// Moves the buffer being filled into the send queue.
    pub(crate) fn finish_builder(&mut self, now: SimTime, ch: u32) {
        let c = &mut self.chans[ch as usize];
        if c.builder.is_empty() {
            return;
        }
        let records = std::mem::take(&mut c.builder);
        let bytes = std::mem::take(&mut c.builder_bytes);
        c.queue.push_back(NetBuffer {
            payload: Payload::Data(records),
            bytes,
            backlog: 0,
        });
        c.queued_data += 1; // usage unchanged: the builder's buffer became a queued one
        self.in_flight_bytes += bytes as u64;
        self.try_send(now, ch);
    }

    /// Appends an event (barrier, cancellation marker) behind the data of a channel.
    pub(crate) fn enqueue_event(&mut self, now: SimTime, ch: u32, payload: Payload) {
        self.finish_builder(now, ch);
        self.chans[ch as usize].queue.push_back(NetBuffer {
            payload,
            bytes: EVENT_BYTES,
            backlog: 0,
        });
        self.try_send(now, ch);
    }

    pub(crate) fn on_flush(&mut self, now: SimTime, s: u32) {
        self.tasks[s as usize].flush_armed = false;
        for e in 0..self.graph.outputs[s as usize].len() {
            for i in 0..self.graph.outputs[s as usize][e].channels.len() {
                let ch = self.graph.outputs[s as usize][e].channels[i].0;
                self.finish_builder(now, ch);
            }
        }
    }

    /// Sends what the channel's credits and blocking allow.
    pub(crate) fn try_send(&mut self, now: SimTime, ch: u32) {
        let mut freed = false;
        let mut barrier_sent = None;
        while self.chans[ch as usize].can_send_head() {
            let before = self.usage(ch);
            let c = &mut self.chans[ch as usize];
            let mut buf = c.queue.pop_front().expect("can_send_head");
            // PipelinedSubpartition: an aligned barrier blocks the subpartition once sent; an
            // unaligned or at-least-once barrier does not.
            let blocks = matches!(buf.payload, Payload::Barrier(b) if b.options.needs_alignment());
            if let Payload::Barrier(b) = buf.payload {
                barrier_sent = Some(b.id);
            }
            if buf.is_data() {
                c.credit -= 1;
                c.queued_data -= 1;
                freed = true;
            }
            buf.backlog = c.queued_data;
            let after = self.usage(ch);
            if after != before {
                self.account_usage(ch, before, after);
            }
            let at = self.delivery_time(now, ch, buf.bytes);
            let c = &mut self.chans[ch as usize];
            let was_empty = c.wire.is_empty();
            c.wire.push_back((at, buf));
            if was_empty {
                let inc = self.chans[ch as usize].incarnation;
                self.queue.schedule(at, Event::Deliver { ch, inc });
            }
            if blocks && !self.broken_alignment {
                // PipelinedSubpartition: after an aligned barrier, no more data until resumed.
                self.chans[ch as usize].blocked = true;
                break;
            }
        }
        if freed {
            self.maybe_unblock_producer(now, self.graph.channels[ch as usize].producer.0);
        }
        if let Some(id) = barrier_sent {
            let p = self.graph.channels[ch as usize].producer.0;
            if self.tasks[p as usize].waiting_output_barrier == Some(id) {
                self.maybe_ack(now, p, id);
            }
        }
    }

    /// Delivery time: serialization on the TaskManager connection (remote only), then latency;
    /// never before the previous buffer on the channel (FIFO).
    fn delivery_time(&mut self, now: SimTime, ch: u32, bytes: u32) -> SimTime {
        let info = &self.graph.channels[ch as usize];
        let (tm_a, tm_b) = (
            self.graph.subtasks[info.producer.index()].taskmanager,
            self.graph.subtasks[info.consumer.index()].taskmanager,
        );
        let now = self.partition_lifted(now, tm_a, tm_b);
        let info = &self.graph.channels[ch as usize];
        let arrive = if info.remote {
            let free = &mut self.connection_free_at[info.connection as usize];
            let start = (*free).max(now);
            let tx = ns_from_f64(bytes as f64 / self.set.remote_bandwidth_bytes_per_s * NS_PER_S as f64);
            *free = start + tx;
            start + tx + self.set.remote_latency.sample_u64(&mut self.net_rng)
        } else {
            now + self.set.local_latency.sample_u64(&mut self.net_rng)
        };
        let c = &mut self.chans[ch as usize];
        let at = arrive.max(c.last_delivery);
        c.last_delivery = at;
        at
    }

    fn latency_to(&mut self, ch: u32) -> u64 {
        if self.graph.channels[ch as usize].remote {
            self.set.remote_latency.sample_u64(&mut self.net_rng)
        } else {
            self.set.local_latency.sample_u64(&mut self.net_rng)
        }
    }

    pub(crate) fn on_deliver(&mut self, now: SimTime, ch: u32) {
        let c = &mut self.chans[ch as usize];
        let (at, buf) = c.wire.pop_front().expect("a delivery event has a buffer");
        debug_assert_eq!(at, now);
        let is_data = buf.is_data();
        let backlog = buf.backlog;
        let bytes = buf.bytes;
        c.delivered_seq += 1;
        let seq = c.delivered_seq;
        if let Some((next, _)) = c.wire.front() {
            let next = *next;
            let inc = self.chans[ch as usize].incarnation;
            self.queue.schedule(next, Event::Deliver { ch, inc });
        }
        if self.lose_next_data_buffer && is_data {
            self.lose_next_data_buffer = false;
            if let Payload::Data(v) = buf.payload {
                self.give_back_vec(v);
            }
            return;
        }
        if let Payload::Barrier(b) = buf.payload {
            self.note_barrier_delivered(b.id, ch);
            if b.options.is_unaligned() {
                // A priority event: it skips the received queue and is handled between records.
                self.on_priority_barrier_delivered(now, ch, b);
                return;
            }
            let c = &mut self.chans[ch as usize];
            let behind_data = c.received.iter().any(|x| x.is_data());
            c.received.push_back(buf);
            if b.options.is_timeoutable() && behind_data {
                self.announce_barrier(now, ch, b, seq);
            }
        } else {
            self.chans[ch as usize].received.push_back(buf);
        }
        if is_data {
            self.persist_arriving(ch, bytes);
            self.on_data_received(now, ch, backlog);
        }
        let info = &self.graph.channels[ch as usize];
        let (consumer, input) = (info.consumer.0, info.input_index);
        self.mark_input_available(now, consumer, input);
    }

    /// Receiver-side credit bookkeeping for an arrived data buffer; asks the gate for floating
    /// buffers while the sender reports a backlog the announced credit does not cover.
    fn on_data_received(&mut self, now: SimTime, ch: u32, backlog: u32) {
        let info = &self.graph.channels[ch as usize];
        let (consumer, gate) = (info.consumer.index(), info.gate as usize);
        let c = &mut self.chans[ch as usize];
        c.announced_unused = c.announced_unused.saturating_sub(1);
        c.occupied += 1;
        c.sender_backlog = backlog;
        let need = backlog.saturating_sub(c.announced_unused);
        let pool = &mut self.gate_pools[consumer][gate];
        let mut granted = 0;
        for _ in 0..need {
            if pool.available == 0 {
                if !pool.waiting.contains(&ch) {
                    pool.waiting.push_back(ch);
                }
                break;
            }
            pool.available -= 1;
            granted += 1;
        }
        if granted > 0 {
            let c = &mut self.chans[ch as usize];
            c.owned += granted;
            c.floating_held += granted;
            c.announced_unused += granted;
            let at = now + self.latency_to(ch);
            let inc = self.chans[ch as usize].incarnation;
            self.queue.schedule(at, Event::Credit { ch, n: granted, inc });
        }
    }

    /// The consumer finished with a data buffer: return it as credit, or hand a floating
    /// buffer back to the gate when the sender has no backlog.
    pub(crate) fn recycle(&mut self, now: SimTime, ch: u32, bytes: u32, records: Vec<Record>) {
        self.in_flight_bytes -= bytes as u64;
        self.give_back_vec(records);
        let info = &self.graph.channels[ch as usize];
        let (consumer, gate) = (info.consumer.index(), info.gate as usize);
        let c = &mut self.chans[ch as usize];
        c.occupied -= 1;
        if c.floating_held > 0 && c.sender_backlog <= c.announced_unused {
            c.owned -= 1;
            c.floating_held -= 1;
            let pool = &mut self.gate_pools[consumer][gate];
            match pool.waiting.pop_front() {
                Some(other) => {
                    let o = &mut self.chans[other as usize];
                    o.owned += 1;
                    o.floating_held += 1;
                    o.announced_unused += 1;
                    let at = now + self.latency_to(other);
                    let inc = self.chans[other as usize].incarnation;
                    self.queue.schedule(at, Event::Credit { ch: other, n: 1, inc });
                }
                None => pool.available += 1,
            }
        } else {
            c.announced_unused += 1;
            let at = now + self.latency_to(ch);
            let inc = self.chans[ch as usize].incarnation;
            self.queue.schedule(at, Event::Credit { ch, n: 1, inc });
        }
    }

    pub(crate) fn give_back_vec(&mut self, mut v: Vec<Record>) {
        if v.capacity() > 0 && self.vec_pool.len() < 4096 {
            v.clear();
            self.vec_pool.push(v);
        }
    }

    pub(crate) fn on_credit(&mut self, now: SimTime, ch: u32, n: u32) {
        self.chans[ch as usize].credit += n;
        self.try_send(now, ch);
    }

    /// Consumer side of `resumeConsumption`: unblock and tell the producer.
    pub(crate) fn resume_input(&mut self, now: SimTime, s: u32, input: u32) {
        let ch = self.graph.inputs[s as usize][input as usize].0;
        let c = &mut self.chans[ch as usize];
        if !c.consumer_blocked {
            return;
        }
        c.consumer_blocked = false;
        self.send_resume(now, ch);
        self.mark_input_available(now, s, input);
    }

    /// `resumeConsumption` for an obsolete aligned barrier (`SingleCheckpointBarrierHandler`
    /// resumes its channel unconditionally): the barrier blocked its producer's subpartition by
    /// being sent, whether or not this consumer ever blocked the channel. It had not when a newer
    /// checkpoint (an unaligned barrier that overtook the data, or a cancellation marker) had
    /// already replaced the barrier's one here, so [`World::resume_input`], which resumes only
    /// channels the consumer blocked, left the subpartition blocked for good.
    pub(crate) fn resume_after_obsolete_barrier(&mut self, now: SimTime, s: u32, input: u32) {
        let ch = self.graph.inputs[s as usize][input as usize].0;
        self.chans[ch as usize].consumer_blocked = false;
        self.send_resume(now, ch);
        self.mark_input_available(now, s, input);
    }

    /// `resumeConsumption` travels to the producer's subpartition.
    pub(crate) fn send_resume(&mut self, now: SimTime, ch: u32) {
        let at = now + self.latency_to(ch);
        let inc = self.chans[ch as usize].incarnation;
        self.queue.schedule(at, Event::Resume { ch, inc });
    }

    pub(crate) fn on_resume(&mut self, now: SimTime, ch: u32) {
        if self.lose_this_resume() {
            return;
        }
        self.chans[ch as usize].blocked = false;
        self.try_send(now, ch);
    }

    /// Puts an input channel with readable buffers on the task's available list, and wakes the
    /// task if it was idle.
    pub(crate) fn mark_input_available(&mut self, now: SimTime, s: u32, input: u32) {
        let ch = self.graph.inputs[s as usize][input as usize].0;
        let c = &self.chans[ch as usize];
        if c.consumer_blocked || c.received.is_empty() {
            return;
        }
        let t = &mut self.tasks[s as usize];
        if !t.in_avail[input as usize] {
            t.in_avail[input as usize] = true;
            t.avail.push_back(input);
        }
        if t.phase == TaskPhase::Idle {
            self.wake_at(s, now);
        }
    }

    /// A producer waiting for output buffers resumes once its pool has room.
    fn maybe_unblock_producer(&mut self, now: SimTime, s: u32) {
        let t = &self.tasks[s as usize];
        if t.phase == TaskPhase::WaitingForOutput && t.output_available(&self.set.pool_size[s as usize]) {
            self.wake_at(s, now);
        }
    }

    /// A network partition holds traffic between two TaskManagers until it heals (TCP
    /// retransmits). If it outlasts its `fail_after`, the schedule also breaks the connections
    /// then, and the readers fail (`FaultKind::ConnectionLoss`).
    fn partition_lifted(&self, now: SimTime, a: u32, b: u32) -> SimTime {
        if a == b || self.fault_schedule.windows.is_empty() {
            return now;
        }
        let mut t = now;
        for w in &self.fault_schedule.windows {
            if let crate::model::faults::Condition::NetworkPartition { a: x, b: y } = w.condition
                && ((x, y) == (a, b) || (x, y) == (b, a))
                && w.start <= t
                && t < w.end
            {
                t = w.end;
            }
        }
        t
    }
}
