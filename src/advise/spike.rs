//! Do checkpoints still complete within the timeout under a traffic spike?
//!
//! Every source's rate is multiplied by `factor` for `length`, starting three intervals after
//! the warm-up (`rate.profile`, a step up and back down). The run goes on for the spike, the
//! checkpoint timeout and five more intervals, so that the checkpoints triggered during the
//! spike and the backlog after it are all seen. When checkpoints fail, the usual fixes are run
//! the same way: unaligned checkpoints, aligned with a timeout (half the interval), buffer
//! debloating, and a timeout long enough for the longest checkpoint seen; the answer names
//! those that make every checkpoint complete.

use serde::Serialize;

use super::baseline::Baseline;
use super::variants::{Runner, Variant, dur};
use super::{AdviseError, human_ms};
use crate::metrics::RunOutput;

/// A fix tried: its name, its `--set` overrides, its Flink configuration.
struct Fix(&'static str, Vec<(&'static str, String)>, String);

#[derive(Clone, Debug, Serialize)]
pub struct SpikeRun {
    pub name: String,
    /// The `--set` overrides and the Flink keys that make it.
    pub settings: Vec<String>,
    pub flink: String,
    pub completed: u64,
    pub failed: u64,
    pub expired: u64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub lag_max_ms: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct SpikeAnswer {
    pub factor: f64,
    pub length_ms: f64,
    pub start_ms: f64,
    pub timeout_ms: f64,
    pub runs: Vec<SpikeRun>,
    /// Names of the runs (fixes) in which every checkpoint completed.
    pub fixes: Vec<String>,
    pub sentence: String,
}

pub fn answer(r: &Runner, base: &Baseline, factor: f64, length_ms: f64) -> Result<SpikeAnswer, AdviseError> {
    let interval = base
        .interval_ms()
        .ok_or_else(|| AdviseError::Question("spike: the scenario takes no periodic checkpoints".into()))?;
    if let Some(o) = base
        .scenario
        .operators
        .iter()
        .find(|o| o.connector == Some(crate::vocab::SourceConnector::Datagen))
    {
        return Err(AdviseError::Question(format!(
            "spike: source `{}` is a rate-limited generator (connector = \"datagen\"): nothing arrives from outside, \
             so its input cannot spike (it emits at most its limit); ask about a log source",
            o.name
        )));
    }
    let timeout_ms = base.shape.timeout_ms;
    let start_ms = base.warmup_ns() / 1e6 + 3.0 * interval;
    let end_ns = (start_ms + length_ms + timeout_ms + 5.0 * interval) * 1e6;
    let spiked = |v: Variant| -> Variant {
        let mut v = v.set("simulation.duration", dur(end_ns));
        for o in base.scenario.operators.iter().filter(|o| o.rate.is_some()) {
            v = v.set(
                &format!("operators.{}.rate.profile", o.name),
                format!(
                    "{{ shape = \"steps\", points = [[\"0s\", 1.0], [{}, {factor}], [{}, 1.0]] }}",
                    dur(start_ms * 1e6),
                    dur((start_ms + length_ms) * 1e6)
                ),
            );
        }
        v
    };
    let as_is = r.run_all(&[spiked(Variant::new(base.seed_for(0)))])?.remove(0);
    let mut runs = vec![summarise("as configured", vec![], String::new(), &as_is, start_ms)];
    if runs[0].failed > 0 {
        let longest = as_is
            .checkpoints
            .iter()
            .filter_map(|c| c.end_to_end_duration)
            .fold(timeout_ms, f64::max);
        let fixes: Vec<Fix> = vec![
            Fix(
                "unaligned checkpoints",
                vec![
                    ("checkpoint.unaligned", "true".into()),
                    ("checkpoint.aligned_checkpoint_timeout", dur(0.0)),
                ],
                "execution.checkpointing.unaligned.enabled: true".into(),
            ),
            Fix(
                "aligned with a timeout",
                vec![
                    ("checkpoint.unaligned", "true".into()),
                    ("checkpoint.aligned_checkpoint_timeout", dur(interval / 2.0 * 1e6)),
                ],
                format!(
                    "execution.checkpointing.unaligned.enabled: true, execution.checkpointing.aligned-checkpoint-timeout: {}",
                    super::interval::flink_duration(interval / 2.0)
                ),
            ),
            Fix(
                "buffer debloating",
                vec![("network.debloat.enabled", "true".into())],
                "taskmanager.network.memory.buffer-debloat.enabled: true".into(),
            ),
            Fix(
                "a longer timeout",
                vec![("checkpoint.timeout", dur(4.0 * longest * 1e6))],
                format!(
                    "execution.checkpointing.timeout: {}",
                    super::interval::flink_duration((4.0 * longest / 1e3).ceil() * 1e3)
                ),
            ),
        ];
        let variants: Vec<Variant> = fixes
            .iter()
            .map(|Fix(_, set, _)| {
                let mut v = Variant::new(base.seed_for(0));
                for (k, val) in set {
                    v = v.set(k, val);
                }
                spiked(v)
            })
            .collect();
        for (Fix(name, set, flink), o) in fixes.iter().zip(r.run_all(&variants)?) {
            let settings = set
                .iter()
                .map(|(k, v)| format!("{k}={}", v.trim_matches('"')))
                .collect();
            runs.push(summarise(name, settings, flink.clone(), &o, start_ms));
        }
    }
    let fixes: Vec<String> = runs[1..]
        .iter()
        .filter(|r| r.failed == 0)
        .map(|r| r.name.clone())
        .collect();
    let first = &runs[0];
    let what = format!(
        "Under a {factor}x traffic spike lasting {} (from {} in)",
        human_ms(length_ms),
        human_ms(start_ms)
    );
    let sentence = if first.failed == 0 {
        format!(
            "{what}, every checkpoint still completes: p99 {}, longest {} against the {} timeout; the sources fall \
             up to {} behind.",
            human_ms(first.p99_ms),
            human_ms(first.max_ms),
            human_ms(timeout_ms),
            human_ms(first.lag_max_ms)
        )
    } else {
        let named: Vec<String> = runs[1..]
            .iter()
            .filter(|r| r.failed == 0)
            .map(|r| format!("{} ({}; p99 {})", r.name, r.flink, human_ms(r.p99_ms)))
            .collect();
        format!(
            "{what}, {} of {} checkpoints fail ({} expired after the {} timeout). {}",
            first.failed,
            first.completed + first.failed,
            first.expired,
            human_ms(timeout_ms),
            if named.is_empty() {
                "None of unaligned checkpoints, an aligned timeout, buffer debloating or a longer timeout fixes it: \
                 the job needs more capacity (see the catch-up answer)."
                    .to_string()
            } else {
                format!("Fix: {}.", named.join("; or "))
            }
        )
    };
    Ok(SpikeAnswer {
        factor,
        length_ms,
        start_ms,
        timeout_ms,
        runs,
        fixes,
        sentence: sentence + &behind_already(base),
    })
}

/// When the job does not keep up with its input even without the spike (the scenario's own
/// verdict), the spike's lag is not the spike's alone: said, with the growth the verdict read.
fn behind_already(base: &Baseline) -> String {
    base.out
        .summary
        .verdict
        .iter()
        .find(|f| f.topic == "throughput" && f.status == crate::metrics::Status::Problem)
        .and_then(|f| f.figures.get("lag_growth_s_per_s"))
        .map_or(String::new(), |g| {
            format!(
                " Without the spike the job already falls behind (its lag grows by {:.0} ms every second), so not \
                 all of that lag is the spike's: see the catch-up answer.",
                g * 1e3
            )
        })
}

/// Checkpoints triggered from the spike's start on.
fn summarise(name: &str, settings: Vec<String>, flink: String, o: &RunOutput, start_ms: f64) -> SpikeRun {
    let during: Vec<_> = o
        .checkpoints
        .iter()
        .filter(|c| c.trigger_timestamp >= start_ms && c.status != "IN_PROGRESS")
        .collect();
    let durations: Vec<f64> = during
        .iter()
        .filter(|c| c.status == "COMPLETED")
        .filter_map(|c| c.end_to_end_duration)
        .collect();
    let stats = crate::metrics::StatsSummary::of(&durations);
    SpikeRun {
        name: name.into(),
        settings,
        flink,
        completed: durations.len() as u64,
        failed: during.iter().filter(|c| c.status == "FAILED").count() as u64,
        expired: during
            .iter()
            .filter(|c| c.failure_reason.as_deref() == Some("CHECKPOINT_EXPIRED"))
            .count() as u64,
        p99_ms: stats.p99,
        max_ms: stats.max,
        lag_max_ms: o.timeline.iter().map(|t| t.input_lag_ms).fold(0.0, f64::max),
    }
}
