//! When is a job's output live again after a failure? From the sources' input lag in the
//! timeline: the first sample after the fault from which the lag stays within what it was before
//! the fault (at least [`LIVE_LAG_MS`]) until the next failure or the end of the run.
//!
//! The per-failure `catch_up_time` of `failures.csv` stops at the first record a restarted
//! source reads at its old lag; when the network buffers can take the backlog, a source reads
//! it in a burst, "catches up", and is then held back by backpressure while the job is still
//! working the backlog off (seen: 27 s after a 98 s TaskManager loss where the timeline shows
//! 71 s). Judged over the whole timeline, a burst does not end the outage.

use super::{FailureRecord, TimelineSample};

/// Lag that counts as live whatever the lag before the fault: one second, as the verdict's
/// `LAG_OK_MS`.
pub const LIVE_LAG_MS: f64 = 1000.0;

/// A stretch of stale output: from a fault to the first sample of live output (ms), or to the end
/// of the run when it never came (`censored`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StaleSpan {
    pub fault_ms: f64,
    pub live_ms: f64,
    pub censored: bool,
}

impl StaleSpan {
    pub fn duration_ms(&self) -> f64 {
        self.live_ms - self.fault_ms
    }
}

/// The stale spans of a run, one per failure; a failure that strikes before the previous one is
/// live again extends that span instead of starting its own.
pub fn stale_spans(timeline: &[TimelineSample], failures: &[FailureRecord], end_ms: f64) -> Vec<StaleSpan> {
    let mut spans: Vec<StaleSpan> = Vec::new();
    let faults: Vec<f64> = failures.iter().map(|f| f.failure_timestamp).collect();
    for (i, &fault) in faults.iter().enumerate() {
        if spans.last().is_some_and(|s| s.live_ms > fault) {
            continue;
        }
        let next = faults.get(i + 1).copied().unwrap_or(f64::INFINITY);
        let before = timeline
            .iter()
            .rev()
            .find(|t| t.time_s * 1e3 <= fault)
            .map_or(0.0, |t| t.input_lag_ms);
        let limit = before.max(LIVE_LAG_MS);
        // Samples after the fault up to the next one; live from the first of the final run of
        // samples within the limit.
        let window: Vec<&TimelineSample> = timeline
            .iter()
            .filter(|t| t.time_s * 1e3 > fault && t.time_s * 1e3 <= next)
            .collect();
        let last_stale = window.iter().rposition(|t| t.input_lag_ms > limit);
        let live = match last_stale {
            None => window.first().map(|t| t.time_s * 1e3),
            Some(k) => window.get(k + 1).map(|t| t.time_s * 1e3),
        };
        // A failure whose recovery has not started by the first sample is not live there: the
        // lag starts at 0 only because the sources have not been read since.
        let recovered = failures[i].downtime.map(|d| fault + d);
        let live = match (live, recovered) {
            (Some(l), Some(r)) => Some(l.max(r)),
            (_, None) => None,
            (l, _) => l,
        };
        let bounded = next.min(end_ms);
        spans.push(match live {
            Some(l) if l <= bounded => StaleSpan {
                fault_ms: fault,
                live_ms: l,
                censored: false,
            },
            _ => StaleSpan {
                fault_ms: fault,
                live_ms: bounded,
                censored: next >= end_ms,
            },
        });
    }
    spans
}
