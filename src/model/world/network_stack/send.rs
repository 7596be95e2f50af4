//! The producer side of the network stack: writing records into subpartitions, the output
//! flusher, sending against credits (`PipelinedSubpartition`), delivery times over the
//! TaskManagers' connections, and unaligned barriers overtaking the queued buffers.

use super::*;
use crate::model::config::{NO_OUTPUT_FLUSHER, next_flush_tick_ns};

impl Network {
    // ---- producer side ----

    /// Buffers of the producer's pool a channel holds ([`ProducerEnd::usage`]).
    #[inline]
    pub(super) fn usage(&self, ch: u32) -> u32 {
        self.prod[ch as usize].usage()
    }

    /// Keeps the producer's pool counters in step with a change of one channel's usage.
    pub(super) fn account_usage(&mut self, ch: u32, before: u32, after: u32) {
        let (s, e) = (self.prod[ch as usize].producer as usize, self.output_edge(ch));
        let cap = self.set.max_buffers_per_channel;
        let o = &mut self.outputs[s];
        o.used[e] = o.used[e] + after - before;
        match (before >= cap, after >= cap) {
            (false, true) => o.channels_at_cap[e] += 1,
            (true, false) => o.channels_at_cap[e] -= 1,
            _ => {}
        }
    }

    /// The next channel of a rebalance on output edge `e` of producer `s`.
    #[inline]
    pub fn next_round_robin(&mut self, s: u32, e: usize, channels: u32) -> usize {
        let rr = &mut self.outputs[s as usize].round_robin[e];
        let next = *rr as usize;
        *rr = (*rr + 1) % channels;
        next
    }

    /// [`Network::write_record`] when the record only joins the buffer being filled: the
    /// buffer already holds a record, this one does not fill it, and the output flusher is
    /// armed. Then the record is appended and nothing else changes, which is what
    /// `write_record` would do (no usage change, no flush, nothing sent); `false` when any of
    /// that does not hold, and nothing was done. Most records of a job whose buffers carry
    /// several records take this path; it is small enough to inline where records are emitted.
    #[inline(always)]
    pub fn append_to_filling_buffer(&mut self, s: u32, ch: u32, r: Record) -> bool {
        if self.set.records_per_bundle > 1 || self.set.buffer_timeout_ns == 0 || !self.outputs[s as usize].flush_armed {
            return false;
        }
        let segment_bytes = self.set.segment_bytes;
        let c = &mut self.prod[ch as usize];
        if c.builder.is_empty() || c.builder_bytes + r.bytes >= c.buffer_bytes(segment_bytes) {
            return false;
        }
        c.builder.push(r);
        c.builder_bytes += r.bytes;
        true
    }

