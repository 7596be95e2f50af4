//! The HTML reports: one self-contained page per run and per sweep, the same bytes for the same
//! run, with the checkpoint history exactly as checkpoints.csv has it. (tests/browser/ opens the
//! pages in a real browser; this checks the markup without one.)

mod sweep_support;

use ckptsim::layout::REPORT_HTML;
use ckptsim::output::write_run_dir;
use ckptsim::scenario::parse_str;
use ckptsim::sweep::{SweepOptions, sweep_file};
use sweep_support::*;

#[test]
fn a_run_report_is_deterministic_self_contained_and_shows_every_checkpoint() {
    let dir = fresh_dir("report-run");
    let sc = parse_str(BASE, "job.toml").expect("the base scenario loads").scenario;
    let result = ckptsim::run::run_labelled(&sc, 5, "job");
    let (a, b) = (dir.join("a").join("job"), dir.join("b").join("job"));
    for d in [&a, &b] {
        let files = write_run_dir(d, &result, true).unwrap();
        assert!(files.contains(&d.join(REPORT_HTML)), "{files:?}");
    }
    let html = std::fs::read_to_string(a.join(REPORT_HTML)).unwrap();
    assert_eq!(
        html.as_bytes(),
        std::fs::read(b.join(REPORT_HTML)).unwrap(),
        "same run, same bytes"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "needs no network"
    );
    assert_eq!(
        html.matches("src=\"data:image/png;base64,").count(),
        2,
        "both charts embedded"
    );
    let rows = csv_rows(&a.join("checkpoints.csv"));
    let (id, e2e) = (column(&rows, "id"), column(&rows, "end_to_end_duration"));
    assert!(rows.len() > 2, "the run has checkpoints");
    for r in &rows[1..] {
        let row = format!("data-id=\"{}\"><td>{}</td>", r[id], r[id]);
        assert!(html.contains(&row), "no history row for checkpoint {}", r[id]);
        assert!(html.contains(&format!("<td>{}</td>", r[e2e])));
    }
    assert_eq!(
        html.matches("<details>").count(),
        rows.len() - 1,
        "one expandable subtask table per checkpoint"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_run_without_checkpoints_gets_a_report_too() {
    let dir = fresh_dir("report-none");
    // The first checkpoint comes the minimum pause after every task runs: after the run's end.
    let text = BASE.replace("interval = \"1s\"", "interval = \"1h\"\nmin_pause = \"1h\"");
    let sc = parse_str(&text, "job.toml").expect("loads").scenario;
    let result = ckptsim::run::run_labelled(&sc, 5, "job");
    assert!(result.checkpoints.is_empty());
    let out = dir.join("job");
    write_run_dir(&out, &result, false).unwrap();
    let html = std::fs::read_to_string(out.join(REPORT_HTML)).unwrap();
    assert!(html.contains("No checkpoint was triggered in this run."));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_sweep_writes_its_report_once_complete() {
    let dir = fresh_dir("report-sweep");
    let scenario = write_file(&dir, "sw.toml", &format!("{BASE}{SWEEP}"));
    let out = dir.join("out");
    let opts = SweepOptions {
        threads: Some(2),
        plots: true,
        ..SweepOptions::default()
    };
    let report = sweep_file(&scenario, &out, &opts).unwrap();
    assert!(report.files.contains(&out.join(REPORT_HTML)));
    let html = std::fs::read_to_string(out.join(REPORT_HTML)).unwrap();
    assert!(html.contains("4 points (grid: every combination) x 2 replications = 8 simulated runs"));
    assert!(html.contains("<table class=\"points\">"));
    assert!(html.contains("src=\"data:image/png;base64,"));
    let _ = std::fs::remove_dir_all(&dir);
}
