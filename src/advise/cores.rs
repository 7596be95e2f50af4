//! How many cores per TaskManager does the job need to keep up with its input, with the spare
//! throughput the verdict asks for?
//!
//! The TaskManagers' cores (`taskmanager.cpu.cores`, the scenario's `cores_per_taskmanager`,
//! default one per slot) are set to 1/4 to 4 times the scenario's, in quarter cores (a
//! Kubernetes CPU limit may be a fraction), then refined in quarter cores (at most seven more
//! runs) between the last count that misses the target and the first from which every count
//! meets it. Each run covers 13 intervals (at least 30 s) after the warm-up, on the same seed.
//! A core count meets the target when the job keeps up with its input (the verdict's
//! throughput finding is OK), its busiest subtask has at least [`HEADROOM_WARNING`] spare
//! throughput, and no checkpoint fails. The answer is the smallest count from which every
//! larger one meets it too. If even four times the cores miss it, the cores are not the limit:
//! the answer says how busy the busiest subtask still is.

use serde::Serialize;

use super::baseline::Baseline;
use super::variants::{Runner, Variant, dur};
use super::{AdviseError, human_ms};
use crate::metrics::{RunOutput, Status};
use crate::verdict::Headroom;
use crate::verdict::thresholds::HEADROOM_WARNING;

/// Counts simulated between the last that misses the target and the first that meets it.
const REFINEMENT_RUNS: usize = 7;

/// Multiples of the scenario's cores per TaskManager that are simulated first.
const FACTORS: [f64; 9] = [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0];

#[derive(Clone, Debug, Serialize)]
pub struct CoresPoint {
    pub cores_per_taskmanager: f64,
    /// The verdict's throughput finding is OK: the job keeps up with its input.
    pub keeps_up: bool,
    /// The busiest subtask, its busy share, and the share of that it waited for a core.
    pub busiest: String,
    pub busy_ratio: f64,
    pub waiting_for_cores_share: f64,
    pub p99_ms: f64,
    pub failed: u64,
}

impl CoresPoint {
    pub fn spare(&self) -> f64 {
        1.0 / self.busy_ratio.max(1e-3) - 1.0
    }

