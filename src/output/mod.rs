//! The run directory `ckptsim run` writes: a run's CSV and JSON files (each written whole, see
//! [`crate::files`]), its charts and its report page, put in place as one directory.

pub mod flink_rest;
pub mod run_dir;

pub use run_dir::{Replace, RunDirError, publish_dir, write_run_dir, write_run_dir_replacing};

use std::path::{Path, PathBuf};

use crate::files::{FileError, csv_bytes_with_header, json_bytes, write_atomic};
use crate::layout::run::{
    CHECKPOINT_DETAILS_JSON, CHECKPOINTS_CSV, CHECKPOINTS_JSON, FAILURES_CSV, SUBTASKS_CSV, SUMMARY_JSON, TIMELINE_CSV,
};
use crate::run::RunOutput;

/// Why a run directory (or another directory replaced as a whole) could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// A file inside it could not be written.
    #[error(transparent)]
    File(#[from] FileError),
    /// Creating, renaming or removing the directory itself failed.
    #[error("{path}: {cause}")]
    Io { path: PathBuf, cause: std::io::Error },
    /// The output directory holds something ckptsim did not write there: it is not replaced.
    #[error(
        "{dir}: holds {entry}, which `ckptsim run` does not write; refusing to replace the directory \
         (choose another --out, or remove it)"
    )]
    ForeignDir { dir: PathBuf, entry: PathBuf },
    #[error("{path}: {message}")]
    BadTarget { path: PathBuf, message: String },
}

/// Writes a run's files. All are serialized in memory first, so a serialization error leaves no
/// file behind; each file then lands atomically.
pub fn write_run(dir: &Path, out: &RunOutput) -> Result<Vec<PathBuf>, OutputError> {
    let files = [
        (
            dir.join(CHECKPOINTS_CSV),
            csv_bytes_with_header(&out.checkpoints, &dir.join(CHECKPOINTS_CSV))?,
        ),
        (
            dir.join(SUBTASKS_CSV),
            csv_bytes_with_header(&out.subtasks, &dir.join(SUBTASKS_CSV))?,
        ),
        (
            dir.join(TIMELINE_CSV),
            csv_bytes_with_header(&out.timeline, &dir.join(TIMELINE_CSV))?,
        ),
        (
            dir.join(FAILURES_CSV),
            csv_bytes_with_header(&out.failures, &dir.join(FAILURES_CSV))?,
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
                serde_json::to_vec(&flink_rest::details(out)).map_err(|cause| FileError::Json { path, cause })?;
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
