//! What a failure and checkpointing cost, in the one unit the interval answer minimises: the
//! share of time the job's output is not live.
//!
//! - A failure makes output stale from the fault until the job is live again: detection,
//!   restart, state download, replay of the work since the restored checkpoint, and working off
//!   the backlog, read from the timeline ([`crate::metrics::live_again`]). A failure the run ends
//!   before that counts until the end (censored, and said so).
//! - Checkpointing takes the task thread of the bottleneck operator for the synchronous phase
//!   and holds its input during alignment, and the asynchronous snapshot threads of its host
//!   take cores its task thread would otherwise have had (serialization on the TaskManager's
//!   cores): those shares of its time are capacity lost. (An upper bound: an aligning task
//!   still reads its other channels.)

use crate::metrics::RunOutput;
use crate::metrics::live_again::StaleSpan;

/// The operator whose subtasks are busiest: where capacity lost to checkpointing costs
/// throughput first.
fn bottleneck(out: &RunOutput) -> Option<&str> {
    bottleneck_stats(out).map(|o| o.name.as_str())
}

fn bottleneck_stats(out: &RunOutput) -> Option<&crate::metrics::OperatorStats> {
    out.summary
        .job
        .operators
        .iter()
        .max_by(|a, b| a.busy_time_ms_per_second.total_cmp(&b.busy_time_ms_per_second))
}

/// Share of its time the bottleneck's task threads ran slower because the host's asynchronous
/// snapshot threads held cores (over the run's measured window).
pub fn slowed_by_snapshots_share(out: &RunOutput) -> f64 {
    bottleneck_stats(out).map_or(0.0, |o| o.slowed_by_snapshots_ms_per_second / 1e3)
}

/// Mean time per checkpoint a bottleneck subtask spends in the synchronous phase and aligning
/// (ms), over the run's acknowledgements of checkpoints after the first (the first covers
/// everything since the job started, not one interval: a RocksDB flush, for one, grows with
/// the data written since the last checkpoint).
pub fn blocked_ms_per_checkpoint(out: &RunOutput) -> f64 {
    let Some(op) = bottleneck(out) else { return 0.0 };
    let first = out.subtasks.iter().map(|s| s.checkpoint_id).min().unwrap_or(0);
    let acks: Vec<f64> = out
        .subtasks
        .iter()
        .filter(|s| s.task == op && s.checkpoint_id > first)
        .map(|s| s.sync_duration + s.alignment_duration)
        .collect();
    if acks.is_empty() {
        0.0
    } else {
        acks.iter().sum::<f64>() / acks.len() as f64
    }
}

/// Share of the run the bottleneck's subtasks lost to checkpoints: blocked in the synchronous
/// phase and alignment, and slowed by the snapshot threads.
pub fn blocked_share(out: &RunOutput) -> f64 {
    sync_and_alignment_share(out) + slowed_by_snapshots_share(out)
}

/// Share of the run the bottleneck's subtasks spent in the synchronous phase and aligning.
fn sync_and_alignment_share(out: &RunOutput) -> f64 {
    let Some(op) = bottleneck(out) else { return 0.0 };
    let p = out
        .summary
        .job
        .operators
        .iter()
        .find(|o| o.name == op)
        .map_or(1, |o| o.parallelism.max(1));
    let blocked: f64 = out
        .subtasks
        .iter()
        .filter(|s| s.task == op)
        .map(|s| s.sync_duration + s.alignment_duration)
        .sum();
    blocked / (p as f64 * out.summary.simulated_seconds * 1e3)
}

/// Fault-to-live spans of a run's failures: from the fault until the sources' lag is back and
/// stays back ([`crate::metrics::live_again`]), merged when one failure strikes during another's
/// recovery.
pub fn stale_spans(out: &RunOutput) -> Vec<StaleSpan> {
    crate::metrics::live_again::stale_spans(&out.timeline, &out.failures, out.summary.simulated_seconds * 1e3)
}

/// Total stale time of a run (ms), and whether any span was cut by the run's end.
pub fn stale_total_ms(out: &RunOutput) -> (f64, bool) {
    let spans = stale_spans(out);
    (
        spans.iter().map(StaleSpan::duration_ms).sum(),
        spans.iter().any(|s| s.censored),
    )
}

/// The share of a run's time lost: output stale after failures plus capacity blocked by
/// checkpoints. Comparable across intervals and seeds of one job.
pub fn time_lost_fraction(out: &RunOutput) -> f64 {
    let (stale, _) = stale_total_ms(out);
    stale / (out.summary.simulated_seconds * 1e3) + blocked_share(out)
}
