//! The tasks' channel state (unaligned checkpoints): the in-flight data each task collects for
//! the checkpoint it takes unaligned, the mailbox work its synchronous phase defers, and the
//! acknowledgement that waits for the channel state and the output barriers.

use super::Tasks;
use crate::ids::CheckpointId;
use crate::model::records::Record;
use crate::model::task::{ChannelStateAcc, DeferredMail, PriorityMail, RescuedOvertaken};
use crate::protocol::async_checkpoint::AckDecision;
use crate::time::SimTime;

impl Tasks {
    /// The rest of task `s`'s input buffer in progress, which an unaligned snapshot makes
    /// channel state (`StreamTaskNetworkInput.prepareSnapshot`): its bytes, its channel and,
    /// if `keep_records`, its records. Nothing for a source batch or no batch.
    pub fn unread_input(&self, s: u32, keep_records: bool) -> (u64, u32, Vec<Record>) {
        match &self.tasks[s as usize].batch {
            Some(b) if b.input_channel.is_some() => {
                let rest = &b.records[b.next..];
                let bytes: u64 = rest.iter().map(|r| r.bytes as u64).sum();
                let records = if keep_records { rest.to_vec() } else { Vec::new() };
                (bytes, b.input_channel.unwrap_or_default(), records)
            }
            _ => (0, 0, Vec::new()),
        }
    }

    /// The channel-state accumulator of `checkpoint` at task `s`, or `None` when the task is
    /// already past that checkpoint.
    pub fn channel_state_mut(&mut self, s: u32, checkpoint: CheckpointId) -> Option<&mut ChannelStateAcc> {
        let t = &mut self.tasks[s as usize];
        match t.channel_state.as_ref().map(|a| a.checkpoint) {
            Some(current) if current > checkpoint => None,
            Some(current) if current == checkpoint => t.channel_state.as_mut(),
            _ => {
                t.channel_state = Some(ChannelStateAcc {
                    checkpoint,
                    ..Default::default()
                });
                t.channel_state.as_mut()
            }
        }
    }

    /// Whether task `s` collects (or is about to collect) channel state for `checkpoint`: the
    /// barrier is the first of a new checkpoint, the one it collects for, or one whose aligned
    /// alignment is under way here, which an unaligned barrier switches to unaligned (a
    /// forced-aligned barrier of a pointwise input came first: `alignedCheckpointTimeout` then
    /// persists every channel's in-flight buffers, the overtaken ones of the barrier's own
    /// channel included).
    #[inline]
    pub fn collects_channel_state_for(&self, s: u32, checkpoint: CheckpointId) -> bool {
        let t = &self.tasks[s as usize];
        let new = t
            .handler
            .as_ref()
            .is_some_and(|h| h.is_new_checkpoint(checkpoint) || h.is_pending_checkpoint(checkpoint));
        let current = t.channel_state.as_ref().is_some_and(|a| a.checkpoint == checkpoint);
        new || current
    }

    /// Takes task `s`'s channel state of `checkpoint` out (it is complete); an empty one if
    /// the task collects none for it.
    #[inline]
    pub fn take_channel_state(&mut self, s: u32, checkpoint: CheckpointId) -> ChannelStateAcc {
        let t = &mut self.tasks[s as usize];
        match t.channel_state.take() {
            Some(a) if a.checkpoint == checkpoint => a,
            other => {
                t.channel_state = other;
                ChannelStateAcc::default()
            }
        }
    }

    /// Channel-state bytes of `checkpoint` at task `s` ready to be written, if the task holds
    /// the checkpoint: whether they go to a shared file, and the bytes (taken).
    #[inline]
    pub fn take_channel_bytes(&mut self, s: u32, checkpoint: CheckpointId) -> Option<(bool, Option<u64>)> {
        let c = self.checkpoint_mut(s, checkpoint)?;
        Some((c.progress.uses_shared_file(), c.progress.take_channel_bytes()))
    }

    /// Mailbox work that reached task `s` in its synchronous phase: it runs after it.
    #[inline]
    pub fn defer_mail(&mut self, s: u32, mail: DeferredMail) {
        self.tasks[s as usize].deferred_mail.push_back(mail);
    }

    /// A priority barrier mailed to task `s`'s thread (handled when its mail runs).
    #[inline]
    pub fn post_priority_mail(&mut self, s: u32, mail: PriorityMail) {
        self.tasks[s as usize].priority_mail.push(mail);
    }

    /// The priority barrier of `checkpoint` mailed to task `s` for `input`, taken out.
    pub fn take_priority_mail(&mut self, s: u32, input: u32, checkpoint: CheckpointId) -> Option<PriorityMail> {
        let i = self.priority_mail_index(s, input, checkpoint)?;
        Some(self.tasks[s as usize].priority_mail.remove(i))
    }

