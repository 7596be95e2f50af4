//! How much spare throughput does the job need to be live again within a target time after a
//! failure?
//!
//! The input rate of every source is scaled (the same job with more or less input), a failure
//! strikes two and a half intervals after the warm-up, half an interval after a checkpoint's
//! trigger (the average case; `Baseline::mid_interval_from_ns`), and the run measures how long
//! the job takes from the fault to live output, up to 1.25 times the target (a run that is not
//! live by then misses it, and its figure is only a lower bound). The factors simulated are
//! today's and five around the limit a queueing estimate predicts (`factors`), then up to three
//! rounds of three between the last factor meeting the target and the first missing it while
//! they lie more than 0.05 apart (`refinement`). The spare throughput at input factor `r` is
//! `1 / (rho r) - 1`, with `rho` the busiest subtask's busy share at the scenario's input (busy
//! time grows with the records it processes). The largest factor that still meets the target,
//! interpolated between the two runs around it, gives the spare throughput the job needs.

use serde::Serialize;

use super::baseline::Baseline;
use super::cost::stale_total_ms;
use super::failure::FailureModel;
use super::variants::{Runner, Variant, dur};
use super::{AdviseError, human_ms};

/// Rounds of three runs between the last input meeting the target and the first missing it.
const REFINEMENT_ROUNDS: usize = 3;

/// Around the predicted limit: the runs go where the answer is.
const AROUND: [f64; 5] = [0.7, 0.85, 1.0, 1.15, 1.3];

/// Input factors to simulate: today's, and five around the limit a queue predicts. An outage
/// `down` plus `lost` work to replay is a backlog of `(down + lost) lambda` records, worked off
/// at `mu - lambda`; so the time to live output is `down + (down + lost) x / (1 - x)` with
/// `x = rho r`, the busiest subtask's busy share at input factor `r`. Solved for the target.
fn factors(base: &Baseline, failure: &FailureModel, interval_ms: f64, target_ms: f64, rho: f64) -> Vec<f64> {
    let down = base.outage_estimate_ms(failure);
    let lost = interval_ms / 2.0 + base.checkpoint_p50_ms();
    let k = ((target_ms - down) / (down + lost)).max(0.05);
    let predicted = (k / (1.0 + k)) / rho;
    let mut f: Vec<f64> = AROUND
        .iter()
        .map(|a| a * predicted)
        .chain([1.0])
        .filter(|f| rho * f < 1.1)
        .map(|f| (f * 100.0).round() / 100.0)
        .collect();
    f.sort_by(f64::total_cmp);
    f.dedup_by(|a, b| (*a - *b).abs() < 0.02);
    f
}

/// Input factors between the last run that met the target and the first that missed it, when
/// they are more than 0.05 apart: a quarter, half and three quarters of the way (rounded to
/// hundredths, as the first runs are).
fn refinement(points: &[HeadroomPoint], ok: &dyn Fn(&HeadroomPoint) -> bool) -> Vec<f64> {
    let Some(i) = last_meeting(points, ok) else {
        return Vec::new();
    };
    let Some(next) = points.get(i + 1) else {
        return Vec::new();
    };
    let (a, b) = (points[i].input_factor, next.input_factor);
    if b - a <= 0.05 {
        return Vec::new();
    }
    let mut f: Vec<f64> = [0.25, 0.5, 0.75]
        .iter()
        .map(|w| ((a + w * (b - a)) * 100.0).round() / 100.0)
        .filter(|f| *f > a && *f < b)
        .collect();
    f.dedup();
    f
}

/// The last of the runs (in input order) up to which every run meets the target: the bracket
/// the refinement narrows and the limit is interpolated from.
fn last_meeting(points: &[HeadroomPoint], ok: &dyn Fn(&HeadroomPoint) -> bool) -> Option<usize> {
    points.iter().take_while(|p| ok(p)).count().checked_sub(1)
}

