//! The `ckptsim` command line: parses arguments, calls the library, prints. No logic of its own.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use ckptsim::output;
use ckptsim::scenario::{self, Limits, Override};

/// Prints to standard output, which a reader may close early (`ckptsim run … | head`): then
/// the rest of what would be printed is dropped and the command still finishes its work (a run
/// still writes its directory), where `print!` would panic on the broken pipe.
fn emit(args: std::fmt::Arguments) {
    use std::io::Write;
    use std::sync::atomic::{AtomicBool, Ordering};
    static CLOSED: AtomicBool = AtomicBool::new(false);
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.flush()) {
        CLOSED.store(true, Ordering::Relaxed);
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("warning: standard output failed ({e}); nothing more is printed");
        }
    }
}

/// `print!` through [`emit`].
macro_rules! say {
    ($($arg:tt)*) => { emit(format_args!($($arg)*)) };
}

/// `println!` through [`emit`].
macro_rules! sayln {
    () => { emit(format_args!("\n")) };
    ($($arg:tt)*) => { emit(format_args!("{}\n", format_args!($($arg)*))) };
}

#[derive(Parser)]
#[command(
    name = "ckptsim",
    version,
    about = "Deterministic simulator of Apache Flink's checkpoint protocol"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// How much a scenario may ask for; checked before anything runs.
#[derive(Args, Clone, Copy, Debug)]
struct LimitArgs {
    /// Refuse a run estimated to need more memory than this (e.g. 32GiB).
    #[arg(long, value_name = "SIZE", default_value = "8GiB", value_parser = parse_size)]
    limit_memory: u64,
    /// Refuse a run estimated to take more simulation steps than this (records through an
    /// operator, a network buffer through a channel, ...; about 40 M steps per second).
    #[arg(long, value_name = "STEPS", default_value = "2e11", value_parser = parse_steps)]
    limit_work: u64,
    /// Refuse a scenario file larger than this.
    #[arg(long, value_name = "SIZE", default_value = "1MiB", value_parser = parse_size)]
    limit_input: u64,
}

impl LimitArgs {
    fn limits(self) -> Limits {
        Limits {
            memory_bytes_max: self.limit_memory,
            work_steps_max: self.limit_work,
            input_bytes_max: self.limit_input,
        }
    }
}

fn parse_size(s: &str) -> Result<u64, String> {
    let v = ckptsim::units::parse_bytes(s)?;
    if !(v >= 1.0 && v <= u64::MAX as f64) {
        return Err(format!("`{s}` is not a positive size"));
    }
    Ok(v as u64)
}

fn parse_duration_s(s: &str) -> Result<f64, String> {
    let ns = ckptsim::units::parse_duration_ns(s)?;
    if !(ns > 0.0 && ns.is_finite()) {
        return Err(format!("`{s}` is not a positive duration"));
    }
    Ok(ns / 1e9)
}

fn parse_share(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 1.0 => Ok(v),
        _ => Err(format!("`{s}` is not a share in (0, 1]")),
    }
}

fn parse_factor(s: &str) -> Result<f64, String> {
    match s.trim().trim_end_matches(['x', 'X']).parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 100.0 => Ok(v),
        _ => Err(format!("`{s}` is not a factor in (0, 100]")),
    }
}

fn parse_steps(s: &str) -> Result<u64, String> {
    let v: f64 = s.trim().parse().map_err(|_| format!("`{s}` is not a number"))?;
    if !(v >= 1.0 && v <= u64::MAX as f64) {
        return Err(format!("`{s}` is not a positive number of steps"));
    }
    Ok(v as u64)
}

