//! Why `sweep.json` cannot be read or written: each error names the file.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ManifestError {
    #[error("{path}: {message}")]
    BadFile { path: PathBuf, message: String },
    #[error("{path}: {cause}")]
    Io { path: PathBuf, cause: std::io::Error },
}
