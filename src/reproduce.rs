//! `ckptsim reproduce`: regenerates `results/` from `scenarios/*.toml` with one command. A file
//! without a `[sweep]` table is run once (as `ckptsim run` does, charts included), a file with
//! one is swept (as `ckptsim sweep` does); each into `OUT/<file stem>/`, which is removed first so
//! that nothing of an older version of the code survives. Then `OUT/INDEX.md` lists every result
//! directory and every chart with a sentence on what it shows, generated from the scenario files'
//! `description`, the sweeps' manifests, the charts on disk and `plot::catalog`, so it cannot drift
//! from what was produced.
//!
//! Deterministic like everything else: the same scenario files and ckptsim give the same bytes,
//! whatever `--threads` is. The scenarios in [`SKIPPED`] are not regenerated, for the reason given.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::files::{FileError, child_path, write_atomic};
use crate::layout::run::RUN_FILES;
use crate::layout::sweep::{MANIFEST_JSON, POINTS_CSV, RUNS_CSV, RUNS_DIR};
use crate::layout::{PLOTS_DIR, REPORT_HTML};
use crate::output::{Replace, RunDirError, write_run_dir_replacing};
use crate::plot::catalog;
use crate::scenario::{Limits, LoadedScenario, ScenarioError, load_file_with};
use crate::sweep::error::SweepError;
use crate::sweep::plan::plan;
use crate::sweep::runner::{SweepOptions, sweep};
use crate::sweep::shard::Shard;
use crate::sweep_manifest::{Manifest, Mode};

pub const INDEX_MD: &str = "INDEX.md";

/// Scenario files (by stem) that `reproduce` leaves out, and why. Listed in `INDEX.md` too.
pub const SKIPPED: [(&str, &str); 1] = [(
    "bench_reference",
    "the speed benchmark's job (`cargo bench --bench engine`): it measures the simulator's speed, \
     not checkpointing, and its per-subtask files would be large; run it with `ckptsim run` if wanted",
)];

/// Reference questions that no scenario answers yet, because the simulator cannot model them yet.
/// Listed in `INDEX.md` so that the gap is visible rather than filled with a made-up figure.
pub const PENDING: [(&str, &str); 0] = [];

