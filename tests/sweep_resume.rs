//! An interrupted sweep, rerun, ends with exactly the files of an uninterrupted one: finished runs
//! are kept and skipped, half-written temporary files are ignored and cleared, and unreadable run
//! files are done again.

mod sweep_support;

use ckptsim::sweep::{SweepError, SweepOptions, sweep_file};
use sweep_support::*;

fn opts(threads: usize) -> SweepOptions {
    SweepOptions {
        threads: Some(threads),
        plots: true,
        ..SweepOptions::default()
    }
}

#[test]
fn interrupted_sweep_resumes_to_the_same_bytes() {
    let dir = fresh_dir("resume");
    let scenario = write_file(&dir, "resume.toml", &format!("{BASE}{SWEEP}"));
    let whole = dir.join("whole");
    sweep_file(&scenario, &whole, &opts(2)).expect("uninterrupted sweep");

    // Interrupt after 3 runs: what is on disk is 3 complete run files and no tables.
    let resumed = dir.join("resumed");
    let first = sweep_file(
        &scenario,
        &resumed,
        &SweepOptions {
            stop_after_runs: Some(3),
            ..opts(2)
        },
    )
    .unwrap();
    assert!(!first.complete);
    assert_eq!(first.runs_done_now, 3);
    assert!(!resumed.join("runs.csv").exists() && !resumed.join("points.csv").exists());
    let done: Vec<_> = std::fs::read_dir(resumed.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(done.len(), 3);

    // What a kill in the middle of writing leaves: a temporary file cut short, under the name
    // write_atomic uses, for a run that has not finished.
    let missing = (0..4)
        .flat_map(|p| (0..2).map(move |r| format!("p{p:04}-r{r:03}.json")))
        .find(|name| !resumed.join("runs").join(name).exists())
        .unwrap();
    let whole_bytes = std::fs::read(whole.join("runs").join(&missing)).unwrap();
    std::fs::write(
        resumed.join("runs").join(format!("{missing}.tmp")),
        &whole_bytes[..whole_bytes.len() / 2],
    )
    .unwrap();
    // And a run file that cannot be read (a disk that lost data): done again, not trusted.
    std::fs::write(&done[0], b"{\"fingerprint\": ").unwrap();

    let second = sweep_file(&scenario, &resumed, &opts(1)).expect("resumed sweep");
    assert!(second.complete);
    assert_eq!(second.runs_skipped, 2);
    assert_eq!(second.runs_done_now, 6);
    assert_eq!(second.rerun_invalid, vec![done[0].clone()]);
    assert_same_files(&snapshot(&whole), &snapshot(&resumed));

    // A third invocation has nothing to do and changes nothing.
    let third = sweep_file(&scenario, &resumed, &opts(2)).unwrap();
    assert_eq!((third.runs_skipped, third.runs_done_now), (8, 0));
    assert_same_files(&snapshot(&whole), &snapshot(&resumed));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn deleted_run_files_are_run_again() {
    let dir = fresh_dir("redo");
    let scenario = write_file(&dir, "redo.toml", &format!("{BASE}{SWEEP}"));
    let out = dir.join("out");
    sweep_file(&scenario, &out, &opts(2)).unwrap();
    let before = snapshot(&out);
    for name in ["p0001-r000.json", "p0003-r001.json"] {
        std::fs::remove_file(out.join("runs").join(name)).unwrap();
    }
    std::fs::remove_file(out.join("points.csv")).unwrap();
    let report = sweep_file(&scenario, &out, &opts(2)).unwrap();
    assert_eq!((report.runs_skipped, report.runs_done_now), (6, 2));
    assert_same_files(&before, &snapshot(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_directory_of_another_sweep_is_refused() {
    let dir = fresh_dir("stale");
    let a = write_file(&dir, "job.toml", &format!("{BASE}{SWEEP}"));
    let out = dir.join("out");
    sweep_file(
        &a,
        &out,
        &SweepOptions {
            stop_after_runs: Some(2),
            ..opts(1)
        },
    )
    .unwrap();
    // Same file name, one value changed: resuming into `out` would mix two sweeps.
    let sub = dir.join("changed");
    std::fs::create_dir_all(&sub).unwrap();
    let b = write_file(
        &sub,
        "job.toml",
        &format!("{BASE}{SWEEP}").replace("\"500ms\"", "\"250ms\""),
    );
    let before = snapshot(&out);
    match sweep_file(&b, &out, &opts(1)) {
        Err(SweepError::StaleDir { .. }) => {}
        other => panic!("expected StaleDir, got {other:?}"),
    }
    assert_same_files(&before, &snapshot(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn changed_plot_settings_keep_the_runs_and_redraw() {
    let dir = fresh_dir("replot");
    let a = write_file(&dir, "job.toml", &format!("{BASE}{SWEEP}"));
    let out = dir.join("out");
    sweep_file(&a, &out, &opts(1)).unwrap();
    let runs_before = std::fs::read(out.join("runs.csv")).unwrap();
    // Same file name, another x axis: `[sweep.plot]` says how to draw, not what was run.
    let sub = dir.join("replotted");
    std::fs::create_dir_all(&sub).unwrap();
    let b = write_file(
        &sub,
        "job.toml",
        &format!("{BASE}{SWEEP}[sweep.plot]\nx = \"operators.map.parallelism\"\n"),
    );
    let report = sweep_file(&b, &out, &opts(1)).expect("a plot change is not another sweep");
    assert_eq!((report.runs_skipped, report.runs_done_now), (8, 0));
    assert_eq!(std::fs::read(out.join("runs.csv")).unwrap(), runs_before);
    let manifest = std::fs::read_to_string(out.join("sweep.json")).unwrap();
    assert!(manifest.contains("\"x\": \"operators.map.parallelism\""), "{manifest}");
    let _ = std::fs::remove_dir_all(&dir);
}