    /// Appends a record to a channel's buffer, finishing the buffer when full, flushing it with
    /// a zero buffer timeout (at once when its reader has nothing else to read) and arming the
    /// output flusher otherwise. `written_ns` is when the task produced the record (a batch
    /// emits its records at its end, possibly later); `incarnation` is the producer's.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub fn write_record(
        &mut self,
        now: SimTime,
        s: u32,
        incarnation: u32,
        ch: u32,
        r: Record,
        written_ns: u64,
        q: &mut EventQueue<Event>,
    ) -> Sent {
        let c = &mut self.prod[ch as usize];
        // Only a buffer's first record changes the channel's usage ([`ProducerEnd::usage`]: the
        // buffer being filled counts once it holds a record) and puts it on the flusher's list.
        let first = c.builder.is_empty();
        if first {
            if c.builder.capacity() == 0 {
                c.builder = self.vec_pool.pop().unwrap_or_default();
            }
            self.outputs[s as usize].filling.push(ch);
        }
        let c = &mut self.prod[ch as usize];
        c.builder.push(r);
        c.builder_bytes += r.bytes;
        // A debloated channel finishes its buffers at the size its consumer announced.
        let size = c.buffer_bytes(self.set.segment_bytes);
        let full = c.builder_bytes + bundle_slack_bytes(r.bytes, self.set.records_per_bundle) >= size;
        if first {
            let before = c.queued_data + c.lent;
            self.account_usage(ch, before, before + 1);
        }
        if full && self.set.records_per_bundle > 1 {
            self.spread_bundles_over_fill(ch, written_ns);
        }
        if full {
            return self.finish_builder(now, ch, q);
        }
        if self.set.buffer_timeout_ns == 0 {
            // `flushAlways`: `RecordWriter` flushes the record's subpartition after every record,
            // which finishes nothing while the reader is behind (`flush_channel`).
            if self.every_record_finished {
                return self.finish_builder(now, ch, q); // negative control: the rule before
            }
            return self.flush_channel(now, ch, q);
        }
        if !self.outputs[s as usize].flush_armed && self.set.buffer_timeout_ns != NO_OUTPUT_FLUSHER {
            self.outputs[s as usize].flush_armed = true;
            let (p, phase) = (self.set.buffer_timeout_ns, self.set.flush_phase_ns);
            // The flusher runs on a fixed grid, as Flink's OutputFlusher thread does: the first
            // tick after the record was written, or now if that tick has passed meanwhile.
            let tick = SimTime(next_flush_tick_ns(written_ns, p, phase)).max(now);
            q.schedule(tick, Event::Flush { s, inc: incarnation });
        }
        Sent::default()
    }

    /// The output flusher of producer `s` fired: it is no longer armed. Returns the channels it
    /// must flush (`ResultPartition.flushAll`): those whose buffer being filled holds records, in
    /// the order of the producer's output edges and subpartitions. Channel ids grow in that order
    /// (`JobGraph::build`), so sorting the ids gives it; the others have nothing to flush.
    pub fn flush_fired(&mut self, s: u32) -> Vec<u32> {
        let o = &mut self.outputs[s as usize];
        o.flush_armed = false;
        let mut chans = std::mem::take(&mut o.filling);
        chans.sort_unstable();
        chans.dedup();
        chans.retain(|ch| !self.prod[*ch as usize].builder.is_empty());
        chans
    }

    /// After a flush: the channels whose buffer is still being filled (their reader was behind)
    /// stay on the flusher's list; `chans` is the list [`Network::flush_fired`] gave.
    pub fn flush_done(&mut self, s: u32, mut chans: Vec<u32>) {
        chans.retain(|ch| !self.prod[*ch as usize].builder.is_empty());
        let o = &mut self.outputs[s as usize];
        if o.filling.is_empty() {
            o.filling = chans;
        } else {
            o.filling.extend_from_slice(&chans);
        }
    }

    /// Moves the buffer being filled into the send queue.
    pub fn finish_builder(&mut self, now: SimTime, ch: u32, q: &mut EventQueue<Event>) -> Sent {
        if self.prod[ch as usize].builder.is_empty() {
            return Sent::default();
        }
        self.cut_builder(now, ch);
        self.try_send(now, ch, q)
    }

    /// The fast path: channel `ch`'s buffer, filled at `filled_ns`, leaves because its last
    /// bundle filled it. Record by record its records would have been written one by one over
    /// the fill, each waiting from its own write; its bundles waited from theirs, the last one
    /// for nothing on behalf of all its records. Moving every origin back by
    /// [`fill_wait_deficit_ns`] gives the buffer's records the mean wait they would have had.
    /// (A buffer that leaves with the flusher's tick or ahead of a barrier leaves whenever its
    /// records were written: bundles or records, the mean wait is the same, and nothing moves.)
    fn spread_bundles_over_fill(&mut self, ch: u32, filled_ns: u64) {
        let started = self.bundle_buffer_started_ns[ch as usize];
        let fill_ns = filled_ns.saturating_sub(started).min(self.set.buffer_timeout_ns);
        let c = &mut self.prod[ch as usize];
        let shift = fill_wait_deficit_ns(fill_ns, c.builder.len() as u64, self.set.records_per_bundle);
        for r in &mut c.builder {
            r.origin_ns = r.origin_ns.saturating_sub(shift);
        }
    }

    fn cut_builder(&mut self, now: SimTime, ch: u32) {
        if let Some(started) = self.bundle_buffer_started_ns.get_mut(ch as usize) {
            // The fast path: the channel's next buffer starts filling now.
            *started = now.as_ns();
        }
        let c = &mut self.prod[ch as usize];
        let records = std::mem::take(&mut c.builder);
        let bytes = std::mem::take(&mut c.builder_bytes);
        c.flush_requested = false;
        c.queue.push_back(
            &mut self.bufs,
            NetBuffer {
                payload: Payload::Data(records),
                bytes,
                backlog: 0,
            },
        );
        c.queued_data += 1; // usage unchanged: the builder's buffer became a queued one
        self.in_flight_bytes += bytes as u64;
    }

    /// The output flusher reached a channel (`PipelinedSubpartition.flush`). Flink does not
    /// finish the buffer being filled: it makes what it holds readable, and its reader takes a
    /// slice of it when it gets there, while the same buffer fills on. Here the buffer is
    /// finished at once when its reader has nothing else to read (it would take the slice now);
    /// when the reader is behind (a remote channel's queue waits for credit, a local consumer has
    /// unread buffers), the flush is only noted and the buffer finished when the reader reaches
    /// it, having filled meanwhile, so that back-pressured subpartitions hold full buffers as in
    /// Flink rather than one partial buffer per flush.
    pub fn flush_channel(&mut self, now: SimTime, ch: u32, q: &mut EventQueue<Event>) -> Sent {
        let c = &self.prod[ch as usize];
        if c.builder.is_empty() {
            return Sent::default();
        }
        let reader_behind = !c.queue.is_empty() || (c.local && !self.consumer_read_all(ch));
        if reader_behind {
            self.prod[ch as usize].flush_requested = true;
            return Sent::default();
        }
        self.finish_builder(now, ch, q)
    }

    /// A flushed buffer being filled whose reader reached it: nothing queued ahead, the channel
    /// not blocked, and a remote one with credit for it or a local one whose consumer has read
    /// everything else.
    #[inline]
    fn flushed_builder_reached(&self, ch: u32) -> bool {
        let c = &self.prod[ch as usize];
        c.flush_requested
            && !c.builder.is_empty()
            && c.queue.is_empty()
            && !c.blocked
            && if c.local {
                self.consumer_read_all(ch)
            } else {
                c.credit > 0
            }
    }

    /// Nothing on the wire or received: a local consumer read all its producer handed over.
    #[inline]
    fn consumer_read_all(&self, ch: u32) -> bool {
        self.wires[ch as usize].wire.is_empty() && self.cons[ch as usize].received.is_empty()
    }

    /// Appends an event (barrier, cancellation marker) behind the data of a channel, whose
    /// builder the caller finished first.
    pub fn push_event(&mut self, now: SimTime, ch: u32, payload: Payload, q: &mut EventQueue<Event>) -> Sent {
        self.prod[ch as usize].queue.push_back(
            &mut self.bufs,
            NetBuffer {
                payload,
                bytes: EVENT_BYTES,
                backlog: 0,
            },
        );
        self.try_send(now, ch, q)
    }

    /// Sends what the channel's credits and blocking allow, and then a flushed buffer being
    /// filled once its reader reached it.
    pub fn try_send(&mut self, now: SimTime, ch: u32, q: &mut EventQueue<Event>) -> Sent {
        let mut sent = self.send_queued(now, ch, q);
        if self.flushed_builder_reached(ch) {
            self.cut_builder(now, ch);
            let more = self.send_queued(now, ch, q);
            sent.freed_producer = sent.freed_producer.or(more.freed_producer);
            sent.barrier = sent.barrier.or(more.barrier);
        }
        sent
    }

    fn send_queued(&mut self, now: SimTime, ch: u32, q: &mut EventQueue<Event>) -> Sent {
        let mut freed = false;
        let mut barrier_sent = None;
        while self.prod[ch as usize].can_send_head(&self.bufs) {
            let before = self.usage(ch);
            let c = &mut self.prod[ch as usize];
            let mut buf = c.queue.pop_front(&mut self.bufs).expect("can_send_head");
            // `PipelinedSubpartition.pollBuffer`: taking an aligned barrier blocks the
            // subpartition (nothing more until the consumer resumes it, so this loop ends with
            // it); an unaligned or at-least-once barrier does not.
            if matches!(buf.payload, Payload::Barrier(b) if b.options.needs_alignment()) && !self.alignment_broken {
                c.blocked = true;
            }
            if let Payload::Barrier(b) = buf.payload {
                barrier_sent = Some(b.id);
            }
            if buf.is_data() {
                c.queued_data -= 1;
                if c.local && self.local_freed_at_send {
                    freed = true; // negative control: the pool no longer bounds the channel
                } else if c.local {
                    // `LocalInputChannel`: the consumer reads the producer's buffer itself, which
                    // goes back to the pool only when it is recycled.
                    c.lent += 1;
                } else {
                    // Netty copied it to the wire: the buffer is back in the producer's pool.
                    c.credit -= 1;
                    freed = true;
                }
            }
            // `PipelinedSubpartition.getBuffersInBacklog`: the finished buffers, and the one being
            // filled once a flush made it readable; none from a blocked subpartition (read after
            // the barrier blocked it), so that the receiver lets its floating buffers go while
            // it aligns.
            buf.backlog = if c.blocked && !self.event_backlog_ignored {
                0
            } else {
                c.queued_data + (c.flush_requested && !c.builder.is_empty()) as u32
            };
            let after = self.usage(ch);
            if after != before {
                self.account_usage(ch, before, after);
            }
            let at = self.delivery_time(now, ch, buf.bytes);
            let w = &mut self.wires[ch as usize].wire;
            let was_empty = w.is_empty();
            w.push_back_at(&mut self.bufs, at, buf);
            if was_empty {
                let inc = self.wires[ch as usize].incarnation;
                q.schedule(at, Event::Deliver { ch, inc });
            }
        }
        let producer = self.prod[ch as usize].producer;
        Sent {
            freed_producer: freed.then_some(producer),
            barrier: barrier_sent.map(|id| (producer, id)),
        }
    }

    /// Delivery time: serialization on the TaskManager connection (remote only), then latency;
    /// never before the previous buffer on the channel (FIFO).
    pub(super) fn delivery_time(&mut self, now: SimTime, ch: u32, bytes: u32) -> SimTime {
        let (remote, connection) = (self.wires[ch as usize].remote, self.wires[ch as usize].connection);
        let tms = self.taskmanagers;
        let now = self.partition_lifted(now, connection / tms, connection % tms);
        let arrive = if remote {
            let free = &mut self.connection_free_at[connection as usize];
            let start = (*free).max(now);
            let tx = ns_from_f64(bytes as f64 / self.set.remote_bandwidth_bytes_per_s * NS_PER_S as f64);
            *free = start + tx;
            start + tx + self.set.remote_latency.sample_u64(&mut self.rng)
        } else {
            now + self.set.local_latency.sample_u64(&mut self.rng)
        };
        let w = &mut self.wires[ch as usize];
        let at = arrive.max(w.last_delivery);
        w.last_delivery = at;
        at
    }

    /// A network partition holds traffic between two TaskManagers until it heals (TCP
    /// retransmits). If it outlasts its `fail_after`, the schedule also breaks the connections
    /// then, and the readers fail (`Fault::ConnectionLost`).
    pub(super) fn partition_lifted(&self, now: SimTime, a: u32, b: u32) -> SimTime {
        if a == b || self.partitions.is_empty() {
            return now;
        }
        let mut t = now;
        for w in &self.partitions {
            if let Condition::NetworkPartition { a: x, b: y } = w.condition
                && ((x, y) == (a, b) || (x, y) == (b, a))
                && w.start <= t
                && t < w.end
            {
                t = w.end;
            }
        }
        t
    }

    /// The latency of a message to the other end of a channel (`remote`: whether its ends are
    /// on different TaskManagers).
    pub(super) fn latency_to(&mut self, remote: bool) -> u64 {
        if remote {
            self.set.remote_latency.sample_u64(&mut self.rng)
        } else {
            self.set.local_latency.sample_u64(&mut self.rng)
        }
    }

    pub fn on_credit(&mut self, now: SimTime, ch: u32, n: u32, q: &mut EventQueue<Event>) -> Sent {
        self.prod[ch as usize].credit += n;
        self.try_send(now, ch, q)
    }

    /// `resumeConsumption` reached the producer's subpartition.
    pub fn on_resume(&mut self, now: SimTime, ch: u32, q: &mut EventQueue<Event>) -> Sent {
        self.prod[ch as usize].blocked = false;
        self.try_send(now, ch, q)
    }

    // ---- unaligned barriers at the producer ----

    /// The data buffers queued in a subpartition (the one being filled already finished), which
    /// an unaligned barrier put at the head overtakes: their bytes, and their records when
    /// `with_records`. On a local channel the subpartition is also what its consumer has not
    /// taken yet (`wire` and `received`, oldest first): the producer persists those as its output
    /// state (`PipelinedSubpartition.addPriorityEvent` -> `ChannelStateWriter.addOutputData`), and the
    /// consumer only the rest of the buffer it is reading.
    pub fn queued_output(&self, ch: u32, with_records: bool) -> (u64, Vec<Record>) {
        let (c, pool) = (self.channel(ch), &self.bufs);
        let ahead = || -> Box<dyn Iterator<Item = &NetBuffer>> {
            if c.producer.local {
                Box::new(
                    c.consumer
                        .received
                        .iter(pool)
                        .chain(c.wire.wire.iter(pool))
                        .chain(c.producer.queue.iter(pool)),
                )
            } else {
                Box::new(c.producer.queue.iter(pool))
            }
        };
        let bytes = ahead().filter(|b| b.is_data()).map(|b| b.bytes as u64).sum();
        let records = if with_records {
            data_records(ahead())
        } else {
            Vec::new()
        };
        (bytes, records)
    }

    /// `PipelinedSubpartition.add(priority event)`: an unaligned barrier goes to the head of the
    /// output queue (behind other priority events), then the channel sends.
    pub fn send_priority(
        &mut self,
        now: SimTime,
        ch: u32,
        barrier: CheckpointBarrier,
        q: &mut EventQueue<Event>,
    ) -> Sent {
        let c = &mut self.prod[ch as usize];
        let pos = c
            .queue
            .iter(&self.bufs)
            .position(|b| !matches!(b.payload, Payload::Barrier(x) if x.options.is_unaligned()))
            .unwrap_or(c.queue.len(&self.bufs));
        c.queue.insert(
            &mut self.bufs,
            pos,
            NetBuffer {
                payload: Payload::Barrier(barrier),
                bytes: EVENT_BYTES,
                backlog: 0,
            },
        );
        self.try_send(now, ch, q)
    }

    /// Output-side alignment timer on one subpartition: a timeoutable barrier of `checkpoint`
    /// still queued there is taken out, with the data ahead of it (bytes, and records when
    /// `with_records`); the caller sends it as an unaligned barrier.
    pub fn take_queued_barrier(
        &mut self,
        ch: u32,
        checkpoint: CheckpointId,
        with_records: bool,
    ) -> Option<(CheckpointBarrier, u64, Vec<Record>)> {
        let (c, pool) = (self.channel(ch), &self.bufs);
        let pos = c
            .producer
            .queue
            .iter(pool)
            .position(|b| matches!(b.payload, Payload::Barrier(x) if x.id == checkpoint))?;
        let Some(Payload::Barrier(b)) = c.producer.queue.iter(pool).nth(pos).map(|x| &x.payload) else {
            unreachable!("found a barrier");
        };
        let b = *b;
        if !b.options.is_timeoutable() {
            return None; // forced-aligned edges never time out
        }
        // On a local channel what the consumer has not taken is ahead of it too (the consumer
        // gets the barrier at once, see `queued_output`).
        let ahead = || -> Box<dyn Iterator<Item = &NetBuffer>> {
            let queued = c.producer.queue.iter(pool).take(pos);
            if c.producer.local {
                Box::new(
                    c.consumer
                        .received
                        .iter(pool)
                        .chain(c.wire.wire.iter(pool))
                        .chain(queued),
                )
            } else {
                Box::new(queued)
            }
        };
        let bytes = ahead().filter(|b| b.is_data()).map(|b| b.bytes as u64).sum();
        let records = if with_records {
            data_records(ahead())
        } else {
            Vec::new()
        };
        self.prod[ch as usize].queue.remove(&mut self.bufs, pos);
        Some((b, bytes, records))
    }
}

