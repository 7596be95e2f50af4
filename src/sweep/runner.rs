//! Running a sweep: the (point, replication) runs of this shard that are not done yet, in parallel
//! on a local rayon pool, each a whole simulated world of its own, each written to its own file the
//! moment it finishes. Then, once every run of the sweep is on disk, the tables and charts.
//!
//! Results do not depend on the thread count: a run's output is a function of its scenario and
//! seed only, and the tables are written from the run files in plan order.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::aggregate::write_tables;
use super::checksums::{Checksums, checksum};
use super::error::SweepError;
use super::lock::DirLock;
use super::plan::{Plan, plan};
use super::run_file::{RunFile, RunFileState, inspect};
use super::shard::Shard;
use crate::files::write_atomic;
use crate::layout::sweep::{MANIFEST_JSON, RUNS_DIR, run_file_name, run_file_path};
use crate::scenario::{Limits, load_file_with};
use crate::sweep_manifest::{Manifest, RunKey};

#[derive(Clone, Debug, Default)]
pub struct SweepOptions {
    /// Worker threads; `None` means one per core.
    pub threads: Option<usize>,
    pub shard: Shard,
    /// Draw charts once the sweep is complete.
    pub plots: bool,
    /// Show a progress bar (only ever when stderr is a terminal).
    pub progress: bool,
    /// Test hook standing in for an interruption: start no more than this many runs.
    pub stop_after_runs: Option<usize>,
    /// What the scenario and every point may ask for (memory, work, input size).
    pub limits: Limits,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SweepReport {
    pub points: usize,
    pub runs_total: usize,
    pub runs_in_shard: usize,
    /// Runs of this shard found done on disk and not run again.
    pub runs_skipped: usize,
    pub runs_done_now: usize,
    /// Every run of the whole sweep is on disk, and the tables were written.
    pub complete: bool,
    /// Run files that were present but unreadable, and were run again.
    pub rerun_invalid: Vec<PathBuf>,
    pub files: Vec<PathBuf>,
}

/// `ckptsim sweep SCENARIO --out DIR`.
pub fn sweep_file(scenario: &Path, out: &Path, opts: &SweepOptions) -> Result<SweepReport, SweepError> {
    let loaded = load_file_with(scenario, &opts.limits)?;
    let label = scenario.file_stem().and_then(|s| s.to_str()).unwrap_or("scenario");
    sweep(&plan(&loaded, label)?, out, opts)
}

pub fn sweep(plan: &Plan, out: &Path, opts: &SweepOptions) -> Result<SweepReport, SweepError> {
    let _lock = DirLock::acquire(out)?;
    let manifest = prepare_dir(out, &plan.manifest)?;
    let all = manifest.runs();
    let mine: Vec<RunKey> = all.iter().copied().filter(|k| opts.shard.owns(k.index)).collect();
    let mut todo = Vec::new();
    let mut rerun_invalid = Vec::new();
    for key in &mine {
        let path = run_file_path(out, key.point, key.replication);
        match inspect(&path, &manifest.fingerprint, key) {
            RunFileState::Done(_) => {}
            RunFileState::Missing => todo.push(*key),
            RunFileState::Invalid(_) => {
                rerun_invalid.push(path);
                todo.push(*key);
            }
            RunFileState::Foreign { fingerprint } => {
                return Err(SweepError::StaleDir {
                    dir: out.to_path_buf(),
                    found: fingerprint,
                    expected: manifest.fingerprint,
                });
            }
        }
    }
    let skipped = mine.len() - todo.len();
    let written = execute(plan, &manifest, out, &todo, skipped, opts)?;
    let done_now = written.len();
    if !opts.shard.is_whole() {
        record_checksums(out, &manifest, &mine, written)?;
    }

    let complete = all.iter().all(|k| run_file_path(out, k.point, k.replication).is_file());
    let mut files = vec![out.join(MANIFEST_JSON)];
    if complete {
        files.extend(write_tables(out)?);
        if opts.plots {
            files.extend(crate::plot::plot_sweep_dir(out)?);
        }
        files.push(crate::report::write_sweep_report(out)?);
    }
    Ok(SweepReport {
        points: manifest.points.len(),
        runs_total: all.len(),
        runs_in_shard: mine.len(),
        runs_skipped: skipped,
        runs_done_now: done_now,
        complete,
        rerun_invalid,
        files,
    })
}

/// Writes the manifest into a new directory, or checks that an existing one holds this sweep.
/// Returns the manifest as read back from disk, which is what the tables are computed from.
fn prepare_dir(out: &Path, planned: &Manifest) -> Result<Manifest, SweepError> {
    match Manifest::read(out)? {
        Some((found, _)) if found.fingerprint != planned.fingerprint => Err(SweepError::StaleDir {
            dir: out.to_path_buf(),
            found: found.fingerprint,
            expected: planned.fingerprint.clone(),
        }),
        // Same fingerprint but another plan: the file was edited by hand.
        Some((found, _)) if found.points != planned.points || found.replications != planned.replications => {
            Err(SweepError::BadFile {
                path: out.join(MANIFEST_JSON),
                message: "its points or seeds differ from the scenario's sweep; remove the directory".into(),
            })
        }
        // Same runs, other chart settings (`[sweep.plot]` is not in the fingerprint): the scenario's
        // settings are the ones to draw with from now on.
        Some((found, _)) if found.plot != planned.plot => {
            remove_stale_temp_files(out)?;
            let updated = Manifest {
                plot: planned.plot.clone(),
                ..found
            };
            write_atomic(&out.join(MANIFEST_JSON), &updated.bytes()?)?;
            Ok(updated)
        }
        Some((found, _)) => {
            remove_stale_temp_files(out)?;
            Ok(found)
        }
        None => {
            write_atomic(&out.join(MANIFEST_JSON), &planned.bytes()?)?;
            Manifest::read(out)?.map(|(m, _)| m).ok_or_else(|| SweepError::BadFile {
                path: out.join(MANIFEST_JSON),
                message: "vanished after writing".into(),
            })
        }
    }
}

/// Updates `checksums.json` of a shard: the runs written now with the checksum of the bytes
/// written, earlier runs with their recorded checksum (or, when an interruption came before it
/// was recorded, that of the file as found).
fn record_checksums(
    out: &Path,
    manifest: &Manifest,
    mine: &[RunKey],
    written: Vec<(RunKey, String)>,
) -> Result<(), SweepError> {
    let old = Checksums::read(out)?.filter(|c| c.fingerprint == manifest.fingerprint);
    let mut ledger = Checksums::new(&manifest.fingerprint);
    let mut now: std::collections::BTreeMap<String, String> = written
        .into_iter()
        .map(|(k, sum)| (run_file_name(k.point, k.replication), sum))
        .collect();
    for key in mine {
        let name = run_file_name(key.point, key.replication);
        let sum = match now.remove(&name) {
            Some(sum) => sum,
            None => match old.as_ref().and_then(|c| c.runs.get(&name)) {
                Some(sum) => sum.clone(),
                None => match std::fs::read(run_file_path(out, key.point, key.replication)) {
                    Ok(bytes) => checksum(&bytes),
                    Err(_) => continue,
                },
            },
        };
        ledger.runs.insert(name, sum);
    }
    ledger.write(out)
}

/// `pNNNN-rRRR.json.tmp`, exactly as `write_atomic` names a run file's temporary.
fn is_run_temp(name: &str) -> bool {
    let Some(body) = name.strip_prefix('p').and_then(|n| n.strip_suffix(".json.tmp")) else {
        return false;
    };
    let Some((point, replication)) = body.split_once("-r") else {
        return false;
    };
    let digits = |s: &str, min: usize| s.len() >= min && s.bytes().all(|b| b.is_ascii_digit());
    digits(point, 4) && digits(replication, 3)
}

/// Removes `runs/pNNNN-rRRR.json.tmp`: what an interrupted `write_atomic` of a run file leaves
/// behind. Such a file is never read (a run counts as done only under its final name), but it
/// would litter the directory. Nothing else is touched, whatever its name ends with.
fn remove_stale_temp_files(out: &Path) -> Result<(), SweepError> {
    let runs = out.join(RUNS_DIR);
    let entries = match std::fs::read_dir(&runs) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(cause) => return Err(SweepError::Io { path: runs, cause }),
    };
    for entry in entries {
        let entry = entry.map_err(|cause| SweepError::Io {
            path: runs.clone(),
            cause,
        })?;
        let name = entry.file_name();
        let is_ours = name.to_str().is_some_and(is_run_temp);
        if is_ours && entry.path().is_file() {
            std::fs::remove_file(entry.path()).map_err(|cause| SweepError::Io {
                path: entry.path(),
                cause,
            })?;
        }
    }
    Ok(())
}