    fn meets(&self) -> bool {
        self.keeps_up && self.spare() >= HEADROOM_WARNING && self.failed == 0
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct CoresAnswer {
    pub current: f64,
    pub needed: Option<f64>,
    pub points: Vec<CoresPoint>,
    pub sentence: String,
}

pub fn answer(r: &Runner, base: &Baseline) -> Result<CoresAnswer, AdviseError> {
    let current = base.shape.cores.cores_per_taskmanager;
    if !current.is_finite() {
        return Err(AdviseError::Question(
            "cores: the scenario gives every thread a core of its own (cores_per_taskmanager is unlimited)".into(),
        ));
    }
    let mut coarse: Vec<f64> = FACTORS.iter().map(|f| quarter(current * f).max(0.25)).collect();
    coarse.dedup();
    let window_ns = base.interval_ms().map_or(30e9, |i| (13.0 * i * 1e6).max(30e9));
    let end_ns = base.warmup_ns() + window_ns;
    let run = |cores: &[f64]| -> Result<Vec<CoresPoint>, AdviseError> {
        let variants: Vec<Variant> = cores
            .iter()
            .map(|c| {
                Variant::new(base.seed_for(0))
                    .set("cluster.cores_per_taskmanager", c)
                    .set("simulation.duration", dur(end_ns))
            })
            .collect();
        Ok(r.run_all(&variants)?
            .iter()
            .zip(cores)
            .map(|(o, c)| point(o, *c))
            .collect())
    };
    let mut points = run(&coarse)?;
    // Between the last count that misses the target and the first from which every count meets
    // it: quarter cores (at most `REFINEMENT_RUNS` counts, evenly spaced in quarter cores).
    if let Some(i) = first_meeting_from(&points)
        && i > 0
    {
        let (lo, hi) = (points[i - 1].cores_per_taskmanager, points[i].cores_per_taskmanager);
        let step = quarter(((hi - lo) / (REFINEMENT_RUNS + 1) as f64).max(0.25)).max(0.25);
        let between: Vec<f64> = (1..)
            .map(|k| lo + step * k as f64)
            .take_while(|c| *c < hi - 1e-9)
            .collect();
        points.extend(run(&between)?);
        points.sort_by(|a, b| a.cores_per_taskmanager.total_cmp(&b.cores_per_taskmanager));
    }
    let needed = first_meeting_from(&points).map(|i| points[i].cores_per_taskmanager);
    let sentence = sentence(&points, current, needed);
    Ok(CoresAnswer {
        current,
        needed,
        points,
        sentence,
    })
}

/// The first point (in core order) from which every point meets the target, if one.
fn first_meeting_from(points: &[CoresPoint]) -> Option<usize> {
    match points.iter().rposition(|p| !p.meets()) {
        None => Some(0),
        Some(i) => (i + 1 < points.len()).then_some(i + 1),
    }
}

/// `c` rounded to a quarter core.
fn quarter(c: f64) -> f64 {
    (c * 4.0).round() / 4.0
}

fn point(o: &RunOutput, cores: f64) -> CoresPoint {
    let s = &o.summary;
    let h = Headroom::of(s);
    let e2e = s.summary.get("end_to_end_duration").filter(|e| e.count > 0);
    CoresPoint {
        cores_per_taskmanager: cores,
        keeps_up: s
            .verdict
            .iter()
            .any(|f| f.topic == "throughput" && f.status == Status::Ok),
        busiest: h.busiest,
        busy_ratio: h.busy_ratio,
        waiting_for_cores_share: h.waiting_for_cores_share,
        p99_ms: e2e.map_or(f64::NAN, |e| e.p99),
        failed: s.counts.failed,
    }
}

/// `1 core`, `2.5 cores`.
pub fn cores_text(c: f64) -> String {
    if c == 1.0 {
        "1 core".into()
    } else {
        format!("{c} cores")
    }
}

/// How point `p` fares, for the sentence.
fn state(p: &CoresPoint) -> String {
    let keeps = if p.keeps_up {
        format!("keeps up with {:.0} % spare throughput", p.spare() * 100.0)
    } else {
        "does not keep up with its input".to_string()
    };
    let checkpoints = if p.p99_ms.is_finite() {
        format!(", p99 checkpoint {}", human_ms(p.p99_ms))
    } else {
        String::new()
    };
    format!(
        "{keeps} (busiest subtask `{}` busy {:.0} %, {:.0} % of it waiting for a core{checkpoints})",
        p.busiest,
        p.busy_ratio * 100.0,
        p.waiting_for_cores_share * 100.0
    )
}

fn sentence(points: &[CoresPoint], current: f64, needed: Option<f64>) -> String {
    let at = |c: f64| points.iter().find(|p| p.cores_per_taskmanager == c);
    let target = format!(
        "to keep up with its input with {:.0} % spare throughput",
        HEADROOM_WARNING * 100.0
    );
    let now = at(current).map(state).unwrap_or_default();
    match needed {
        Some(n) if n <= current => {
            let fewer = if n < current {
                format!(
                    " {} would do, the fewest of those tried (taskmanager.cpu.cores: {n}): it {}.",
                    cores_text(n),
                    at(n).map(state).unwrap_or_default()
                )
            } else {
                String::new()
            };
            format!(
                "The TaskManagers have the cores the job needs {target}: at {} per TaskManager (as configured) it \
                 {now}.{fewer}",
                cores_text(current)
            )
        }
        Some(n) => format!(
            "Give each TaskManager {} (taskmanager.cpu.cores: {n}; it has {}) {target}: it then {}. At {} it {now}.",
            cores_text(n),
            current,
            at(n).map(state).unwrap_or_default(),
            cores_text(current)
        ),
        None => {
            let most = points.last().map_or(current, |p| p.cores_per_taskmanager);
            format!(
                "More cores alone do not get the job {target}: with {} per TaskManager it still {}. The operators' \
                 own work is the limit: give the busiest one more parallelism (on more TaskManagers or more cores). \
                 At {} it {now}.",
                cores_text(most),
                at(most).map(state).unwrap_or_default(),
                cores_text(current)
            )
        }
    }
}
