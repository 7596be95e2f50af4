//! How late is the output? For a two-phase-commit sink what counts is when a record becomes
//! visible (its transaction commits once the checkpoint after it completes), not when the sink
//! processed it. An at-least-once sink's output is visible as it writes it. In at-least-once
//! checkpointing mode a two-phase-commit sink still commits per checkpoint, but its output is
//! only at-least-once.

use super::{JobShape, finding, human_ms};
use crate::metrics::{Finding, RunSummary, Status};
use crate::protocol::CheckpointingMode;

pub fn judge(s: &RunSummary, job: &JobShape) -> Option<Finding> {
    let v = &s.job.visible_latency_ms;
    let l = &s.job.latency_ms;
    if v.count > 0 && job.exactly_once_sinks {
        // Barriers are only tracked: records behind an early barrier are processed before the
        // snapshot, a restore replays them, and the sink commits them twice.
        let (what, caveat) = if job.mode == CheckpointingMode::AtLeastOnce.name() {
            (
                "Transactional output",
                "; in at-least-once mode a restore can commit a record twice",
            )
        } else {
            ("Exactly-once output", "")
        };
        return Some(finding(
            "latency",
            Status::Info,
            format!(
                "{what} becomes visible p50 {} and p99 {} after a record arrives (it waits for the checkpoint \
                 that commits its transaction{caveat}); processing alone takes p99 {}.",
                human_ms(v.p50),
                human_ms(v.p99),
                human_ms(l.p99)
            ),
            &[
                ("visible_latency_p50_ms", v.p50),
                ("visible_latency_p99_ms", v.p99),
                ("latency_p99_ms", l.p99),
            ],
        ));
    }
    // Without periodic checkpoints a transactional sink commits only when its input ends.
    let visible = match (job.exactly_once_sinks, job.interval_ms) {
        (false, _) => "no transactional sink: output is visible as written",
        (true, None) => {
            "with checkpointing off, a transactional sink's output becomes visible only when its input ends, \
             never for an unbounded one"
        }
        (true, Some(_)) => "no checkpoint committed a transactional sink's output in the run",
    };
    (l.count > 0).then(|| {
        finding(
            "latency",
            Status::Info,
            format!(
                "Records reach the sinks p50 {} and p99 {} after they arrive ({visible}).",
                human_ms(l.p50),
                human_ms(l.p99)
            ),
            &[("latency_p50_ms", l.p50), ("latency_p99_ms", l.p99)],
        )
    })
}