/// What happens after the failure at today's input. A run that never got its output live is
/// cut at its end, so its figure is a lower bound, not a time it took.
fn today_outcome(now: &HeadroomPoint, within_target: bool) -> String {
    if now.censored {
        format!(
            "is not live again within the {} simulated after it, OVER the target",
            human_ms(now.back_live_ms)
        )
    } else if within_target {
        format!("is live again in {}, within the target", human_ms(now.back_live_ms))
    } else {
        format!("is live again in {}, OVER the target", human_ms(now.back_live_ms))
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct HeadroomPoint {
    pub input_factor: f64,
    pub spare_throughput: f64,
    /// Fault to live output (ms); the run's end when it never got there.
    pub back_live_ms: f64,
    pub censored: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct HeadroomAnswer {
    pub target_ms: f64,
    pub busy_ratio: f64,
    pub current_spare: f64,
    /// Largest input factor meeting the target (interpolated).
    pub max_input_factor: Option<f64>,
    pub needed_spare: Option<f64>,
    pub points: Vec<HeadroomPoint>,
    pub sentence: String,
}

pub fn answer(
    r: &Runner,
    base: &Baseline,
    failure: &FailureModel,
    target_ms: f64,
) -> Result<HeadroomAnswer, AdviseError> {
    let interval = base
        .interval_ms()
        .ok_or_else(|| AdviseError::Question("catch-up: the scenario takes no periodic checkpoints".into()))?;
    let h = base.headroom();
    let rho = h.busy_ratio;
    let at_ns = base.mid_interval_from_ns(base.warmup_ns() + 2.0 * interval * 1e6);
    let end_ns = at_ns + 1.25 * target_ms * 1e6;
    let simulate = |factors: &[f64]| -> Result<Vec<HeadroomPoint>, AdviseError> {
        let variants: Vec<Variant> = factors
            .iter()
            .map(|f| {
                let mut v = Variant::new(base.seed_for(0)).set("simulation.duration", dur(end_ns));
                for o in &base.scenario.operators {
                    if let Some(rate) = &o.rate {
                        v = v.set(
                            &format!("operators.{}.rate.records_per_second", o.name),
                            rate.records_per_second * f,
                        );
                    }
                }
                failure.once(v, at_ns)
            })
            .collect();
        let outs = r.run_all(&variants)?;
        Ok(factors
            .iter()
            .zip(&outs)
            .map(|(&f, o)| {
                let (back_live_ms, censored) = stale_total_ms(o);
                HeadroomPoint {
                    input_factor: f,
                    spare_throughput: 1.0 / (rho * f) - 1.0,
                    back_live_ms,
                    censored,
                }
            })
            .collect())
    };
    let ok = |p: &HeadroomPoint| !p.censored && p.back_live_ms <= target_ms;
    let mut points = simulate(&factors(base, failure, interval, target_ms, rho))?;
    // The queueing estimate places the runs; while the last one meeting the target and the
    // first one missing it lie far apart, three more runs between them narrow the limit (a run
    // that never got live says nothing about where between them the limit lies). Each round
    // quarters the gap, until it is 0.05 or less (a gap of 0.8 takes two rounds).
    for _ in 0..REFINEMENT_ROUNDS {
        let extra = refinement(&points, &ok);
        if extra.is_empty() {
            break;
        }
        points.extend(simulate(&extra)?);
        points.sort_by(|a, b| a.input_factor.total_cmp(&b.input_factor));
    }
    // The largest factor meeting the target, interpolated towards the first one missing it.
    let max_factor = last_meeting(&points, &ok).map(|i| match points.get(i + 1) {
        Some(next) if !next.censored => {
            let a = &points[i];
            let w = (target_ms - a.back_live_ms) / (next.back_live_ms - a.back_live_ms);
            a.input_factor + w.clamp(0.0, 1.0) * (next.input_factor - a.input_factor)
        }
        _ => points[i].input_factor,
    });
    let needed = max_factor.map(|f| 1.0 / (rho * f) - 1.0);
    let now = points.iter().find(|p| p.input_factor == 1.0);
    let sentence = match (needed, now) {
        (Some(n), Some(now)) => format!(
            "To be live again within {} of {}, the job needs at least {:.0} % spare throughput (its busiest subtask \
             at most {:.0} % busy). It has {:.0} % ({}): after the failure its output {}. It stays within the \
             target up to {:.2}x today's input.",
            human_ms(target_ms),
            failure.what(),
            n * 100.0,
            100.0 / (1.0 + n),
            h.spare() * 100.0,
            h.busiest,
            today_outcome(now, ok(now)),
            max_factor.unwrap_or(0.0)
        ),
        _ => format!(
            "Even at half today's input the job is not live again within {} of a failure: the outage itself \
             (detection, restart, state download) is too long, whatever the spare throughput.",
            human_ms(target_ms)
        ),
    };
    Ok(HeadroomAnswer {
        target_ms,
        busy_ratio: rho,
        current_spare: h.spare(),
        max_input_factor: max_factor,
        needed_spare: needed,
        points,
        sentence,
    })
}
