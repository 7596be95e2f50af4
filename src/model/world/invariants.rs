//! Run-time invariants: every channel conserves its records (what entered it was delivered, is
//! still in it, or was dropped by a failover's reset), and no channel carries a second barrier
//! for one checkpoint (Chandy-Lamport's marker rule), and every completed checkpoint is a
//! consistent cut. `Checks` is the component that counts and checks as the run goes (and holds
//! the test-only switches of the negative controls that must trip it); a run checks at its end,
//! and tests may check whenever they like.

use super::restore_point::RestorePoint;
use crate::ids::{ChannelId, CheckpointId};
use crate::model::buffer_fifo::BufferPool;
use crate::model::checker::{ChannelCounters, InvariantViolation, check_records_conserved};
use crate::model::network::ChannelParts;
use crate::model::records::Payload;

/// Records that entered and left each channel, over all its incarnations: one table per count.
/// A producer's channels have consecutive ids, so the `sent` counts it bumps record by record
/// share a few cache lines (eight channels a line), where a record of all four counts per channel
/// put every other channel on a line of its own, mostly out of cache with p² channels.
#[derive(Clone, Debug, Default)]
struct RecordCounts {
    /// Written into the channel by its producer.
    sent: Vec<u64>,
    /// Put back from channel state on recovery.
    restored: Vec<u64>,
    /// Taken by the consumer for processing.
    delivered: Vec<u64>,
    /// Discarded when a failover reset the channel.
    dropped: Vec<u64>,
}

/// Data records a channel holds: the buffer being filled, the send queue, the wire and the
/// received queue (`pool`: the pool its buffers are in).
pub(crate) fn records_in_channel(c: ChannelParts<'_>, pool: &BufferPool) -> u64 {
    let buffered: usize = c
        .buffers(pool)
        .map(|b| match &b.payload {
            Payload::Data(v) => v.len(),
            _ => 0,
        })
        .sum();
    (c.producer.builder.len() + buffered) as u64
}

/// The run-time checker: what it counted, what it found, and the negative controls' switches.
pub(crate) struct Checks {
    /// Per channel: records in and out, for the conservation check.
    record_counts: RecordCounts,
    barrier_ledger: crate::model::checker::BarrierLedger,
    violations: Vec<InvariantViolation>,
    /// Completed checkpoints are checked to be consistent cuts (exactly-once mode, and every
    /// record takes one path: no broadcast, no fan-out to two edges).
    cut_check: bool,
    /// With selective operators: how many sink records a source's first records become (what
    /// the cut must hold of them, instead of the offset itself).
    sink_records: Option<super::sink_records::SinkRecordCounts>,
    /// Negative control: the next data buffer to arrive vanishes.
    lose_next_data_buffer: bool,
    /// Negative control: recoveries ignore the channel state of unaligned checkpoints.
    forget_channel_state: bool,
    /// Negative control: barriers block nothing (a deliberately broken aligned handler).
    broken_alignment: bool,
    /// Negative control: the next resume of a subpartition is lost.
    lose_next_resume: bool,
    /// A negative control is active: broken invariants are expected, not a bug.
    negative_control: bool,
}

impl Checks {
    pub fn new(channels: usize, cut_check: bool, sink_records: Option<super::sink_records::SinkRecordCounts>) -> Self {
        Checks {
            record_counts: RecordCounts {
                sent: vec![0; channels],
                restored: vec![0; channels],
                delivered: vec![0; channels],
                dropped: vec![0; channels],
            },
            barrier_ledger: Default::default(),
            violations: Vec::new(),
            cut_check,
            sink_records,
            lose_next_data_buffer: false,
            forget_channel_state: false,
            broken_alignment: false,
            lose_next_resume: false,
            negative_control: false,
        }
    }

    // ---- counting ----

    #[inline]
    pub fn record_sent(&mut self, ch: u32) {
        self.record_counts.sent[ch as usize] += 1;
    }

    #[inline]
    pub fn records_delivered(&mut self, ch: u32, n: u64) {
        self.record_counts.delivered[ch as usize] += n;
    }

    pub fn records_restored(&mut self, ch: u32, n: u64) {
        self.record_counts.restored[ch as usize] += n;
    }

    pub fn records_dropped(&mut self, ch: u32, n: u64) {
        self.record_counts.dropped[ch as usize] += n;
    }

    /// A barrier reached the consumer end of a channel.
    pub fn barrier_delivered(&mut self, checkpoint: CheckpointId, ch: u32) {
        if let Err(v) = self.barrier_ledger.on_barrier(checkpoint, ChannelId(ch)) {
            self.violations.push(v);
        }
    }

    /// Barriers of checkpoints before a completed one are all delivered or dropped: forget them
    /// (a late one would only be recorded again, never flagged).
    pub fn checkpoint_completed(&mut self, completed: CheckpointId) {
        self.barrier_ledger.prune_up_to(completed.saturating_sub(1));
    }