/// Runs `todo` on a pool of `opts.threads`; returns the runs finished, each with the checksum
/// of its file.
fn execute(
    plan: &Plan,
    manifest: &Manifest,
    out: &Path,
    todo: &[RunKey],
    skipped: usize,
    opts: &SweepOptions,
) -> Result<Vec<(RunKey, String)>, SweepError> {
    if todo.is_empty() {
        return Ok(Vec::new());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.unwrap_or(0))
        .build()
        .map_err(|e| SweepError::ThreadPool(e.to_string()))?;
    let progress = super::progress::bar(todo.len() as u64, skipped as u64, opts.progress);
    let started = AtomicUsize::new(0);
    let results: Vec<Result<Option<(RunKey, String)>, SweepError>> = pool.install(|| {
        todo.par_iter()
            .map(|key| {
                if let Some(limit) = opts.stop_after_runs
                    && started.fetch_add(1, Ordering::SeqCst) >= limit
                {
                    return Ok(None);
                }
                let r = run_one(plan, manifest, out, key);
                progress.inc(1);
                r.map(|sum| Some((*key, sum)))
            })
            .collect()
    });
    progress.finish_and_clear();
    let mut done = Vec::new();
    // The first error in plan order, whichever thread hit it first.
    for r in results {
        done.extend(r?);
    }
    Ok(done)
}

