//! Savepoints are part of what a capacity planner asks about (how long does a savepoint take
//! under back-pressure?), so a bundled scenario shows one: Flink's savepoint is aligned even
//! when the job checkpoints unaligned, and counted apart from the checkpoints.

use std::path::PathBuf;

#[test]
fn a_bundled_scenario_takes_an_aligned_savepoint_counted_apart_from_checkpoints() {
    let mut with_savepoints = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir("scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    for p in paths {
        let Ok(loaded) = ckptsim::scenario::load_file(&p) else {
            continue; // sweep specs are not run scenarios
        };
        if !loaded.scenario.checkpoint.savepoint_times.is_empty() {
            with_savepoints.push((p, loaded.scenario));
        }
    }
    assert!(!with_savepoints.is_empty(), "no bundled scenario takes a savepoint");
    for (path, s) in with_savepoints {
        let out = ckptsim::run::run(&s, s.simulation.seed);
        let sp: Vec<_> = out
            .checkpoints
            .iter()
            .filter(|c| c.checkpoint_type == "SAVEPOINT")
            .collect();
        assert_eq!(sp.len(), s.checkpoint.savepoint_times.len(), "{}", path.display());
        assert!(sp.iter().all(|c| c.status == "COMPLETED"), "{}", path.display());
        let counts = out.summary.savepoints.expect("savepoints counted apart");
        assert_eq!(counts.completed as usize, sp.len());
        assert_eq!(
            out.summary.counts.total as usize,
            out.checkpoints.len() - sp.len(),
            "the checkpoint counts leave savepoints out"
        );
    }
}
