//! `ckptsim plot DIR`: draws what fits the directory. A run directory (checkpoints.csv,
//! timeline.csv) gets the checkpoint timeline and the job timeline; a sweep directory (sweep.json,
//! points.csv) gets the charts of [`super::sweep_dir`]. Charts go to `DIR/plots/`.

use std::path::{Path, PathBuf};

use super::checkpoint_timeline::plot_checkpoint_timeline;
use super::error::PlotError;
use super::read::read_rows;
use super::recovery_timeline::plot_recovery_timeline;
use super::sweep_dir::{PlotOptions, plot_sweep_dir_with};
use crate::layout::PLOTS_DIR;
use crate::layout::run::{CHECKPOINTS_CSV, FAILURES_CSV, TIMELINE_CSV};
use crate::layout::sweep::MANIFEST_JSON;
use crate::metrics::{CheckpointRecord, FailureRecord, TimelineSample};

/// A run directory or a sweep directory, whichever `dir` is.
pub fn plot_dir(dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    plot_dir_with(dir, &PlotOptions::default())
}

/// As [`plot_dir`], with the x axis, series and metrics of a sweep's charts chosen here instead
/// of by its `[sweep.plot]` table; a run directory takes no such options.
pub fn plot_dir_with(dir: &Path, options: &PlotOptions) -> Result<Vec<PathBuf>, PlotError> {
    if dir.join(MANIFEST_JSON).is_file() {
        plot_sweep_dir_with(dir, options)
    } else if !options.is_empty() {
        Err(PlotError::BadInput {
            path: dir.to_path_buf(),
            message: "--x, --series and --metric choose the charts of a sweep directory (one with sweep.json); \
                      this is a run directory"
                .into(),
        })
    } else {
        plot_run_dir(dir)
    }
}

fn dir_name(dir: &Path) -> String {
    dir.file_name().and_then(|n| n.to_str()).unwrap_or("run").to_string()
}

pub fn plot_run_dir(dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    plot_run_dir_as(dir, &dir_name(dir))
}

/// As [`plot_run_dir`], titling the charts with `name` (a run written into a staging directory
/// is titled with the name it will have).
pub fn plot_run_dir_as(dir: &Path, name: &str) -> Result<Vec<PathBuf>, PlotError> {
    let (cp, tl) = (dir.join(CHECKPOINTS_CSV), dir.join(TIMELINE_CSV));
    if !cp.is_file() && !tl.is_file() {
        return Err(PlotError::NothingToPlot {
            dir: dir.to_path_buf(),
            message: format!("neither {CHECKPOINTS_CSV} nor {TIMELINE_CSV} nor {MANIFEST_JSON}"),
        });
    }
    let plots = dir.join(PLOTS_DIR);
    let mut files = Vec::new();
    if cp.is_file() {
        let records: Vec<CheckpointRecord> = read_rows(&cp)?;
        if !records.is_empty() {
            files.extend(plot_checkpoint_timeline(
                &records,
                &format!("Checkpoints — {name}"),
                &plots.join("checkpoints"),
            )?);
        }
    }
    if tl.is_file() {
        let samples: Vec<TimelineSample> = read_rows(&tl)?;
        if !samples.is_empty() {
            // Failures are marked where `failures.csv` has them (older run dirs have no such file).
            let fl = dir.join(FAILURES_CSV);
            let failure_times_s: Vec<f64> = if fl.is_file() {
                let rows: Vec<FailureRecord> = read_rows(&fl)?;
                rows.iter().map(|f| f.failure_timestamp / 1e3).collect()
            } else {
                vec![]
            };
            files.extend(plot_recovery_timeline(
                &format!("Job timeline — {name}"),
                &samples,
                &failure_times_s,
                &plots.join("timeline"),
            )?);
        }
    }
    Ok(files)
}