/// The file layout `ckptsim import` reads, shown by `ckptsim import --help`.
const IMPORT_LAYOUT: &str = "\
Layout of DIR: one JSON file per REST path, as `curl -o DIR/<path>.json http://HOST:PORT/<path>` saves it:
  jobs/<jid>.json                                   GET /jobs/<jid>  (vertices and plan)
  jobs/<jid>/config.json                            GET /jobs/<jid>/config  (optional)
  jobs/<jid>/checkpoints.json                       GET /jobs/<jid>/checkpoints
  jobs/<jid>/checkpoints/config.json                GET /jobs/<jid>/checkpoints/config
  jobs/<jid>/checkpoints/details/<cid>.json         GET /jobs/<jid>/checkpoints/details/<cid>  (each completed <cid> of the history)
  jobs/<jid>/checkpoints/details/<cid>/subtasks/<vid>.json   GET .../details/<cid>/subtasks/<vid>  (each vertex)
  jobs/<jid>/vertices/<vid>.json                    GET /jobs/<jid>/vertices/<vid>
  jobs/<jid>/vertices/<vid>/subtasks/metrics.json   GET /jobs/<jid>/vertices/<vid>/subtasks/metrics?get=numRecordsInPerSecond,numRecordsOutPerSecond,numBytesInPerSecond,numBytesOutPerSecond,busyTimeMsPerSecond,backPressuredTimeMsPerSecond&agg=min,max,avg,sum
                                                    (more samples as metrics.1.json, metrics.2.json, ...: the median is taken)
  jobmanager/config.json                            GET /jobmanager/config  (optional: RocksDB incremental)
See README.md, \"Start from your running job\".";

