//! Flink's own statistics of the measured runs, as the harness summarised them
//! (`tests/fidelity/real/summary.csv`, `recovery.csv`) and its sampled task metrics
//! (`real/<run>/metrics.csv`). Checkpoints triggered in a run's warm-up (the harness's WARMUP,
//! recorded in its `run-info.txt`) are already left out there, the same cut the simulated side
//! applies.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

type Row = BTreeMap<String, String>;

fn read_rows(path: &Path) -> Vec<Row> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = r.headers().expect("header").clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn by_run(rows: Vec<Row>) -> BTreeMap<String, Row> {
    rows.into_iter().map(|r| (r["scenario"].clone(), r)).collect()
}

/// The measured runs, keyed by run name (`f04_bp_aligned_local.r1`).
pub struct RealRuns {
    dir: PathBuf,
    summary: BTreeMap<String, Row>,
    recovery: BTreeMap<String, Row>,
}

impl RealRuns {
    /// The runs of one measuring pass (a `Day`'s `real/`).
    pub fn load(dir: &Path) -> RealRuns {
        let dir = dir.to_path_buf();
        let summary = by_run(read_rows(&dir.join("summary.csv")));
        let recovery_path = dir.join("recovery.csv");
        let recovery = if recovery_path.exists() {
            by_run(read_rows(&recovery_path))
        } else {
            BTreeMap::new()
        };
        RealRuns { dir, summary, recovery }
    }

    /// Every row of a run's own file (`real/<run>/<file>`), as text.
    pub fn run_rows(&self, run: &str, file: &str) -> Vec<Row> {
        read_rows(&self.dir.join(run).join(file))
    }

    pub fn has_run(&self, run: &str) -> bool {
        self.summary.contains_key(run)
    }

    /// A column of `summary.csv` (e.g. `e2e_ms_median`); `None` when empty.
    pub fn summary(&self, run: &str, column: &str) -> Option<f64> {
        let row = self
            .summary
            .get(run)
            .unwrap_or_else(|| panic!("no measured run {run} in real/summary.csv"));
        row.get(column).and_then(|v| v.parse::<f64>().ok())
    }

    /// This host's fsync of a checkpoint-sized file as the measuring pass sampled it
    /// (`real/fsync.csv`, written by `measure.sh`): the one-writer samples' `(p10, p50, p90)` in
    /// ms. Empty when the pass did not sample it (the measurements before 2026-12-05).
    pub fn fsync_samples_ms(&self) -> Vec<(f64, f64, f64)> {
        let path = self.dir.join("fsync.csv");
        if !path.exists() {
            return Vec::new();
        }
        let ms = |r: &Row, k: &str| -> f64 {
            r[k].parse()
                .unwrap_or_else(|e| panic!("{}: {k} `{}`: {e}", path.display(), r[k]))
        };
        read_rows(&path)
            .iter()
            .filter(|r| r["writers"] == "1")
            .map(|r| (ms(r, "p10_ms"), ms(r, "p50_ms"), ms(r, "p90_ms")))
            .collect()
    }

    /// A column of `recovery.csv` (e.g. `fail_to_job_RESTARTING_ms`).
    pub fn recovery(&self, run: &str, column: &str) -> Option<f64> {
        self.recovery.get(run)?.get(column).and_then(|v| v.parse::<f64>().ok())
    }

    /// Mean over the samples taken at least `warmup_s` after the start of a task metric's
    /// per-vertex aggregate (`avg`, `sum`, ...) for the vertex whose name starts with `vertex`.
    pub fn metric_mean(&self, run: &str, vertex: &str, metric: &str, field: &str, warmup_s: f64) -> Option<f64> {
        let rows = read_rows(&self.dir.join(run).join("metrics.csv"));
        let xs: Vec<f64> = rows
            .iter()
            .filter(|r| r["vertex"].starts_with(vertex) && r["metric"] == metric)
            .filter(|r| r["t_rel_s"].parse::<f64>().is_ok_and(|t| t >= warmup_s))
            .filter_map(|r| r.get(field)?.parse::<f64>().ok())
            .collect();
        (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
    }

    /// The run's warm-up (s): the harness's `WARMUP`, as its `run-info.txt` records it
    /// (`duration_s=.. warmup_s=..`). Statistics skip the checkpoints triggered before it.
    pub fn warmup_s(&self, run: &str) -> f64 {
        let path = self.dir.join(run).join("run-info.txt");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        text.split_whitespace()
            .find_map(|word| word.strip_prefix("warmup_s=")?.parse::<f64>().ok())
            .unwrap_or_else(|| panic!("{}: no warmup_s=", path.display()))
    }

    /// Trigger times (s since the job started) of the run's checkpoints, from its
    /// `checkpoints.csv`.
    pub fn trigger_times_s(&self, run: &str) -> Vec<f64> {
        read_rows(&self.dir.join(run).join("checkpoints.csv"))
            .iter()
            .filter_map(|r| r["t_since_job_start_s"].parse::<f64>().ok())
            .collect()
    }
}

impl RealRuns {
    /// Per completed checkpoint triggered at least `warmup_s` after the job started, each
    /// subtask of the vertex whose name starts with `vertex`: its `subtasks.csv` row.
    pub fn subtask_rows(&self, run: &str, vertex: &str, warmup_s: f64) -> Vec<BTreeMap<String, f64>> {
        let measured: std::collections::BTreeSet<String> = self
            .completed_after_warmup(run, warmup_s)
            .into_iter()
            .map(|r| r["checkpoint_id"].clone())
            .collect();
        read_rows(&self.dir.join(run).join("subtasks.csv"))
            .iter()
            .filter(|r| r["vertex"].starts_with(vertex) && measured.contains(&r["checkpoint_id"]))
            .map(|r| {
                r.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.parse::<f64>().ok()?)))
                    .collect()
            })
            .collect()
    }

    /// The rows of the run's `checkpoints.csv` the statistics keep: completed, triggered at
    /// least `warmup_s` after the job started (the cut `summary.csv` makes).
    fn completed_after_warmup(&self, run: &str, warmup_s: f64) -> Vec<Row> {
        read_rows(&self.dir.join(run).join("checkpoints.csv"))
            .into_iter()
            .filter(|r| r["status"] == "COMPLETED")
            .filter(|r| r["t_since_job_start_s"].parse::<f64>().is_ok_and(|t| t >= warmup_s))
            .collect()
    }

    /// Mean of a `checkpoints.csv` column over the completed checkpoints triggered at least
    /// `warmup_s` after the job started (the cut `summary.csv` makes).
    pub fn checkpoint_mean(&self, run: &str, column: &str, warmup_s: f64) -> Option<f64> {
        let xs: Vec<f64> = self
            .completed_after_warmup(run, warmup_s)
            .iter()
            .filter_map(|r| r.get(column)?.parse::<f64>().ok())
            .collect();
        (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
    }

    /// `(trigger time s since the job started, state size B)` of the run's completed
    /// checkpoints.
    pub fn checkpoint_states(&self, run: &str) -> Vec<(f64, f64)> {
        read_rows(&self.dir.join(run).join("checkpoints.csv"))
            .iter()
            .filter(|r| r["status"] == "COMPLETED")
            .filter_map(|r| Some((r["t_since_job_start_s"].parse().ok()?, r["state_size_b"].parse().ok()?)))
            .collect()
    }
}