    // ---- checking ----

    /// Every broken invariant so far: duplicate barriers seen during the run, and channels whose
    /// records do not add up now (`chans`: the channels as they are, in id order, their buffers
    /// in `pool`).
    pub fn violations<'a>(
        &self,
        chans: impl Iterator<Item = ChannelParts<'a>>,
        pool: &BufferPool,
    ) -> Vec<InvariantViolation> {
        let n = &self.record_counts;
        let counters: Vec<ChannelCounters> = chans
            .enumerate()
            .map(|(i, c)| ChannelCounters {
                channel: ChannelId(i as u32),
                records_sent: n.sent[i],
                records_restored: n.restored[i],
                records_delivered: n.delivered[i],
                records_in_flight: records_in_channel(c, pool),
                records_dropped: n.dropped[i],
            })
            .collect();
        let mut v = self.violations.clone();
        v.extend(check_records_conserved(&counters));
        v
    }

    /// A completed checkpoint is a consistent cut: each source's snapshotted offset equals the
    /// records of that source the cut holds, processed by a sink before its snapshot or
    /// persisted in some channel's state (each record maps to one record downstream; with
    /// selective operators, to as many as its records before the offset become).
    pub fn check_cut(&mut self, checkpoint: CheckpointId, point: &RestorePoint) {
        if !self.cut_check {
            return;
        }
        let mut offsets = Vec::new();
        let mut absorbed: Vec<(u32, u64)> = Vec::new();
        for (s, snap) in point.tasks.iter().enumerate() {
            let Some(snap) = snap else {
                return; // not every task snapshotted (cannot happen for a completed checkpoint)
            };
            if let Some(a) = &snap.reader {
                let expected = match self.sink_records.as_mut() {
                    Some(counts) => counts.below(s as u32, a.offset()),
                    None => a.offset(),
                };
                offsets.push((s as u32, expected));
            }
            if let Some(per_source) = &snap.sink_absorbed {
                absorbed.extend(per_source.iter().enumerate().map(|(src, n)| (src as u32, *n)));
            }
        }
        for c in &point.channels {
            for r in &c.records {
                let becomes = match self.sink_records.as_ref() {
                    Some(counts) => counts.of_persisted(c.channel, r.id),
                    None => 1,
                };
                absorbed.push(((r.id >> crate::model::records::OFFSET_BITS) as u32, becomes));
            }
        }
        absorbed.retain(|(_, n)| *n > 0);
        let v = crate::model::checker::check_cut_consistent(checkpoint, &offsets, &absorbed);
        self.violations.extend(v);
    }

    /// Broken invariants are expected (a negative control is on), not a bug.
    pub fn negative_control(&self) -> bool {
        self.negative_control
    }

    // ---- negative controls (tests only) ----

    pub fn lose_next_data_buffer(&mut self) {
        self.lose_next_data_buffer = true;
        self.negative_control = true;
    }

    /// Whether this arriving data buffer is the one to lose (once).
    pub fn take_lost_buffer(&mut self) -> bool {
        std::mem::take(&mut self.lose_next_data_buffer)
    }

    pub fn forget_channel_state(&mut self) {
        self.forget_channel_state = true;
        self.negative_control = true;
    }

    pub fn forgets_channel_state(&self) -> bool {
        self.forget_channel_state
    }

    pub fn lose_next_resume(&mut self) {
        self.lose_next_resume = true;
        self.negative_control = true;
    }

    /// Whether this resume is the one to lose (once).
    pub fn take_lost_resume(&mut self) -> bool {
        std::mem::take(&mut self.lose_next_resume)
    }

    /// A broken invariant the run found itself (the liveness check).
    pub fn report(&mut self, v: InvariantViolation) {
        self.violations.push(v);
    }

    pub fn break_alignment(&mut self) {
        self.broken_alignment = true;
        self.negative_control = true;
    }

    pub fn alignment_broken(&self) -> bool {
        self.broken_alignment
    }
}

impl super::World {
    /// Every broken invariant so far: duplicate barriers seen during the run, and channels whose
    /// records do not add up now.
    pub fn invariant_violations(&self) -> Vec<InvariantViolation> {
        self.checks.violations(self.net.all_channels(), self.net.buffer_pool())
    }

    /// Negative control for the conservation check: the next data buffer to arrive anywhere
    /// vanishes (a deliberately broken network). Never set outside tests.
    pub fn lose_a_buffer_for_negative_control(&mut self) {
        self.checks.lose_next_data_buffer();
    }

    /// Negative control for the exactly-once checker: recoveries restore operator state and
    /// source offsets but not the in-flight data an unaligned checkpoint persisted. Never set
    /// outside tests.
    pub fn forget_channel_state_for_negative_control(&mut self) {
        self.checks.forget_channel_state();
    }
}
