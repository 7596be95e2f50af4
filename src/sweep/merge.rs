//! `ckptsim merge DIR1 DIR2 ... --out DIR`: joins the output directories of shards into the
//! directory a single machine would have written, byte for byte. The manifests must be
//! identical; run files are copied as they are; the tables and charts are then written from the
//! merged files exactly as `ckptsim sweep` writes them. Every run file is checked against the
//! checksum its shard recorded when it wrote it (`checksums.json`), so a damaged or edited copy
//! is refused rather than merged.

use std::path::{Path, PathBuf};

use super::aggregate::write_tables;
use super::checksums::{CHECKSUMS_JSON, Checksums, checksum};
use super::error::SweepError;
use super::lock::DirLock;
use super::run_file::{RunFileState, parse};
use crate::files::write_atomic;
use crate::layout::sweep::{MANIFEST_JSON, run_file_name, run_file_path};
use crate::sweep_manifest::Manifest;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeReport {
    pub runs: usize,
    pub files: Vec<PathBuf>,
}

pub fn merge(inputs: &[PathBuf], out: &Path, plots: bool) -> Result<MergeReport, SweepError> {
    if inputs.is_empty() {
        return Err(SweepError::Merge("no input directories".into()));
    }
    let mut manifest: Option<(Manifest, Vec<u8>, &PathBuf)> = None;
    for dir in inputs {
        let (m, bytes) = Manifest::read(dir)?.ok_or_else(|| {
            SweepError::Merge(format!("{}: no {MANIFEST_JSON}; not a sweep directory", dir.display()))
        })?;
        match &manifest {
            None => manifest = Some((m, bytes, dir)),
            Some((_, first, first_dir)) if *first != bytes => {
                return Err(SweepError::Merge(format!(
                    "{} and {} hold different sweeps (their {MANIFEST_JSON} differ)",
                    first_dir.display(),
                    dir.display()
                )));
            }
            Some(_) => {}
        }
    }
    let (manifest, manifest_bytes, _) = manifest.ok_or_else(|| SweepError::Merge("no input directories".into()))?;
    let mut ledgers = Vec::with_capacity(inputs.len());
    for dir in inputs {
        let ledger = Checksums::read(dir)?.ok_or_else(|| {
            SweepError::Merge(format!(
                "{}: no {CHECKSUMS_JSON}: merge joins the directories of `ckptsim sweep --shard K/N`, which record \
                 a checksum of every run file (rerun the shard with this ckptsim)",
                dir.display()
            ))
        })?;
        if ledger.fingerprint != manifest.fingerprint {
            return Err(SweepError::StaleDir {
                dir: dir.clone(),
                found: ledger.fingerprint,
                expected: manifest.fingerprint.clone(),
            });
        }
        ledgers.push(ledger);
    }
    if let Some((existing, _)) = Manifest::read(out)?
        && existing.fingerprint != manifest.fingerprint
    {
        return Err(SweepError::StaleDir {
            dir: out.to_path_buf(),
            found: existing.fingerprint,
            expected: manifest.fingerprint,
        });
    }

    // Gather every run before writing anything, so that a missing shard leaves `out` untouched.
    let mut runs = Vec::new();
    let mut missing = Vec::new();
    for key in manifest.runs() {
        let mut found: Option<(Vec<u8>, &PathBuf)> = None;
        for (dir, ledger) in inputs.iter().zip(&ledgers) {
            let path = run_file_path(dir, key.point, key.replication);
            let Ok(bytes) = std::fs::read(&path) else { continue };
            let name = run_file_name(key.point, key.replication);
            let sum = checksum(&bytes);
            match ledger.runs.get(&name) {
                Some(recorded) if *recorded == sum => {}
                Some(recorded) => {
                    return Err(SweepError::Merge(format!(
                        "{}: checksum {sum} is not the {recorded} its shard recorded when it wrote the file: the file \
                         changed since (rerun that shard)",
                        path.display()
                    )));
                }
                None => {
                    return Err(SweepError::Merge(format!(
                        "{}: its shard recorded no checksum for it in {CHECKSUMS_JSON}: the file was not written by \
                         that shard's sweep (rerun that shard)",
                        path.display()
                    )));
                }
            }
            match parse(&bytes, &manifest.fingerprint, &key) {
                RunFileState::Done(_) => {}
                RunFileState::Foreign { fingerprint } => {
                    return Err(SweepError::StaleDir {
                        dir: dir.clone(),
                        found: fingerprint,
                        expected: manifest.fingerprint.clone(),
                    });
                }
                // An unreadable copy is skipped: another shard may hold a good one.
                RunFileState::Invalid(_) | RunFileState::Missing => continue,
            }
            match &found {
                None => found = Some((bytes, dir)),
                Some((other, other_dir)) if *other != bytes => {
                    return Err(SweepError::Merge(format!(
                        "{} differs between {} and {}: the runs are not deterministic, or the directories \
                         were written by different builds",
                        run_file_name(key.point, key.replication),
                        other_dir.display(),
                        dir.display()
                    )));
                }
                Some(_) => {}
            }
        }
        match found {
            Some((bytes, _)) => runs.push((key, bytes)),
            None => missing.push(run_file_name(key.point, key.replication)),
        }
    }
    if !missing.is_empty() {
        let shown: Vec<&str> = missing.iter().take(5).map(String::as_str).collect();
        return Err(SweepError::Merge(format!(
            "{} of {} runs are in none of the inputs ({}{}): run the missing shards first",
            missing.len(),
            manifest.runs().len(),
            shown.join(", "),
            if missing.len() > shown.len() { ", ..." } else { "" }
        )));
    }

    // Locked only now: a merge that fails on its inputs leaves no trace in `out`.
    let _lock = DirLock::acquire(out)?;
    write_atomic(&out.join(MANIFEST_JSON), &manifest_bytes)?;
    for (key, bytes) in &runs {
        write_atomic(&run_file_path(out, key.point, key.replication), bytes)?;
    }
    let mut files = vec![out.join(MANIFEST_JSON)];
    files.extend(write_tables(out)?);
    if plots {
        files.extend(crate::plot::plot_sweep_dir(out)?);
    }
    files.push(crate::report::write_sweep_report(out)?);
    Ok(MergeReport {
        runs: runs.len(),
        files,
    })
}

impl std::fmt::Display for MergeReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "merged {} runs", self.runs)?;
        for p in &self.files {
            writeln!(f, "wrote {}", p.display())?;
        }
        Ok(())
    }
}
