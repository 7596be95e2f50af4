//! Writing results: CSV and JSON files, each written to a temporary name and renamed into place,
//! so that a reader (or a resumed sweep) never sees half a file.

pub mod contained;
pub mod flink_rest;
pub mod run_dir;

pub use contained::child_path;
pub use run_dir::{Replace, RunDirError, publish_dir, write_run_dir, write_run_dir_replacing};

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::run::RunOutput;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    #[error("{path}: {cause}")]
    Io { path: PathBuf, cause: std::io::Error },
    #[error("{path}: {cause}")]
    Csv { path: PathBuf, cause: csv::Error },
    #[error("{path}: {cause}")]
    Json { path: PathBuf, cause: serde_json::Error },
    /// The output directory holds something ckptsim did not write there: it is not replaced.
    #[error(
        "{dir}: holds {entry}, which `ckptsim run` does not write; refusing to replace the directory \
         (choose another --out, or remove it)"
    )]
    ForeignDir { dir: PathBuf, entry: PathBuf },
    #[error("{path}: {message}")]
    BadTarget { path: PathBuf, message: String },
    /// A file name built from input would leave its directory.
    #[error("{dir}: `{name}` cannot name a file inside it: {message}")]
    UnsafeName {
        dir: PathBuf,
        name: String,
        message: &'static str,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |cause| OutputError::Io {
        path: path.to_path_buf(),
        cause,
    }
}

/// Writes `bytes` to `path` atomically: a sibling temporary file, fsync'd, then renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        fs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    {
        let mut f = fs::File::create(&tmp).map_err(io_err(&tmp))?;
        f.write_all(bytes).map_err(io_err(&tmp))?;
        f.sync_all().map_err(io_err(&tmp))?;
    }
    fs::rename(&tmp, path).map_err(io_err(path))
}

/// Serializes rows to CSV bytes (header from the row type's field names).
pub fn csv_bytes<T: Serialize>(rows: &[T], path_for_errors: &Path) -> Result<Vec<u8>, OutputError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r).map_err(|cause| OutputError::Csv {
            path: path_for_errors.to_path_buf(),
            cause,
        })?;
    }
    w.into_inner().map_err(|e| OutputError::Io {
        path: path_for_errors.to_path_buf(),
        cause: e.into_error(),
    })
}

pub fn write_csv<T: Serialize>(path: &Path, rows: &[T]) -> Result<(), OutputError> {
    let bytes = csv_bytes(rows, path)?;
    write_atomic(path, &bytes)
}

pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), OutputError> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|cause| OutputError::Json {
        path: path.to_path_buf(),
        cause,
    })?;
    bytes.push(b'\n');
    write_atomic(path, &bytes)
}

/// File names `ckptsim run` writes into its output directory.
pub const CHECKPOINTS_CSV: &str = "checkpoints.csv";
pub const SUBTASKS_CSV: &str = "subtasks.csv";
pub const SUMMARY_JSON: &str = "summary.json";
pub const TIMELINE_CSV: &str = "timeline.csv";
pub const FAILURES_CSV: &str = "failures.csv";
pub use flink_rest::{CHECKPOINT_DETAILS_JSON, CHECKPOINTS_JSON};

/// Writes a run's files. All are serialized in memory first, so a serialization error leaves no
/// file behind; each file then lands atomically.
pub fn write_run(dir: &Path, out: &RunOutput) -> Result<Vec<PathBuf>, OutputError> {
    let files = [
        (
            dir.join(CHECKPOINTS_CSV),
            csv_bytes(&out.checkpoints, &dir.join(CHECKPOINTS_CSV))?,
        ),
        (
            dir.join(SUBTASKS_CSV),
            csv_bytes(&out.subtasks, &dir.join(SUBTASKS_CSV))?,
        ),
        (
            dir.join(TIMELINE_CSV),
            csv_bytes(&out.timeline, &dir.join(TIMELINE_CSV))?,
        ),
        (
            dir.join(FAILURES_CSV),
            failures_csv(&out.failures, &dir.join(FAILURES_CSV))?,
        ),
        (
            dir.join(SUMMARY_JSON),
            json_bytes(&out.summary, &dir.join(SUMMARY_JSON))?,
        ),
        (
            dir.join(CHECKPOINTS_JSON),
            json_bytes(&flink_rest::checkpoints(out), &dir.join(CHECKPOINTS_JSON))?,
        ),
        // Compact, as Flink sends it: one entry per checkpoint and vertex adds up.
        (dir.join(CHECKPOINT_DETAILS_JSON), {
            let path = dir.join(CHECKPOINT_DETAILS_JSON);
            let mut b =
                serde_json::to_vec(&flink_rest::details(out)).map_err(|cause| OutputError::Json { path, cause })?;
            b.push(b'\n');
            b
        }),
    ];
    let mut written = Vec::new();
    for (path, bytes) in files {
        write_atomic(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}

/// Pretty JSON with a final newline.
fn json_bytes<T: Serialize>(value: &T, path: &Path) -> Result<Vec<u8>, OutputError> {
    let mut b = serde_json::to_vec_pretty(value).map_err(|cause| OutputError::Json {
        path: path.to_path_buf(),
        cause,
    })?;
    b.push(b'\n');
    Ok(b)
}

/// `failures.csv` with its header even when no failure happened (csv writes headers only with
/// the first row), so readers always find the columns.
fn failures_csv(rows: &[crate::metrics::FailureRecord], path: &Path) -> Result<Vec<u8>, OutputError> {
    if !rows.is_empty() {
        return csv_bytes(rows, path);
    }
    Ok(
        b"failure_timestamp,cause,tasks_restarted,detection_delay,restart_delay,restore_duration,\
restored_checkpoint,records_replayed,channel_state_records,lost_work,downtime,catch_up_time,job_failed,taken_over\n"
            .to_vec(),
    )
}
