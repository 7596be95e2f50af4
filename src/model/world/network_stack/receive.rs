//! The consumer side of the network stack: deliveries, credit and floating-buffer bookkeeping
//! (`RemoteInputChannel`), recycling, the gate's queue of channels with data, blocking and
//! resuming channels (`SingleInputGate`).

use super::*;

impl Network {
    // ---- consumer side ----

    /// The head buffer on a channel's wire reaches the consumer.
    pub fn deliver(&mut self, now: SimTime, ch: u32, checks: &mut Checks, q: &mut EventQueue<Event>) -> Arrival {
        let w = &mut self.wires[ch as usize].wire;
        let (at, buf) = w.pop_front_at(&mut self.bufs).expect("a delivery event has a buffer");
        debug_assert_eq!(at, now);
        if let Some(next) = w.front_at(&self.bufs) {
            let inc = self.wires[ch as usize].incarnation;
            q.schedule(next, Event::Deliver { ch, inc });
        }
        let is_data = buf.is_data();
        let backlog = buf.backlog;
        let bytes = buf.bytes;
        let c = &mut self.cons[ch as usize];
        c.delivered_seq += 1;
        let seq = c.delivered_seq;
        if is_data && checks.take_lost_buffer() {
            if let Payload::Data(v) = buf.payload {
                self.give_back_vec(v);
            }
            return Arrival::Lost;
        }
        if !is_data && !self.cons[ch as usize].local && !self.event_backlog_ignored {
            self.on_sender_backlog(now, ch, backlog, q);
        }
        match buf.payload {
            Payload::Barrier(b) if b.options.is_unaligned() => {
                // A priority event: it skips the received queue and is handled between records.
                Arrival::PriorityBarrier(b)
            }
            Payload::Barrier(barrier) => {
                let c = &mut self.cons[ch as usize];
                let behind_data = c.received.iter(&self.bufs).any(|x| x.is_data());
                c.received.push_back(&mut self.bufs, buf);
                Arrival::Barrier {
                    barrier,
                    behind_data,
                    seq,
                }
            }
            Payload::Cancel(_) | Payload::EndOfData | Payload::EndOfPartition => {
                self.cons[ch as usize].received.push_back(&mut self.bufs, buf);
                Arrival::Marker
            }
            Payload::Data(_) => {
                self.cons[ch as usize].received.push_back(&mut self.bufs, buf);
                Arrival::Data { bytes, backlog }
            }
        }
    }

    /// Receiver-side bookkeeping for an arrived data buffer. A remote channel
    /// (`RemoteInputChannel.onBuffer` -> `onSenderBacklog`) asks the gate for floating buffers so
    /// that `backlog + initialCredit` buffers are available to announce as credit
    /// (`BufferManager.requestFloatingBuffers(backlog + initialCredit)`), as many as the gate has,
    /// and waits in the gate's queue for the rest. A local channel has no credit.
    pub fn on_data_received(&mut self, now: SimTime, ch: u32, backlog: u32, q: &mut EventQueue<Event>) {
        let c = &mut self.cons[ch as usize];
        c.occupied += 1;
        if c.local {
            c.sender_backlog = backlog;
            return;
        }
        c.announced_unused = c.announced_unused.saturating_sub(1);
        self.on_sender_backlog(now, ch, backlog, q);
    }

    /// `RemoteInputChannel.onSenderBacklog`, which every buffer that arrives calls, events
    /// included (they take no credit): the channel wants `backlog + initialCredit` buffers
    /// available, asks the gate for floating ones up to that, and waits in the gate's queue for
    /// the rest. An aligned barrier reports no backlog (its subpartition is blocked), so a
    /// channel that is aligning lets its floating buffers go as they are recycled.
    fn on_sender_backlog(&mut self, now: SimTime, ch: u32, backlog: u32, q: &mut EventQueue<Event>) {
        self.cons[ch as usize].sender_backlog = backlog;
        // The channel's available buffers (exclusive and floating ones holding no data) are
        // exactly its announced, unused credit.
        let need = self
            .floating_target(ch)
            .saturating_sub(self.cons[ch as usize].announced_unused);
        let (consumer, gate) = (self.cons[ch as usize].consumer as usize, self.input_gate(ch));
        let pool = &mut self.gate_pools[consumer][gate];
        let mut granted = 0;
        for _ in 0..need {
            if pool.available == 0 {
                if !self.waiting_for_floating[ch as usize] {
                    self.waiting_for_floating[ch as usize] = true;
                    pool.waiting.push_back(ch);
                }
                break;
            }
            pool.available -= 1;
            granted += 1;
        }
        if granted > 0 {
            self.grant_floating(now, ch, granted, q);
        }
    }

