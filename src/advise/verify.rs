//! The advised interval checked independently of the search that found it: long runs with
//! failures at random (the job's MTBF, fresh seeds the search never used) at the advised
//! interval, at half and at twice it. Each run's cost is measured directly
//! ([`super::cost::time_lost_fraction`]: output stale after each failure, capacity blocked by
//! checkpoints), not composed from single failures as the search does. The advised interval
//! passes when its mean cost is no more than either neighbour's within the runs' 95 %
//! confidence intervals (Student's t over the runs).

use serde::Serialize;

use super::baseline::Baseline;
use super::cost::time_lost_fraction;
use super::failure::FailureModel;
use super::variants::{Runner, Variant, dur};
use super::{AdviseError, AdviseOptions, human_ms};

/// Salt that keeps verification seeds apart from the search's.
const FRESH_SEEDS: u64 = 0x7665_7269_6679_0001;

#[derive(Clone, Debug, Serialize)]
pub struct VerifiedInterval {
    pub interval_ms: f64,
    pub costs: Vec<f64>,
    pub mean: f64,
    /// Half-width of the 95 % confidence interval of the mean.
    pub ci95: f64,
    pub failures: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct Verification {
    pub duration_s: f64,
    pub intervals: Vec<VerifiedInterval>,
    pub holds: bool,
    pub sentence: String,
}

pub fn check(
    r: &Runner,
    base: &Baseline,
    failure: &FailureModel,
    advised_ms: f64,
    opts: &AdviseOptions,
) -> Result<Verification, AdviseError> {
    let duration_s = opts.verify_mtbfs * failure.job_mtbf_s;
    let intervals = [advised_ms / 2.0, advised_ms, advised_ms * 2.0];
    let n = opts.verify_runs.max(2);
    let mut variants = Vec::new();
    for &t in &intervals {
        for k in 0..n {
            let seed = crate::sweep::seeds::replication_seed(base.master_seed ^ FRESH_SEEDS, k);
            let v = Variant::new(seed)
                .set("checkpoint.interval", dur(t * 1e6))
                .set("simulation.duration", dur(duration_s * 1e9));
            variants.push(failure.random(v));
        }
    }
    let outs = r.run_all(&variants)?;
    let verified: Vec<VerifiedInterval> = intervals
        .iter()
        .zip(outs.chunks(n as usize))
        .map(|(&t, runs)| {
            let costs: Vec<f64> = runs.iter().map(time_lost_fraction).collect();
            let (mean, ci95) = mean_ci95(&costs);
            VerifiedInterval {
                interval_ms: t,
                mean,
                ci95,
                costs,
                failures: runs.iter().map(|o| o.failures.len()).sum(),
            }
        })
        .collect();
    let a = &verified[1];
    let holds = [&verified[0], &verified[2]]
        .iter()
        .all(|o| a.mean - a.ci95 <= o.mean + o.ci95);
    let pct = |v: &VerifiedInterval| format!("{:.3} % ± {:.3}", v.mean * 100.0, v.ci95 * 100.0);
    let sentence = format!(
        "Checked with {n} runs of {} each with failures at random (fresh seeds, {} failures in all): time lost {} at \
         {}, {} at half of it, {} at twice it: the advised interval {}.",
        human_ms(duration_s * 1e3),
        verified.iter().map(|v| v.failures).sum::<usize>(),
        pct(a),
        human_ms(a.interval_ms),
        pct(&verified[0]),
        pct(&verified[2]),
        if holds {
            "costs no more than either, within the 95 % confidence intervals"
        } else {
            "costs MORE than a neighbour beyond the confidence intervals: the advice does not hold"
        }
    );
    Ok(Verification {
        duration_s,
        intervals: verified,
        holds,
        sentence,
    })
}

/// Mean and the half-width of its 95 % confidence interval (Student's t, n - 1 degrees).
pub fn mean_ci95(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    if xs.len() < 2 {
        return (mean, f64::INFINITY);
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let t = crate::sweep::stats::student_t_quantile(0.975, n - 1.0);
    (mean, t * (var / n).sqrt())
}
