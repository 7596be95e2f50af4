//! Errors of `ckptsim sweep` and `ckptsim merge`. Each names the file, and where it can, the
//! parameter, the point or the run it is about.

use std::path::PathBuf;

use crate::files::FileError;
use crate::scenario::ScenarioError;
use crate::sweep_manifest::ManifestError;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SweepError {
    /// Boxed, like the other large payloads, so that `Result<_, SweepError>` stays small.
    #[error(transparent)]
    Scenario(#[from] Box<ScenarioError>),
    #[error("{file}: no [sweep] table; add one (see `ckptsim sweep --help`) or use `ckptsim run`")]
    NoSweep { file: String },
    /// The `[sweep]` table itself is malformed; `parameter` names the offending parameter.
    #[error("{file}: [sweep]{}: {message}", parameter.as_ref().map(|p| format!(" parameter `{p}`")).unwrap_or_default())]
    Spec {
        file: String,
        parameter: Option<String>,
        message: String,
    },
    /// A point's overrides do not make a valid scenario.
    #[error("sweep point {point} ({assignments}): {cause}")]
    Point {
        point: usize,
        assignments: String,
        // Not `#[source]`: the message already includes it, and `{:#}` would print it twice.
        cause: Box<ScenarioError>,
    },
    #[error("bad --shard `{0}`: expected K/N with 1 <= K <= N, e.g. 2/4")]
    Shard(String),
    /// The output directory holds a different sweep; resuming into it would mix results.
    #[error(
        "{dir}: holds sweep {found}, not {expected} (the scenario, its [sweep] table or the ckptsim \
         version differ); choose another --out or remove the directory"
    )]
    StaleDir {
        dir: PathBuf,
        found: String,
        expected: String,
    },
    #[error("{path}: {message}")]
    BadFile { path: PathBuf, message: String },
    #[error("{path}: {cause}")]
    Io { path: PathBuf, cause: std::io::Error },
    #[error(transparent)]
    File(#[from] FileError),
    /// `sweep.json` cannot be read or written.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
    /// The simulator panicked: a bug in ckptsim, reported with what reproduces it.
    #[error(
        "run of point {point} replication {replication} (seed {seed}) panicked: {message}; \
         reproduce with `ckptsim run` and these overrides: {assignments}"
    )]
    RunPanicked {
        point: usize,
        replication: u32,
        seed: u64,
        assignments: String,
        message: String,
    },
    #[error("merge: {0}")]
    Merge(String),
    /// Another sweep or merge is writing into the directory.
    #[error(
        "{dir}: another ckptsim sweep or merge is writing into this directory; wait for it or choose another --out"
    )]
    Locked { dir: PathBuf },
    #[error("rayon thread pool: {0}")]
    ThreadPool(String),
    #[error(transparent)]
    Plot(#[from] crate::plot::PlotError),
}

impl From<ScenarioError> for SweepError {
    fn from(e: ScenarioError) -> Self {
        SweepError::Scenario(Box::new(e))
    }
}

impl SweepError {
    pub(crate) fn spec(file: &str, parameter: Option<&str>, message: impl Into<String>) -> Self {
        SweepError::Spec {
            file: file.to_string(),
            parameter: parameter.map(str::to_string),
            message: message.into(),
        }
    }

    /// The sweep parameter the error is about, if any.
    pub fn parameter(&self) -> Option<&str> {
        match self {
            SweepError::Spec { parameter, .. } => parameter.as_deref(),
            _ => None,
        }
    }
}
