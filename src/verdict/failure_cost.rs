//! What does one failure cost? Measured from `failures.csv` when the run had failures (the
//! median of each recovery step), estimated from the run's own figures when it had none; and
//! the spare throughput (headroom) the job has to catch up with.

use super::thresholds::HEADROOM_WARNING;
use super::{JobShape, finding, human_ms};
use crate::metrics::live_again::stale_spans;
use crate::metrics::{FailureRecord, Finding, RunOutput, RunSummary, StatsSummary, Status};

/// Spare throughput: how much more input the busiest subtask could take. A subtask busy a
/// share `rho` of the time can process `1 / rho` times its input, so the spare is `1/rho - 1`.
#[derive(Clone, Debug)]
pub struct Headroom {
    pub busiest: String,
    pub busy_ratio: f64,
    /// Share of the busiest subtask's busy time its thread waited for a core.
    pub waiting_for_cores_share: f64,
}

impl Headroom {
    pub fn of(s: &RunSummary) -> Headroom {
        let t = s
            .job
            .tasks
            .iter()
            .max_by(|a, b| a.busy_time_ms_per_second.total_cmp(&b.busy_time_ms_per_second));
        Headroom {
            busiest: t.map_or_else(String::new, |t| format!("{} #{}", t.task, t.subtask_index)),
            busy_ratio: t.map_or(0.0, |t| (t.busy_time_ms_per_second / 1000.0).clamp(1e-3, 1.0)),
            waiting_for_cores_share: t.map_or(0.0, |t| {
                t.waiting_for_cores_ms_per_second / t.busy_time_ms_per_second.max(1e-9)
            }),
        }
    }

    pub fn spare(&self) -> f64 {
        1.0 / self.busy_ratio - 1.0
    }

    fn sentence(&self) -> String {
        format!(
            "Spare throughput {:.0} %: the busiest subtask (`{}`) is busy {:.0} % of the time, so the job can \
             process {:.1}x its input.",
            self.spare() * 100.0,
            self.busiest,
            self.busy_ratio * 100.0,
            1.0 / self.busy_ratio
        )
    }
}

pub fn judge(out: &RunOutput, job: &JobShape, h: &Headroom) -> Finding {
    let end_ms = out.summary.simulated_seconds * 1e3;
    // Running again by the end of the run, or still recovering then (not yet detected, or
    // restarting): the second kind has no recovery figures to take a median of.
    let (recovered, recovering): (Vec<_>, Vec<_>) = out
        .failures
        .iter()
        .filter(|f| !f.taken_over && !f.job_failed)
        .partition(|f| f.downtime.is_some());
    if recovered.is_empty() {
        return match recovering.first() {
            Some(first) => unrecovered(recovering.len(), first, end_ms, h),
            None => estimate(&out.summary, job, h),
        };
    }
    let median = |v: Vec<f64>| StatsSummary::of(&v).p50;
    // Live again as the timeline shows it, not as `catch_up_time` (see `metrics::live_again`).
    let spans = stale_spans(&out.timeline, &out.failures, end_ms);
    let never = spans.iter().filter(|s| s.censored).count();
    let detection = median(recovered.iter().filter_map(|f| f.detection_delay).collect());
    let restart = median(recovered.iter().filter_map(|f| f.restart_delay).collect());
    let restore = median(recovered.iter().filter_map(|f| f.restore_duration).collect());
    let lost = median(recovered.iter().filter_map(|f| f.lost_work).collect());
    let replayed = median(recovered.iter().map(|f| f.records_replayed as f64).collect());
    let caught_up = median(spans.iter().filter(|s| !s.censored).map(|s| s.duration_ms()).collect());
    let total = recovered.len() + recovering.len();
    let figures = [
        ("failures", total as f64),
        ("not_caught_up", never as f64),
        ("detection_p50_ms", detection),
        ("restart_p50_ms", restart),
        ("restore_p50_ms", restore),
        ("lost_work_p50_ms", lost),
        ("records_replayed_p50", replayed),
        ("live_again_p50_ms", caught_up),
        ("spare_throughput", h.spare()),
    ];
    // The median is over the failures recovered from; say so when some were not yet.
    let of_recovered = if recovering.is_empty() {
        String::new()
    } else {
        format!(" of the {} recovered from", recovered.len())
    };
    let mut text = format!(
        "{} failure{} in the run; the median one{of_recovered}: detected after {}, restarted after {} more, restored \
         in {}, {:.0} records replayed ({} of lost work), ",
        total,
        if total == 1 { "" } else { "s" },
        human_ms(detection),
        human_ms(restart),
        human_ms(restore),
        replayed,
        human_ms(lost)
    );
    let status = if never > 0 {
        text += &format!("and {never} left the output stale until the end of the run. ");
        Status::Problem
    } else {
        text += &format!("output live again {} after the fault. ", human_ms(caught_up));
        headroom_status(h)
    };
    if let Some(first) = recovering.first() {
        text += &still_recovering(recovering.len(), first, end_ms);
    }
    finding("failures", status, text + &h.sentence(), &figures)
}

