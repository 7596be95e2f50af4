//! Does the job keep up with its input? Read from the sources' input lag over time
//! (`timeline.csv`): its level at the end and its trend over the last half of the measured
//! window, which a failure early in the run does not disturb once recovered.

use super::thresholds::{GENERATOR_FULL_SHARE, LAG_GROWTH_LIMIT, LAG_OK_MS};
use super::{JobShape, finding, human_ms};
use crate::metrics::{Finding, RunOutput, Status};

pub fn judge(out: &RunOutput, job: &JobShape) -> Finding {
    let s = &out.summary;
    if let Some(at) = s.job_failed_s {
        return finding(
            "throughput",
            Status::Problem,
            format!(
                "The job FAILED at {at:.1} s: the restart strategy gave up, every task was cancelled and nothing \
                 was processed after."
            ),
            &[("job_failed_s", at)],
        );
    }
    let measured: Vec<(f64, f64, f64)> = out
        .timeline
        .iter()
        .filter(|t| t.time_s > job.warmup_s)
        .map(|t| (t.time_s, t.input_lag_ms, t.source_records_per_second))
        .collect();
    if job.log_sources == 0 && !job.generators.is_empty() {
        return judge_generators(out, job, !measured.is_empty());
    }
    let Some(&(_, lag_end_ms, _)) = measured.last() else {
        return finding(
            "throughput",
            Status::Info,
            "The run is too short to judge the input lag (no timeline sample after the warm-up).".into(),
            &[],
        );
    };
    let lag_max_ms = measured.iter().map(|m| m.1).fold(0.0, f64::max);
    // Beside log sources, generators add no lag (they are throttled): the lag read is the logs'.
    let generators = if job.generators.is_empty() {
        String::new()
    } else {
        " (The lag is the log sources': the rate-limited generators among the sources cannot fall behind, \
         they are throttled.)"
            .to_string()
    };
    let half = &measured[measured.len() / 2..];
    let growth = slope(half) / 1e3;
    let rate = half.iter().map(|m| m.2).sum::<f64>() / half.len() as f64;
    let figures = [
        ("lag_end_ms", lag_end_ms),
        ("lag_max_ms", lag_max_ms),
        ("lag_growth_s_per_s", growth),
        ("source_records_per_second", rate),
    ];
    if growth > LAG_GROWTH_LIMIT && lag_end_ms > LAG_OK_MS {
        finding(
            "throughput",
            Status::Problem,
            format!(
                "The job does NOT keep up with its input: the sources' lag grows by {:.0} ms every second over \
                 the last half of the run and ends {} behind (sources read {rate:.0} records/s).{generators}",
                growth * 1e3,
                human_ms(lag_end_ms)
            ),
            &figures,
        )
    } else if lag_end_ms > LAG_OK_MS {
        finding(
            "throughput",
            Status::Warning,
            format!(
                "The job ends {} behind its input, but the lag is not growing (it is working a backlog off).{generators}",
                human_ms(lag_end_ms)
            ),
            &figures,
        )
    } else {
        finding(
            "throughput",
            Status::Ok,
            format!(
                "The job keeps up with its input: {rate:.0} records/s read, input lag {} at the end ({} at most \
                 after the warm-up).{generators}",
                human_ms(lag_end_ms),
                human_ms(lag_max_ms)
            ),
            &figures,
        )
    }
}

/// Rate-limited generators have no input to fall behind: they are throttled instead, so the
/// question is what share of their limit the job takes.
fn judge_generators(out: &RunOutput, job: &JobShape, measured: bool) -> Finding {
    if !measured {
        return finding(
            "throughput",
            Status::Info,
            "The run is too short to judge the sources' rate (no timeline sample after the warm-up).".into(),
            &[],
        );
    }
    let limit: f64 = job.generators.iter().map(|g| g.1).sum();
    let rate: f64 = job
        .generators
        .iter()
        .filter_map(|(name, _)| out.summary.job.operators.iter().find(|o| &o.name == name))
        .map(|o| o.records_per_second)
        .sum();
    let share = if limit > 0.0 { rate / limit } else { 1.0 };
    let figures = [
        ("source_records_per_second", rate),
        ("generator_limit_records_per_second", limit),
        ("generator_share_of_limit", share),
    ];
    let what = "The sources are rate-limited generators (DataGeneratorSource): they cannot fall behind, they are \
                throttled, so there is no input lag to read.";
    if share >= GENERATOR_FULL_SHARE {
        finding(
            "throughput",
            Status::Ok,
            format!(
                "{what} They emit {rate:.0} records/s, {:.0} % of their limit of {limit:.0} records/s: the job takes \
                 all they may produce.",
                share * 100.0
            ),
            &figures,
        )
    } else {
        finding(
            "throughput",
            Status::Warning,
            format!(
                "{what} Backpressure holds them to {rate:.0} records/s, {:.0} % of their limit of {limit:.0} \
                 records/s: the job cannot take its sources' rate (fed from a log at that rate, it would fall \
                 behind).",
                share * 100.0
            ),
            &figures,
        )
    }
}

/// Least-squares slope of (time s, lag ms): ms of lag per second; 0 for fewer than 2 samples.
fn slope(points: &[(f64, f64, f64)]) -> f64 {
    let n = points.len() as f64;
    if points.len() < 2 {
        return 0.0;
    }
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    if sxx > 0.0 { sxy / sxx } else { 0.0 }
}

#[cfg(test)]
pub(super) fn slope_of(points: &[(f64, f64)]) -> f64 {
    slope(&points.iter().map(|&(t, l)| (t, l, 0.0)).collect::<Vec<_>>())
}
