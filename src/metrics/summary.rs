//! Summaries like Flink's `StatsSummaryDto` (min, max, avg, p50, p90, p95, p99, p999) and the
//! run summary written to `summary.json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::job::JobStats;

/// Over no values (`count` 0) every statistic is undefined: it is written as `null`, never as
/// a zero that reads like a measurement (see [`StatsSummaryJson`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(into = "StatsSummaryJson", from = "StatsSummaryJson")]
pub struct StatsSummary {
    pub count: u64,
    pub min: f64,
    pub max: f64,
    pub avg: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub p999: f64,
}

impl StatsSummary {
    /// Exact quantiles over the values (nearest-rank, as Flink's histogram statistics).
    pub fn of(values: &[f64]) -> StatsSummary {
        if values.is_empty() {
            return StatsSummary::default();
        }
        let mut v: Vec<f64> = values.to_vec();
        v.sort_by(|a, b| a.total_cmp(b));
        let q = |p: f64| {
            let rank = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len());
            v[rank - 1]
        };
        StatsSummary {
            count: v.len() as u64,
            min: v[0],
            max: v[v.len() - 1],
            avg: v.iter().sum::<f64>() / v.len() as f64,
            p50: q(0.5),
            p90: q(0.9),
            p95: q(0.95),
            p99: q(0.99),
            p999: q(0.999),
        }
    }
}

/// The serialised shape of [`StatsSummary`]: the statistics are `null` when `count` is 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StatsSummaryJson {
    pub count: u64,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub avg: Option<f64>,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
    pub p999: Option<f64>,
}

impl From<StatsSummary> for StatsSummaryJson {
    fn from(s: StatsSummary) -> Self {
        let v = |x: f64| (s.count > 0).then_some(x);
        StatsSummaryJson {
            count: s.count,
            min: v(s.min),
            max: v(s.max),
            avg: v(s.avg),
            p50: v(s.p50),
            p90: v(s.p90),
            p95: v(s.p95),
            p99: v(s.p99),
            p999: v(s.p999),
        }
    }
}

impl From<StatsSummaryJson> for StatsSummary {
    fn from(j: StatsSummaryJson) -> Self {
        let v = |x: Option<f64>| x.unwrap_or(0.0);
        StatsSummary {
            count: j.count,
            min: v(j.min),
            max: v(j.max),
            avg: v(j.avg),
            p50: v(j.p50),
            p90: v(j.p90),
            p95: v(j.p95),
            p99: v(j.p99),
            p999: v(j.p999),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointCounts {
    pub total: u64,
    pub completed: u64,
    pub failed: u64,
    pub in_progress: u64,
}

/// `summary.json`: everything a run reports beyond the per-checkpoint rows. Deterministic: no
/// wall-clock figure is in it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunSummary {
    pub scenario: String,
    pub seed: u64,
    pub simulated_seconds: f64,
    pub checkpoint_interval_ms: Option<f64>,
    pub counts: CheckpointCounts,
    /// The run judged in plain sentences, before any table (the verdict module holds the rules
    /// and thresholds). Empty until the run's driver judges it (`run::run`).
    #[serde(default)]
    pub verdict: Vec<super::Finding>,
    /// Failure reasons of failed checkpoints and refused trigger requests, with their counts.
    pub failure_reasons: BTreeMap<String, u64>,
    /// Over completed checkpoints: `end_to_end_duration` (ms), `state_size`,
    /// `checkpointed_size`, `processed_data`, `persisted_data` (bytes); over their acknowledged
    /// subtasks: `start_delay`, `alignment_duration`, `sync_duration`, `async_duration` (ms).
    pub summary: BTreeMap<String, StatsSummary>,
    /// The fraction of the run's time with at least one checkpoint in progress (trigger to
    /// completion or failure, concurrent checkpoints counted once, savepoints not counted):
    /// never above 1, however long checkpoints outlast the interval.
    pub checkpoint_time_fraction: Option<f64>,
    /// Savepoints (`checkpoint.savepoint_times`): counted apart, never among the checkpoints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub savepoints: Option<CheckpointCounts>,
    /// Largest in-flight network bytes sampled after warm-up, when buffer debloating is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_flight_bytes_max: Option<u64>,
    /// `checkpoint.num_retained` above its default 1: the completed checkpoints the store still
    /// retains (restorable) at the end, and the bytes in checkpoint storage they and the pending
    /// ones hold (shared incremental files counted once, savepoints not included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retained_checkpoints: Option<RetainedCheckpoints>,
    /// Bounded jobs: when the job reached FINISHED (s): every task finished after its final
    /// checkpoint (FLIP-147); the run ends there.
    #[serde(default)]
    pub job_finished_s: Option<f64>,
    /// Flink's `JobStatus` when the run ended: RUNNING, FINISHED (a bounded job whose every
    /// task finished), or FAILED (the restart strategy gave up). A run ends at either of the
    /// last two.
    #[serde(default = "running")]
    pub job_status: String,
    /// When the job failed for good (s), if it did.
    #[serde(default)]
    pub job_failed_s: Option<f64>,
    /// Failures during the run (rows of failures.csv).
    #[serde(default)]
    pub failures: u64,
    /// Over the failures: `lost_work`, `downtime`, `restore_duration`, `catch_up_time` (ms) and
    /// `records_replayed`, so that sweeps can tabulate what failures cost.
    #[serde(default)]
    pub failure_costs: BTreeMap<String, StatsSummary>,
    /// Total time with restarted tasks down, over the simulated time: availability lost.
    #[serde(default)]
    pub downtime_fraction: f64,
    /// Work lost to failures (time since the restored checkpoint, summed over failures whose
    /// recovery finished) over the simulated time: the T/(2M) + D/M term of the waste models.
    #[serde(default)]
    pub lost_work_fraction: f64,
    pub job: JobStats,
    pub engine: EngineStats,
    /// An imported scenario's calibration report: per statistic, the job's own median (its
    /// `[imported]` table; the sizes' mean), the simulated one alike and their ratio. Empty for
    /// other scenarios.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calibration: Vec<super::calibration::CalibrationRow>,
    /// The fast path's records per simulated record (`simulation.records_per_bundle`); absent
    /// for the record-level model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records_per_bundle: Option<u64>,
}

fn running() -> String {
    "RUNNING".into()
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EngineStats {
    pub events_processed: u64,
    /// Fold of every processed event; equal across runs with the same scenario and seed.
    pub trace_hash: String,
}

/// The completed-checkpoint store at the end of the run (`state.checkpoints.num-retained`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RetainedCheckpoints {
    pub num_retained: u32,
    /// Ids of the retained completed checkpoints, oldest first.
    pub ids: Vec<u64>,
    /// Bytes in checkpoint storage the retained and pending checkpoints refer to.
    pub storage_bytes: u64,
}
