//! The liveness invariant, checked at every timeline sample while no fault is active:
//! - no channel stays blocked without a pending checkpoint: a subpartition blocked by an aligned
//!   barrier must be explained by an alignment at its consumer (the barrier still on its way or
//!   queued there, the consumer blocking the channel, or a prioritized barrier whose checkpoint
//!   is still running there) within the window;
//! - a source with input emits within the window, unless the job downstream is making progress
//!   (a slow consumer may back-pressure a source for longer, legitimately), which includes a
//!   task still busy with a record that takes longer than the window.
//!
//! The window is max(10 s, 10 x the buffer timeout). Checking at samples adds no event, so runs
//! keep their traces. A stall the checks find is a bug (a lost resume, a deadlock), never input.

use super::World;
use crate::ids::ChannelId;
use crate::model::checker::InvariantViolation;
use crate::time::{NS_PER_S, SimTime};

/// What the liveness check remembers between samples.
#[derive(Clone, Debug, Default)]
pub(crate) struct Liveness {
    /// Per source (in the order of the sources): its records out, and since when they are so.
    source_marks: Vec<(u64, SimTime)>,
    /// Records processed by every task together, and since when.
    job_mark: (u64, SimTime),
    /// Per channel: since when it is blocked at the producer with nothing explaining it.
    unexplained_since: Vec<Option<SimTime>>,
}

impl World {
    fn liveness_window_ns(&self) -> u64 {
        // Without an output flusher (`NO_OUTPUT_FLUSHER`), 10 s.
        (10 * NS_PER_S).max(self.set.buffer_timeout_ns.saturating_mul(10))
    }

    /// Faults suspend the invariant: an open failure, an active fault window, a failed job, a
    /// task down.
    fn liveness_suspended(&self, now: SimTime) -> bool {
        self.jm.job_failed_at().is_some()
            || self.failover.has_open_failure()
            || self.faults.window_active(now)
            || self.tasks.any_down()
    }

    pub(crate) fn check_liveness(&mut self, now: SimTime) {
        let window = self.liveness_window_ns();
        let suspended = self.liveness_suspended(now);
        let n_sources = self.endpoints.sources().len();
        let n_chans = self.graph.channels.len();
        let lv = &mut self.liveness;
        lv.source_marks.resize(n_sources, (0, SimTime::ZERO));
        lv.unexplained_since.resize(n_chans, None);
        let processed = self.tasks.records_processed(now);
        // A task in the middle of a record (or a quantum) that outlasts the window is working.
        if suspended || processed != self.liveness.job_mark.0 || self.tasks.any_batch_running(now) {
            self.liveness.job_mark = (processed, now);
        }
        let job_stalled = now.since(self.liveness.job_mark.1) > window;
        for i in 0..n_sources {
            let s = self.endpoints.sources()[i];
            let out = self.tasks.records_out(s);
            let has_input = self.tasks.source_lag_ns(s, now) > 0;
            let mark = self.liveness.source_marks[i];
            if suspended || out != mark.0 || !has_input {
                self.liveness.source_marks[i] = (out, now);
            } else if now.since(mark.1) > window && job_stalled {
                self.checks.report(InvariantViolation::SourceStalled {
                    source_subtask: s,
                    since_ns: mark.1.as_ns(),
                    at_ns: now.as_ns(),
                });
                self.liveness.source_marks[i] = (out, now); // reported once per window
            }
        }
        for ch in 0..n_chans {
            if suspended || !self.net.blocked_without_alignment(ch as u32) {
                self.liveness.unexplained_since[ch] = None;
                continue;
            }
            let since = *self.liveness.unexplained_since[ch].get_or_insert(now);
            if now.since(since) > window {
                self.checks.report(InvariantViolation::ChannelBlockedWithoutCheckpoint {
                    channel: ChannelId(ch as u32),
                    since_ns: since.as_ns(),
                    at_ns: now.as_ns(),
                });
                self.liveness.unexplained_since[ch] = Some(now); // reported once per window
            }
        }
    }

    /// Negative control for the liveness invariant: the next `resumeConsumption` to reach a
    /// producer is lost, so its subpartition stays blocked after the alignment ended. Never set
    /// outside tests.
    pub fn leave_a_channel_blocked_for_negative_control(&mut self) {
        self.checks.lose_next_resume();
    }
}
