//! `runs.csv` and `points.csv`, computed from the files on disk only (the manifest and the run
//! files), never from results held in memory: a fresh sweep, a resumed one and a merge of shards
//! read the same bytes and so write the same bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::error::SweepError;
use super::flatten::{Cell, flatten, render_f64};
use super::run_file::{RunFileState, inspect};
use crate::confidence::estimate;
use crate::files::write_atomic;
use crate::layout::sweep::{POINTS_CSV, RUNS_CSV, run_file_path};
use crate::sweep_manifest::Manifest;

/// Writes both tables; every run of the manifest must be done.
pub fn write_tables(dir: &Path) -> Result<Vec<PathBuf>, SweepError> {
    let (manifest, _) = Manifest::read(dir)?.ok_or_else(|| SweepError::BadFile {
        path: dir.join(crate::layout::sweep::MANIFEST_JSON),
        message: "missing: not a sweep directory".into(),
    })?;
    let runs = read_runs(dir, &manifest)?;
    let columns: Vec<String> = runs
        .iter()
        .flat_map(|r| r.metrics.keys().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let numeric: Vec<&String> = columns
        .iter()
        .filter(|c| {
            let cells = runs
                .iter()
                .filter_map(|r| r.metrics.get(*c))
                .filter(|x| **x != Cell::Empty);
            let mut any = false;
            cells.into_iter().all(|x| {
                any = true;
                x.is_number()
            }) && any
        })
        .collect();

    let runs_path = dir.join(RUNS_CSV);
    let mut header = vec!["point".to_string(), "replication".into(), "seed".into()];
    header.extend(param_header(&manifest));
    header.extend(columns.iter().cloned());
    let mut rows = vec![header];
    for r in &runs {
        let mut row = vec![r.point.to_string(), r.replication.to_string(), r.seed.to_string()];
        row.extend(param_cells(&manifest, r.point));
        row.extend(
            columns
                .iter()
                .map(|c| r.metrics.get(c).map(Cell::render).unwrap_or_default()),
        );
        rows.push(row);
    }
    write_atomic(&runs_path, &csv_bytes(&rows, &runs_path)?)?;

    let points_path = dir.join(POINTS_CSV);
    let mut header = vec!["point".to_string()];
    header.extend(param_header(&manifest));
    header.push("replications".into());
    for c in &numeric {
        header.extend([format!("{c}.mean"), format!("{c}.ci95"), format!("{c}.n")]);
    }
    let mut rows = vec![header];
    for p in &manifest.points {
        let mut row = vec![p.index.to_string()];
        row.extend(param_cells(&manifest, p.index));
        row.push(manifest.replications.to_string());
        // Runs are in plan order, point-major: a point's replications are one contiguous slice.
        let r = manifest.replications as usize;
        let of_point = &runs[p.index * r..(p.index + 1) * r];
        for c in &numeric {
            let xs: Vec<f64> = of_point
                .iter()
                .filter_map(|r| r.metrics.get(*c).and_then(Cell::as_f64))
                .collect();
            match estimate(&xs) {
                Some(e) => row.extend([
                    render_f64(e.mean),
                    e.ci95_half_width.map(render_f64).unwrap_or_default(),
                    e.n.to_string(),
                ]),
                None => row.extend([String::new(), String::new(), "0".into()]),
            }
        }
        rows.push(row);
    }
    write_atomic(&points_path, &csv_bytes(&rows, &points_path)?)?;
    Ok(vec![runs_path, points_path])
}

struct RunMetrics {
    point: usize,
    replication: u32,
    seed: u64,
    metrics: BTreeMap<String, Cell>,
}

fn read_runs(dir: &Path, manifest: &Manifest) -> Result<Vec<RunMetrics>, SweepError> {
    manifest
        .runs()
        .iter()
        .map(|key| {
            let path = run_file_path(dir, key.point, key.replication);
            match inspect(&path, &manifest.fingerprint, key) {
                RunFileState::Done(f) => Ok(RunMetrics {
                    point: key.point,
                    replication: key.replication,
                    seed: key.seed,
                    metrics: flatten(&f.summary).into_iter().collect(),
                }),
                RunFileState::Missing => Err(SweepError::BadFile {
                    path,
                    message: "missing: the sweep is not complete".into(),
                }),
                RunFileState::Foreign { fingerprint } => Err(SweepError::StaleDir {
                    dir: dir.to_path_buf(),
                    found: fingerprint,
                    expected: manifest.fingerprint.clone(),
                }),
                RunFileState::Invalid(message) => Err(SweepError::BadFile { path, message }),
            }
        })
        .collect()
}

fn param_header(m: &Manifest) -> Vec<String> {
    let mut out = Vec::new();
    for p in &m.parameters {
        out.push(p.path.clone());
        if let Some(suffix) = p.numeric.as_ref().and_then(|n| n.kind.column_suffix()) {
            out.push(format!("{}{suffix}", p.path));
        }
    }
    out
}

fn param_cells(m: &Manifest, point: usize) -> Vec<String> {
    let mut out = Vec::new();
    for (j, p) in m.parameters.iter().enumerate() {
        out.push(m.value(point, j).to_string());
        if p.numeric.as_ref().and_then(|n| n.kind.column_suffix()).is_some() {
            out.push(m.numeric_value(point, j).map(render_f64).unwrap_or_default());
        }
    }
    out
}

fn csv_bytes(rows: &[Vec<String>], path: &Path) -> Result<Vec<u8>, SweepError> {
    let err = |message: String| SweepError::BadFile {
        path: path.to_path_buf(),
        message,
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(r).map_err(|e| err(e.to_string()))?;
    }
    w.into_inner().map_err(|e| err(e.to_string()))
}
