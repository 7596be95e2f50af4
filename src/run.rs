//! Running one scenario: build the world, run it to the end, collect the statistics.

use crate::metrics::{CheckpointLog, CheckpointRecord, FailureRecord, RunSummary, SubtaskRecord, TimelineSample};
use crate::scenario::Scenario;

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

/// Runs `scenario` with master seed `seed` (the scenario's own seed is ignored here; callers
/// pass `scenario.simulation.seed` unless overridden).
pub fn run(scenario: &Scenario, seed: u64) -> RunOutput {
    run_labelled(scenario, seed, "scenario")
}

/// As [`run`], naming the scenario in the summary.
pub fn run_labelled(scenario: &Scenario, seed: u64, label: &str) -> RunOutput {
    crate::model::world::World::new(scenario, seed, label).run()
}
