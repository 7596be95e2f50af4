//! One HTML page per run and per sweep (`report.html`), and the page builder a command with other
//! findings (advice on a configuration) writes its own with: the verdict, the summary, the charts
//! and, for a run, the checkpoint history as Flink's web UI shows it, one row per checkpoint with
//! its subtasks behind a click. Built from the files of the output directory, so the page shows
//! what the files hold, and self-contained (see [`page`]).

pub mod base64;
pub mod html;
pub mod page;
pub mod run;
pub mod sweep;

use std::path::{Path, PathBuf};

pub use page::{Block, Report, Section};
pub use run::{run_report, write_run_report};
pub use sweep::{sweep_report, write_sweep_report};

use crate::files::FileError;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    #[error("{path}: {cause}")]
    Io { path: PathBuf, cause: std::io::Error },
    #[error("{path}: {cause}")]
    Csv { path: PathBuf, cause: csv::Error },
    #[error("{path}: {message}")]
    BadInput { path: PathBuf, message: String },
    #[error(transparent)]
    File(#[from] FileError),
}

/// Writes `report` into `path` (atomically: a reader never sees half a page).
pub fn write_report(path: &Path, report: &Report) -> Result<PathBuf, ReportError> {
    crate::files::write_atomic(path, report.render().as_bytes())?;
    Ok(path.to_path_buf())
}

/// Rewrites the report of a run or sweep directory (after its charts were redrawn).
pub fn write_report_for(dir: &Path) -> Result<PathBuf, ReportError> {
    if dir.join(crate::layout::sweep::MANIFEST_JSON).is_file() {
        write_sweep_report(dir)
    } else {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("run");
        write_run_report(dir, name)
    }
}

/// A CSV file as text cells: the page shows each number exactly as the file holds it (the
/// charts read their tables the same way: `plot::read::Table`).
pub(crate) fn read_csv(path: &Path) -> Result<(Vec<String>, Vec<Vec<String>>), ReportError> {
    match crate::plot::read::Table::read(path) {
        Ok(t) => Ok((t.header, t.rows)),
        Err(crate::plot::PlotError::Csv { path, cause }) => Err(ReportError::Csv { path, cause }),
        Err(other) => unreachable!("reading a table fails only on CSV errors, not: {other}"),
    }
}

/// The PNG charts in `dir/plots/` with their stems, in the order of `stems` and then sorted.
pub(crate) fn read_charts(dir: &Path, first: &[&str]) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
    let plots = dir.join(crate::layout::PLOTS_DIR);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |cause| ReportError::Io { path, cause }
    };
    let entries = match std::fs::read_dir(&plots) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(cause) => return Err(io(&plots)(cause)),
    };
    let mut stems = Vec::new();
    for entry in entries {
        let path = entry.map_err(io(&plots))?.path();
        if path.extension().is_some_and(|e| e == "png")
            && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
        {
            stems.push(stem.to_string());
        }
    }
    stems.sort_by_key(|s| (first.iter().position(|f| f == s).unwrap_or(first.len()), s.clone()));
    stems
        .into_iter()
        .map(|stem| {
            let path = plots.join(format!("{stem}.png"));
            let png = std::fs::read(&path).map_err(io(&path))?;
            Ok((stem, png))
        })
        .collect()
}
