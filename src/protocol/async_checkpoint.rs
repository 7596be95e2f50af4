//! What a subtask's acknowledgement of one checkpoint waits for, as Flink's
//! `AsyncCheckpointRunnable` decides it: the state backend's upload, the channel state of an
//! unaligned checkpoint (complete only once every barrier arrived, then written one request at
//! a time by the `ChannelStateWriter`), and, for a timeoutable barrier, the barrier leaving
//! every output queue (sent, or moved ahead by the output alignment timer).
//!
//! Sans-IO: the caller reports what finished and asks [`AsyncCheckpointProgress::decide`]
//! whether to acknowledge; writes in flight are the caller's opaque request handles.

use crate::time::SimTime;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AsyncCheckpointProgress {
    /// When the asynchronous part started (the end of the synchronous one).
    async_start: SimTime,
    /// The backend's upload is done (or was inlined).
    state_done: bool,
    /// Unaligned, with inputs: the channel state is incomplete until every barrier arrived.
    waiting_for_barriers: bool,
    /// The channel-state write in flight, if any.
    channel_write: Option<u32>,
    /// Channel-state bytes known and not yet written.
    channel_bytes: u64,
    /// The acknowledgement also waits for the barrier to leave every output queue.
    timeoutable: bool,
    /// The channel state goes into a file shared with the TaskManager's other subtasks
    /// (`ChannelStateCheckpointWriter`): it is complete only once that file is closed.
    shared_file: Option<bool>,
    /// The state snapshot waits for the channel state to complete (the chain's operator order,
    /// `protocol::snapshot_order`), and has not started.
    state_held: bool,
}

/// What [`AsyncCheckpointProgress::decide`] tells the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AckDecision {
    /// The upload or the channel state is not done yet.
    NotReady,
    /// The asynchronous part is done (taking `async_duration_ns`, if it ended now), but the
    /// barrier still waits in an output queue: acknowledge once it left.
    WaitForOutputBarrier { async_duration_ns: Option<u64> },
    /// Acknowledge now (`async_duration_ns`: as above).
    Acknowledge { async_duration_ns: Option<u64> },
}

impl AsyncCheckpointProgress {
    /// The synchronous part ends at `async_start`. `unaligned_with_inputs`: the channel state
    /// waits for the last barrier; `timeoutable`: the acknowledgement waits for the barrier to
    /// leave the output queues.
    pub fn new(async_start: SimTime, unaligned_with_inputs: bool, timeoutable: bool) -> Self {
        AsyncCheckpointProgress {
            async_start,
            state_done: false,
            waiting_for_barriers: unaligned_with_inputs,
            channel_write: None,
            channel_bytes: 0,
            timeoutable,
            shared_file: None,
            state_held: false,
        }
    }

    /// The channel state is written into a file shared with other subtasks.
    pub fn use_shared_file(&mut self) {
        self.shared_file = Some(false);
    }

    pub fn uses_shared_file(&self) -> bool {
        self.shared_file.is_some()
    }

    /// The channel state waits for a shared file still open.
    pub fn waits_for_shared_file(&self) -> bool {
        self.shared_file == Some(false)
    }

    /// The shared file was closed: the channel state is complete.
    pub fn shared_file_closed(&mut self) {
        if self.shared_file.is_some() {
            self.shared_file = Some(true);
        }
    }

    /// Every barrier arrived and every channel-state byte was handed on (to a write or the
    /// shared file): this subtask's part of the channel state is complete.
    pub fn channel_state_handed_over(&self) -> bool {
        !self.waiting_for_barriers && self.channel_write.is_none() && self.channel_bytes == 0
    }

    /// The channel state is complete: every barrier arrived, every byte was written, and the
    /// shared file, if any, was closed (`ChannelStateWriteResult` done). Trivially so without
    /// channel state.
    pub fn channel_state_complete(&self) -> bool {
        !self.waiting_for_barriers
            && self.channel_write.is_none()
            && self.channel_bytes == 0
            && self.shared_file != Some(false)
    }

    /// The state snapshot must wait for the channel state: whether it is held back now (the
    /// channel state is not complete yet).
    pub fn hold_state_for_channel_state(&mut self) -> bool {
        self.state_held = !self.channel_state_complete();
        self.state_held
    }

    /// The held state snapshot may start now: the channel state completed. Once.
    pub fn release_held_state(&mut self) -> bool {
        if self.state_held && self.channel_state_complete() {
            self.state_held = false;
            return true;
        }
        false
    }

    /// The asynchronous part starts now (the upload is submitted or inlined).
    pub fn start_async(&mut self, now: SimTime) {
        self.async_start = now;
    }

    pub fn state_uploaded(&mut self) {
        self.state_done = true;
    }

    /// Every barrier arrived: the channel state is complete.
    pub fn all_barriers_received(&mut self) {
        self.waiting_for_barriers = false;
    }

