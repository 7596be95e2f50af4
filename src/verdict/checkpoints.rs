//! Are checkpoints healthy? Their p99 end-to-end duration against the timeout and the interval,
//! the share of the run spent checkpointing, and the failed ones by reason: those Flink's
//! `CheckpointFailureManager` counts against `tolerable-failed-checkpoints` (expired, declined,
//! I/O and asynchronous failures) apart from those a failover or a newer checkpoint caused.

use super::thresholds::{BUSY_CHECKPOINTING_WARNING, FIDELITY_TOLERANCE, TIMEOUT_SHARE_WARNING};
use super::{JobShape, finding, human_ms};
use crate::metrics::{Finding, RunOutput, Status};

/// Reasons `CheckpointFailureManager` counts (`CheckpointFailureReason::is_counted`).
const COUNTED: [&str; 4] = [
    "CHECKPOINT_EXPIRED",
    "CHECKPOINT_DECLINED",
    "CHECKPOINT_ASYNC_EXCEPTION",
    "IO_EXCEPTION",
];

/// `None` when the job takes no periodic checkpoints and triggered none.
pub fn judge(out: &RunOutput, job: &JobShape) -> Option<Finding> {
    let s = &out.summary;
    if s.counts.total == 0 {
        return job.interval_ms.is_none().then(|| {
            finding(
                "checkpoints",
                Status::Info,
                "Checkpointing is off (no `checkpoint.interval`): a failure restarts the job from its sources' \
                 beginning."
                    .into(),
                &[],
            )
        });
    }
    let e2e = s.summary.get("end_to_end_duration").filter(|e| e.count > 0);
    let p99 = e2e.map_or(f64::NAN, |e| e.p99);
    let fraction = s.checkpoint_time_fraction.unwrap_or(f64::NAN);
    let expired = s.failure_reasons.get("CHECKPOINT_EXPIRED").copied().unwrap_or(0);
    let counted: u64 = COUNTED.iter().filter_map(|r| s.failure_reasons.get(*r)).sum();
    let reasons = s
        .failure_reasons
        .iter()
        .map(|(r, n)| format!("{n} {r}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut figures = vec![
        ("completed", s.counts.completed as f64),
        ("failed", s.counts.failed as f64),
        ("failed_counted", counted as f64),
        ("expired", expired as f64),
        ("end_to_end_duration_p99_ms", p99),
        ("timeout_ms", job.timeout_ms),
        ("checkpoint_time_fraction", fraction),
    ];
    if let Some(i) = job.interval_ms {
        figures.push(("interval_ms", i));
    }
    let base = format!(
        "{} of {} checkpoints completed ({} mode); p99 end-to-end duration {} against a {} timeout{}; a \
         checkpoint is in progress {:.0} % of the time.",
        s.counts.completed,
        s.counts.total,
        job.mode,
        if p99.is_finite() {
            human_ms(p99)
        } else {
            "(none completed)".into()
        },
        human_ms(job.timeout_ms),
        job.interval_ms
            .map_or(String::new(), |i| format!(" and a {} interval", human_ms(i))),
        fraction * 100.0
    );
    let (status, why) = if expired > 0 {
        // Completed checkpoints that came within ckptsim's agreement with Flink of the timeout
        // say the timeout cuts through the durations: a few percent of length decide which
        // expire (tests/fidelity/probes/README.md, "A checkpoint timeout under backpressure":
        // Flink expired 30 %, ckptsim 64 %, with durations 6 % apart).
        let cut = if p99 >= job.timeout_ms / (1.0 + FIDELITY_TOLERANCE) {
            format!(
                " Completed ones came within {:.0} % of the timeout, closer than ckptsim's agreement with Flink: \
                 how many expire is not a forecast, only that some can. Give the timeout a margin over the longest \
                 checkpoint (rerun with a longer `checkpoint.timeout` to see how long they take).",
                FIDELITY_TOLERANCE * 100.0
            )
        } else {
            String::new()
        };
        (
            Status::Problem,
            format!(" {expired} expired (execution.checkpointing.timeout); all failures: {reasons}.{cut}"),
        )
    } else if counted > 0 {
        (Status::Problem, counted_apart(&s.failure_reasons))
    } else if p99 > TIMEOUT_SHARE_WARNING * job.timeout_ms {
        (
            Status::Warning,
            format!(
                " The p99 is above {:.0} % of the timeout: a 2x slowdown would make checkpoints expire.",
                TIMEOUT_SHARE_WARNING * 100.0
            ),
        )
    } else if job.interval_ms.is_some_and(|i| p99 > i) || fraction > BUSY_CHECKPOINTING_WARNING {
        (
            Status::Warning,
            " Checkpoints take about as long as the interval: the next one waits for the last, so the \
             effective interval is longer than configured."
                .into(),
        )
    } else if s.counts.failed > 0 {
        (
            Status::Ok,
            format!(
                " Failed without counting against the tolerable limit (a failover or a newer checkpoint): {reasons}."
            ),
        )
    } else {
        (Status::Ok, String::new())
    };
    Some(finding("checkpoints", status, base + &why, &figures))
}

/// The failures that count against `tolerable-failed-checkpoints`, apart from those that do
/// not (a failover suspending the coordinator, a task that finished, a newer checkpoint) and
/// from the failovers the coordinator asked for when the count exceeded the limit.
pub(super) fn counted_apart(reasons: &std::collections::BTreeMap<String, u64>) -> String {
    let list = |pick: &dyn Fn(&str) -> bool| {
        reasons
            .iter()
            .filter(|(r, _)| pick(r))
            .map(|(r, n)| format!("{n} {r}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let is_failover = |r: &str| r.starts_with("EXCEEDED_CHECKPOINT_TOLERABLE_FAILURE");
    let mut text = format!(
        " Failures that count against the tolerable limit: {}.",
        list(&|r| COUNTED.contains(&r))
    );
    let failovers = list(&is_failover);
    if !failovers.is_empty() {
        text.push_str(&format!(" The limit was exceeded: {failovers}."));
    }
    let others = list(&|r| !COUNTED.contains(&r) && !is_failover(r));
    if !others.is_empty() {
        text.push_str(&format!(" Not counted: {others}."));
    }
    text
}