/// Every failure of the run was still being recovered from when it ended.
fn unrecovered(n: usize, first: &FailureRecord, end_ms: f64, h: &Headroom) -> Finding {
    // `failures` counts every failure not taken over, as when some were recovered from.
    let figures = [
        ("failures", n as f64),
        ("not_recovered", n as f64),
        ("spare_throughput", h.spare()),
    ];
    let text = still_recovering(n, first, end_ms) + &h.sentence();
    finding("failures", Status::Problem, text, &figures)
}

/// What the failures not recovered from by the end of the run were waiting for, said of the
/// first of them.
fn still_recovering(n: usize, first: &FailureRecord, end_ms: f64) -> String {
    let count = if n == 1 {
        "1 failure was".to_string()
    } else {
        format!("{n} failures were")
    };
    let at = human_ms(first.failure_timestamp);
    let left = human_ms(end_ms - first.failure_timestamp);
    let waiting = match first.detection_delay {
        None if first.cause == "TASK_MANAGER_LOST" => format!(
            "the TaskManager lost at {at} was not noticed in the {left} the run had left. Flink notices a hung \
             TaskManager only after `heartbeat.timeout` (50 s by default); a process that died closes its \
             connections and is noticed within seconds (`detection = \"connection_drop\"`). Run longer to see \
             its recovery"
        ),
        None => format!("the failure at {at} was not noticed in the {left} the run had left"),
        Some(d) => format!(
            "the failure at {at} was noticed after {} and its tasks were not running again {left} after it",
            human_ms(d)
        ),
    };
    format!("{count} still being recovered from when the run ended: {waiting}. ")
}

/// No failure in the run: the cost of one task failure from the run's own figures. The
/// backlog (outage plus the work since the restored checkpoint) drains at the spare rate, so it
/// takes `backlog * rho / (1 - rho)`.
fn estimate(s: &RunSummary, job: &JobShape, h: &Headroom) -> Finding {
    let p = |name: &str, f: fn(&StatsSummary) -> f64| s.summary.get(name).filter(|x| x.count > 0).map_or(0.0, f);
    let restore = p("async_duration", |x| x.p99);
    let lost = job
        .interval_ms
        .map_or(f64::NAN, |i| i / 2.0 + p("end_to_end_duration", |x| x.p50));
    let down = job.restart_and_deploy_ms + restore;
    let rho = h.busy_ratio;
    let catch_up = if rho < 1.0 {
        (down + lost) * rho / (1.0 - rho)
    } else {
        f64::INFINITY
    };
    // The spare rate is measured over the run: a backlog that would take longer than the run
    // to drain is an extrapolation the run cannot support (a subtask busy 99.9 % of a 20 s run
    // is busy all the time as far as the run can tell, not half an hour from catching up), so
    // neither the sentence nor the figures give one.
    let run_ms = s.simulated_seconds * 1e3;
    let back_live = if catch_up > run_ms {
        f64::INFINITY
    } else {
        down + catch_up
    };
    let figures = [
        ("estimated_downtime_ms", down),
        ("estimated_lost_work_ms", lost),
        ("estimated_back_live_ms", back_live),
        ("spare_throughput", h.spare()),
    ];
    let text = if !lost.is_finite() {
        format!(
            "No failure in the run; without checkpoints a failure replays the input from its beginning. {}",
            h.sentence()
        )
    } else if catch_up.is_finite() && catch_up > run_ms {
        format!(
            "No failure in the run, but after one the job would not catch up within the {} it ran: {} down and {} \
             of input to replay, drained at a spare rate that would take longer than the run to do it (`ckptsim \
             advise` simulates one failure). {}",
            human_ms(run_ms),
            human_ms(down),
            human_ms(lost),
            h.sentence()
        )
    } else if catch_up.is_finite() {
        format!(
            "No failure in the run. Estimate for one task failure: {} down (restart and deployment {}, state \
             download about as long as the p99 upload, {}), {} of input to replay (half an interval plus a \
             checkpoint), output live again about {} after the fault (`ckptsim advise` simulates it). {}",
            human_ms(down),
            human_ms(job.restart_and_deploy_ms),
            human_ms(restore),
            human_ms(lost),
            human_ms(down + catch_up),
            h.sentence()
        )
    } else {
        format!(
            "No failure in the run, but after one the job could never catch up: its busiest subtask is busy all \
             the time. {}",
            h.sentence()
        )
    };
    let status = if lost.is_finite() {
        headroom_status(h)
    } else {
        Status::Warning
    };
    finding("failures", status, text, &figures)
}

fn headroom_status(h: &Headroom) -> Status {
    let spare = h.spare();
    if spare < 0.02 {
        Status::Problem
    } else if spare < HEADROOM_WARNING {
        Status::Warning
    } else {
        Status::Ok
    }
}
