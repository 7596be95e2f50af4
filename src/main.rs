//! The `ckptsim` command line: parses arguments, calls the library, prints. No logic of its own.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use ckptsim::output;
use ckptsim::scenario::{self, Override};

#[derive(Parser)]
#[command(name = "ckptsim", version, about = "Deterministic simulator of Apache Flink's checkpoint protocol")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one scenario and write checkpoints.csv, subtasks.csv, timeline.csv and summary.json.
    Run {
        scenario: PathBuf,
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
    },
    /// Check a scenario file and report the first problem with file, line and field.
    Validate {
        scenario: PathBuf,
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        set: Vec<String>,
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

fn load(path: &PathBuf, set: &[String]) -> anyhow::Result<(scenario::LoadedScenario, scenario::Scenario)> {
    let loaded = scenario::load_file(path)?;
    let overrides = set
        .iter()
        .map(|s| Override::parse(s).map_err(|m| anyhow::anyhow!("bad --set `{s}`: {m}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let sc = loaded.with_overrides(&overrides)?;
    Ok((loaded, sc))
}

fn default_out_dir(path: &std::path::Path) -> PathBuf {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("run");
    PathBuf::from("results").join(stem)
}

fn dispatch(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run { scenario: path, out, seed, set, no_files } => {
            let (_, sc) = load(&path, &set)?;
            let seed = seed.unwrap_or(sc.simulation.seed);
            let label = path.file_stem().and_then(|s| s.to_str()).unwrap_or("scenario").to_string();
            let result = ckptsim::run::run_labelled(&sc, seed, &label);
            print!("{}", output::table::render_summary(&result));
            if !no_files {
                let dir = out.unwrap_or_else(|| default_out_dir(&path));
                let files = output::write_run(&dir, &result).with_context(|| format!("writing results to {}", dir.display()))?;
                println!();
                for f in files {
                    println!("wrote {}", f.display());
                }
            }
            Ok(())
        }
        Command::Validate { scenario: path, set } => {
            let (_, sc) = load(&path, &set)?;
            let subtasks: u32 = sc.operators.iter().map(|o| o.parallelism).sum();
            println!("{}: ok ({} operators, {} subtasks)", path.display(), sc.operators.len(), subtasks);
            Ok(())
        }
    }
}
