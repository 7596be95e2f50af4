//! Aligned, unaligned, or aligned with a timeout, for this job?
//!
//! Each mode runs the scenario as written (checkpoint durations, in-flight data persisted,
//! failed checkpoints) and once more with a failure halfway through, half an interval after a
//! checkpoint's trigger (state download, in-flight data restored, time to live output). The
//! aligned timeout tried is twice the aligned checkpoints' p50 duration: a checkpoint stays
//! aligned while the job runs as usual and turns unaligned only when backpressure holds its
//! barriers back.
//!
//! The rule, in order: a mode whose checkpoints expire or fail is out; aligned is chosen while
//! its p99 duration is within 25 % of the fastest mode's (it persists no in-flight data, so its
//! checkpoints are smallest and its restores simplest); then aligned with a timeout, within 25 %
//! of the fastest (it persists in-flight data only when it must); else unaligned.

use serde::Serialize;

use super::baseline::Baseline;
use super::cost::stale_spans;
use super::failure::FailureModel;
use super::variants::{Runner, Variant, dur};
use super::{AdviseError, human_ms};
use crate::metrics::RunOutput;

/// How much slower than the fastest mode aligned checkpoints may be and still be preferred.
const ALIGNED_SLACK: f64 = 1.25;

#[derive(Clone, Debug, Serialize)]
pub struct ModePoint {
    pub mode: String,
    /// The `--set` overrides (and Flink keys) that select it.
    pub settings: Vec<String>,
    pub completed: u64,
    pub failed: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub persisted_p99_bytes: f64,
    pub restore_ms: Option<f64>,
    pub channel_state_records: u64,
    /// Fault to live output (ms); with `back_live_censored`, the run ended first and this is a
    /// lower bound.
    pub back_live_ms: Option<f64>,
    pub back_live_censored: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct ModeAnswer {
    pub points: Vec<ModePoint>,
    pub chosen: String,
    pub sentence: String,
}

fn modes(aligned_timeout_ns: f64) -> Vec<(String, Vec<(&'static str, String)>)> {
    vec![
        (
            "aligned".into(),
            vec![
                ("checkpoint.unaligned", "false".into()),
                ("checkpoint.aligned_checkpoint_timeout", dur(0.0)),
            ],
        ),
        (
            "unaligned".into(),
            vec![
                ("checkpoint.unaligned", "true".into()),
                ("checkpoint.aligned_checkpoint_timeout", dur(0.0)),
            ],
        ),
        (
            format!("aligned, {} timeout", human_ms(aligned_timeout_ns / 1e6)),
            vec![
                ("checkpoint.unaligned", "true".into()),
                ("checkpoint.aligned_checkpoint_timeout", dur(aligned_timeout_ns)),
            ],
        ),
    ]
}

pub fn answer(r: &Runner, base: &Baseline, failure: &FailureModel) -> Result<ModeAnswer, AdviseError> {
    // The aligned run first: its duration sets the timeout the third mode tries.
    let aligned = r.run_all(&[set_all(Variant::new(base.seed_for(0)), &modes(0.0)[0].1)])?;
    let timeout_ns = (2.0 * p(&aligned[0], "end_to_end_duration", |s| s.p50).max(1.0)).round() * 1e6;
    let ms = modes(timeout_ns);
    let at_ns = base.mid_interval_from_ns(base.duration_ns() / 2.0);
    let window_ms = base.recovery_window_ms(failure, base.interval_ms().unwrap_or(0.0));
    let end_ns = base.duration_ns().max(at_ns + window_ms * 1e6);
    let mut variants = Vec::new();
    for (i, (_, settings)) in ms.iter().enumerate() {
        if i > 0 {
            variants.push(set_all(Variant::new(base.seed_for(0)), settings));
        }
        let v = set_all(Variant::new(base.seed_for(0)), settings).set("simulation.duration", dur(end_ns));
        variants.push(failure.once(v, at_ns));
    }
    let outs: Vec<RunOutput> = aligned.into_iter().chain(r.run_all(&variants)?).collect();
    let points: Vec<ModePoint> = ms
        .iter()
        .zip(outs.chunks(2))
        .map(|((name, settings), o)| {
            let f = o[1].failures.first();
            let spans = stale_spans(&o[1]);
            ModePoint {
                mode: name.clone(),
                settings: settings
                    .iter()
                    .map(|(k, v)| format!("{k}={}", v.trim_matches('"')))
                    .collect(),
                completed: o[0].summary.counts.completed,
                failed: o[0].summary.counts.failed,
                p50_ms: p(&o[0], "end_to_end_duration", |s| s.p50),
                p99_ms: p(&o[0], "end_to_end_duration", |s| s.p99),
                persisted_p99_bytes: p(&o[0], "persisted_data", |s| s.p99),
                restore_ms: f.and_then(|f| f.restore_duration),
                channel_state_records: f.map_or(0, |f| f.channel_state_records),
                back_live_ms: (!spans.is_empty()).then(|| spans.iter().map(|s| s.duration_ms()).sum()),
                back_live_censored: spans.iter().any(|s| s.censored),
            }
        })
        .collect();
    let healthy: Vec<&ModePoint> = points.iter().filter(|m| m.failed == 0 && m.completed > 0).collect();
    let fastest = healthy.iter().map(|m| m.p99_ms).fold(f64::INFINITY, f64::min);
    let pick = healthy
        .iter()
        .find(|m| m.mode == "aligned" && m.p99_ms <= ALIGNED_SLACK * fastest)
        .or_else(|| {
            healthy
                .iter()
                .find(|m| m.mode.starts_with("aligned,") && m.p99_ms <= ALIGNED_SLACK * fastest)
        })
        .or_else(|| healthy.iter().find(|m| m.mode == "unaligned"))
        .or_else(|| healthy.first());
    let (chosen, sentence) = match pick {
        Some(m) => (
            m.mode.clone(),
            format!(
                "Use {} checkpoints ({}): p99 {} ({} for the fastest mode), {} of in-flight data persisted at p99{}.",
                m.mode,
                flink_keys(&m.mode, timeout_ns),
                human_ms(m.p99_ms),
                human_ms(fastest),
                bytes(m.persisted_p99_bytes),
                m.back_live_ms.map_or(String::new(), |b| if m.back_live_censored {
                    // The run ended first: its figure is where it was cut, a lower bound.
                    format!(
                        ", output not live again within the {} simulated after {}",
                        human_ms(b),
                        failure.what()
                    )
                } else {
                    format!(", output live again {} after {}", human_ms(b), failure.what())
                })
            ),
        ),
        None => (
            "none".into(),
            "No mode completes its checkpoints without failures: the checkpoint timeout, the storage or the job's \
             capacity must change first."
                .into(),
        ),
    };
    Ok(ModeAnswer {
        points,
        chosen,
        sentence,
    })
}

fn set_all(mut v: Variant, settings: &[(&str, String)]) -> Variant {
    for (k, val) in settings {
        v = v.set(k, val);
    }
    v
}

fn p(o: &RunOutput, name: &str, f: fn(&crate::metrics::StatsSummary) -> f64) -> f64 {
    o.summary.summary.get(name).filter(|s| s.count > 0).map_or(f64::NAN, f)
}

/// The Flink configuration that selects a mode.
pub fn flink_keys(mode: &str, timeout_ns: f64) -> String {
    match mode {
        "aligned" => "execution.checkpointing.unaligned.enabled: false".into(),
        "unaligned" => "execution.checkpointing.unaligned.enabled: true".into(),
        _ => format!(
            "execution.checkpointing.unaligned.enabled: true, execution.checkpointing.aligned-checkpoint-timeout: {}",
            super::interval::flink_duration(timeout_ns / 1e6)
        ),
    }
}

fn bytes(b: f64) -> String {
    if !b.is_finite() || b == 0.0 {
        "no bytes".into()
    } else if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else {
        format!("{:.0} kB", b / 1e3)
    }
}
