//! The advised interval checked independently of the search that found it: long runs with
//! failures at random (the job's MTBF, fresh seeds the search never used) at the advised
//! interval, at half and at twice it. Each run's cost is measured directly
//! ([`super::cost::time_lost_fraction`]: output stale after each failure, capacity blocked by
//! checkpoints), not composed from single failures as the search does. Run k of every interval
//! has the same seed, so the failures strike at the same moments and the runs can be compared
//! in pairs: the advised interval passes when, against each neighbour, the mean of the paired
//! differences (advised minus neighbour) is no more than zero within its 95 % confidence
//! interval (Student's t over the pairs). Paired, the check sees a difference that the spread
//! of failure counts between runs would hide.

use serde::Serialize;

use super::cost::time_lost_fraction;
use super::failure::FailureModel;
use super::variants::{Runner, Variant, dur};
use super::{AdviseError, AdviseOptions, human_ms};
use crate::scenario::{LoadedScenario, Override};

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
    /// Advised minus half, advised minus twice: mean paired difference and its 95 % half-width.
    pub paired_differences: Vec<(f64, f64)>,
    pub holds: bool,
    pub sentence: String,
}

pub fn check(
    r: &Runner,
    master_seed: u64,
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
            let seed = crate::sweep::seeds::replication_seed(master_seed ^ FRESH_SEEDS, k);
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
    let paired: Vec<(f64, f64)> = [&verified[0], &verified[2]]
        .iter()
        .map(|o| {
            let d: Vec<f64> = a.costs.iter().zip(&o.costs).map(|(x, y)| x - y).collect();
            mean_ci95(&d)
        })
        .collect();
    let holds = paired.iter().all(|(m, ci)| m - ci <= 0.0);
    let pct = |v: &VerifiedInterval| format!("{:.3} % ± {:.3}", v.mean * 100.0, v.ci95 * 100.0);
    let diff = |(m, ci): (f64, f64)| format!("{:+.3} % ± {:.3}", m * 100.0, ci * 100.0);
    let sentence = format!(
        "Checked with {n} runs of {} each with failures at random (fresh seeds, {} failures in all): time lost {} at \
         {}, {} at half of it, {} at twice it; paired with the same failures, the advised interval costs {} against \
         half and {} against twice: it {}.",
        human_ms(duration_s * 1e3),
        verified.iter().map(|v| v.failures).sum::<usize>(),
        pct(a),
        human_ms(a.interval_ms),
        pct(&verified[0]),
        pct(&verified[2]),
        diff(paired[0]),
        diff(paired[1]),
        if holds {
            "costs no more than either, within the 95 % confidence intervals"
        } else {
            "costs MORE than a neighbour beyond the confidence interval: the advice does not hold"
        }
    );
    Ok(Verification {
        duration_s,
        intervals: verified,
        paired_differences: paired,
        holds,
        sentence,
    })
}

/// The same check of any interval, on its own (as `advise` checks its answer): the negative
/// control of the check is an interval far from the optimum, which must fail it.
pub fn check_interval(
    loaded: &LoadedScenario,
    user: &[Override],
    opts: &AdviseOptions,
    interval_ms: f64,
) -> Result<Verification, AdviseError> {
    let scenario = loaded.with_overrides(user)?;
    let pool = super::pool(opts)?;
    let r = Runner {
        loaded,
        user,
        label: "check",
        pool: &pool,
    };
    let failure = FailureModel::new(opts.failure, opts.mtbf_s, opts.mtbf_per, scenario.cluster.taskmanagers);
    check(&r, scenario.simulation.seed, &failure, interval_ms, opts)
}

/// Mean and the half-width of its 95 % confidence interval (Student's t, n - 1 degrees).
pub fn mean_ci95(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    if xs.len() < 2 {
        return (mean, f64::INFINITY);
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let t = crate::confidence::student_t_quantile(0.975, n - 1.0);
    (mean, t * (var / n).sqrt())
}
