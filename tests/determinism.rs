//! Same scenario and seed: byte-identical output files; another seed: different ones.

use std::path::PathBuf;

use ckptsim::output;
use ckptsim::scenario::load_file;

fn run_to_files(seed: u64, dir: &str) -> Vec<(String, Vec<u8>)> {
    let loaded = load_file(&PathBuf::from("scenarios/quickstart.toml")).unwrap();
    let out = ckptsim::run::run_labelled(&loaded.scenario, seed, "quickstart");
    let dir = std::env::temp_dir().join(format!("ckptsim-det-{}-{dir}", std::process::id()));
    let files = output::write_run(&dir, &out).unwrap();
    let mut contents: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(p).unwrap(),
            )
        })
        .collect();
    contents.sort();
    std::fs::remove_dir_all(&dir).unwrap();
    contents
}

#[test]
fn same_seed_gives_byte_identical_files() {
    let a = run_to_files(5, "a");
    let b = run_to_files(5, "b");
    assert_eq!(a.len(), 7);
    for ((na, ca), (nb, cb)) in a.iter().zip(&b) {
        assert_eq!(na, nb);
        assert!(ca == cb, "{na} differs between two runs with the same seed");
    }
}

#[test]
fn another_seed_gives_different_files() {
    let a = run_to_files(5, "c");
    let b = run_to_files(6, "d");
    for name in ["checkpoints.csv", "summary.json", "subtasks.csv"] {
        let ca = &a.iter().find(|(n, _)| n == name).unwrap().1;
        let cb = &b.iter().find(|(n, _)| n == name).unwrap().1;
        assert!(ca != cb, "{name} is the same for seeds 5 and 6");
    }
}

/// A long run's progress bar reads the simulated clock during the run: the run it watches is
/// the same (the same trace hash and summary), and the clock it sees only moves forward.
#[test]
fn watching_a_run_changes_nothing() {
    let scenario = load_file(&PathBuf::from("scenarios/quickstart.toml")).unwrap().scenario;
    let plain = ckptsim::run::run_labelled(&scenario, 5, "quickstart");
    let mut seen = Vec::new();
    let watched = ckptsim::run::run_labelled_reporting(&scenario, 5, "quickstart", |t| seen.push(t));
    assert_eq!(plain.summary.engine.trace_hash, watched.summary.engine.trace_hash);
    assert_eq!(
        serde_json::to_string(&plain.summary).unwrap(),
        serde_json::to_string(&watched.summary).unwrap()
    );
    // One report at each thousandth of the duration but the last (the run is over there).
    assert_eq!(seen.len(), 999, "reports");
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "the clock went back");
    let end = scenario.simulation.duration.value as u64;
    assert!(seen.last().unwrap().as_ns() < end);
}
