//! A run's output directory is replaced as a whole: every file is written into a staging
//! directory beside the target, which is then renamed into place. A kill or a full disk leaves
//! the previous run's directory as it was (and a staging directory that the next run into the
//! same place removes), never a mix of two runs; a run without charts leaves no older charts.
//!
//! The directory being replaced must hold nothing but what `ckptsim run` writes, so that
//! `--out ~/` never deletes a user's files.

use std::path::{Path, PathBuf};

use super::{OutputError, write_run};
use crate::layout::PLOTS_DIR;
use crate::layout::run::RUN_FILES;
use crate::plot::PlotError;
use crate::report::ReportError;
use crate::run::RunOutput;

/// Marks the staging and retired directories beside a target: `.NAME.ckptsim-staging-PID`.
const STAGING: &str = "ckptsim-staging";
const RETIRED: &str = "ckptsim-old";

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunDirError {
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Plot(#[from] PlotError),
    #[error(transparent)]
    Report(#[from] ReportError),
}

/// What may be replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replace {
    /// Only a run directory (`ckptsim run --out DIR`: DIR is the user's choice).
    RunDirOnly,
    /// Whatever is there (`ckptsim reproduce` owns `results/<stem>/`, stale files included).
    Anything,
}

/// Writes a run's files, and its charts when `plots`, as the directory `dir`, replacing only a
/// run directory.
pub fn write_run_dir(dir: &Path, out: &RunOutput, plots: bool) -> Result<Vec<PathBuf>, RunDirError> {
    write_run_dir_replacing(dir, out, plots, Replace::RunDirOnly)
}

/// As [`write_run_dir`], saying what the directory may hold before.
pub fn write_run_dir_replacing(
    dir: &Path,
    out: &RunOutput,
    plots: bool,
    replace: Replace,
) -> Result<Vec<PathBuf>, RunDirError> {
    // Chart titles name the directory: the final name, not the staging one.
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("run").to_string();
    publish_dir(dir, replace, |staging| -> Result<Vec<PathBuf>, RunDirError> {
        let mut files = write_run(staging, out)?;
        if plots {
            files.extend(crate::plot::plot_run_dir_as(staging, &name)?);
        }
        // Last: the page shows the files and charts written above, and is staged with them.
        files.push(crate::report::write_run_report(staging, &name)?);
        Ok(files)
    })
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |cause| OutputError::Io {
        path: path.to_path_buf(),
        cause,
    }
}

/// Fills a fresh staging directory with `fill`, then puts it in place of `target`. Returns the
/// paths `fill` wrote, as they are under `target`.
pub fn publish_dir<E: From<OutputError>>(
    target: &Path,
    replace: Replace,
    fill: impl FnOnce(&Path) -> Result<Vec<PathBuf>, E>,
) -> Result<Vec<PathBuf>, E> {
    if replace == Replace::RunDirOnly {
        check_replaceable(target)?;
    }
    let name = target
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| OutputError::BadTarget {
            path: target.to_path_buf(),
            message: "names no directory (it ends in `..` or is a root)".into(),
        })?;
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io_err(&parent))?;
    remove_abandoned(&parent, name);
    let pid = std::process::id();
    let staging = parent.join(format!(".{name}.{STAGING}-{pid}"));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(io_err(&staging))?;
    }
    std::fs::create_dir(&staging).map_err(io_err(&staging))?;
    let files = match fill(&staging) {
        Ok(files) => files,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    if let Err(e) = swap_into_place(&staging, target, &parent.join(format!(".{name}.{RETIRED}-{pid}"))) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e.into());
    }
    Ok(files
        .into_iter()
        .map(|f| match f.strip_prefix(&staging) {
            Ok(rel) => target.join(rel),
            Err(_) => f,
        })
        .collect())
}

fn swap_into_place(staging: &Path, target: &Path, retired: &Path) -> Result<(), OutputError> {
    if !target.exists() {
        return std::fs::rename(staging, target).map_err(io_err(target));
    }
    if retired.exists() {
        std::fs::remove_dir_all(retired).map_err(io_err(retired))?;
    }
    std::fs::rename(target, retired).map_err(io_err(target))?;
    if let Err(cause) = std::fs::rename(staging, target) {
        // Put the previous run back: the target is never left empty by a failed swap.
        let _ = std::fs::rename(retired, target);
        return Err(OutputError::Io {
            path: target.to_path_buf(),
            cause,
        });
    }
    std::fs::remove_dir_all(retired).map_err(io_err(retired))
}

/// Refuses to replace anything but a run directory: its files, and charts under `plots/`.
pub fn check_replaceable(target: &Path) -> Result<(), OutputError> {
    let foreign = |entry: &Path| OutputError::ForeignDir {
        dir: target.to_path_buf(),
        entry: entry.to_path_buf(),
    };
    let meta = match std::fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(cause) => return Err(io_err(target)(cause)),
    };
    if !meta.is_dir() {
        return Err(foreign(target));
    }
    for entry in std::fs::read_dir(target).map_err(io_err(target))? {
        let entry = entry.map_err(io_err(target))?;
        let path = entry.path();
        let file_type = entry.file_type().map_err(io_err(&path))?;
        let name = entry.file_name();
        let name = name.to_str().unwrap_or("");
        if file_type.is_file() && RUN_FILES.contains(&name) {
            continue;
        }
        if file_type.is_dir() && name == PLOTS_DIR {
            for chart in std::fs::read_dir(&path).map_err(io_err(&path))? {
                let chart = chart.map_err(io_err(&path))?;
                let chart_name = chart.file_name();
                let chart_name = chart_name.to_str().unwrap_or("");
                let is_chart =
                    chart_name.ends_with(".png") || chart_name.ends_with(".svg") || chart_name.ends_with(".svg.tmp");
                if !(chart.file_type().map_err(io_err(&chart.path()))?.is_file() && is_chart) {
                    return Err(foreign(&chart.path()));
                }
            }
            continue;
        }
        return Err(foreign(&path));
    }
    Ok(())
}

/// Removes staging and retired directories of `name` left by processes that are gone (killed
/// mid-run). Only on Linux, where `/proc` tells whether a process lives; elsewhere they stay.
fn remove_abandoned(parent: &Path, name: &str) {
    if !cfg!(target_os = "linux") {
        return;
    }
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefix = format!(".{name}.");
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let pid = [STAGING, RETIRED]
            .iter()
            .find_map(|kind| rest.strip_prefix(kind)?.strip_prefix('-')?.parse::<u32>().ok());
        if let Some(pid) = pid
            && pid != std::process::id()
            && !Path::new(&format!("/proc/{pid}")).exists()
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
