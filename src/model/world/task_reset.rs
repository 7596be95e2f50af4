//! Stopping tasks at once when they fail or are cancelled for a restart: their work in
//! progress, uploads, pending restores, buffers and channels are gone, and the producers' pools
//! are recounted.

use super::World;
use crate::model::task::{RescuedOvertaken, TaskPhase};
use crate::time::SimTime;

impl World {
    /// Stops tasks at once: their work in progress, buffers and channels are gone.
    pub(crate) fn kill_tasks(&mut self, now: SimTime, dead: &[u32]) {
        for &s in dead {
            self.kill_task(now, s);
        }
        self.reset_channels_of(now, dead);
        for &s in dead {
            self.net.reset_gates(s);
        }
    }

    /// One task stops: its uploads and restore downloads are cancelled, its batch, handler,
    /// backend, checkpoints and mailbox are gone, and events for it go stale.
    fn kill_task(&mut self, now: SimTime, s: u32) {
        let si = s as usize;
        for req in self.tasks.all_uploads_in_flight(s) {
            self.storage.cancel(now, req, &mut self.queue);
        }
        // Its writer's shared channel-state files fail with it.
        if let Some(w) = self.channel_state_writers.writer_of(s) {
            for req in self.channel_state_writers.drop_writer(w) {
                self.storage.cancel(now, req, &mut self.queue);
            }
        }
        // Restore downloads of an earlier failure are cancelled too.
        for req in self.storage.downloads_of(s) {
            self.storage.cancel(now, req, &mut self.queue);
        }
        if let Some(b) = self.tasks.kill(s, now) {
            if b.input_channel.is_some() {
                // The input buffer being read is gone with the task (it held its bytes).
                self.net
                    .drop_in_flight(b.records.iter().map(|r| r.bytes as u64).sum::<u64>());
                self.net.give_back_vec(b.records);
            } else {
                self.tasks.give_back_source_records(b.records);
            }
        }
        self.net.reset_task(s);
        self.reset_backend(s);
        let inputs = self.graph.inputs[si].len() as u32;
        self.tasks.reset_runtime(s, inputs, self.mode, self.unaligned);
        self.jm.task_restarted(s);
    }

    /// A live consumer's pending priority barriers from channel `ch` (about to be emptied) keep
    /// the buffers they overtook, still at the channel's head, for their mails to persist.
    fn rescue_overtaken(&mut self, ch: u32) {
        let info = &self.graph.channels[ch as usize];
        let (c, input) = (info.consumer.0, info.input_index);
        for (checkpoint, n) in self.tasks.take_overtaken_counts(c, input) {
            let (bytes, records) = self.net.received_head(ch, n, self.jm.captures_snapshots());
            self.tasks.keep_rescued_overtaken(
                c,
                RescuedOvertaken {
                    input,
                    checkpoint,
                    bytes,
                    records,
                },
            );
        }
    }

    /// Channels touching a dead task lose everything in them; producers' pools are recounted.
    fn reset_channels_of(&mut self, now: SimTime, dead: &[u32]) {
        for ch in 0..self.graph.channels.len() {
            let info = &self.graph.channels[ch];
            let (p, c) = (info.producer.0, info.consumer.0);
            if !(dead.contains(&p) || dead.contains(&c)) {
                continue;
            }
            let producer_alive = self.tasks.phase(p) != TaskPhase::Down;
            let consumer_alive = self.tasks.phase(c) != TaskPhase::Down;
            if consumer_alive {
                self.rescue_overtaken(ch as u32);
            }
            // Nobody grants credit for a dead consumer: its producer backs up.
            let records = self.net.reset_channel(now, ch as u32, producer_alive, consumer_alive);
            self.checks.records_dropped(ch as u32, records);
            // A live consumer must not look for buffers in the emptied channel.
            self.net.unlist_channel(ch as u32, &self.graph);
            // The producer's output pool loses the buffers this channel held.
            self.net.recount_pool(p, &self.graph);
        }
    }
}
