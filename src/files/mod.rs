//! Files written whole, under names that stay inside their directory: how the writers (a run's
//! files, a sweep's tables and run files, SVG charts, report pages, advice) put a file on disk.
//! A file is written to a temporary name and renamed into place, so that a reader (or a resumed
//! sweep) never sees half a file; a name built from input goes through [`child_path`].
//!
//! It stands below every writer and knows none of them, so that charts and report pages need
//! not import the run-directory writer, nor the sweep runner import it, to write a file.

pub mod atomic;
pub mod contained;

pub use atomic::{csv_bytes, csv_bytes_with_header, json_bytes, write_atomic, write_csv, write_json};
pub use contained::child_path;

use std::path::PathBuf;

/// Why a file could not be written or named.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    #[error("{path}: {cause}")]
    Io { path: PathBuf, cause: std::io::Error },
    #[error("{path}: {cause}")]
    Csv { path: PathBuf, cause: csv::Error },
    #[error("{path}: {cause}")]
    Json { path: PathBuf, cause: serde_json::Error },
    /// A file name built from input would leave its directory.
    #[error("{dir}: `{name}` cannot name a file inside it: {message}")]
    UnsafeName {
        dir: PathBuf,
        name: String,
        message: &'static str,
    },
}
