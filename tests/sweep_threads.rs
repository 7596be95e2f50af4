//! A sweep's files are a function of the scenario only: the same bytes with 1 and 2 threads.

mod sweep_support;

use ckptsim::sweep::{SweepOptions, sweep_file};
use sweep_support::*;

#[test]
fn sweep_writes_identical_bytes_with_one_and_two_threads() {
    let dir = fresh_dir("threads");
    let scenario = write_file(&dir, "threads.toml", &format!("{BASE}{SWEEP}"));
    let mut snapshots = Vec::new();
    for threads in [1, 2] {
        let out = dir.join(format!("out-{threads}"));
        let opts = SweepOptions {
            threads: Some(threads),
            plots: true,
            ..SweepOptions::default()
        };
        let report = sweep_file(&scenario, &out, &opts).expect("sweep runs");
        assert!(report.complete);
        assert_eq!((report.points, report.runs_total, report.runs_done_now), (4, 8, 8));
        snapshots.push(snapshot(&out));
    }
    assert_same_files(&snapshots[0], &snapshots[1]);

    // The comparison is not vacuous: 8 run files, tables, charts, and runs that really differ.
    let files = &snapshots[0];
    assert_eq!(files.keys().filter(|p| p.starts_with("runs")).count(), 8);
    assert!(
        files
            .keys()
            .any(|p| p.starts_with("plots") && p.extension().is_some_and(|e| e == "png"))
    );
    let runs = csv_rows(&dir.join("out-1/runs.csv"));
    assert_eq!(runs.len(), 1 + 8);
    let hash = column(&runs, "engine.trace_hash");
    let hashes: std::collections::BTreeSet<&str> = runs[1..].iter().map(|r| r[hash].as_str()).collect();
    assert_eq!(
        hashes.len(),
        8,
        "every (point, seed) pair simulates a different history"
    );
    let points = csv_rows(&dir.join("out-1/points.csv"));
    assert_eq!(points.len(), 1 + 4);
    let _ = std::fs::remove_dir_all(&dir);
}
