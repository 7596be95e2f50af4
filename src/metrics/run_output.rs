//! Everything one run produces, as the world hands it over: it lives with the statistics so that
//! the world can return it without depending on `run`, the module that drives the world.

use super::{CheckpointLog, CheckpointRecord, FailureRecord, RunSummary, SubtaskRecord, TimelineSample};

/// Everything one run produces. Deterministic: a function of (scenario, seed) only.
#[derive(Clone, Debug)]
pub struct RunOutput {
    pub summary: RunSummary,
    pub checkpoints: Vec<CheckpointRecord>,
    pub subtasks: Vec<SubtaskRecord>,
    pub timeline: Vec<TimelineSample>,
    pub failures: Vec<FailureRecord>,
    /// The checkpoint statistics in integer nanoseconds, per vertex, for Flink's REST shape.
    pub checkpoint_log: CheckpointLog,
}