    /// More channel state to write.
    pub fn add_channel_bytes(&mut self, bytes: u64) {
        self.channel_bytes += bytes;
    }

    /// Hands the pending channel-state bytes to a write, when none is in flight: returns them
    /// (the caller inlines them when small, or starts a write and reports its handle).
    pub fn take_channel_bytes(&mut self) -> Option<u64> {
        if self.channel_write.is_some() || self.channel_bytes == 0 {
            return None;
        }
        Some(std::mem::take(&mut self.channel_bytes))
    }

    pub fn channel_write_started(&mut self, handle: u32) {
        self.channel_write = Some(handle);
    }

    pub fn channel_write_finished(&mut self) {
        self.channel_write = None;
    }

    /// The channel-state write in flight, to cancel with the checkpoint.
    pub fn channel_write(&self) -> Option<u32> {
        self.channel_write
    }

    /// Whether to acknowledge at `now`. `waiting_for_output` says the task already waits for
    /// this checkpoint's barrier to leave its outputs (the asynchronous part ended then);
    /// `barrier_queued` tells whether it still waits in an output queue.
    pub fn decide(&self, now: SimTime, waiting_for_output: bool, barrier_queued: impl FnOnce() -> bool) -> AckDecision {
        if !self.state_done
            || self.waiting_for_barriers
            || self.channel_write.is_some()
            || self.channel_bytes > 0
            || self.shared_file == Some(false)
        {
            return AckDecision::NotReady;
        }
        // A wait for a barrier to leave an output queue delays the acknowledgement, not the
        // asynchronous part.
        let async_duration_ns = (!waiting_for_output).then(|| now.since(self.async_start));
        if self.timeoutable && barrier_queued() {
            return AckDecision::WaitForOutputBarrier { async_duration_ns };
        }
        AckDecision::Acknowledge { async_duration_ns }
    }
}

#[cfg(test)]
mod tests {
    use super::{AckDecision, AsyncCheckpointProgress};
    use crate::time::SimTime;

    #[test]
    fn an_aligned_checkpoint_acknowledges_once_its_upload_is_done() {
        let mut p = AsyncCheckpointProgress::new(SimTime(10), false, false);
        assert_eq!(p.decide(SimTime(20), false, || false), AckDecision::NotReady);
        p.state_uploaded();
        assert_eq!(
            p.decide(SimTime(30), false, || unreachable!("not timeoutable")),
            AckDecision::Acknowledge {
                async_duration_ns: Some(20)
            }
        );
    }

    #[test]
    fn an_unaligned_checkpoint_waits_for_its_last_barrier_and_every_channel_state_write() {
        let mut p = AsyncCheckpointProgress::new(SimTime(0), true, false);
        p.state_uploaded();
        p.add_channel_bytes(100);
        assert_eq!(
            p.decide(SimTime(5), false, || false),
            AckDecision::NotReady,
            "barriers missing"
        );
        p.all_barriers_received();
        assert_eq!(
            p.decide(SimTime(5), false, || false),
            AckDecision::NotReady,
            "bytes unwritten"
        );
        assert_eq!(p.take_channel_bytes(), Some(100));
        p.channel_write_started(7);
        p.add_channel_bytes(50);
        assert_eq!(p.take_channel_bytes(), None, "one write at a time");
        assert_eq!(p.channel_write(), Some(7));
        p.channel_write_finished();
        assert_eq!(p.take_channel_bytes(), Some(50));
        assert_eq!(
            p.decide(SimTime(9), false, || false),
            AckDecision::Acknowledge {
                async_duration_ns: Some(9)
            }
        );
    }

    #[test]
    fn a_shared_channel_state_file_holds_the_acknowledgement_until_it_is_closed() {
        let mut p = AsyncCheckpointProgress::new(SimTime(0), true, false);
        p.use_shared_file();
        p.state_uploaded();
        p.all_barriers_received();
        assert!(p.channel_state_handed_over());
        assert_eq!(
            p.decide(SimTime(5), false, || false),
            AckDecision::NotReady,
            "file open"
        );
        p.shared_file_closed();
        assert_eq!(
            p.decide(SimTime(9), false, || false),
            AckDecision::Acknowledge {
                async_duration_ns: Some(9)
            }
        );
    }

    #[test]
    fn a_timeoutable_barrier_still_queued_delays_the_acknowledgement_not_the_async_phase() {
        let mut p = AsyncCheckpointProgress::new(SimTime(0), false, true);
        p.state_uploaded();
        assert_eq!(
            p.decide(SimTime(4), false, || true),
            AckDecision::WaitForOutputBarrier {
                async_duration_ns: Some(4)
            }
        );
        // The barrier left the queue later: the async duration stays what it was.
        assert_eq!(
            p.decide(SimTime(9), true, || false),
            AckDecision::Acknowledge {
                async_duration_ns: None
            }
        );
    }
}
