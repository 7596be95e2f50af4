//! Do this job's RocksDB checkpoints slow down the longer it runs without a restart?
//!
//! RocksDB appends a version edit to an instance's MANIFEST for every SST file it writes and
//! starts a new MANIFEST only when the instance opens (or past `max_manifest_file_size`), and
//! every checkpoint, full or incremental, copies the MANIFEST and uploads it
//! ([`crate::model::backend::manifest`]). So the same job's checkpoints carry more the longer
//! its instances have been open. The scenario runs with its instances open for 0 s, 1 day,
//! 7 days, 30 days and 90 days (`state_backend.instance_age`), 12 intervals after the warm-up
//! each; the answer is what a day of uptime adds to a checkpoint, and after how long the p99
//! duration passes the target share of the interval (the `bandwidth` question's target) or the
//! checkpoint timeout. The run's first checkpoint is left out: it is the same at every age.

use serde::Serialize;

use super::baseline::Baseline;
use super::variants::{Runner, Variant, dur};
use super::{AdviseError, human_ms};
use crate::metrics::{RunOutput, StatsSummary};
use crate::vocab::StateBackendKind;

const DAY_S: f64 = 86_400.0;
/// The ages tried, in days.
const AGES_D: [f64; 5] = [0.0, 1.0, 7.0, 30.0, 90.0];

#[derive(Clone, Debug, Serialize)]
pub struct AgingPoint {
    pub age_days: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub checkpointed_avg_bytes: f64,
    pub failed: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct AgingAnswer {
    pub target_ms: f64,
    pub timeout_ms: f64,
    /// What a day of uptime adds to an average checkpoint's upload (B).
    pub bytes_per_day: f64,
    /// The first age tried at which p99 passes the target (or checkpoints fail), days.
    pub first_age_over_target_days: Option<f64>,
    pub points: Vec<AgingPoint>,
    pub sentence: String,
}

pub fn answer(r: &Runner, base: &Baseline, target_share: f64) -> Result<AgingAnswer, AdviseError> {
    if base.scenario.state_backend.kind != StateBackendKind::Rocksdb {
        return Err(AdviseError::Question(
            "aging: the scenario's state backend is heap; only RocksDB's MANIFEST grows with the job's uptime".into(),
        ));
    }
    let interval = base
        .interval_ms()
        .ok_or_else(|| AdviseError::Question("aging: the scenario takes no periodic checkpoints".into()))?;
    let target_ms = target_share * interval;
    let timeout_ms = base.shape.timeout_ms;
    let end_ns = base.warmup_ns() + 13.0 * interval * 1e6;
    let variants: Vec<Variant> = AGES_D
        .iter()
        .map(|d| {
            Variant::new(base.seed_for(0))
                .set("state_backend.instance_age", dur(d * DAY_S * 1e9))
                .set("simulation.duration", dur(end_ns))
        })
        .collect();
    let points: Vec<AgingPoint> = r
        .run_all(&variants)?
        .iter()
        .zip(AGES_D)
        .map(|(o, d)| point(o, d, base.warmup_ns() / 1e6))
        .collect();
    let bytes_per_day = points[1].checkpointed_avg_bytes - points[0].checkpointed_avg_bytes;
    let over = |p: &AgingPoint| p.failed > 0 || p.p99_ms > target_ms;
    let first_over = points.iter().find(|p| over(p)).map(|p| p.age_days);
    let sentence = sentence(&points, bytes_per_day, first_over, target_share, target_ms, timeout_ms);
    Ok(AgingAnswer {
        target_ms,
        timeout_ms,
        bytes_per_day,
        first_age_over_target_days: first_over,
        points,
        sentence,
    })
}

/// The checkpoints after the warm-up, less the run's first: it uploads every file whatever
/// the age (an incremental backend's first checkpoint) and has no pace yet to age its MANIFEST.
fn point(o: &RunOutput, age_days: f64, warmup_ms: f64) -> AgingPoint {
    let first = o.checkpoints.iter().map(|c| c.id).min();
    let kept: Vec<_> = o
        .checkpoints
        .iter()
        .filter(|c| c.trigger_timestamp >= warmup_ms && Some(c.id) != first)
        .filter(|c| !c.checkpoint_type.contains("SAVEPOINT"))
        .collect();
    let done: Vec<_> = kept.iter().filter(|c| c.status == "COMPLETED").collect();
    // Still in progress when the run ended: neither completed nor failed.
    let failed = kept.iter().filter(|c| c.status == "FAILED").count() as u64;
    let e2e = StatsSummary::of(&done.iter().filter_map(|c| c.end_to_end_duration).collect::<Vec<_>>());
    let size = StatsSummary::of(&done.iter().map(|c| c.checkpointed_size as f64).collect::<Vec<_>>());
    AgingPoint {
        age_days,
        p50_ms: if e2e.count > 0 { e2e.p50 } else { f64::NAN },
        p99_ms: if e2e.count > 0 { e2e.p99 } else { f64::NAN },
        checkpointed_avg_bytes: size.avg,
        failed,
    }
}

fn days(d: f64) -> String {
    if d == 1.0 {
        "1 day".into()
    } else {
        format!("{d:.0} days")
    }
}

fn sentence(
    points: &[AgingPoint],
    bytes_per_day: f64,
    first_over: Option<f64>,
    target_share: f64,
    target_ms: f64,
    timeout_ms: f64,
) -> String {
    let trail: Vec<String> = points
        .iter()
        .map(|p| format!("{} after {}", human_ms(p.p99_ms), days(p.age_days)))
        .collect();
    let verdict = match first_over {
        Some(0.0) => format!(
            "p99 is over {:.0} % of the interval ({}) even with freshly opened instances: the MANIFEST is not what \
             limits it.",
            target_share * 100.0,
            human_ms(target_ms)
        ),
        Some(d) => format!(
            "p99 passes {:.0} % of the interval ({}) by {} of uptime{}.",
            target_share * 100.0,
            human_ms(target_ms),
            days(d),
            if points.iter().any(|p| p.p99_ms > timeout_ms || p.failed > 0) {
                ", and some checkpoints fail or pass the timeout"
            } else {
                ""
            }
        ),
        None => format!(
            "p99 stays under {:.0} % of the interval ({}) through 90 days of uptime.",
            target_share * 100.0,
            human_ms(target_ms)
        ),
    };
    format!(
        "The longer the job runs without a restart, the more each checkpoint uploads: RocksDB's MANIFEST adds \
         about {:.1} MB per day of uptime to an average checkpoint; p99 duration {}. {verdict} A restart or a \
         restore starts the MANIFEST anew; RocksDB's max_manifest_file_size (1 GiB by default, set in a \
         RocksDBOptionsFactory) caps it.",
        bytes_per_day / 1e6,
        trail.join(", ")
    )
}
