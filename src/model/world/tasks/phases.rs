//! Where a task is in its loop: idle, processing a batch, back-pressured, in the synchronous
//! phase of a snapshot. The world's task loop (`world::task_loop`) moves a task between these
//! through the methods here.

use super::Tasks;
use crate::ids::CheckpointId;
use crate::model::task::{Batch, TaskPhase};
use crate::protocol::CheckpointingMode;
use crate::protocol::end_of_input::EndOfInput;
use crate::protocol::input_handler::InputHandler;
use crate::protocol::subtask::SubtaskCheckpointCoordinator;
use crate::time::SimTime;

/// Completion time of a record of the batch whose CPU quantum has not been scheduled yet.
pub(crate) const UNSCHEDULED: u64 = u64::MAX;

impl Tasks {
    /// Task `s` has nothing to read.
    #[inline]
    pub fn go_idle(&mut self, s: u32) {
        self.tasks[s as usize].phase = TaskPhase::Idle;
    }

    /// Task `s` works through the batch it holds.
    #[inline]
    pub fn resume_processing(&mut self, s: u32) {
        let t = &mut self.tasks[s as usize];
        assert_ne!(
            t.phase,
            TaskPhase::SyncSnapshot,
            "subtask {s} would process during its sync phase"
        );
        t.phase = TaskPhase::Processing;
    }

    /// Task `s` starts working through `batch`.
    #[inline]
    pub fn start_batch(&mut self, s: u32, batch: Batch) {
        let t = &mut self.tasks[s as usize];
        assert_ne!(
            t.phase,
            TaskPhase::SyncSnapshot,
            "subtask {s} would process during its sync phase"
        );
        t.batch = Some(batch);
        t.phase = TaskPhase::Processing;
    }

    /// Task `s` found no output buffer free at `now`: back-pressured until one frees.
    #[inline]
    pub fn wait_for_output(&mut self, s: u32, now: SimTime) {
        let t = &mut self.tasks[s as usize];
        t.phase = TaskPhase::WaitingForOutput;
        t.io.back_pressured_since = Some(now);
    }

    /// Task `s` waited for an output buffer and woke at `now`: it is idle until it looks again.
    #[inline]
    pub fn stop_waiting_for_output(&mut self, s: u32, now: SimTime) {
        let t = &mut self.tasks[s as usize];
        if let Some(since) = t.io.back_pressured_since.take() {
            t.io.back_pressured_ns += now.since(since);
        }
        t.phase = TaskPhase::Idle;
    }

    /// The input channel of task `s`'s batch, if it came from one (not a source's records).
    #[inline]
    pub fn batch_input_channel(&self, s: u32) -> Option<u32> {
        self.tasks[s as usize].batch.as_ref().and_then(|b| b.input_channel)
    }

    /// When task `s`'s batch in progress is done (or its current quantum), if it has one.
    #[inline]
    pub fn batch_end(&self, s: u32) -> Option<SimTime> {
        self.tasks[s as usize].batch.as_ref().map(|b| b.end)
    }

    /// Whether some task is in the middle of work that ends after `now`: a record that takes
    /// longer than the liveness window is progress, not a stall.
    pub fn any_batch_running(&self, now: SimTime) -> bool {
        self.tasks.iter().any(|t| t.batch.as_ref().is_some_and(|b| b.end > now))
    }

    /// Whether the batch of task `s` has records whose CPU quantum is not scheduled yet
    /// (its current quantum is over, its input buffer is not).
    #[inline]
    pub fn batch_has_unscheduled_records(&self, s: u32) -> bool {
        self.tasks[s as usize]
            .batch
            .as_ref()
            .is_some_and(|b| b.done_at_ns.last() == Some(&UNSCHEDULED))
    }

    /// When the record task `s`'s thread is in the middle of at `now` ends, if it is processing
    /// one: an operator's input buffer, whose records run back to back within a scheduled
    /// quantum (a source's batch is read ahead, not a record in progress). Flink's mailbox runs
    /// mail between records (`MailboxProcessor`: the default action emits one record, or a
    /// batch that stops as soon as mail is waiting), so mail that arrives meanwhile waits for it.
    /// On the fast path a simulated record is a bundle of `records_per_bundle` records, taken
    /// as evenly spread over its time: the mail waits for the next of their boundaries.
    pub fn record_in_progress_end(&self, s: u32, now: SimTime, records_per_bundle: u32) -> Option<SimTime> {
        let t = &self.tasks[s as usize];
        if t.phase != TaskPhase::Processing {
            return None;
        }
        let b = t.batch.as_ref()?;
        b.input_channel?;
        let now_ns = now.as_ns();
        let i = b.next + b.done_at_ns[b.next..].partition_point(|d| *d <= now_ns);
        let done = *b.done_at_ns.get(i)?;
        if done == UNSCHEDULED {
            return None;
        }
        let start = if i > 0 {
            b.done_at_ns[i - 1].max(b.not_before_ns)
        } else {
            b.not_before_ns
        };
        if start > now_ns {
            return None;
        }
        if records_per_bundle <= 1 {
            return Some(SimTime(done));
        }
        let span = done - start;
        let k = records_per_bundle as u64;
        // The first boundary j * span / k (j = 1..=k) after `now`, in integer nanoseconds.
        let j = ((now_ns - start) as u128 * k as u128 / span as u128) as u64 + 1;
        Some(SimTime(start + (span as u128 * j.min(k) as u128 / k as u128) as u64))
    }

