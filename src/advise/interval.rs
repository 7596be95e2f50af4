//! Which checkpoint interval loses the least time, for a given failure rate?
//!
//! The expected share of time lost at interval `T` is what checkpointing blocks plus what
//! failures cost, each simulated: `c(T) / max(T, D) + E[stale(T)] / M`, where `c(T)` is the time
//! per checkpoint the bottleneck operator loses (synchronous phase, alignment, and the slowdown
//! of its task threads while the host's snapshot threads hold cores) in a
//! run at interval `T` without failure (it depends on `T`: a RocksDB flush grows with the data
//! written between checkpoints), `D` the checkpoint's p50 duration (checkpoints cannot come
//! closer together), `M` the job's MTBF and `stale(T)` the time from a failure until the job's
//! output is live again, measured in runs at interval `T` that fail once, at three phases of the
//! interval (1/6, 1/2, 5/6 into it: the strata of a failure that strikes at a uniformly random
//! moment), after the first checkpoint (a full upload) is done. Every run has the same seed:
//! candidates differ by their interval alone (common random numbers). This is the renewal-reward argument of Young and Daly's models, with the terms
//! simulated instead of assumed: checkpoints are not blocking, and detection, restart, state
//! download, replay and catch-up all count. Young's `sqrt(2 C M)` (with `C` the checkpoint
//! duration, as if blocking) is shown beside it, labelled as a reference.
//!
//! Candidate intervals are powers of two seconds from about `D` to twice Young's interval (the
//! optimum cannot be longer than the one for blocking checkpoints by much), at most 30 minutes,
//! plus the interval configured today; they are simulated shortest first, two at a time, and
//! the search stops once two candidates past the cheapest cost more. The answer is exact to a
//! factor of sqrt(2).

use serde::Serialize;

use super::baseline::Baseline;
use super::cost::{blocked_ms_per_checkpoint, slowed_by_snapshots_share, stale_total_ms};
use super::failure::FailureModel;
use super::variants::{Runner, Variant, dur};
use super::{AdviseError, human_ms};

/// Strata of the failure's moment within an interval.
const PHASES: [f64; 3] = [1.0 / 6.0, 0.5, 5.0 / 6.0];
/// Longest interval considered (ms).
const LONGEST_MS: f64 = 30.0 * 60e3;
/// Candidates simulated together (each with every phase).
const BATCH: usize = 2;

