//! `CheckpointBarrierTracker`: at-least-once barrier handling.
//!
//! Never blocks a channel: records behind a barrier are processed before the snapshot, which is
//! why the mode is only at-least-once. Barriers are counted per checkpoint id in a deque of at
//! most [`MAX_CHECKPOINTS_TO_TRACK`] pending ids; when a count reaches the number of open
//! channels the task snapshots and that id and all older ones leave the deque (the older ones
//! can no longer complete here and are dropped silently, as Flink does: the JobManager subsumes
//! them). Cancellation markers abort their id and every older pending one. Several checkpoints
//! can be in flight per task. Announcements are ignored.

use std::collections::VecDeque;

use crate::ids::{CheckpointId, InputIndex};
use crate::protocol::input_handler::barrier_handler::BarrierHandlerAction;
use crate::protocol::types::{CheckpointBarrier, CheckpointFailureReason};
use crate::time::{DurationNs, SimTime};

/// `CheckpointBarrierTracker.MAX_CHECKPOINTS_TO_TRACK`.
pub const MAX_CHECKPOINTS_TO_TRACK: usize = 50;

/// `CheckpointBarrierCount`.
#[derive(Clone, Debug)]
struct CheckpointBarrierCount {
    barrier: Option<CheckpointBarrier>,
    checkpoint: CheckpointId,
    aligned_channels: Vec<bool>,
    num_aligned: u32,
    aborted: bool,
    first_barrier_arrival: SimTime,
    start_delay_ns: DurationNs,
}

impl CheckpointBarrierCount {
    fn new(checkpoint: CheckpointId, barrier: Option<CheckpointBarrier>, channels: u32, now: SimTime) -> Self {
        CheckpointBarrierCount {
            barrier,
            checkpoint,
            aligned_channels: vec![false; channels as usize],
            num_aligned: 0,
            aborted: false,
            first_barrier_arrival: now,
            start_delay_ns: barrier.map_or(0, |b| now.since(b.timestamp)),
        }
    }

    /// `markChannelAligned`; a repeated channel does not count twice.
    fn mark_channel_aligned(&mut self, channel: InputIndex) -> u32 {
        let slot = &mut self.aligned_channels[channel as usize];
        if !*slot {
            *slot = true;
            self.num_aligned += 1;
        }
        self.num_aligned
    }

    /// `markAborted`: true the first time.
    fn mark_aborted(&mut self) -> bool {
        !std::mem::replace(&mut self.aborted, true)
    }
}

#[derive(Clone, Debug)]
pub struct CheckpointBarrierTracker {
    /// Input channels, open or not.
    num_channels: u32,
    /// Channels whose upstream finished (`EndOfPartition`): counted for every checkpoint.
    closed_channels: Vec<bool>,
    pending: VecDeque<CheckpointBarrierCount>,
    latest_pending_checkpoint_id: CheckpointId,
}

impl CheckpointBarrierTracker {
    pub fn new(num_open_channels: u32) -> Self {
        assert!(num_open_channels > 0, "a barrier tracker needs input channels");
        CheckpointBarrierTracker {
            num_channels: num_open_channels,
            closed_channels: vec![false; num_open_channels as usize],
            pending: VecDeque::new(),
            latest_pending_checkpoint_id: 0,
        }
    }

    pub fn num_pending(&self) -> usize {
        self.pending.len()
    }

    pub fn latest_pending_checkpoint_id(&self) -> CheckpointId {
        self.latest_pending_checkpoint_id
    }

    /// `processBarrier`. Only ever emits `TriggerCheckpoint`: channels are never blocked.
    pub fn process_barrier(
        &mut self,
        now: SimTime,
        channel: InputIndex,
        barrier: CheckpointBarrier,
        out: &mut Vec<BarrierHandlerAction>,
    ) {
        let id = barrier.id;
        if self.num_channels == 1 {
            // Fast path: one channel, every new barrier is complete at once.
            if id > self.latest_pending_checkpoint_id {
                self.latest_pending_checkpoint_id = id;
                out.push(BarrierHandlerAction::TriggerCheckpoint {
                    barrier,
                    start_delay_ns: now.since(barrier.timestamp),
                    alignment_duration_ns: 0,
                });
            }
            return;
        }
        if let Some(pos) = self.pending.iter().position(|c| c.checkpoint == id) {
            let count = self.pending[pos].mark_channel_aligned(channel);
            if count == self.num_channels {
                // This one and all older ones (subsumed) leave the deque.
                let done = self.pending.drain(..=pos).next_back().expect("pos is in range");
                if !done.aborted {
                    out.push(BarrierHandlerAction::TriggerCheckpoint {
                        barrier: done.barrier.unwrap_or(barrier),
                        start_delay_ns: done.start_delay_ns,
                        alignment_duration_ns: now.since(done.first_barrier_arrival),
                    });
                }
            }
        } else if id > self.latest_pending_checkpoint_id {
            // First barrier of a newer checkpoint; an older id cannot complete here any more.
            self.latest_pending_checkpoint_id = id;
            let mut count = self.new_count(id, Some(barrier), now);
            if count.mark_channel_aligned(channel) == self.num_channels {
                // Every other channel ended (FLIP-147): the one barrier completes it, and the
                // older ones leave with it.
                self.pending.clear();
                out.push(BarrierHandlerAction::TriggerCheckpoint {
                    barrier,
                    start_delay_ns: now.since(barrier.timestamp),
                    alignment_duration_ns: 0,
                });
                return;
            }
            self.pending.push_back(count);
            if self.pending.len() > MAX_CHECKPOINTS_TO_TRACK {
                self.pending.pop_front();
            }
        }
    }

