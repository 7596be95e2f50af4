//! `[imported]`: where an imported scenario's job data came from and the job's own medians,
//! which `ckptsim run` sets beside the simulated ones (the calibration report). Written by
//! `ckptsim import`; ignored by the simulation itself.

use serde::Deserialize;

pub use crate::metrics::calibration::CalibrationStatistic;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportedCfg {
    /// Where the REST responses were read (a directory or a REST address).
    pub from: String,
    /// The Flink job's id.
    #[serde(default)]
    pub job_id: String,
    /// Completed checkpoints the medians are over.
    #[serde(default)]
    pub checkpoints: u64,
    /// The job's medians, one per statistic (and task, for per-subtask statistics).
    #[serde(default)]
    pub medians: Vec<ImportedMedian>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportedMedian {
    pub statistic: CalibrationStatistic,
    /// The task (as the run names it) of a per-subtask statistic.
    #[serde(default)]
    pub task: Option<String>,
    /// Milliseconds for durations, bytes for sizes.
    pub value: f64,
}
