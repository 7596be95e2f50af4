//! `sweep.json`: everything needed to turn run files into tables and charts without the scenario
//! file (so `ckptsim merge` and `ckptsim plot` work on another machine), plus the fingerprint that
//! guards a directory against runs of a different sweep.
//!
//! The format of a sweep directory's plan, below both its writer and its readers: the sweep runner
//! writes it and reads it back to resume or merge, the charts and the report page read it. None
//! of them imports another for it, so the runner may call the charts and the report, and they
//! never import the runner.

pub mod error;
pub mod mode;
pub mod numeric_kind;
pub mod plot_spec;

pub use error::ManifestError;
pub use mode::Mode;
pub use numeric_kind::NumericKind;
pub use plot_spec::PlotSpec;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::layout::sweep::MANIFEST_JSON;

pub const FORMAT: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub fingerprint: String,
    pub ckptsim_version: String,
    /// The label runs carry (the scenario file's stem).
    pub scenario: String,
    pub mode: Mode,
    pub replications: u32,
    pub parameters: Vec<ParameterInfo>,
    pub points: Vec<PointInfo>,
    pub plot: PlotSpec,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParameterInfo {
    pub path: String,
    /// The values as written (`5s`, `8`).
    pub values: Vec<String>,
    /// The values as numbers in a base unit, when they are quantities.
    pub numeric: Option<NumericInfo>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NumericInfo {
    pub kind: NumericKind,
    pub values: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointInfo {
    pub index: usize,
    /// For each parameter, the index of its value.
    pub value_indices: Vec<usize>,
    /// The seed of each replication.
    pub seeds: Vec<u64>,
}

/// One run of the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunKey {
    /// Position in the point-major, replication-minor order (decides the shard).
    pub index: usize,
    pub point: usize,
    pub replication: u32,
    pub seed: u64,
}

impl Manifest {
    pub fn runs(&self) -> Vec<RunKey> {
        let mut out = Vec::with_capacity(self.points.len() * self.replications as usize);
        for p in &self.points {
            for (r, &seed) in p.seeds.iter().enumerate() {
                out.push(RunKey {
                    index: out.len(),
                    point: p.index,
                    replication: r as u32,
                    seed,
                });
            }
        }
        out
    }

    /// The value of parameter `param` at point `point`, as written.
    pub fn value(&self, point: usize, param: usize) -> &str {
        &self.parameters[param].values[self.points[point].value_indices[param]]
    }

    pub fn numeric_value(&self, point: usize, param: usize) -> Option<f64> {
        let n = self.parameters[param].numeric.as_ref()?;
        Some(n.values[self.points[point].value_indices[param]])
    }

    pub fn bytes(&self) -> Result<Vec<u8>, ManifestError> {
        let mut b = serde_json::to_vec_pretty(self).map_err(|e| ManifestError::BadFile {
            path: MANIFEST_JSON.into(),
            message: e.to_string(),
        })?;
        b.push(b'\n');
        Ok(b)
    }

    /// Reads `DIR/sweep.json`; `Ok(None)` when there is none.
    pub fn read(dir: &Path) -> Result<Option<(Manifest, Vec<u8>)>, ManifestError> {
        let path = dir.join(MANIFEST_JSON);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(cause) => return Err(ManifestError::Io { path, cause }),
        };
        let m: Manifest = serde_json::from_slice(&bytes).map_err(|e| ManifestError::BadFile {
            path: path.clone(),
            message: format!("not a sweep manifest: {e}"),
        })?;
        if m.format != FORMAT {
            return Err(ManifestError::BadFile {
                path,
                message: format!(
                    "manifest format {} is not {FORMAT}; rerun the sweep with this ckptsim",
                    m.format
                ),
            });
        }
        m.check_consistent()
            .map_err(|message| ManifestError::BadFile { path, message })?;
        Ok(Some((m, bytes)))
    }

    /// Indices in range and one seed per replication: a hand-edited manifest must not make the
    /// table writers index out of bounds.
    fn check_consistent(&self) -> Result<(), String> {
        // Tables and charts index parameter 0 and point 0: a sweep always has both.
        if self.parameters.is_empty() {
            return Err("no parameters: a sweep varies at least one field".into());
        }
        if self.points.is_empty() {
            return Err("no points".into());
        }
        for (i, p) in self.points.iter().enumerate() {
            if p.index != i {
                return Err(format!("point {i} has index {}", p.index));
            }
            if p.seeds.len() != self.replications as usize {
                return Err(format!(
                    "point {i} has {} seeds for {} replications",
                    p.seeds.len(),
                    self.replications
                ));
            }
            if p.value_indices.len() != self.parameters.len()
                || p.value_indices
                    .iter()
                    .zip(&self.parameters)
                    .any(|(&v, q)| v >= q.values.len())
            {
                return Err(format!("point {i} has value indices out of range"));
            }
        }
        for q in &self.parameters {
            if q.numeric.as_ref().is_some_and(|n| n.values.len() != q.values.len()) {
                return Err(format!(
                    "parameter `{}` has numeric values that do not match its values",
                    q.path
                ));
            }
        }
        Ok(())
    }
}