#[derive(Subcommand)]
enum Command {
    /// Run one scenario and write checkpoints.csv, subtasks.csv, timeline.csv, failures.csv,
    /// summary.json, checkpoints.json / checkpoint_details.json (Flink's REST shape), and
    /// report.html (one page: summary, charts, checkpoint history).
    Run {
        scenario: PathBuf,
        /// A Flink config.yaml whose keys (execution.checkpointing.interval, state.backend.type,
        /// ...) replace the scenario fields they correspond to (see scenarios/REFERENCE.md).
        #[arg(long, value_name = "CONFIG_YAML")]
        flink_conf: Option<PathBuf>,
        /// Epoch milliseconds of simulated time zero, for checkpoints.json (default: the
        /// scenario's `simulation.start_epoch_ms`, 2024-01-01T00:00:00Z unless set).
        #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(0..=253_402_300_799_999))]
        start_epoch_ms: Option<u64>,
        /// Output directory (default: results/<scenario name>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Master seed (default: the scenario's `simulation.seed`).
        #[arg(long)]
        seed: Option<u64>,
        /// Override a scenario field, e.g. `--set checkpoint.interval=20s`
        /// or `--set operators.map.parallelism=8`. Repeatable.
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        set: Vec<String>,
        /// Print the summary only; write no files.
        #[arg(long)]
        no_files: bool,
        /// Write the files but draw no charts (DIR/plots/).
        #[arg(long)]
        no_plots: bool,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Check a scenario file and report the first problem with file, line and field, or what
    /// its run needs (memory, simulation steps).
    Validate {
        scenario: PathBuf,
        /// A Flink config.yaml applied on top, as for `run`.
        #[arg(long, value_name = "CONFIG_YAML")]
        flink_conf: Option<PathBuf>,
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        set: Vec<String>,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Write the scenario reference (REFERENCE.md) and its JSON Schema
    /// (ckptsim-scenario.schema.json), generated from the code, into DIR.
    Reference {
        #[arg(long, default_value = "scenarios")]
        out: PathBuf,
    },
    /// Run the scenario's [sweep]: every point and replication, in parallel, resumable.
    /// Writes DIR/sweep.json, DIR/runs/*.json, then DIR/runs.csv, DIR/points.csv, DIR/plots/ and
    /// DIR/report.html.
    Sweep {
        scenario: PathBuf,
        /// Output directory (default: results/<scenario name>). Rerunning into it skips the
        /// runs already done.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Worker threads (default: one per core). Results do not depend on it.
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
        threads: Option<u16>,
        /// Run only share K of N (1-based), e.g. `--shard 2/4`; join shards with `ckptsim merge`.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// Draw no charts.
        #[arg(long)]
        no_plots: bool,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Join the output directories of sweep shards into one, as a single machine writes it.
    Merge {
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        #[arg(long)]
        out: PathBuf,
        /// Draw no charts.
        #[arg(long)]
        no_plots: bool,
    },
    /// Draw the charts that fit a run directory or a sweep directory into DIR/plots/. For a
    /// finished sweep, the options below choose its charts instead of its [sweep.plot] table
    /// (nothing is run again, and sweep.json is left as it is).
    Plot {
        dir: PathBuf,
        /// The swept parameter on the x axis, e.g. `--x checkpoint.interval`.
        #[arg(long, value_name = "PARAMETER")]
        x: Option<String>,
        /// A swept parameter whose values tell the lines apart. Repeatable. Default: every other
        /// parameter that does not follow from x (a zip sweep varied together is one line).
        #[arg(long, value_name = "PARAMETER")]
        series: Vec<String>,
        /// A metric (numeric column of runs.csv) to draw against x, e.g.
        /// `--metric summary.end_to_end_duration.p99`. Repeatable. Default: [sweep.plot] metrics.
        #[arg(long, value_name = "METRIC")]
        metric: Vec<String>,
    },
    /// Answer a planner's questions by simulating the job: the checkpoint interval for a failure
    /// rate, the storage bandwidth for a p99 target, the spare throughput to catch up after a
    /// failure, whether checkpoints survive a traffic spike (and what fixes them), the barrier
    /// mode, and (asked by name) the cores each TaskManager needs to keep up and, for RocksDB,
    /// how checkpoints grow with the job's uptime. Prints each
    /// answer with its evidence and writes DIR/advice.json, DIR/plots/ and DIR/report.html.
    Advise {
        scenario: PathBuf,
        /// The questions to answer (comma-separated). Default: the scenario's `[advise]`
        /// questions, else all but `aging` and `cores`.
        #[arg(long, value_enum, value_delimiter = ',')]
        question: Vec<ckptsim::advise::Question>,
        /// Mean time between failures, e.g. `1d`, `6h` (of each TaskManager, or of the job:
        /// --mtbf-per). Default 1d.
        #[arg(long, value_parser = parse_duration_s)]
        mtbf: Option<f64>,
        /// Default: taskmanager.
        #[arg(long, value_enum)]
        mtbf_per: Option<ckptsim::advise::MtbfPer>,
        /// What fails. Default: taskmanager-lost.
        #[arg(long, value_enum)]
        failure: Option<ckptsim::advise::FailureKind>,
        /// Bandwidth: keep p99 checkpoint duration under this share of the interval. Default 0.5.
        #[arg(long, value_parser = parse_share)]
        target_share: Option<f64>,
        /// Catch-up: output live again within this time after a failure. Default 2min.
        #[arg(long, value_parser = parse_duration_s)]
        catch_up: Option<f64>,
        /// Spike: input multiplied by this factor (`2` or `2x`). Default 2.
        #[arg(long, value_parser = parse_factor)]
        spike: Option<f64>,
        /// Spike: for this long. Default 1min.
        #[arg(long, value_parser = parse_duration_s)]
        spike_length: Option<f64>,
        /// Check the advised interval with this many random-failure runs at it, at half and at
        /// twice it (0, the default: no check).
        #[arg(long)]
        verify_runs: Option<u32>,
        /// Length of each check run, in MTBFs of the job. Default 20.
        #[arg(long)]
        verify_mtbfs: Option<f64>,
        /// Output directory (default: results/advice_<scenario name>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Master seed (default: the scenario's `simulation.seed`).
        #[arg(long)]
        seed: Option<u64>,
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        set: Vec<String>,
        #[arg(long, value_name = "CONFIG_YAML")]
        flink_conf: Option<PathBuf>,
        /// Worker threads (default: one per core). Answers do not depend on it.
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
        threads: Option<u16>,
        /// Draw no charts.
        #[arg(long)]
        no_plots: bool,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Write a calibrated scenario for a running Flink job from its REST API responses: the
    /// topology and chaining, parallelism, source rates and record sizes, per-record costs,
    /// state sizes, storage latency and bandwidth (fitted), RPC latency and the checkpoint
    /// configuration, every line naming its source; what REST cannot tell is marked
    /// `# ASSUMPTION: edit.` `ckptsim run` on the result prints a calibration report.
    #[command(after_long_help = IMPORT_LAYOUT)]
    Import {
        /// Directory of saved REST responses (layout below); with --rest, where they are saved.
        dir: PathBuf,
        /// Fetch the responses first from this REST address (e.g. http://localhost:8081).
        #[arg(long, value_name = "URL", requires = "job")]
        rest: Option<String>,
        /// The job id (default: the only `jobs/<jid>.json` in DIR).
        #[arg(long, value_name = "JID")]
        job: Option<String>,
        /// The scenario file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Distinct keys of the keyed streams (REST cannot tell; default 100 per key group).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
        keys: Option<u64>,
        /// Cores behind each TaskManager (REST cannot tell; default one per slot).
        #[arg(long, value_name = "CORES")]
        cores_per_taskmanager: Option<f64>,
        /// TaskManagers sharing one host's cores (default 1).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        taskmanagers_per_host: Option<u32>,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Regenerate results/: run every scenarios/*.toml (sweep those with a [sweep] table) into
    /// OUT/<name>/, charts included, then write OUT/INDEX.md. Skips the speed benchmark's job.
    Reproduce {
        /// Directory of scenario files.
        #[arg(long, default_value = "scenarios")]
        scenarios: PathBuf,
        /// Output directory; each OUT/<name>/ regenerated is removed first.
        #[arg(long, default_value = "results")]
        out: PathBuf,
        /// Worker threads (default: one per core). Results do not depend on it.
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
        threads: Option<u16>,
        /// Regenerate only this scenario (file stem, e.g. `quickstart`). Repeatable.
        #[arg(long, value_name = "NAME")]
        only: Vec<String>,
        #[command(flatten)]
        limits: LimitArgs,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn load(
    path: &Path,
    set: &[String],
    flink_conf: Option<&Path>,
    limits: &Limits,
) -> anyhow::Result<(scenario::LoadedScenario, scenario::Scenario)> {
    let conf = flink_conf.map(scenario::FlinkConf::load).transpose()?;
    let overrides = parse_overrides(set)?;
    // The budget is for the run that happens: a one-hour file shortened with
    // `--set simulation.duration=60s` is checked as the minute it runs, not refused for its hour.
    // The file is still read, typed and validated on its own; `with_overrides` checks the budget.
    let file_limits = if overrides.is_empty() {
        *limits
    } else {
        Limits {
            memory_bytes_max: u64::MAX,
            work_steps_max: u64::MAX,
            ..*limits
        }
    };
    let loaded = scenario::load_file_with_options(path, conf.as_ref(), &file_limits)?.with_limits(*limits);
    // Deployment options of a cluster's config.yaml: accepted, not used, and said so.
    for s in &loaded.set_aside {
        eprintln!("note: {s}");
    }
    let sc = loaded.with_overrides(&overrides)?;
    Ok((loaded, sc))
}

fn parse_overrides(set: &[String]) -> anyhow::Result<Vec<Override>> {
    set.iter()
        .map(|s| Override::parse(s).map_err(|m| anyhow::anyhow!("bad --set `{s}`: {m}")))
        .collect()
}

/// `results/<file stem>`, when the stem is a plain name (`...toml` has the stem `..`).
fn default_out_dir(path: &std::path::Path) -> anyhow::Result<PathBuf> {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("run");
    ckptsim::files::child_path(std::path::Path::new("results"), stem)
        .context("the scenario file's name cannot name its output directory; give --out")
}

fn dispatch(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run {
            scenario: path,
            flink_conf,
            start_epoch_ms,
            out,
            seed,
            set,
            no_files,
            no_plots,
            limits,
        } => {
            let (_, mut sc) = load(&path, &set, flink_conf.as_deref(), &limits.limits())?;
            if let Some(ms) = start_epoch_ms {
                sc.simulation.start_epoch_ms = ms;
            }
            let dir = match (no_files, out) {
                (true, _) => None,
                (false, Some(d)) => Some(d),
                (false, None) => Some(default_out_dir(&path)?),
            };
            // Before the run, not after it: a directory that will not be replaced is said at once.
            if let Some(d) = &dir {
                output::run_dir::check_replaceable(d)?;
            }
            let seed = seed.unwrap_or(sc.simulation.seed);
            let label = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("scenario")
                .to_string();
            let needs = scenario::budget::estimate(&sc);
            for note in ckptsim::run_progress::notes(&sc, &needs) {
                eprintln!("{note}");
            }
            let bar = ckptsim::run_progress::bar(&sc, &needs);
            let result =
                ckptsim::run::run_labelled_reporting(&sc, seed, &label, |t| ckptsim::run_progress::show(&bar, t));
            bar.finish_and_clear();
            say!("{}", ckptsim::summary_table::render_summary(&result));
            if let Some(dir) = dir {
                let files = output::write_run_dir(&dir, &result, !no_plots)
                    .with_context(|| format!("writing results to {}", dir.display()))?;
                sayln!();
                for f in files {
                    sayln!("wrote {}", f.display());
                }
            }
            Ok(())
        }
        Command::Validate {
            scenario: path,
            flink_conf,
            set,
            limits,
        } => {
            let (_, sc) = load(&path, &set, flink_conf.as_deref(), &limits.limits())?;
            let subtasks: u32 = sc.operators.iter().map(|o| o.parallelism).sum();
            let needs = scenario::budget::estimate(&sc);
            sayln!(
                "{}: ok ({} operators, {} subtasks; a run needs {} and {:.1e} simulation steps)",
                path.display(),
                sc.operators.len(),
                subtasks,
                needs.memory_ceiling_text(),
                needs.work_steps()
            );
            for note in ckptsim::run_progress::notes(&sc, &needs) {
                sayln!("{note}");
            }
            Ok(())
        }
        Command::Sweep {
            scenario: path,
            out,
            threads,
            shard,
            no_plots,
            limits,
        } => {
            let opts = ckptsim::sweep::SweepOptions {
                threads: threads.map(usize::from),
                shard: shard
                    .as_deref()
                    .map(ckptsim::sweep::Shard::parse)
                    .transpose()?
                    .unwrap_or_default(),
                plots: !no_plots,
                progress: true,
                stop_after_runs: None,
                limits: limits.limits(),
            };
            let dir = match out {
                Some(d) => d,
                None => default_out_dir(&path)?,
            };
            let report = ckptsim::sweep::sweep_file(&path, &dir, &opts)?;
            say!("{report}");
            Ok(())
        }
        Command::Merge { dirs, out, no_plots } => {
            let report = ckptsim::sweep::merge(&dirs, &out, !no_plots)?;
            say!("{report}");
            Ok(())
        }
        Command::Import {
            dir,
            rest,
            job,
            out,
            keys,
            cores_per_taskmanager,
            taskmanagers_per_host,
            limits,
        } => {
            let opts = ckptsim::import::ImportOptions {
                job_id: job.clone(),
                keys,
                cores_per_taskmanager,
                taskmanagers_per_host,
            };
            let from = match &rest {
                Some(url) => {
                    let jid = job.as_deref().expect("clap: --rest requires --job");
                    ckptsim::import::fetch::fetch(url, jid, &dir)?;
                    sayln!(
                        "fetched the REST responses of job {jid} from {url} into {}",
                        dir.display()
                    );
                    format!("{url} (saved in {})", dir.display())
                }
                None => dir.display().to_string(),
            };
            let imported = ckptsim::import::import_dir(&dir, &opts)?;
            let text = imported.to_toml(&from);
            // The written scenario must load as any other: checked before it is written.
            scenario::parse_str_with(&text, &out.display().to_string(), &limits.limits())
                .with_context(|| "the imported scenario does not load (a bug in the importer)")?;
            ckptsim::files::write_atomic(&out, text.as_bytes())?;
            sayln!(
                "wrote {}: tasks {}; figures from {} completed checkpoints",
                out.display(),
                imported.plan_summary,
                imported.checkpoints
            );
            sayln!(
                "check the lines marked `ASSUMPTION: edit.`, then `ckptsim run {}`",
                out.display()
            );
            Ok(())
        }
        Command::Reference { out } => {
            for (name, text) in [
                (
                    scenario::reference::REFERENCE_MD,
                    scenario::reference::markdown::markdown(),
                ),
                (
                    scenario::reference::SCHEMA_JSON,
                    scenario::reference::json_schema::json_schema(),
                ),
            ] {
                let path = out.join(name);
                ckptsim::files::write_atomic(&path, text.as_bytes())?;
                sayln!("wrote {}", path.display());
            }
            Ok(())
        }
        Command::Plot { dir, x, series, metric } => {
            let options = ckptsim::plot::PlotOptions {
                x,
                series,
                metrics: metric,
            };
            let mut files = ckptsim::plot::plot_dir_with(&dir, &options)?;
            // The page embeds the charts: redrawn with them.
            files.push(ckptsim::report::write_report_for(&dir)?);
            for f in files {
                sayln!("wrote {}", f.display());
            }
            Ok(())
        }
        Command::Advise {
            scenario: path,
            question,
            mtbf,
            mtbf_per,
            failure,
            target_share,
            catch_up,
            spike,
            spike_length,
            verify_runs,
            verify_mtbfs,
            out,
            seed,
            set,
            flink_conf,
            threads,
            no_plots,
            limits,
        } => {
            let (loaded, _) = load(&path, &set, flink_conf.as_deref(), &limits.limits())?;
            let user = parse_overrides(&set)?;
            let label = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("scenario")
                .to_string();
            let dir = match out {
                Some(d) => d,
                None => ckptsim::files::child_path(Path::new("results"), &format!("advice_{label}"))
                    .context("the scenario file's name cannot name its output directory; give --out")?,
            };
            // Defaults, then the scenario's [advise] table, then what was given here.
            let mut opts = ckptsim::advise::AdviseOptions::default();
            if let Some(t) = &loaded.scenario.advise {
                opts.apply_table(t)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            }
            if !question.is_empty() {
                opts.questions = question;
            }
            opts.failure = failure.unwrap_or(opts.failure);
            opts.mtbf_s = mtbf.unwrap_or(opts.mtbf_s);
            opts.mtbf_per = mtbf_per.unwrap_or(opts.mtbf_per);
            opts.target_share = target_share.unwrap_or(opts.target_share);
            opts.catch_up_ms = catch_up.map_or(opts.catch_up_ms, |s| s * 1e3);
            opts.spike_factor = spike.unwrap_or(opts.spike_factor);
            opts.spike_length_ms = spike_length.map_or(opts.spike_length_ms, |s| s * 1e3);
            opts.verify_runs = verify_runs.unwrap_or(opts.verify_runs);
            opts.verify_mtbfs = verify_mtbfs.unwrap_or(opts.verify_mtbfs);
            opts.threads = threads.map(usize::from);
            let advice = ckptsim::advise::advise(&loaded, &user, &label, seed, &opts)?;
            sayln!("advice for {label} (seed {})\n", advice.seed);
            for (q, sentence) in advice.sentences() {
                sayln!("{q}:\n  {sentence}\n");
            }
            say!(
                "{}",
                ckptsim::verdict::render(&advice.verdict).replace("verdict", "the scenario as written")
            );
            let files = ckptsim::advise::report::write_advice_dir(&dir, &advice, !no_plots)?;
            sayln!();
            for f in files {
                sayln!("wrote {}", f.display());
            }
            Ok(())
        }
        Command::Reproduce {
            scenarios,
            out,
            threads,
            only,
            limits,
        } => {
            let opts = ckptsim::reproduce::ReproduceOptions {
                scenarios,
                out,
                threads: threads.map(usize::from),
                only,
                progress: true,
                limits: limits.limits(),
            };
            say!("{}", ckptsim::reproduce::reproduce(&opts)?);
            Ok(())
        }
    }
}
