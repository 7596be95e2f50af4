//! Run-time invariants: every channel conserves its records (what entered it was delivered, is
//! still in it, or was dropped by a failover's reset), and no channel carries a second barrier
//! for one checkpoint (Chandy-Lamport's marker rule). The world counts as it runs; a run checks
//! at its end, and tests may check whenever they like.

use super::World;
use crate::ids::{ChannelId, CheckpointId};
use crate::model::checker::{ChannelCounters, InvariantViolation, check_records_conserved};
use crate::model::network::ChannelState;
use crate::model::records::Payload;

/// Records that entered and left one channel, over all its incarnations.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct RecordCounts {
    /// Written into the channel by its producer.
    pub sent: u64,
    /// Put back from channel state on recovery.
    pub restored: u64,
    /// Taken by the consumer for processing.
    pub delivered: u64,
    /// Discarded when a failover reset the channel.
    pub dropped: u64,
}

/// Data records a channel holds: the buffer being filled, the send queue, the wire and the
/// received queue.
pub(crate) fn records_in_channel(c: &ChannelState) -> u64 {
    let buffered: usize = c
        .queue
        .iter()
        .chain(c.wire.iter().map(|(_, b)| b))
        .chain(c.received.iter())
        .map(|b| match &b.payload {
            Payload::Data(v) => v.len(),
            _ => 0,
        })
        .sum();
    (c.builder.len() + buffered) as u64
}

impl World {
    /// A barrier reached the consumer end of a channel.
    pub(crate) fn note_barrier_delivered(&mut self, checkpoint: CheckpointId, ch: u32) {
        if let Err(v) = self.barrier_ledger.on_barrier(checkpoint, ChannelId(ch)) {
            self.invariant_violations.push(v);
        }
    }

    /// Barriers of checkpoints before a completed one are all delivered or dropped: forget them
    /// (a late one would only be recorded again, never flagged).
    pub(crate) fn prune_barrier_ledger(&mut self, completed: CheckpointId) {
        self.barrier_ledger.prune_up_to(completed.saturating_sub(1));
    }

    /// Every broken invariant so far: duplicate barriers seen during the run, and channels whose
    /// records do not add up now.
    pub fn invariant_violations(&self) -> Vec<InvariantViolation> {
        let counters: Vec<ChannelCounters> = self
            .chans
            .iter()
            .zip(&self.record_counts)
            .enumerate()
            .map(|(i, (c, n))| ChannelCounters {
                channel: ChannelId(i as u32),
                records_sent: n.sent,
                records_restored: n.restored,
                records_delivered: n.delivered,
                records_in_flight: records_in_channel(c),
                records_dropped: n.dropped,
            })
            .collect();
        let mut v = self.invariant_violations.clone();
        v.extend(check_records_conserved(&counters));
        v
    }

    /// Negative control for the conservation check: the next data buffer to arrive anywhere
    /// vanishes (a deliberately broken network). Never set outside tests.
    pub fn lose_a_buffer_for_negative_control(&mut self) {
        self.lose_next_data_buffer = true;
        self.negative_control = true;
    }

    /// Negative control for the exactly-once checker: recoveries restore operator state and
    /// source offsets but not the in-flight data an unaligned checkpoint persisted. Never set
    /// outside tests.
    pub fn forget_channel_state_for_negative_control(&mut self) {
        self.forget_channel_state = true;
        self.negative_control = true;
    }

    /// A completed checkpoint is a consistent cut: each source's snapshotted offset equals the
    /// records of that source the cut holds, processed by a sink before its snapshot or
    /// persisted in some channel's state (each record maps to one record downstream).
    pub(crate) fn check_cut(&mut self, checkpoint: CheckpointId, point: &super::restore_point::RestorePoint) {
        if !self.cut_check {
            return;
        }
        let mut offsets = Vec::new();
        let mut absorbed: Vec<(u32, u64)> = Vec::new();
        for (s, snap) in point.tasks.iter().enumerate() {
            let Some(snap) = snap else {
                return; // not every task snapshotted (cannot happen for a completed checkpoint)
            };
            if let Some(a) = &snap.arrivals {
                offsets.push((s as u32, a.offset()));
            }
            if let Some(per_source) = &snap.sink_absorbed {
                absorbed.extend(per_source.iter().enumerate().map(|(src, n)| (src as u32, *n)));
            }
        }
        for c in &point.channels {
            for r in &c.records {
                absorbed.push(((r.id >> crate::model::records::OFFSET_BITS) as u32, 1));
            }
        }
        absorbed.retain(|(_, n)| *n > 0);
        let v = crate::model::checker::check_cut_consistent(checkpoint, &offsets, &absorbed);
        self.invariant_violations.extend(v);
    }
}
