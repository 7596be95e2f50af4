//! The network stack when tasks fail and restore: channels reset, gates and pools recounted,
//! restored channel state put back into its channels.

use super::*;

impl Network {
    // ---- failures and recovery ----

    /// A task died: its gate's floating buffers are back and no input is listed.
    pub fn reset_task(&mut self, s: u32) {
        self.outputs[s as usize].flush_armed = false;
        let q = &mut self.inputs[s as usize];
        q.avail.clear();
        q.in_avail.iter_mut().for_each(|a| *a = false);
    }

    /// Every channel touching a dead task loses everything in it: returns the records and the
    /// bytes they held. `producer_alive` tells whether the new channel's producer still runs
    /// (nobody grants credit for a dead consumer, so its producer backs up).
    pub fn reset_channel(&mut self, now: SimTime, ch: u32, producer_alive: bool, consumer_alive: bool) -> u64 {
        let i = ch as usize;
        let (route, inc) = (self.route(ch), self.wires[i].incarnation + 1);
        let exclusive = self.set.exclusive_buffers;
        let mut producer = std::mem::replace(&mut self.prod[i], ProducerEnd::new(exclusive, &route, inc));
        let mut wire = std::mem::replace(&mut self.wires[i], WireEnd::new(&route, inc));
        let mut consumer = std::mem::replace(&mut self.cons[i], ConsumerEnd::new(exclusive, &route, inc));
        let records = records_in_channel(
            ChannelParts {
                producer: &producer,
                wire: &wire,
                consumer: &consumer,
            },
            &self.bufs,
        );
        let mut bufs = Vec::new();
        for q in [&mut producer.queue, &mut wire.wire, &mut consumer.received] {
            q.drain(&mut self.bufs, |b| bufs.push(b));
        }
        let mut bytes = 0u64;
        for b in bufs {
            if let Payload::Data(v) = b.payload {
                bytes += b.bytes as u64;
                self.give_back_vec(v);
            }
        }
        self.in_flight_bytes -= bytes;
        self.wires[i].last_delivery = now;
        if producer_alive && !consumer_alive {
            self.prod[i].credit = 0;
        }
        records
    }

    /// Where channel `ch` runs, as its ends keep it.
    fn route(&self, ch: u32) -> ChannelRoute {
        let (c, w) = (&self.cons[ch as usize], &self.wires[ch as usize]);
        ChannelRoute {
            producer: self.prod[ch as usize].producer,
            consumer: c.consumer,
            input_index: c.input_index,
            connection: w.connection,
            remote: w.remote,
        }
    }

    /// A live consumer must not look for buffers in an emptied channel.
    pub fn unlist_channel(&mut self, ch: u32, g: &JobGraph) {
        let info = &g.channels[ch as usize];
        self.unlist_input(info.consumer.0, info.input_index);
    }

    /// A dead task's gates get all their floating buffers back.
    pub fn reset_gates(&mut self, s: u32) {
        for pool in self.gate_pools[s as usize].iter_mut() {
            pool.available = self.set.floating_buffers_per_gate;
            for ch in pool.waiting.drain(..) {
                self.waiting_for_floating[ch as usize] = false;
            }
        }
    }

    /// Recomputes a producer's pool counters from its channels (after channels were reset).
    pub fn recount_pool(&mut self, s: u32, g: &JobGraph) {
        let cap = self.set.max_buffers_per_channel;
        for e in 0..g.outputs[s as usize].len() {
            let (mut used, mut at_cap) = (0, 0);
            for ch in &g.outputs[s as usize][e].channels {
                let u = self.prod[ch.index()].usage();
                used += u;
                at_cap += (u >= cap) as u32;
            }
            self.outputs[s as usize].used[e] = used;
            self.outputs[s as usize].channels_at_cap[e] = at_cap;
        }
    }

    /// Puts restored channel state back into its (freshly reset) channel, in buffers of at most
    /// a segment: input state at the head of the consumer's queue, read before anything new
    /// and holding no credit (`RecoveredInputChannel`); output state in the producer's
    /// subpartition, sent first once the producer runs.
    pub fn restore_channel(&mut self, p: &PersistedChannel, g: &JobGraph) {
        let segment = self.set.segment_bytes.max(1);
        let mut buffers = Vec::new();
        let mut records = self.vec_pool.pop().unwrap_or_default();
        let mut bytes = 0u32;
        for r in &p.records {
            records.push(*r);
            bytes += r.bytes;
            if bytes >= segment {
                buffers.push(data_buffer(std::mem::take(&mut records), std::mem::take(&mut bytes)));
            }
        }
        if !records.is_empty() {
            buffers.push(data_buffer(records, bytes));
        }
        self.in_flight_bytes += buffers.iter().map(|b| b.bytes as u64).sum::<u64>();
        let ch = p.channel as usize;
        let n = buffers.len() as u32;
        match p.side {
            ChannelSide::Input => {
                let c = &mut self.cons[ch];
                for b in buffers.into_iter().rev() {
                    c.received.push_front(&mut self.bufs, b);
                }
                c.recovered_ahead += n;
                let info = &g.channels[ch];
                let (s, input) = (info.consumer.index(), info.input_index as usize);
                let q = &mut self.inputs[s];
                if n > 0 && !q.in_avail[input] {
                    q.in_avail[input] = true;
                    q.avail.push_back((input as u32, p.channel));
                }
            }
            ChannelSide::Output => {
                let c = &mut self.prod[ch];
                for b in buffers.into_iter().rev() {
                    c.queue.push_front(&mut self.bufs, b);
                }
                c.queued_data += n;
            }
        }
    }
}