#[derive(Clone, Debug, Serialize)]
pub struct IntervalPoint {
    pub interval_ms: f64,
    /// Time a bottleneck subtask loses per checkpoint at this interval (ms), from a run
    /// without failure: synchronous phase, alignment, and the slowdown while snapshot threads
    /// held its host's cores.
    pub blocked_ms_per_checkpoint: f64,
    /// Share of time blocked by checkpoints.
    pub checkpoint_share: f64,
    /// Fault to live output, per phase (ms).
    pub stale_ms: Vec<f64>,
    /// Expected share of time lost to failures.
    pub failure_share: f64,
    pub total_share: f64,
    /// Runs that ended before the job was live again (their stale time is a lower bound).
    pub censored: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct IntervalAnswer {
    pub failure: FailureModel,
    pub checkpoint_p50_ms: f64,
    pub points: Vec<IntervalPoint>,
    pub best_interval_ms: f64,
    pub current_interval_ms: Option<f64>,
    /// Young's interval, sqrt(2 C M) with C the p50 checkpoint duration: a reference only.
    pub young_interval_ms: f64,
    pub sentence: String,
}

pub fn candidates_ms(d50_ms: f64, young_ms: f64) -> Vec<f64> {
    let lo = (d50_ms / 1e3).max(1.0).log2().ceil() as i32;
    let hi = ((2.0 * young_ms / 1e3).min(LONGEST_MS / 1e3)).log2().ceil() as i32;
    (lo..=hi.max(lo + 3)).map(|k| 2f64.powi(k) * 1e3).collect()
}

pub fn answer(r: &Runner, base: &Baseline, failure: &FailureModel) -> Result<IntervalAnswer, AdviseError> {
    let d50 = base.checkpoint_p50_ms();
    let young = (2.0 * d50 / 1e3 * failure.job_mtbf_s).sqrt() * 1e3;
    let mut all = candidates_ms(d50, young);
    // The interval configured today is simulated too, so the answer can say what it costs.
    if let Some(cur) = base.interval_ms()
        && cur >= all[0]
        && cur <= LONGEST_MS
        && all.iter().all(|t| (t / cur - 1.0).abs() > 0.01)
    {
        all.push(cur);
        all.sort_by(f64::total_cmp);
    }
    let f0_ns = base.warmup_ns().max(1e9);
    // The first checkpoint uploads all the state there is: the steady runs wait it out.
    let first_ms = base
        .out
        .summary
        .summary
        .get("end_to_end_duration")
        .map_or(0.0, |e| e.max);
    let variants_for = |t: f64| -> Vec<Variant> {
        // The failure strikes a phase into an interval once the first checkpoint (which uploads
        // all the state) is long done, so what is lost is what a steady job loses.
        let steady_from = ((1.2 * first_ms / t).ceil() + 1.0) * t;
        PHASES
            .iter()
            .map(|phase| {
                let at_ns = f0_ns + (steady_from + phase * t) * 1e6;
                let lost_ms = phase * t + d50;
                let end_ns = at_ns + base.recovery_window_ms(failure, lost_ms) * 1e6;
                // One seed for every run: candidates and phases differ by their timing alone.
                let v = Variant::new(base.seed_for(0))
                    .set("checkpoint.interval", dur(t * 1e6))
                    .set("checkpoint.first_trigger_delay", dur(f0_ns))
                    .set("simulation.duration", dur(end_ns));
                failure.once(v, at_ns)
            })
            .chain([
                // No failure: what checkpoints at this interval block, over the two or three after the first.
                Variant::new(base.seed_for(0))
                    .set("checkpoint.interval", dur(t * 1e6))
                    .set("checkpoint.first_trigger_delay", dur(f0_ns))
                    .set("simulation.duration", dur(f0_ns + (first_ms + 3.5 * t.max(d50)) * 1e6)),
            ])
            .collect()
    };
    // Shortest candidates first, a batch at a time: once two candidates past the minimum cost
    // more, the longer ones (the most expensive to simulate) cannot win on a curve that falls as
    // 1/T and then rises with T.
    let mut points: Vec<IntervalPoint> = Vec::new();
    for batch in all.chunks(BATCH) {
        let variants: Vec<Variant> = batch.iter().flat_map(|&t| variants_for(t)).collect();
        let outs = r.run_all(&variants)?;
        points.extend(
            batch
                .iter()
                .zip(outs.chunks(PHASES.len() + 1))
                .map(|(&t, runs)| point(t, &runs[..PHASES.len()], &runs[PHASES.len()], d50, failure)),
        );
        let best = (0..points.len())
            .min_by(|&a, &b| points[a].total_share.total_cmp(&points[b].total_share))
            .expect("a batch ran");
        if points.len() >= best + 3 {
            break;
        }
    }
    let best = points
        .iter()
        .min_by(|a, b| a.total_share.total_cmp(&b.total_share))
        .expect("at least four candidates");
    let current = base.interval_ms();
    let mut sentence = format!(
        "For {}, checkpoint every {} (execution.checkpointing.interval: {}): {:.3} % of the time lost ({:.3} % \
         to checkpoints, {:.3} % to failures, each failure costing {} until output is live again).",
        failure.describe(),
        human_ms(best.interval_ms),
        flink_duration(best.interval_ms),
        best.total_share * 100.0,
        best.checkpoint_share * 100.0,
        best.failure_share * 100.0,
        human_ms(best.stale_ms.iter().sum::<f64>() / best.stale_ms.len() as f64)
    );
    if let Some(cur) = current
        && let Some(p) = points.iter().find(|p| (p.interval_ms - cur).abs() < 1.0)
    {
        sentence += &format!(" The current {} loses {:.3} %.", human_ms(cur), p.total_share * 100.0);
    } else if let Some(cur) = current {
        sentence += &format!(" (The current interval is {}.)", human_ms(cur));
    }
    sentence += &format!(
        " Young's formula would say {} (it treats a {} checkpoint as blocking and ignores recovery): a reference, \
         not the answer.",
        human_ms(young),
        human_ms(d50)
    );
    if points.iter().any(|p| p.censored > 0) {
        sentence += " Some runs ended before the job caught up; their cost is a lower bound.";
    }
    Ok(IntervalAnswer {
        failure: *failure,
        checkpoint_p50_ms: d50,
        best_interval_ms: best.interval_ms,
        current_interval_ms: current,
        young_interval_ms: young,
        points,
        sentence,
    })
}

fn point(
    t: f64,
    runs: &[crate::metrics::RunOutput],
    steady: &crate::metrics::RunOutput,
    d50: f64,
    failure: &FailureModel,
) -> IntervalPoint {
    // Blocked per checkpoint: the synchronous phase and alignment, plus the slowdown the
    // snapshot threads cause over the time between two checkpoints' starts.
    let period = t.max(d50);
    let c = blocked_ms_per_checkpoint(steady) + slowed_by_snapshots_share(steady) * period;
    let spans: Vec<(f64, bool)> = runs.iter().map(stale_total_ms).collect();
    let stale_ms: Vec<f64> = spans.iter().map(|s| s.0).collect();
    let mean = stale_ms.iter().sum::<f64>() / stale_ms.len() as f64;
    let checkpoint_share = c / period;
    let failure_share = mean / 1e3 / failure.job_mtbf_s;
    IntervalPoint {
        interval_ms: t,
        blocked_ms_per_checkpoint: c,
        checkpoint_share,
        stale_ms,
        failure_share,
        total_share: checkpoint_share + failure_share,
        censored: spans.iter().filter(|s| s.1).count(),
    }
}

/// A duration as Flink's configuration writes it (`30 s`, `2 min`).
pub fn flink_duration(ms: f64) -> String {
    let s = ms / 1e3;
    if s >= 60.0 && (s / 60.0).fract() == 0.0 {
        format!("{} min", s / 60.0)
    } else if s.fract() == 0.0 {
        format!("{s} s")
    } else {
        format!("{ms:.0} ms")
    }
}