#[derive(Clone, Debug)]
pub struct ReproduceOptions {
    /// Directory of scenario files (`scenarios/`); every `*.toml` in it, not recursively.
    pub scenarios: PathBuf,
    /// Output directory (`results/`).
    pub out: PathBuf,
    /// Worker threads for the sweeps and the single runs; `None` means one per core.
    pub threads: Option<usize>,
    /// Regenerate only these stems (`quickstart`); empty means all but [`SKIPPED`].
    pub only: Vec<String>,
    /// Progress bars on stderr (only when it is a terminal).
    pub progress: bool,
    /// What each scenario and sweep point may ask for.
    pub limits: Limits,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReproduceError {
    #[error("{path}: {cause}")]
    Io { path: PathBuf, cause: std::io::Error },
    #[error(transparent)]
    Scenario(#[from] Box<ScenarioError>),
    #[error("{stem}: {cause}")]
    Sweep { stem: String, cause: SweepError },
    #[error("{stem}: {cause}")]
    Run { stem: String, cause: RunDirError },
    #[error(transparent)]
    File(#[from] FileError),
    #[error("--only {name}: no scenarios/{name}.toml (there are: {available})")]
    UnknownOnly { name: String, available: String },
    #[error("--only {name}: this scenario is skipped by reproduce: {reason}")]
    OnlySkipped { name: String, reason: &'static str },
    #[error("{0}: no scenario files (*.toml)")]
    NoScenarios(PathBuf),
    #[error("rayon thread pool: {0}")]
    ThreadPool(String),
    #[error("{stem}: [advise]: {cause}")]
    Advise {
        stem: String,
        cause: crate::advise::AdviseError,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Run,
    Sweep,
    /// The planner's questions of a scenario's `[advise]` table, into `advice_<stem>/`.
    Advice,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Run => "run",
            Kind::Sweep => "sweep",
            Kind::Advice => "advise",
        }
    }
}

/// A scenario file, loaded and validated.
struct Entry {
    stem: String,
    file_name: String,
    kind: Kind,
    loaded: LoadedScenario,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReproduceReport {
    /// Regenerated: stem, how, directory, number of files written.
    pub done: Vec<(String, Kind, PathBuf, usize)>,
    pub skipped: Vec<(String, &'static str)>,
    pub index: PathBuf,
}

fn skip_reason(stem: &str) -> Option<&'static str> {
    SKIPPED.iter().find(|(s, _)| *s == stem).map(|(_, r)| *r)
}

/// The `*.toml` files of `dir`, by file name, loaded and validated (all of them, before anything
/// runs, so that a bad file fails at once).
fn entries(dir: &Path, limits: &Limits) -> Result<Vec<Entry>, ReproduceError> {
    let io = |cause| ReproduceError::Io {
        path: dir.to_path_buf(),
        cause,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()).map_err(io))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(ReproduceError::NoScenarios(dir.to_path_buf()));
    }
    files
        .into_iter()
        .map(|path| {
            let loaded = load_file_with(&path, limits).map_err(Box::new)?;
            let kind = if loaded.table.contains_key("sweep") {
                Kind::Sweep
            } else {
                Kind::Run
            };
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("scenario")
                .to_string();
            // The stem names a directory that is removed and rewritten: `...toml` has the
            // stem `..`, which would be the output directory's parent.
            child_path(Path::new(""), &stem)?;
            Ok(Entry {
                stem,
                file_name: path.file_name().and_then(|s| s.to_str()).unwrap_or("").to_string(),
                kind,
                loaded,
            })
        })
        .collect()
}

fn remove_dir(dir: &Path) -> Result<(), ReproduceError> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(cause) => Err(ReproduceError::Io {
            path: dir.to_path_buf(),
            cause,
        }),
    }
}

