//! Where does backpressure sit? Flink's reading of its web UI: operators back-pressured above
//! 10 % of the time (LOW) or 50 % (HIGH) wait for a slower one downstream; the bottleneck is the
//! first operator downstream of them that is not back-pressured itself, the busiest of them.

use super::thresholds::{BACK_PRESSURE_HIGH, BACK_PRESSURE_LOW};
use super::{JobShape, finding};
use crate::metrics::{Finding, OperatorStats, RunSummary, Status};

pub fn judge(s: &RunSummary, job: &JobShape) -> Finding {
    let ops = &s.job.operators;
    let bp = |o: &OperatorStats| o.back_pressured_time_ms_per_second / 1000.0;
    let busy = |o: &OperatorStats| o.busy_time_ms_per_second / 1000.0;
    let Some(busiest) = ops.iter().max_by(|a, b| busy(a).total_cmp(&busy(b))) else {
        return finding("backpressure", Status::Info, "No operator statistics.".into(), &[]);
    };
    let pressured: Vec<&OperatorStats> = ops.iter().filter(|o| bp(o) > BACK_PRESSURE_LOW).collect();
    if pressured.is_empty() {
        return finding(
            "backpressure",
            Status::Ok,
            format!(
                "No backpressure (every operator at most {:.0} % back-pressured); the busiest operator, `{}`, is \
                 busy {:.0} % of the time.",
                BACK_PRESSURE_LOW * 100.0,
                busiest.name,
                busy(busiest) * 100.0
            ),
            &[("busiest_busy_ratio", busy(busiest))],
        );
    }
    // Candidates: not back-pressured, reading from a back-pressured operator.
    let is_pressured = |name: &str| pressured.iter().any(|p| p.name == name);
    let bottleneck = ops
        .iter()
        .filter(|o| !is_pressured(&o.name))
        .filter(|o| {
            job.operators
                .iter()
                .find(|(n, _, _)| *n == o.name)
                .is_some_and(|(_, _, inputs)| inputs.iter().any(|i| is_pressured(i)))
        })
        .max_by(|a, b| busy(a).total_cmp(&busy(b)))
        .unwrap_or(busiest);
    let worst = pressured
        .iter()
        .max_by(|a, b| bp(a).total_cmp(&bp(b)))
        .expect("non-empty");
    let level = if bp(worst) > BACK_PRESSURE_HIGH { "HIGH" } else { "LOW" };
    // What Flink's web UI shows for it: the back-pressured sender's output buffers in use
    // (`outPoolUsage`) and the bottleneck's input buffers (`inPoolUsage`, which only remote
    // channels fill: a reader of local channels only shows 0).
    let in_pool = if bottleneck.in_pool_usage > 0.0 {
        format!(
            "`{}`'s input buffers {:.0} %",
            bottleneck.name,
            bottleneck.in_pool_usage * 100.0
        )
    } else {
        format!(
            "`{}`'s input buffers 0 % (its inputs are local channels, which hold none)",
            bottleneck.name
        )
    };
    let names = pressured
        .iter()
        .map(|o| format!("`{}` {:.0} %", o.name, bp(o) * 100.0))
        .collect::<Vec<_>>()
        .join(", ");
    // A bottleneck whose thread waits for cores gains nothing from more subtasks on the same
    // cores (the cores finding says what would help).
    let fix = if super::cores::limited(s).any(|t| t.task == bottleneck.name) {
        "its TaskManagers' cores limit it (below), so more parallelism alone would not help; give it more cores or \
         cheaper records"
    } else {
        "give it more parallelism or cheaper records"
    };
    finding(
        "backpressure",
        if level == "HIGH" {
            Status::Problem
        } else {
            Status::Warning
        },
        format!(
            "Backpressure {level}: {names} of the time back-pressured. The bottleneck is `{}`, busy {:.0} % of the \
             time: {fix}. Flink's web UI would show `{}`'s output buffers {:.0} % in use (outPoolUsage) and \
             {in_pool} (inPoolUsage).",
            bottleneck.name,
            busy(bottleneck) * 100.0,
            worst.name,
            worst.out_pool_usage * 100.0
        ),
        &[
            ("back_pressured_ratio_max", bp(worst)),
            ("bottleneck_busy_ratio", busy(bottleneck)),
            ("back_pressured_out_pool_usage", worst.out_pool_usage),
            ("bottleneck_in_pool_usage", bottleneck.in_pool_usage),
        ],
    )
}