    /// The buffers a remote channel wants available: its sender's backlog plus its initial
    /// credit (`numRequiredBuffers = backlog + initialCredit`).
    #[inline]
    fn floating_target(&self, ch: u32) -> u32 {
        let initial_credit = if self.floating_without_initial_credit {
            0
        } else {
            self.set.exclusive_buffers
        };
        self.cons[ch as usize].sender_backlog + initial_credit
    }

    /// `n` floating buffers join a channel and are announced as credit.
    fn grant_floating(&mut self, now: SimTime, ch: u32, n: u32, q: &mut EventQueue<Event>) {
        let c = &mut self.cons[ch as usize];
        c.owned += n;
        c.floating_held += n;
        c.announced_unused += n;
        let (remote, inc) = (!c.local, c.incarnation);
        let at = now + self.latency_to(remote);
        q.schedule(at, Event::Credit { ch, n, inc });
    }

    /// The consumer finished with a data buffer. Local channel: the buffer goes back to the
    /// producer's pool (`LocalBufferPool.recycle`), which may wake a producer waiting for one.
    /// Remote channel: it is available again and announced as credit, unless the channel then has
    /// more than `backlog + initialCredit` available, when a floating buffer goes back to the gate
    /// (`AvailableBufferQueue.addExclusiveBuffer(buffer, numRequiredBuffers)`), to the first
    /// waiting channel still short of its own target (`BufferManager.notifyBufferAvailable`).
    pub fn recycle(
        &mut self,
        now: SimTime,
        ch: u32,
        bytes: u32,
        records: Vec<Record>,
        q: &mut EventQueue<Event>,
    ) -> Sent {
        self.in_flight_bytes -= bytes as u64;
        self.give_back_vec(records);
        let c = &mut self.cons[ch as usize];
        c.occupied = c.occupied.saturating_sub(1);
        if c.local {
            let before = self.usage(ch);
            let c = &mut self.prod[ch as usize];
            // Saturating: a buffer read before its channel was reset belongs to no pool now.
            c.lent = c.lent.saturating_sub(1);
            let after = self.usage(ch);
            if after == before {
                return Sent::default();
            }
            self.account_usage(ch, before, after);
            return Sent {
                freed_producer: Some(self.prod[ch as usize].producer),
                barrier: None,
            };
        }
        let target = self.floating_target(ch);
        let c = &mut self.cons[ch as usize];
        if c.floating_held > 0 && c.announced_unused >= target {
            c.owned -= 1;
            c.floating_held -= 1;
            let (consumer, gate) = (c.consumer as usize, self.input_gate(ch));
            self.release_floating(now, consumer, gate, q);
        } else {
            c.announced_unused += 1;
            let (remote, inc) = (!c.local, c.incarnation);
            let at = now + self.latency_to(remote);
            q.schedule(at, Event::Credit { ch, n: 1, inc });
        }
        Sent::default()
    }

    /// A floating buffer goes back to the gate: to the first waiting channel still below its
    /// target (one that no longer needs it stops waiting), else to the gate's pool.
    fn release_floating(&mut self, now: SimTime, consumer: usize, gate: usize, q: &mut EventQueue<Event>) {
        while let Some(other) = self.gate_pools[consumer][gate].waiting.pop_front() {
            self.waiting_for_floating[other as usize] = false;
            let target = self.floating_target(other);
            let available = self.cons[other as usize].announced_unused;
            if available >= target {
                continue;
            }
            self.grant_floating(now, other, 1, q);
            if available + 1 < target {
                // Still short: it waits on (`NotificationResult.BUFFER_USED_NEED_MORE`).
                self.waiting_for_floating[other as usize] = true;
                self.gate_pools[consumer][gate].waiting.push_back(other);
            }
            return;
        }
        self.gate_pools[consumer][gate].available += 1;
    }