/// `ckptsim reproduce`.
pub fn reproduce(opts: &ReproduceOptions) -> Result<ReproduceReport, ReproduceError> {
    let all = entries(&opts.scenarios, &opts.limits)?;
    for name in &opts.only {
        if let Some(reason) = skip_reason(name) {
            return Err(ReproduceError::OnlySkipped {
                name: name.clone(),
                reason,
            });
        }
        if !all.iter().any(|e| &e.stem == name) {
            return Err(ReproduceError::UnknownOnly {
                name: name.clone(),
                available: all.iter().map(|e| e.stem.as_str()).collect::<Vec<_>>().join(", "),
            });
        }
    }
    let skipped: Vec<(String, &'static str)> = all
        .iter()
        .filter_map(|e| skip_reason(&e.stem).map(|r| (e.stem.clone(), r)))
        .collect();
    let chosen: Vec<&Entry> = all
        .iter()
        .filter(|e| skip_reason(&e.stem).is_none() && (opts.only.is_empty() || opts.only.contains(&e.stem)))
        .collect();

    // Single runs are one thread each: run them side by side. Sweeps parallelise inside.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.unwrap_or(0))
        .build()
        .map_err(|e| ReproduceError::ThreadPool(e.to_string()))?;
    let runs: Vec<&Entry> = chosen.iter().copied().filter(|e| e.kind == Kind::Run).collect();
    let run_results: Vec<Result<usize, ReproduceError>> =
        pool.install(|| runs.par_iter().map(|e| reproduce_run(e, &opts.out)).collect());
    let mut done = Vec::new();
    for (e, r) in runs.iter().zip(run_results) {
        done.push((e.stem.clone(), Kind::Run, opts.out.join(&e.stem), r?));
    }
    for e in chosen.iter().filter(|e| e.kind == Kind::Sweep) {
        let dir = opts.out.join(&e.stem);
        remove_dir(&dir)?;
        let sweep_opts = SweepOptions {
            threads: opts.threads,
            shard: Shard::default(),
            plots: true,
            progress: opts.progress,
            stop_after_runs: None,
            limits: opts.limits,
        };
        let wrap = |cause| ReproduceError::Sweep {
            stem: e.stem.clone(),
            cause,
        };
        let report = sweep(&plan(&e.loaded, &e.stem).map_err(wrap)?, &dir, &sweep_opts).map_err(wrap)?;
        let files = report.files.len() + report.runs_done_now;
        done.push((e.stem.clone(), Kind::Sweep, dir, files));
    }
    for e in chosen.iter().filter(|e| e.loaded.scenario.advise.is_some()) {
        let dir = opts.out.join(advice_dir(&e.stem));
        done.push((
            advice_dir(&e.stem),
            Kind::Advice,
            dir.clone(),
            reproduce_advice(e, &dir, opts.threads)?,
        ));
    }
    done.sort_by(|a, b| a.0.cmp(&b.0));

    let index = opts.out.join(INDEX_MD);
    write_atomic(&index, index_markdown(&opts.scenarios, &opts.out, &all)?.as_bytes())?;
    Ok(ReproduceReport { done, skipped, index })
}

/// Where a scenario's advice goes: beside its run, under a name no scenario file can take.
pub fn advice_dir(stem: &str) -> String {
    format!("advice_{stem}")
}

/// `ckptsim advise` with the options of the scenario's `[advise]` table, as `results/` keeps it.
fn reproduce_advice(e: &Entry, dir: &Path, threads: Option<usize>) -> Result<usize, ReproduceError> {
    let wrap = |cause| ReproduceError::Advise {
        stem: e.stem.clone(),
        cause,
    };
    let mut opts = crate::advise::AdviseOptions::default();
    if let Some(t) = &e.loaded.scenario.advise {
        opts.apply_table(t)
            .map_err(|m| wrap(crate::advise::AdviseError::Question(m)))?;
    }
    opts.threads = threads;
    let advice = crate::advise::advise(&e.loaded, &[], &e.stem, None, &opts).map_err(wrap)?;
    Ok(crate::advise::report::write_advice_dir(dir, &advice, true)
        .map_err(wrap)?
        .len())
}

fn reproduce_run(e: &Entry, out: &Path) -> Result<usize, ReproduceError> {
    let dir = out.join(&e.stem);
    let sc = &e.loaded.scenario;
    let result = crate::run::run_labelled(sc, sc.simulation.seed, &e.stem);
    // Replaced as a whole, as `ckptsim run` does, whatever it held (reproduce owns it): nothing
    // of an older version survives, and an interruption leaves the older version complete.
    let files =
        write_run_dir_replacing(&dir, &result, true, Replace::Anything).map_err(|cause| ReproduceError::Run {
            stem: e.stem.clone(),
            cause,
        })?;
    Ok(files.len())
}

/// The charts in `dir/plots/`: file stems with a PNG, sorted, and whether an SVG sits beside it.
fn charts(dir: &Path) -> Result<Vec<(String, bool)>, ReproduceError> {
    let plots = dir.join(PLOTS_DIR);
    let read = match std::fs::read_dir(&plots) {
        Ok(r) => r,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(cause) => return Err(ReproduceError::Io { path: plots, cause }),
    };
    let mut stems = Vec::new();
    for entry in read {
        let path = entry
            .map_err(|cause| ReproduceError::Io {
                path: plots.clone(),
                cause,
            })?
            .path();
        if path.extension().is_some_and(|e| e == "png")
            && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
        {
            stems.push((stem.to_string(), plots.join(format!("{stem}.svg")).is_file()));
        }
    }
    stems.sort();
    Ok(stems)
}

fn figure_line(md: &mut String, stem: &str, svg: bool, sentence: &str) {
    let svg = if svg { " (and `.svg`)" } else { "" };
    let _ = writeln!(md, "- `{PLOTS_DIR}/{stem}.png`{svg}: {sentence}.");
}

/// `INDEX.md`, from the scenario files and what is on disk under `out`.
fn index_markdown(scenarios: &Path, out: &Path, all: &[Entry]) -> Result<String, ReproduceError> {
    let mut md = String::new();
    let _ = writeln!(md, "# results/\n");
    let _ = writeln!(
        md,
        "Generated by `cargo run --release -- reproduce` (`ckptsim reproduce`, `src/sweep/reproduce.rs`) from \
         `{}/*.toml`; do not edit: rerun the command. Each directory below holds the outputs of one scenario file: \
         `ckptsim run` for a file without a `[sweep]` table, `ckptsim sweep` for one with. Same code, same bytes.\n",
        scenarios.display()
    );
    let _ = writeln!(md, "Not regenerated:\n");
    for (stem, reason) in SKIPPED {
        let _ = writeln!(md, "- `{stem}.toml`: {reason}.");
    }
    if !PENDING.is_empty() {
        let _ = writeln!(md, "\nNot answered yet:\n");
        for (question, why) in PENDING {
            let _ = writeln!(md, "- {question}: {why}.");
        }
    }
    let _ = writeln!(md);
    for e in all.iter().filter(|e| skip_reason(&e.stem).is_none()) {
        let dir = out.join(&e.stem);
        let _ = writeln!(
            md,
            "## `{}/` ({}, `{}/{}`)\n",
            e.stem,
            e.kind.name(),
            scenarios.display(),
            e.file_name
        );
        let description = e.loaded.scenario.description.trim();
        if !description.is_empty() {
            let stop = if description.ends_with(['.', '?', '!']) {
                ""
            } else {
                "."
            };
            let _ = writeln!(md, "{description}{stop}\n");
        }
        if !dir.is_dir() {
            let _ = writeln!(
                md,
                "Not generated yet: `cargo run --release -- reproduce --only {}`.\n",
                e.stem
            );
            continue;
        }
        match e.kind {
            Kind::Run | Kind::Advice => index_run(&mut md, &dir)?,
            Kind::Sweep => index_sweep(&mut md, &dir, &e.stem)?,
        }
        index_advice(&mut md, &out.join(advice_dir(&e.stem)), &e.stem)?;
        let _ = writeln!(md);
    }
    let _ = writeln!(
        md,
        "## `notebooks/`\n\nNot written by `reproduce`: `notebooks/run_all.sh` executes the jupytext notebooks \
         `notebooks/*.py`, which read the directories above with pandas and redraw the key figures with matplotlib \
         into `results/notebooks/`; each notebook says what it draws."
    );
    let _ = writeln!(
        md,
        "\n## `fast_path/`\n\nNot written by `reproduce`: `cargo bench --bench fast_path -- K 3` runs every scenario \
         above (but the sweeps), the fidelity suite's and the production shape with \
         `simulation.records_per_bundle = K` and record by record on seeds 1-3, and writes the error of each figure to \
         `error_kK.csv` (README, \"The fast path\")."
    );
    Ok(md)
}

fn index_run(md: &mut String, dir: &Path) -> Result<(), ReproduceError> {
    let data: Vec<String> = RUN_FILES
        .iter()
        .filter(|f| **f != REPORT_HTML && dir.join(f).is_file())
        .map(|f| format!("`{f}`"))
        .collect();
    let _ = writeln!(md, "Data: {} (fields: README, \"Output files\").\n", data.join(", "));
    report_line(
        md,
        dir,
        "the run on one page: verdict, summary table, charts, and the checkpoint history with each checkpoint's subtasks",
    );
    for (stem, svg) in charts(dir)? {
        let sentence = catalog::run_figure(&stem).unwrap_or("a chart without a catalogue entry");
        figure_line(md, &stem, svg, sentence);
    }
    Ok(())
}

/// The answers of `advice_<stem>/advice.json`, as sentences, when the scenario asked questions.
fn index_advice(md: &mut String, dir: &Path, stem: &str) -> Result<(), ReproduceError> {
    let path = dir.join(crate::advise::report::ADVICE_JSON);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(());
    };
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| ReproduceError::Io {
        path: path.clone(),
        cause: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
    })?;
    let _ = writeln!(
        md,
        "\nIts `[advise]` questions, answered by `ckptsim advise` into `{}/` (`advice.json`, `report.html`, \
         charts under `plots/`):\n",
        advice_dir(stem)
    );
    for key in [
        "interval",
        "verification",
        "bandwidth",
        "catch_up",
        "spike",
        "mode",
        "aging",
    ] {
        if let Some(s) = v.get(key).and_then(|a| a.get("sentence")).and_then(|s| s.as_str()) {
            let _ = writeln!(md, "- {key}: {s}");
        }
    }
    Ok(())
}

