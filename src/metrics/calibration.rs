//! The calibration report of an imported scenario: per statistic, the job's own median (from
//! its REST API, kept in the scenario's `[imported]` table), the simulated median over the
//! checkpoints triggered after the warm-up, and their ratio; for a checkpoint's sizes, both
//! means ([`CalibrationStatistic::is_mean`]). A subtask's durations are floored
//! to whole ms on the simulated side, as the job's REST API floors its own (`flink_resolution`).

use serde::{Deserialize, Serialize};

use super::RunOutput;
use super::stats_tracker::{CheckpointRecord, SubtaskRecord};

/// A statistic the report compares, named as Flink's REST API and `summary.json` name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalibrationStatistic {
    /// Checkpoint `end_to_end_duration` (ms).
    EndToEndDuration,
    /// Checkpoint `state_size` (bytes).
    StateSize,
    /// Checkpoint `checkpointed_size` (bytes).
    CheckpointedSize,
    /// Checkpoint `persisted_data` (bytes).
    PersistedData,
    /// A task's subtasks' `start_delay` (ms).
    StartDelay,
    /// A task's subtasks' `alignment.duration` (ms).
    AlignmentDuration,
    /// A task's subtasks' `checkpoint.sync` (ms).
    SyncDuration,
    /// A task's subtasks' `checkpoint.async` (ms).
    AsyncDuration,
}

impl CalibrationStatistic {
    pub fn name(self) -> &'static str {
        match self {
            Self::EndToEndDuration => "end_to_end_duration",
            Self::StateSize => "state_size",
            Self::CheckpointedSize => "checkpointed_size",
            Self::PersistedData => "persisted_data",
            Self::StartDelay => "start_delay",
            Self::AlignmentDuration => "alignment_duration",
            Self::SyncDuration => "sync_duration",
            Self::AsyncDuration => "async_duration",
        }
    }
    /// Whether the report compares the statistic's mean over the checkpoints rather than its
    /// median: a checkpoint's state and checkpointed size, which on RocksDB saw-tooth as L0
    /// files pile up between compactions (15.0, 17.3, 19.6, 21.9 MB on the import captures'
    /// i03), so that a median is whichever level the checkpoints' phase makes it.
    pub fn is_mean(self) -> bool {
        matches!(self, Self::StateSize | Self::CheckpointedSize)
    }
    pub fn unit(self) -> &'static str {
        match self {
            Self::StateSize | Self::CheckpointedSize | Self::PersistedData => "B",
            _ => "ms",
        }
    }
    fn of_checkpoint(self, c: &CheckpointRecord) -> Option<f64> {
        match self {
            Self::EndToEndDuration => c.end_to_end_duration,
            Self::StateSize => Some(c.state_size as f64),
            Self::CheckpointedSize => Some(c.checkpointed_size as f64),
            Self::PersistedData => Some(c.persisted_data as f64),
            _ => None,
        }
    }
    /// A subtask's figure as the job's REST API would show it: floored to whole ms, so that
    /// the two medians of a row are taken alike.
    fn of_subtask(self, s: &SubtaskRecord) -> Option<f64> {
        let floored = super::flink_resolution::as_flink_reports_ms;
        match self {
            Self::StartDelay => Some(floored(s.start_delay)),
            Self::AlignmentDuration => Some(floored(s.alignment_duration)),
            Self::SyncDuration => Some(floored(s.sync_duration)),
            Self::AsyncDuration => Some(floored(s.async_duration)),
            _ => None,
        }
    }
}

/// One row of the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalibrationRow {
    pub statistic: CalibrationStatistic,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    pub unit: String,
    pub job_median: f64,
    /// `None` when the run has no such value (no completed checkpoint after the warm-up, or
    /// no task of that name).
    pub simulated_median: Option<f64>,
    /// simulated / job; `None` when either is missing or the job's is 0.
    pub ratio: Option<f64>,
}