    /// A count for a new checkpoint: closed channels have nothing more to deliver.
    fn new_count(&self, id: CheckpointId, barrier: Option<CheckpointBarrier>, now: SimTime) -> CheckpointBarrierCount {
        let mut count = CheckpointBarrierCount::new(id, barrier, self.num_channels, now);
        for (ch, closed) in self.closed_channels.iter().enumerate() {
            if *closed {
                count.mark_channel_aligned(ch as InputIndex);
            }
        }
        count
    }

    /// `processEndOfPartition` with checkpoints after tasks finish: the channel will deliver no
    /// more barriers, so it counts for every pending checkpoint; one that is now complete
    /// triggers (older ones leave with it).
    pub fn process_end_of_partition(&mut self, now: SimTime, channel: InputIndex, out: &mut Vec<BarrierHandlerAction>) {
        if std::mem::replace(&mut self.closed_channels[channel as usize], true) {
            return;
        }
        for c in self.pending.iter_mut() {
            c.mark_channel_aligned(channel);
        }
        while let Some(pos) = self.pending.iter().position(|c| c.num_aligned == self.num_channels) {
            let done = self.pending.drain(..=pos).next_back().expect("pos is in range");
            if let (false, Some(barrier)) = (done.aborted, done.barrier) {
                out.push(BarrierHandlerAction::TriggerCheckpoint {
                    barrier,
                    start_delay_ns: done.start_delay_ns,
                    alignment_duration_ns: now.since(done.first_barrier_arrival),
                });
            }
        }
    }

