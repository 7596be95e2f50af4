//! A bad `[sweep]` fails before any run, and the error names the file and the parameter (or the
//! point and its assignment when a value is wrong for the scenario).

mod sweep_support;

use ckptsim::sweep::{SweepError, SweepOptions, sweep_file};
use sweep_support::*;

fn sweep_err(name: &str, sweep: &str) -> (SweepError, std::path::PathBuf) {
    let dir = fresh_dir(name);
    let scenario = write_file(&dir, &format!("{name}.toml"), &format!("{BASE}{sweep}"));
    let out = dir.join("out");
    let err = sweep_file(&scenario, &out, &SweepOptions::default()).expect_err("the sweep is invalid");
    assert!(!out.exists(), "nothing is written for an invalid sweep");
    (err, dir)
}

#[test]
fn spec_errors_name_the_file_and_the_parameter() {
    let cases = [
        (
            "[sweep.parameters]\n\"operators.map.parallelism\" = { from = 4, to = 1, step = 1 }",
            "operators.map.parallelism",
            "never gets",
        ),
        (
            "[sweep.parameters]\n\"checkpoint.interval\" = []",
            "checkpoint.interval",
            "no values",
        ),
        (
            "[sweep.parameters]\n\"checkpoint.interval\" = 5",
            "checkpoint.interval",
            "expected a list",
        ),
        (
            "[sweep.parameters]\n\"checkpoint.interval\" = [\"1s\", \"1s\"]",
            "checkpoint.interval",
            "listed twice",
        ),
        (
            "[sweep.parameters]\n\"checkpoint.interval\" = { from = 1, to = 2, by = 1 }",
            "checkpoint.interval",
            "unknown key `by`",
        ),
        (
            "[sweep]\nmode = \"zip\"\n[sweep.parameters]\n\"checkpoint.interval\" = [\"1s\", \"2s\"]\n\"operators.map.parallelism\" = [1, 2, 3]",
            "operators.map.parallelism",
            "equally long",
        ),
        (
            "[sweep.parameters]\n\"checkpoint.interval\" = [\"1s\"]\n[sweep.plot]\nx = \"cluster.taskmanagers\"",
            "cluster.taskmanagers",
            "not swept",
        ),
    ];
    for (i, (sweep, parameter, words)) in cases.iter().enumerate() {
        let (err, dir) = sweep_err(&format!("spec{i}"), sweep);
        assert_eq!(err.parameter(), Some(*parameter), "case {i}: {err}");
        let msg = err.to_string();
        assert!(msg.contains(&format!("spec{i}.toml")), "case {i} names no file: {msg}");
        assert!(msg.contains(&format!("parameter `{parameter}`")), "case {i}: {msg}");
        assert!(msg.contains(words), "case {i}: {msg}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn a_value_the_scenario_rejects_names_the_point_and_assignment() {
    // Point 1 sets parallelism 0, which validation rejects; no run may start.
    let (err, dir) = sweep_err("badpoint", "[sweep.parameters]\n\"operators.map.parallelism\" = [2, 0]");
    let msg = err.to_string();
    assert!(matches!(err, SweepError::Point { point: 1, .. }), "{msg}");
    assert!(msg.contains("operators.map.parallelism=0"), "{msg}");
    assert!(msg.contains("badpoint.toml"), "{msg}");
    let _ = std::fs::remove_dir_all(&dir);

    // A path that is not a scenario field at all.
    let (err, dir) = sweep_err("badpath", "[sweep.parameters]\n\"operators.nosuch.parallelism\" = [2]");
    let msg = err.to_string();
    assert!(msg.contains("operators.nosuch.parallelism"), "{msg}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_scenario_without_a_sweep_table_says_so() {
    let (err, dir) = sweep_err("nosweep", "");
    assert!(matches!(err, SweepError::NoSweep { .. }), "{err}");
    assert!(err.to_string().contains("nosweep.toml"));
    let _ = std::fs::remove_dir_all(&dir);
}
