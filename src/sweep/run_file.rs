//! One finished run on disk: `runs/pPPPP-rRRR.json`, written atomically once the run is done, so
//! that its presence means the run is complete and a resumed sweep can skip it.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::sweep_manifest::RunKey;

/// The file's content. `S` is the run summary: `RunSummary` when writing, a JSON value when
/// reading (tables flatten whatever fields the summary has).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunFile<S> {
    pub fingerprint: String,
    pub point: usize,
    pub replication: u32,
    pub seed: u64,
    pub summary: S,
}

/// What a run file on disk turned out to be.
#[derive(Debug)]
pub enum RunFileState {
    Missing,
    /// Present and belonging to this run of this sweep.
    Done(RunFile<serde_json::Value>),
    /// Present but of another sweep: the directory is stale.
    Foreign {
        fingerprint: String,
    },
    /// Unreadable or for another point (a manual copy gone wrong); the run is done again.
    Invalid(String),
}

pub fn inspect(path: &Path, fingerprint: &str, key: &RunKey) -> RunFileState {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return RunFileState::Missing,
        Err(e) => return RunFileState::Invalid(e.to_string()),
    };
    parse(&bytes, fingerprint, key)
}

pub fn parse(bytes: &[u8], fingerprint: &str, key: &RunKey) -> RunFileState {
    let f: RunFile<serde_json::Value> = match serde_json::from_slice(bytes) {
        Ok(f) => f,
        Err(e) => return RunFileState::Invalid(e.to_string()),
    };
    if f.fingerprint != fingerprint {
        return RunFileState::Foreign {
            fingerprint: f.fingerprint,
        };
    }
    if (f.point, f.replication, f.seed) != (key.point, key.replication, key.seed) {
        return RunFileState::Invalid(format!(
            "holds point {} replication {} seed {}, expected point {} replication {} seed {}",
            f.point, f.replication, f.seed, key.point, key.replication, key.seed
        ));
    }
    if !f.summary.is_object() {
        return RunFileState::Invalid("`summary` is not an object".into());
    }
    RunFileState::Done(f)
}
