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
    let world = crate::model::world::World::new(&crate::compile::world_config(scenario), seed, label);
    judged(scenario, world.run())
}

/// As [`run_labelled`], handing `progress` the simulated clock now and then during the run
/// ([`crate::model::world::World::run_reporting`]): `ckptsim run`'s progress bar. The run and
/// its output are the same; watching costs the event loop under 1 % of its instructions, which
/// is why the library's other callers (sweeps, advice, benches) run without it.
pub fn run_labelled_reporting(
    scenario: &Scenario,
    seed: u64,
    label: &str,
    progress: impl FnMut(crate::time::SimTime),
) -> RunOutput {
    let world = crate::model::world::World::new(&crate::compile::world_config(scenario), seed, label);
    judged(scenario, world.run_reporting(progress))
}

/// The run's verdict, and for an imported scenario its calibration report.
fn judged(scenario: &Scenario, mut out: RunOutput) -> RunOutput {
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