    /// `processCancellationBarrier`: aborts `checkpoint` and every older pending checkpoint.
    pub fn process_cancellation_barrier(
        &mut self,
        now: SimTime,
        channel: InputIndex,
        checkpoint: CheckpointId,
        out: &mut Vec<BarrierHandlerAction>,
    ) {
        let abort = |id, out: &mut Vec<BarrierHandlerAction>| {
            out.push(BarrierHandlerAction::AbortCheckpoint {
                checkpoint: id,
                reason: CheckpointFailureReason::CheckpointDeclinedOnCancellationBarrier,
            })
        };
        if self.num_channels == 1 {
            if checkpoint > self.latest_pending_checkpoint_id {
                self.latest_pending_checkpoint_id = checkpoint;
                abort(checkpoint, out);
            }
            return;
        }
        while self.pending.front().is_some_and(|c| c.checkpoint < checkpoint) {
            let mut older = self.pending.pop_front().expect("checked");
            if older.mark_aborted() {
                abort(older.checkpoint, out);
            }
        }
        match self.pending.front_mut() {
            Some(c) if c.checkpoint == checkpoint => {
                if c.mark_aborted() {
                    abort(checkpoint, out);
                }
                // Keep counting, so the entry leaves once every channel delivered its marker.
                if c.mark_channel_aligned(channel) == self.num_channels {
                    self.pending.pop_front();
                }
            }
            _ if checkpoint > self.latest_pending_checkpoint_id => {
                abort(checkpoint, out);
                self.latest_pending_checkpoint_id = checkpoint;
                let mut marker = self.new_count(checkpoint, None, now);
                marker.mark_aborted();
                marker.mark_channel_aligned(channel);
                self.pending.push_front(marker);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::types::{CheckpointOptions, CheckpointType};
    use BarrierHandlerAction::*;

    fn barrier(id: u64, ts: u64) -> CheckpointBarrier {
        CheckpointBarrier {
            id,
            timestamp: SimTime(ts),
            options: CheckpointOptions::not_exactly_once(CheckpointType::Checkpoint),
        }
    }

    /// Flink docs (at-least-once, `CheckpointBarrierTracker`): no channel is ever blocked, and
    /// the snapshot comes when the barrier was counted on every channel.
    #[test]
    fn at_least_once_never_blocks_and_triggers_when_every_channel_delivered() {
        let mut t = CheckpointBarrierTracker::new(3);
        let mut out = vec![];
        t.process_barrier(SimTime(10), 0, barrier(1, 0), &mut out);
        t.process_barrier(SimTime(20), 2, barrier(1, 0), &mut out);
        assert!(
            out.is_empty(),
            "no BlockChannel: records behind the barrier keep flowing"
        );
        t.process_barrier(SimTime(50), 1, barrier(1, 0), &mut out);
        assert_eq!(
            out,
            vec![TriggerCheckpoint {
                barrier: barrier(1, 0),
                start_delay_ns: 10,
                alignment_duration_ns: 40
            }]
        );
        assert_eq!(t.num_pending(), 0);
    }

    /// Several checkpoints are tracked at once; completing a newer one drops the older ones.
    #[test]
    fn several_checkpoints_are_tracked_and_a_complete_one_drops_older_ones() {
        let mut t = CheckpointBarrierTracker::new(2);
        let mut out = vec![];
        t.process_barrier(SimTime(1), 0, barrier(1, 0), &mut out);
        t.process_barrier(SimTime(2), 0, barrier(2, 0), &mut out);
        t.process_barrier(SimTime(3), 0, barrier(3, 0), &mut out);
        assert_eq!(t.num_pending(), 3);
        t.process_barrier(SimTime(4), 1, barrier(2, 0), &mut out);
        assert_eq!(out.len(), 1);
        assert!(matches!(out[0], TriggerCheckpoint { barrier: b, .. } if b.id == 2));
        assert_eq!(t.num_pending(), 1, "1 was subsumed, 3 still pending");
        out.clear();
        t.process_barrier(SimTime(5), 1, barrier(1, 0), &mut out);
        assert!(out.is_empty(), "an old barrier starts nothing");
    }

    /// `MAX_CHECKPOINTS_TO_TRACK`: the deque holds at most 50 ids.
    #[test]
    fn at_most_fifty_checkpoints_are_tracked() {
        let mut t = CheckpointBarrierTracker::new(2);
        let mut out = vec![];
        for id in 1..=60 {
            t.process_barrier(SimTime(id), 0, barrier(id, 0), &mut out);
        }
        assert_eq!(t.num_pending(), MAX_CHECKPOINTS_TO_TRACK);
        t.process_barrier(SimTime(100), 1, barrier(5, 0), &mut out);
        assert!(out.is_empty(), "id 5 was pushed out of the deque");
    }

    /// `processCancellationBarrier`: the marker aborts its checkpoint and every older pending one,
    /// each once.
    #[test]
    fn a_cancellation_marker_aborts_its_checkpoint_and_older_ones() {
        let mut t = CheckpointBarrierTracker::new(2);
        let mut out = vec![];
        t.process_barrier(SimTime(1), 0, barrier(1, 0), &mut out);
        t.process_barrier(SimTime(2), 0, barrier(2, 0), &mut out);
        t.process_cancellation_barrier(SimTime(3), 1, 2, &mut out);
        let reason = CheckpointFailureReason::CheckpointDeclinedOnCancellationBarrier;
        assert_eq!(
            out,
            vec![
                AbortCheckpoint { checkpoint: 1, reason },
                AbortCheckpoint { checkpoint: 2, reason }
            ]
        );
        out.clear();
        t.process_barrier(SimTime(4), 1, barrier(2, 0), &mut out);
        assert!(out.is_empty(), "an aborted checkpoint never triggers");
        t.process_cancellation_barrier(SimTime(5), 0, 7, &mut out);
        assert_eq!(out, vec![AbortCheckpoint { checkpoint: 7, reason }]);
        out.clear();
        t.process_barrier(SimTime(6), 1, barrier(7, 0), &mut out);
        assert!(out.is_empty());
    }

    /// FLIP-147 (`processEndOfPartition`): an ended channel completes the count of a pending
    /// checkpoint, and a later checkpoint triggers on the barriers of the open channels alone.
    #[test]
    fn an_ended_channel_completes_pending_counts_and_is_not_waited_for_again() {
        let mut t = CheckpointBarrierTracker::new(3);
        let mut out = vec![];
        t.process_barrier(SimTime(5), 0, barrier(1, 0), &mut out);
        t.process_barrier(SimTime(6), 1, barrier(1, 0), &mut out);
        assert!(out.is_empty());
        t.process_end_of_partition(SimTime(9), 2, &mut out);
        assert_eq!(
            out,
            vec![TriggerCheckpoint {
                barrier: barrier(1, 0),
                start_delay_ns: 5,
                alignment_duration_ns: 4
            }]
        );
        out.clear();
        t.process_end_of_partition(SimTime(10), 1, &mut out);
        t.process_barrier(SimTime(12), 0, barrier(2, 10), &mut out);
        assert_eq!(
            out,
            vec![TriggerCheckpoint {
                barrier: barrier(2, 10),
                start_delay_ns: 2,
                alignment_duration_ns: 0
            }]
        );
    }
}
