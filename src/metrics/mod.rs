//! What a run measures, named as Flink's REST API and metrics name it. Durations in output files
//! are milliseconds (Flink's unit) as decimals with nanosecond precision; sizes are bytes.

pub mod calibration;
pub mod checkpoint_log;
pub mod failures;
pub mod flink_resolution;
pub mod histogram;
pub mod in_progress;
pub mod job;
pub mod live_again;
pub mod run_output;
pub mod stats_tracker;
pub mod summary;
pub mod verdict;

pub use checkpoint_log::CheckpointLog;
pub use failures::FailureRecord;
pub use job::{JobStats, OperatorStats, TaskStats, TimelineSample};
pub use run_output::RunOutput;
pub use stats_tracker::{CheckpointRecord, CheckpointStatsTracker, SubtaskRecord};
pub use summary::{CheckpointCounts, RunSummary, StatsSummary};
pub use verdict::{Finding, Status};

/// Nanoseconds to milliseconds, for output.
pub fn ms(ns: u64) -> f64 {
    ns as f64 / 1e6
}
