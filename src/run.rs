//! Running one scenario: compile it, build the world, run it to the end, collect the statistics
//! and judge them (the verdict).

pub use crate::metrics::RunOutput;
use crate::scenario::Scenario;

/// Runs `scenario` with master seed `seed` (the scenario's own seed is ignored here; callers
/// pass `scenario.simulation.seed` unless overridden).
pub fn run(scenario: &Scenario, seed: u64) -> RunOutput {
    run_labelled(scenario, seed, "scenario")
}

/// As [`run`], naming the scenario in the summary.
pub fn run_labelled(scenario: &Scenario, seed: u64, label: &str) -> RunOutput {
    let mut out = crate::model::world::World::new(&crate::compile::world_config(scenario), seed, label).run();
    out.summary.verdict = crate::verdict::judge(&out, &crate::verdict::JobShape::of(scenario));
    if let Some(imp) = &scenario.imported {
        let job: Vec<_> = imp
            .medians
            .iter()
            .map(|m| (m.statistic, m.task.clone(), m.value))
            .collect();
        let warmup_ms = scenario.simulation.warmup.value / 1e6;
        out.summary.calibration = crate::metrics::calibration::report(&out, &job, warmup_ms);
    }
    out
}