/// Runs one (point, replication) and writes its file; returns the file's checksum.
fn run_one(plan: &Plan, manifest: &Manifest, out: &Path, key: &RunKey) -> Result<String, SweepError> {
    let scenario = &plan.scenarios[key.point];
    let name = run_file_name(key.point, key.replication);
    let label = format!("{}/{}", manifest.scenario, name.trim_end_matches(".json"));
    let output = catch_unwind(AssertUnwindSafe(|| {
        crate::run::run_labelled(scenario, key.seed, &label)
    }))
    .map_err(|payload| SweepError::RunPanicked {
        point: key.point,
        replication: key.replication,
        seed: key.seed,
        assignments: plan.points[key.point].assignments(),
        message: payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "non-text panic payload".into()),
    })?;
    let file = RunFile {
        fingerprint: manifest.fingerprint.clone(),
        point: key.point,
        replication: key.replication,
        seed: key.seed,
        summary: &output.summary,
    };
    let path = run_file_path(out, key.point, key.replication);
    // As `write_json` writes it, but the bytes are kept for their checksum.
    let mut bytes = serde_json::to_vec_pretty(&file).map_err(|e| SweepError::BadFile {
        path: path.clone(),
        message: e.to_string(),
    })?;
    bytes.push(b'\n');
    write_atomic(&path, &bytes)?;
    Ok(checksum(&bytes))
}

impl std::fmt::Display for SweepReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} points, {} runs; this shard: {} runs, {} already done, {} run now",
            self.points, self.runs_total, self.runs_in_shard, self.runs_skipped, self.runs_done_now
        )?;
        for p in &self.rerun_invalid {
            writeln!(f, "rerun: {} was unreadable", p.display())?;
        }
        if !self.complete {
            writeln!(
                f,
                "incomplete: tables are written once every run is done (rerun, or merge the shards)"
            )?;
        }
        for p in &self.files {
            writeln!(f, "wrote {}", p.display())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::is_run_temp;

    #[test]
    fn only_run_file_temporaries_count_as_ours() {
        assert!(is_run_temp("p0003-r001.json.tmp"));
        assert!(is_run_temp("p12345-r1000.json.tmp"));
        for other in [
            "pnotes.json.tmp",
            "p0003-r001.json",
            "p03-r001.json.tmp",
            "q0003-r001.json.tmp",
            "p0003-rx01.json.tmp",
        ] {
            assert!(!is_run_temp(other), "{other}");
        }
    }
}