    /// Puts an input channel with readable buffers on the consumer's available list. Returns
    /// whether it has any (the consumer, if idle, wakes up).
    pub fn mark_input_available(&mut self, s: u32, input: u32, g: &JobGraph) -> bool {
        let ch = g.inputs[s as usize][input as usize].0;
        let c = &self.cons[ch as usize];
        if c.consumer_blocked || c.priority_holds > 0 || c.received.is_empty() {
            return false;
        }
        let q = &mut self.inputs[s as usize];
        if !q.in_avail[input as usize] {
            q.in_avail[input as usize] = true;
            q.avail.push_back((input, ch));
        }
        true
    }

    /// Takes the next buffer from the input channels, in the order they became available.
    pub fn take_input(&mut self, s: u32, g: &JobGraph) -> Option<Taken> {
        let si = s as usize;
        let (input, ch) = self.inputs[si].avail.pop_front()?;
        self.inputs[si].in_avail[input as usize] = false;
        debug_assert_eq!(ch, g.inputs[si][input as usize].0);
        self.prefetch_next_inputs(si);
        let c = &mut self.cons[ch as usize];
        debug_assert!(
            !c.consumer_blocked && c.priority_holds == 0,
            "a blocked or held channel is never on the available list"
        );
        let buffer = c
            .received
            .pop_front(&mut self.bufs)
            .expect("available channels have a buffer");
        let recovered = c.recovered_ahead > 0;
        if recovered {
            c.recovered_ahead -= 1;
        }
        let persist = c.persisting.get().filter(|_| c.local && buffer.is_data());
        if buffer.is_data() && !recovered {
            self.inputs[si].read.count(c.local, buffer.bytes);
        }
        if !c.received.is_empty() {
            self.inputs[si].in_avail[input as usize] = true;
            self.inputs[si].avail.push_back((input, ch));
        }
        Some(Taken {
            input,
            ch,
            buffer,
            recovered,
            persist,
        })
    }

    /// Starts fetching what the consumer's next two takes read first: the head buffer of the
    /// next channel in line (whose end the take before fetched) and the end of the one after.
    /// With hundreds of inputs per gate each is a cache miss, which the records of the buffer
    /// being taken now can hide. Changes speed only.
    #[inline]
    fn prefetch_next_inputs(&self, si: usize) {
        let avail = &self.inputs[si].avail;
        if let Some(&(_, next)) = avail.front() {
            self.cons[next as usize].received.prefetch_head(&self.bufs);
        }
        if let Some(&(_, after)) = avail.get(1) {
            crate::sim::prefetch(&self.cons[after as usize]);
        }
    }

    /// Starts fetching the end of the channel consumer `s` takes its next buffer from, one
    /// event ahead of the wake-up that takes it (see [`Network::prefetch_next_take_head`]).
    /// Changes speed only.
    #[inline]
    pub fn prefetch_next_take_end(&self, s: u32) {
        if let Some(ch) = self.next_take_channel(s) {
            crate::sim::prefetch(&self.cons[ch as usize]);
        }
    }

    /// Starts fetching the head buffer of the channel consumer `s` takes its next buffer from,
    /// once that channel's end is cached ([`Network::prefetch_next_take_end`]). Changes speed
    /// only.
    #[inline]
    pub fn prefetch_next_take_head(&self, s: u32) {
        if let Some(ch) = self.next_take_channel(s) {
            self.cons[ch as usize].received.prefetch_head(&self.bufs);
        }
    }

    /// The channel consumer `s`'s next [`Network::take_input`] starts at: its gate's first
    /// available input.
    #[inline]
    fn next_take_channel(&self, s: u32) -> Option<u32> {
        self.inputs[s as usize].avail.front().map(|&(_, ch)| ch)
    }