fn report_line(md: &mut String, dir: &Path, what: &str) {
    if dir.join(REPORT_HTML).is_file() {
        let _ = writeln!(
            md,
            "- `{}`: {what} (self-contained; open it in a browser).",
            REPORT_HTML
        );
    }
}

fn index_sweep(md: &mut String, dir: &Path, stem: &str) -> Result<(), ReproduceError> {
    let (m, _) = Manifest::read(dir)
        .map_err(|cause| ReproduceError::Sweep {
            stem: stem.to_string(),
            cause: cause.into(),
        })?
        .ok_or_else(|| ReproduceError::Io {
            path: dir.join(MANIFEST_JSON),
            cause: std::io::Error::new(std::io::ErrorKind::NotFound, "no sweep manifest"),
        })?;
    let runs = m.points.len() * m.replications as usize;
    let _ = writeln!(
        md,
        "{} points ({} mode) x {} replications = {runs} runs, over:\n",
        m.points.len(),
        match m.mode {
            Mode::Grid => "grid",
            Mode::Zip => "zip",
        },
        m.replications
    );
    for p in &m.parameters {
        let mut values: Vec<&str> = Vec::new();
        for v in &p.values {
            if !values.contains(&v.as_str()) {
                values.push(v);
            }
        }
        let _ = writeln!(md, "- `{}`: {}", p.path, values.join(", "));
    }
    let _ = writeln!(
        md,
        "\nData: `{MANIFEST_JSON}` (the plan: parameters, points, seeds), `{RUNS_DIR}/` (one summary per run), \
         `{RUNS_CSV}` (one row per run), `{POINTS_CSV}` (per point: mean and 95 % confidence interval of every metric).\n"
    );
    let x_index = m
        .plot
        .x
        .as_ref()
        .and_then(|x| m.parameters.iter().position(|p| &p.path == x))
        .unwrap_or(0);
    let x_param = m.parameters[x_index].path.clone();
    // The lines of the charts, as `plot` groups them (a zip varied together is one line).
    let series: Vec<String> = crate::plot::grouping::series_parameters(&m, x_index, &m.plot.series)
        .into_iter()
        .map(|j| m.parameters[j].path.clone())
        .collect();
    let series = if series.is_empty() {
        "configuration".to_string()
    } else {
        series.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(" x ")
    };
    report_line(
        md,
        dir,
        "the sweep on one page: what was varied, the charts, and every point's means with their 95 % intervals",
    );
    for (chart, svg) in charts(dir)? {
        figure_line(md, &chart, svg, &catalog::sweep_figure(&chart, &x_param, &series));
    }
    Ok(())
}

impl std::fmt::Display for ReproduceReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (stem, kind, dir, files) in &self.done {
            writeln!(f, "{stem}: {} -> {} ({files} files)", kind.name(), dir.display())?;
        }
        for (stem, reason) in &self.skipped {
            writeln!(f, "{stem}: skipped ({reason})")?;
        }
        writeln!(f, "wrote {}", self.index.display())
    }
}
