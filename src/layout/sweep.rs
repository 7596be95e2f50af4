//! Where a sweep's files live in its output directory.
//!
//! ```text
//! DIR/sweep.json            the plan: fingerprint, parameters, points, seeds, plot settings
//! DIR/runs/p0003-r001.json  one finished run (point 3, replication 1): its summary
//! DIR/runs.csv              one row per run, once every run is done
//! DIR/points.csv            one row per point: mean and 95 % CI over replications
//! DIR/plots/                charts drawn from points.csv (see `super::PLOTS_DIR`)
//! DIR/report.html           the page (see `super::REPORT_HTML`)
//! ```

use std::path::{Path, PathBuf};

pub const MANIFEST_JSON: &str = "sweep.json";
pub const RUNS_DIR: &str = "runs";
pub const RUNS_CSV: &str = "runs.csv";
pub const POINTS_CSV: &str = "points.csv";

pub fn run_file_name(point: usize, replication: u32) -> String {
    format!("p{point:04}-r{replication:03}.json")
}

pub fn run_file_path(dir: &Path, point: usize, replication: u32) -> PathBuf {
    dir.join(RUNS_DIR).join(run_file_name(point, replication))
}