    /// The buffers the priority barrier of `checkpoint` mailed to task `s` for `input`
    /// overtook, handed over once: the mail, when it runs, persists none of them again.
    pub fn take_priority_mail_overtaken(&mut self, s: u32, input: u32, checkpoint: CheckpointId) -> Option<u32> {
        let i = self.priority_mail_index(s, input, checkpoint)?;
        Some(std::mem::take(
            &mut self.tasks[s as usize].priority_mail[i].overtaken_buffers,
        ))
    }

    /// The priority barriers pending at task `s` (mailed, or deferred by a synchronous phase)
    /// whose overtaken buffers still sit at the head of input `input`'s channel: their
    /// checkpoints and counts, taken (the mails then persist none from the channel).
    pub fn take_overtaken_counts(&mut self, s: u32, input: u32) -> Vec<(CheckpointId, u32)> {
        let t = &mut self.tasks[s as usize];
        let mailed = t
            .priority_mail
            .iter_mut()
            .filter(|m| m.input == input)
            .map(|m| (m.barrier.id, std::mem::take(&mut m.overtaken_buffers)));
        let deferred = t.deferred_mail.iter_mut().filter_map(|m| match m {
            DeferredMail::PriorityBarrier {
                input: i,
                barrier,
                overtaken_buffers,
            } if *i == input => Some((barrier.id, std::mem::take(overtaken_buffers))),
            _ => None,
        });
        mailed.chain(deferred).filter(|(_, n)| *n > 0).collect()
    }

    /// Keeps overtaken buffers copied out of an emptied channel for their barrier's mail.
    pub fn keep_rescued_overtaken(&mut self, s: u32, rescued: RescuedOvertaken) {
        self.tasks[s as usize].rescued_overtaken.push(rescued);
    }

    /// The overtaken buffers of `checkpoint`'s barrier on `input` copied out of an emptied
    /// channel, if any: bytes and records.
    pub fn take_rescued_overtaken(
        &mut self,
        s: u32,
        input: u32,
        checkpoint: CheckpointId,
    ) -> Option<(u64, Vec<Record>)> {
        let kept = &mut self.tasks[s as usize].rescued_overtaken;
        let i = kept
            .iter()
            .position(|r| r.input == input && r.checkpoint == checkpoint)?;
        let r = kept.swap_remove(i);
        Some((r.bytes, r.records))
    }

    fn priority_mail_index(&self, s: u32, input: u32, checkpoint: CheckpointId) -> Option<usize> {
        self.tasks[s as usize]
            .priority_mail
            .iter()
            .position(|m| m.input == input && m.barrier.id == checkpoint)
    }

    /// The next mailbox work deferred by task `s`'s synchronous phase, if any.
    #[inline]
    pub fn next_deferred_mail(&mut self, s: u32) -> Option<DeferredMail> {
        self.tasks[s as usize].deferred_mail.pop_front()
    }

    /// Whether task `s` acknowledges `checkpoint` now (`AsyncCheckpointRunnable`): the upload
    /// and the channel state are done and, for a timeoutable barrier, the barrier left every
    /// output (`barrier_queued` says whether one is still queued; if so the task waits for
    /// it). On yes, the asynchronous part is finished (unless an abort notification cancelled
    /// it: then no).
    pub fn ready_to_acknowledge(
        &mut self,
        s: u32,
        checkpoint: CheckpointId,
        now: SimTime,
        barrier_queued: impl FnOnce() -> bool,
    ) -> bool {
        let t = &mut self.tasks[s as usize];
        let Some(pos) = t.checkpoints.iter().position(|c| c.id == checkpoint) else {
            return false;
        };
        let waiting_for_output = t.waiting_output_barrier == Some(checkpoint);
        let decision = t.checkpoints[pos]
            .progress
            .decide(now, waiting_for_output, barrier_queued);
        let (AckDecision::WaitForOutputBarrier { async_duration_ns } | AckDecision::Acknowledge { async_duration_ns }) =
            decision
        else {
            return false;
        };
        if let Some(d) = async_duration_ns {
            t.checkpoints[pos].metrics.async_duration_ns = d;
        }
        if let AckDecision::WaitForOutputBarrier { .. } = decision {
            t.waiting_output_barrier = Some(checkpoint);
            return false;
        }
        if t.waiting_output_barrier == Some(checkpoint) {
            t.waiting_output_barrier = None;
        }
        if !t.coordinator.finish_async(checkpoint) {
            return false; // cancelled by an abort notification
        }
        t.checkpoints[pos].uploads.clear();
        true
    }

    /// A shared channel-state file of `checkpoint` failed: task `s`'s asynchronous part fails
    /// if the task holds the checkpoint and it was running (then the task forgets it).
    #[inline]
    pub fn fail_async_if_held(&mut self, s: u32, checkpoint: CheckpointId) -> bool {
        let t = &mut self.tasks[s as usize];
        if t.checkpoints.iter().any(|c| c.id == checkpoint) && t.coordinator.finish_async(checkpoint) {
            t.checkpoints.retain(|c| c.id != checkpoint);
            return true;
        }
        false
    }
}