    /// Takes task `s`'s batch out (to emit its records), if it has one.
    #[inline]
    pub fn take_batch(&mut self, s: u32) -> Option<Batch> {
        self.tasks[s as usize].batch.take()
    }

    /// Gives task `s` its batch back.
    #[inline]
    pub fn put_batch(&mut self, s: u32, batch: Batch) {
        self.tasks[s as usize].batch = Some(batch);
    }

    /// Whether task `s`'s synchronous phase is over at `now`.
    #[inline]
    pub fn sync_phase_over(&self, s: u32, now: SimTime) -> bool {
        now >= self.tasks[s as usize].sync_until
    }

    /// Task `s` stops processing at `now` for the synchronous part of `checkpoint`, `sync_ns`
    /// long (busy time). A batch in progress (a source's records read ahead) resumes after it,
    /// shifted by the sync time. Whether that split an input buffer, and when the phase ends.
    pub fn begin_sync_phase(
        &mut self,
        s: u32,
        now: SimTime,
        checkpoint: CheckpointId,
        sync_ns: u64,
    ) -> (bool, SimTime) {
        self.end_back_pressure(s, now);
        let t = &mut self.tasks[s as usize];
        t.phase = TaskPhase::SyncSnapshot;
        t.sync_until = now + sync_ns;
        t.sync_checkpoint = Some(checkpoint);
        t.io.busy_ns += sync_ns;
        let mut split = false;
        if let Some(b) = t.batch.as_mut() {
            for d in &mut b.done_at_ns[b.next..] {
                *d = d.saturating_add(sync_ns); // unscheduled quanta stay unscheduled
            }
            b.end += sync_ns;
            b.not_before_ns = b.not_before_ns.max(now.as_ns() + sync_ns);
            split = b.next < b.records.len() && b.input_channel.is_some();
        }
        (split, t.sync_until)
    }

    /// Task `s`'s synchronous phase ends: it is idle. Returns the checkpoint it was for, and
    /// whether the inputs resumed during it must resume now.
    #[inline]
    pub fn end_sync_phase(&mut self, s: u32) -> (CheckpointId, bool) {
        let t = &mut self.tasks[s as usize];
        t.phase = TaskPhase::Idle;
        let checkpoint = t.sync_checkpoint.take().expect("a sync phase belongs to a checkpoint");
        (checkpoint, std::mem::take(&mut t.resume_after_sync))
    }

    /// Task `s` fails or is cancelled at `now`: it is down, events for its earlier incarnation
    /// and wake-ups go stale, and its batch in progress (returned) is gone.
    pub fn kill(&mut self, s: u32, now: SimTime) -> Option<Batch> {
        let t = &mut self.tasks[s as usize];
        if let Some(since) = t.io.back_pressured_since.take() {
            t.io.back_pressured_ns += now.since(since);
        }
        t.incarnation += 1;
        t.wake_gen = t.wake_gen.wrapping_add(1);
        t.phase = TaskPhase::Down;
        t.batch.take()
    }

    /// A killed task `s` (with `inputs` input channels) forgets its work in progress: a fresh
    /// barrier handler for `mode` (if it has inputs) and subtask checkpoint coordinator, no
    /// checkpoint, sync phase, channel state or deferred mailbox work; its end of input starts
    /// over.
    pub fn reset_runtime(&mut self, s: u32, inputs: u32, mode: CheckpointingMode, unaligned: bool) {
        let t = &mut self.tasks[s as usize];
        if t.handler.is_some() {
            t.handler = Some(InputHandler::for_config(inputs, mode, unaligned));
        }
        t.coordinator = SubtaskCheckpointCoordinator::new();
        t.sync_checkpoint = None;
        t.resume_after_sync = false;
        t.deferred_triggers.clear();
        t.checkpoints.clear();
        // Stateless tasks too: no channel state or deferred mailbox action survives.
        t.channel_state = None;
        t.deferred_mail.clear();
        t.priority_mail.clear();
        t.rescued_overtaken.clear();
        t.waiting_output_barrier = None;
        let waits = t.end_of_input.waits_for_final_checkpoint();
        t.end_of_input = EndOfInput::new(inputs, waits);
        t.deferred_rpc_trigger = None;
        t.input_handoff_until = None;
    }

    /// Task `s` is redeployed: a new incarnation, down until its state is restored.
    #[inline]
    pub fn redeploy(&mut self, s: u32) {
        let t = &mut self.tasks[s as usize];
        t.incarnation += 1;
        t.wake_gen = t.wake_gen.wrapping_add(1);
        t.phase = TaskPhase::Down;
    }

    /// Task `s` has its state back: it runs (idle) unless it was not down. Whether it restored
    /// as finished (it then ends its data and finishes at once); `None` if it was not down.
    pub fn restored(&mut self, s: u32) -> Option<bool> {
        let t = &mut self.tasks[s as usize];
        if t.phase != TaskPhase::Down {
            return None;
        }
        t.phase = TaskPhase::Idle;
        Some(t.end_of_input.is_finished())
    }
}
