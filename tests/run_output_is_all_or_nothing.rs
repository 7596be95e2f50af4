//! `ckptsim run` replaces its output directory as a whole: the previous run's files stay intact
//! until the new ones are complete, a run without charts leaves no older charts, and a directory
//! holding anything else is never replaced.

mod sweep_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use ckptsim::output::{OutputError, Replace, publish_dir};
use sweep_support::*;

const JOB: &str = r#"[simulation]
duration = "3s"
[checkpoint]
interval = "1s"
[cluster]
taskmanagers = 1
slots_per_taskmanager = 2
[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = { process = "poisson", records_per_second = 200 }
[[operators]]
name = "sink"
kind = "sink"
parallelism = 2
inputs = [{ from = "source", partitioning = "hash" }]
"#;

fn ckptsim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ckptsim")).args(args).output().unwrap()
}

fn run_into(scenario: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    ckptsim(&args)
}

fn names(dir: &Path) -> Vec<PathBuf> {
    snapshot(dir).into_keys().collect()
}

#[test]
fn a_run_without_charts_leaves_no_older_charts() {
    let dir = fresh_dir("no-plots");
    let scenario = write_file(&dir, "job.toml", JOB);
    let out = dir.join("out");
    let first = run_into(&scenario, &out, &[]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(out.join("plots/checkpoints.png").is_file());
    let second = run_into(&scenario, &out, &["--no-plots"]);
    assert!(second.status.success(), "{}", String::from_utf8_lossy(&second.stderr));
    assert!(
        !out.join("plots").exists(),
        "charts of the previous run remain: {:?}",
        names(&out)
    );
    // Nothing but the run's files, and no staging directory beside them.
    assert_eq!(
        names(&out),
        [
            "checkpoint_details.json",
            "checkpoints.csv",
            "checkpoints.json",
            "failures.csv",
            "report.html",
            "subtasks.csv",
            "summary.json",
            "timeline.csv"
        ]
        .map(PathBuf::from)
        .to_vec()
    );
    let beside: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(beside.iter().all(|n| n == "job.toml" || n == "out"), "{beside:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failed_write_leaves_the_previous_run_intact() {
    let dir = fresh_dir("failed-write");
    let target = dir.join("out");
    std::fs::create_dir_all(target.join("plots")).unwrap();
    std::fs::write(target.join("summary.json"), "old").unwrap();
    std::fs::write(target.join("plots/timeline.png"), "old chart").unwrap();
    let before = snapshot(&target);
    let result: Result<Vec<PathBuf>, OutputError> = publish_dir(&target, Replace::RunDirOnly, |staging| {
        std::fs::write(staging.join("summary.json"), "new, half written").unwrap();
        Err(OutputError::Io {
            path: staging.join("checkpoints.csv"),
            cause: std::io::Error::other("no space left on device"),
        })
    });
    assert!(result.is_err());
    assert_same_files(&before, &snapshot(&target));
    let beside: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(beside, ["out"], "the staging directory is removed");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_directory_holding_other_files_is_not_replaced() {
    let dir = fresh_dir("foreign");
    let scenario = write_file(&dir, "job.toml", JOB);
    let out = dir.join("home");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("thesis.tex"), "years of work").unwrap();
    let r = run_into(&scenario, &out, &[]);
    assert_eq!(r.status.code(), Some(1), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(String::from_utf8_lossy(&r.stderr).contains("thesis.tex"));
    assert_eq!(
        std::fs::read_to_string(out.join("thesis.tex")).unwrap(),
        "years of work"
    );
    assert_eq!(names(&out), [PathBuf::from("thesis.tex")]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_killed_run_leaves_either_the_old_or_the_new_directory() {
    let dir = fresh_dir("killed");
    let long = JOB.replace("duration = \"3s\"", "duration = \"600s\"");
    let scenario = write_file(&dir, "job.toml", &long);
    let out = dir.join("out");
    assert!(
        run_into(&scenario, &out, &["--set", "simulation.duration=3s"])
            .status
            .success()
    );
    let before = snapshot(&out);
    for delay_ms in [5u64, 40, 150] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ckptsim"))
            .args(["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let now = snapshot(&out);
        assert_eq!(
            now.keys().collect::<Vec<_>>(),
            before.keys().collect::<Vec<_>>(),
            "killed after {delay_ms} ms: the directory holds another set of files"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
