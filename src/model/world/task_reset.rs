//! Stopping tasks at once when they fail or are cancelled for a restart: their work in
//! progress, uploads, pending restores, buffers and channels are gone, and the producers' pools
//! are recounted.

use super::World;
use crate::model::network::ChannelState;
use crate::model::task::TaskPhase;
use crate::time::SimTime;

impl World {
    /// Stops tasks at once: their work in progress, buffers and channels are gone.
    pub(crate) fn kill_tasks(&mut self, now: SimTime, dead: &[u32]) {
        for &s in dead {
            let si = s as usize;
            let uploads: Vec<u32> = self.tasks[si].checkpoints.iter().filter_map(|c| c.upload).collect();
            for req in uploads {
                self.storage.cancel(now, req, &mut self.queue);
            }
            // Restore downloads of an earlier failure are cancelled too.
            for req in self.storage.downloads_of(s) {
                self.storage.cancel(now, req, &mut self.queue);
            }
            let t = &mut self.tasks[si];
            if let Some(since) = t.back_pressured_since.take() {
                t.back_pressured_ns += now.since(since);
            }
            t.incarnation += 1;
            t.wake_gen = t.wake_gen.wrapping_add(1);
            t.phase = TaskPhase::Down;
            if let Some(b) = t.batch.take() {
                if b.input_channel.is_some() {
                    // The input buffer being read is gone with the task (it held its bytes).
                    self.in_flight_bytes -= b.records.iter().map(|r| r.bytes as u64).sum::<u64>();
                }
                let v = b.records;
                self.give_back_vec(v);
            }
            let t = &mut self.tasks[si];
            t.avail.clear();
            t.in_avail.iter_mut().for_each(|a| *a = false);
            if t.handler.is_some() {
                let inputs = self.graph.inputs[si].len() as u32;
                self.tasks[si].handler = Some(crate::protocol::input_handler::InputHandler::for_config(
                    inputs,
                    self.mode,
                    self.unaligned,
                ));
            }
            self.reset_backend(s);
            let t = &mut self.tasks[si];
            t.coordinator = crate::protocol::subtask::SubtaskCheckpointCoordinator::new();
            t.sync_checkpoint = None;
            t.resume_after_sync = false;
            t.deferred_triggers.clear();
            t.checkpoints.clear();
            t.flush_armed = false;
            // Stateless tasks too: no channel state or deferred mailbox action survives.
            t.channel_state = None;
            t.deferred_mail.clear();
            t.waiting_output_barrier = None;
        }
        // Channels touching a dead task lose everything in them.
        let exclusive = self.set.exclusive_buffers;
        for ch in 0..self.chans.len() {
            let info = &self.graph.channels[ch];
            let (p, c) = (info.producer.0, info.consumer.0);
            if !(dead.contains(&p) || dead.contains(&c)) {
                continue;
            }
            let old = std::mem::take(&mut self.chans[ch]);
            self.checks
                .records_dropped(ch as u32, super::invariants::records_in_channel(&old));
            let mut bytes = 0u64;
            for b in old
                .queue
                .into_iter()
                .chain(old.wire.into_iter().map(|(_, b)| b))
                .chain(old.received)
            {
                if let crate::model::records::Payload::Data(v) = b.payload {
                    bytes += b.bytes as u64;
                    self.give_back_vec(v);
                }
            }
            self.in_flight_bytes -= bytes;
            let mut fresh = ChannelState::new(exclusive);
            fresh.incarnation = old.incarnation + 1;
            fresh.last_delivery = now;
            let producer_alive = self.tasks[p as usize].phase != TaskPhase::Down;
            let consumer_alive = self.tasks[c as usize].phase != TaskPhase::Down;
            if producer_alive && !consumer_alive {
                // Nobody grants credit for a dead consumer: its producer backs up.
                fresh.credit = 0;
            }
            self.chans[ch] = fresh;
            // A live consumer must not look for buffers in the emptied channel.
            let input = self.graph.channels[ch].input_index;
            let t = &mut self.tasks[c as usize];
            if t.in_avail[input as usize] {
                t.in_avail[input as usize] = false;
                t.avail.retain(|i| *i != input);
            }
            // The producer's output pool loses the buffers this channel held.
            self.recount_pool(p);
        }
        for &s in dead {
            for g in self.gate_pools[s as usize].iter_mut() {
                g.available = self.set.floating_buffers_per_gate;
                g.waiting.clear();
            }
        }
    }

    /// Recomputes a producer's pool counters from its channels (after channels were reset).
    pub(crate) fn recount_pool(&mut self, s: u32) {
        let cap = self.set.max_buffers_per_channel;
        for e in 0..self.graph.outputs[s as usize].len() {
            let (mut used, mut at_cap) = (0, 0);
            for ch in &self.graph.outputs[s as usize][e].channels {
                let c = &self.chans[ch.index()];
                let u = c.queued_data + (!c.builder.is_empty()) as u32;
                used += u;
                at_cap += (u >= cap) as u32;
            }
            self.tasks[s as usize].pool_used[e] = used;
            self.tasks[s as usize].channels_at_cap[e] = at_cap;
        }
    }
}