/// The `q`-quantile, linearly interpolated (numpy's default), as the importer takes the job's.
pub fn percentile(values: &[f64], q: f64) -> Option<f64> {
    let mut xs: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if xs.is_empty() {
        return None;
    }
    xs.sort_by(f64::total_cmp);
    let pos = (xs.len() - 1) as f64 * q;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(xs.len() - 1);
    Some(xs[lo] + (xs[hi] - xs[lo]) * (pos - lo as f64))
}

/// The mean of the finite values; `None` when there are none. The report's figure for a
/// checkpoint's sizes ([`CalibrationStatistic::is_mean`]), and the importer's for the job's.
pub fn mean(values: &[f64]) -> Option<f64> {
    let (sum, n) = values
        .iter()
        .filter(|v| v.is_finite())
        .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// The simulated median of `stat` (of `task`'s subtasks for per-subtask statistics) over the
/// completed checkpoints (not savepoints) triggered at or after `warmup_ms`.
pub fn simulated_median(
    out: &RunOutput,
    stat: CalibrationStatistic,
    task: Option<&str>,
    warmup_ms: f64,
) -> Option<f64> {
    percentile(&simulated_values(out, stat, task, warmup_ms), 0.5)
}

/// The values [`simulated_median`] takes the median of, for pooling several runs.
pub fn simulated_values(out: &RunOutput, stat: CalibrationStatistic, task: Option<&str>, warmup_ms: f64) -> Vec<f64> {
    let done: Vec<&CheckpointRecord> = out
        .checkpoints
        .iter()
        .filter(|c| {
            c.status == "COMPLETED" && !c.checkpoint_type.contains("SAVEPOINT") && c.trigger_timestamp >= warmup_ms
        })
        .collect();
    match task {
        None => done.iter().filter_map(|c| stat.of_checkpoint(c)).collect(),
        Some(t) => {
            let ids: std::collections::BTreeSet<u64> = done.iter().map(|c| c.id).collect();
            out.subtasks
                .iter()
                .filter(|s| s.task == t && ids.contains(&s.checkpoint_id))
                .filter_map(|s| stat.of_subtask(s))
                .collect()
        }
    }
}

/// The report's rows for the job's figures `job`: `(statistic, task, figure)`, each a median
/// but the sizes' means ([`CalibrationStatistic::is_mean`]), and the run's figure alike.
pub fn report(
    out: &RunOutput,
    job: &[(CalibrationStatistic, Option<String>, f64)],
    warmup_ms: f64,
) -> Vec<CalibrationRow> {
    job.iter()
        .map(|(stat, task, job_median)| {
            let sim = if stat.is_mean() {
                mean(&simulated_values(out, *stat, task.as_deref(), warmup_ms))
            } else {
                simulated_median(out, *stat, task.as_deref(), warmup_ms)
            };
            CalibrationRow {
                statistic: *stat,
                task: task.clone(),
                unit: stat.unit().to_string(),
                job_median: *job_median,
                simulated_median: sim,
                ratio: sim.filter(|_| *job_median != 0.0).map(|s| s / job_median),
            }
        })
        .collect()
}

/// The report as text: one line per statistic.
pub fn render(rows: &[CalibrationRow]) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Calibration (the imported job's vs this run's, after the warm-up: medians, sizes' means):"
    );
    let _ = writeln!(
        s,
        "  {:<20} {:<34} {:>12} {:>12} {:>7}",
        "statistic", "task", "job", "simulated", "ratio"
    );
    for r in rows {
        let num = |v: f64| {
            if r.unit == "B" {
                format!("{v:.0} B")
            } else {
                format!("{v:.1} ms")
            }
        };
        let _ = writeln!(
            s,
            "  {:<20} {:<34} {:>12} {:>12} {:>7}",
            r.statistic.name(),
            r.task.as_deref().unwrap_or("(job)"),
            num(r.job_median),
            r.simulated_median.map(num).unwrap_or_else(|| "-".into()),
            r.ratio.map(|x| format!("{x:.2}")).unwrap_or_else(|| "-".into())
        );
    }
    s
}