    pub(super) fn unlist_input(&mut self, s: u32, input: u32) {
        let q = &mut self.inputs[s as usize];
        if q.in_avail[input as usize] {
            q.in_avail[input as usize] = false;
            q.avail.retain(|&(i, _)| i != input);
        }
    }

    /// The barrier handler blocks an input channel (aligned checkpoints).
    pub fn block_input(&mut self, s: u32, input: u32, g: &JobGraph) {
        let ch = g.inputs[s as usize][input as usize].0;
        self.cons[ch as usize].consumer_blocked = true;
        self.unlist_input(s, input);
    }

    /// Holds an input channel while a priority barrier at its head waits for the task thread:
    /// nothing of it is read meanwhile, even if an alignment unblocks the channel in between
    /// (the hold is its own, not the barrier handler's block).
    pub fn hold_input_for_priority(&mut self, s: u32, input: u32, g: &JobGraph) {
        let ch = g.inputs[s as usize][input as usize].0;
        let c = &mut self.cons[ch as usize];
        c.priority_holds = c
            .priority_holds
            .checked_add(1)
            .expect("fewer than 256 priority barriers wait at one channel");
        self.unlist_input(s, input);
    }

    /// The priority barrier a hold was for was handled; the channel is readable again once no
    /// other waits and no alignment blocks it. The producer was never told, so nothing travels
    /// back. (A channel reset since the hold started over with none.)
    pub fn release_input_after_priority(&mut self, s: u32, input: u32, g: &JobGraph) {
        let ch = g.inputs[s as usize][input as usize].0;
        let c = &mut self.cons[ch as usize];
        c.priority_holds = c.priority_holds.saturating_sub(1);
    }

    /// Consumer side of `resumeConsumption`: unblock and tell the producer. Returns whether the
    /// channel was blocked (its buffers are readable again).
    pub fn resume_input(&mut self, now: SimTime, s: u32, input: u32, g: &JobGraph, q: &mut EventQueue<Event>) -> bool {
        let ch = g.inputs[s as usize][input as usize].0;
        let c = &mut self.cons[ch as usize];
        if !c.consumer_blocked {
            return false;
        }
        c.consumer_blocked = false;
        self.send_resume(now, ch, q);
        true
    }

    /// Consumer side of `resumeConsumption` for an obsolete barrier: unblock (whether or not it
    /// was blocked here) and tell the producer.
    pub fn force_resume_input(&mut self, now: SimTime, s: u32, input: u32, g: &JobGraph, q: &mut EventQueue<Event>) {
        let ch = g.inputs[s as usize][input as usize].0;
        self.cons[ch as usize].consumer_blocked = false;
        self.send_resume(now, ch, q);
    }

    /// Whether the producer side of `ch` is blocked with no alignment at its consumer for it:
    /// no barrier on the wire or queued there, the consumer not blocking the channel, no
    /// prioritized barrier waiting for its checkpoint's end (the liveness invariant).
    pub fn blocked_without_alignment(&self, ch: u32) -> bool {
        let c = self.channel(ch);
        let barrier_ahead = c
            .wire
            .wire
            .iter(&self.bufs)
            .chain(c.consumer.received.iter(&self.bufs))
            .any(|b| matches!(b.payload, Payload::Barrier(_)));
        let consumer = c.consumer;
        c.producer.blocked && !consumer.consumer_blocked && !consumer.resume_at_checkpoint_end && !barrier_ahead
    }

    /// `resumeConsumption` travels to the producer's subpartition.
    pub fn send_resume(&mut self, now: SimTime, ch: u32, q: &mut EventQueue<Event>) {
        let c = &self.cons[ch as usize];
        let (remote, inc) = (!c.local, c.incarnation);
        let at = now + self.latency_to(remote);
        q.schedule(at, Event::Resume { ch, inc });
    }

    /// The checkpoint ended at the consumer: whether this channel's producer waits for a
    /// resume because its aligned barrier was prioritized here.
    pub fn take_resume_at_checkpoint_end(&mut self, ch: u32) -> bool {
        std::mem::take(&mut self.cons[ch as usize].resume_at_checkpoint_end)
    }
}