/// How much earlier than a record would a bundle of `bytes` finishes a buffer. A buffer is full
/// once its last record reaches the segment size, so it overshoots by half a record on average;
/// a bundle of the fast path would overshoot by half a bundle, and a back-pressured channel
/// would hold up to a quarter more bytes (bundles of a quarter segment) than the record-level
/// model's. Finishing the buffer `(bundle - record) / 2` early gives back the record-level
/// model's mean fill: 0 for a record (`records_per_bundle` = 1).
#[inline]
pub(super) fn bundle_slack_bytes(bytes: u32, records_per_bundle: u32) -> u32 {
    // Record by record (every write of the record-level model): no division on the hot path.
    if records_per_bundle <= 1 {
        return 0;
    }
    (bytes - bytes / records_per_bundle) / 2
}

/// How much shorter, on average, a buffer's records wait for it when `bundles` bundles of
/// `records_per_bundle` records fill it over `fill_ns` than when the same records fill it one by
/// one: with writes evenly spread, records wait half the fill less `1/(2 n)` of it for `n`
/// writes, so the difference is `fill (k - 1) / (2 n k)` (`quickstart` at 16 per bundle: 10
/// bundles over about 33 ms, 1.5 ms of its 28 ms latency).
#[inline]
pub(super) fn fill_wait_deficit_ns(fill_ns: u64, bundles: u64, records_per_bundle: u32) -> u64 {
    let k = records_per_bundle as u64;
    if k <= 1 || bundles == 0 {
        return 0;
    }
    fill_ns * (k - 1) / (2 * bundles * k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_buffer_of_bundles_owes_its_records_the_wait_of_a_trickle() {
        let ms = 1_000_000;
        // Record by record nothing is owed.
        assert_eq!(fill_wait_deficit_ns(33 * ms, 10, 1), 0);
        // 10 bundles of 16 over 32 ms: 32 * 15 / (2 * 10 * 16) = 1.5 ms.
        assert_eq!(fill_wait_deficit_ns(32 * ms, 10, 16), 1_500_000);
        // One bundle filling a buffer alone: its k records would have waited half the fill.
        assert_eq!(fill_wait_deficit_ns(32 * ms, 1, 16), 15 * ms);
        assert_eq!(fill_wait_deficit_ns(32 * ms, 0, 16), 0);
    }
}
