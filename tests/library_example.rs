//! The crate docs' example (src/lib.rs, "Running a scenario from the library") runs as written.

#[test]
fn the_crate_docs_example_runs_the_quickstart() -> Result<(), ckptsim::scenario::ScenarioError> {
    let loaded = ckptsim::scenario::load_file(std::path::Path::new("scenarios/quickstart.toml"))?;
    let out = ckptsim::run::run(&loaded.scenario, loaded.scenario.simulation.seed);
    let completed = out.summary.counts.completed;
    let p50_ms = out.summary.summary["end_to_end_duration"].p50;
    println!("{completed} checkpoints completed, p50 end-to-end {p50_ms:.1} ms");
    assert!(completed > 0 && p50_ms > 0.0);
    Ok(())
}
