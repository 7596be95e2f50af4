//! `ckptsim advise`: a planner's questions answered by simulating their job.
//!
//! - [`interval`]: the checkpoint interval that loses the least time for a failure rate;
//! - [`bandwidth`]: the storage bandwidth that keeps p99 checkpoint duration under a share of
//!   the interval;
//! - [`headroom`]: the spare throughput needed to be live again within a target time after a
//!   failure;
//! - [`spike`]: whether checkpoints survive a traffic spike, and which setting fixes them if not;
//! - [`mode`]: aligned, unaligned or aligned with a timeout;
//! - [`aging`]: how RocksDB's checkpoints grow with the job's uptime (asked for by name only).
//!
//! Every answer starts from the scenario as written (the [`baseline::Baseline`] run, judged by
//! the run verdict), runs variants of it (`--set` overrides on the user's file, so each run is a
//! validated scenario) in parallel, and returns a sentence with the figures behind it. Runs are
//! seeded from the scenario's seed and gathered in a fixed order: the advice is deterministic,
//! whatever the number of threads. [`verify`] checks the advised interval independently.

pub mod aging;
pub mod bandwidth;
pub mod baseline;
pub mod charts;
pub mod cores;
pub mod cost;
pub mod failure;
pub mod headroom;
pub mod interval;
pub mod mode;
pub mod options;
pub mod report;
pub mod spike;
pub mod variants;
pub mod verify;

use serde::Serialize;

pub use failure::{FailureKind, FailureModel, MtbfPer};

use crate::metrics::Finding;
use crate::scenario::{LoadedScenario, Override};
use crate::units::{human_ms, human_s};

#[derive(Debug, thiserror::Error)]
pub enum AdviseError {
    #[error(transparent)]
    Scenario(#[from] crate::scenario::ScenarioError),
    #[error(transparent)]
    File(#[from] crate::files::FileError),
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
    #[error(transparent)]
    Plot(#[from] crate::plot::PlotError),
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
    #[error("cannot answer: {0}")]
    Question(String),
}

/// The questions `advise` can answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Question {
    Interval,
    Bandwidth,
    CatchUp,
    Spike,
    Mode,
    Aging,
    Cores,
}

#[derive(Clone, Debug, Serialize)]
pub struct AdviseOptions {
    pub questions: Vec<Question>,
    pub failure: FailureKind,
    pub mtbf_s: f64,
    pub mtbf_per: MtbfPer,
    /// Bandwidth: p99 checkpoint duration at most this share of the interval.
    pub target_share: f64,
    /// Catch-up: live output again within this time after a failure (ms).
    pub catch_up_ms: f64,
    pub spike_factor: f64,
    pub spike_length_ms: f64,
    /// Verification of the advised interval: random-failure runs per interval (0: none).
    pub verify_runs: u32,
    /// Simulated time of each verification run, in MTBFs of the job.
    pub verify_mtbfs: f64,
    #[serde(skip)]
    pub threads: Option<usize>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Advice {
    pub scenario: String,
    pub seed: u64,
    pub options: AdviseOptions,
    /// The scenario as written, judged as `ckptsim run` judges it.
    pub verdict: Vec<Finding>,
    pub interval: Option<interval::IntervalAnswer>,
    pub bandwidth: Option<bandwidth::BandwidthAnswer>,
    pub catch_up: Option<headroom::HeadroomAnswer>,
    pub spike: Option<spike::SpikeAnswer>,
    pub mode: Option<mode::ModeAnswer>,
    pub aging: Option<aging::AgingAnswer>,
    pub cores: Option<cores::CoresAnswer>,
    pub verification: Option<verify::Verification>,
}

impl Advice {
    /// The answers in the order asked, one sentence each.
    pub fn sentences(&self) -> Vec<(&'static str, &str)> {
        let mut v = Vec::new();
        if let Some(a) = &self.interval {
            v.push(("interval", a.sentence.as_str()));
        }
        if let Some(a) = &self.verification {
            v.push(("interval check", a.sentence.as_str()));
        }
        if let Some(a) = &self.bandwidth {
            v.push(("bandwidth", a.sentence.as_str()));
        }
        if let Some(a) = &self.catch_up {
            v.push(("catch-up", a.sentence.as_str()));
        }
        if let Some(a) = &self.spike {
            v.push(("spike", a.sentence.as_str()));
        }
        if let Some(a) = &self.mode {
            v.push(("barrier mode", a.sentence.as_str()));
        }
        if let Some(a) = &self.aging {
            v.push(("aging", a.sentence.as_str()));
        }
        if let Some(a) = &self.cores {
            v.push(("cores", a.sentence.as_str()));
        }
        v
    }
}

/// Answers `opts.questions` for the scenario `loaded` with the user's overrides.
pub fn advise(
    loaded: &LoadedScenario,
    user: &[Override],
    label: &str,
    seed: Option<u64>,
    opts: &AdviseOptions,
) -> Result<Advice, AdviseError> {
    let scenario = loaded.with_overrides(user)?;
    let seed = seed.unwrap_or(scenario.simulation.seed);
    let pool = pool(opts)?;
    let runner = variants::Runner {
        loaded,
        user,
        label,
        pool: &pool,
    };
    let out = crate::run::run_labelled(&scenario, seed, label);
    let failure = FailureModel::new(opts.failure, opts.mtbf_s, opts.mtbf_per, scenario.cluster.taskmanagers);
    let base = baseline::Baseline::new(scenario, out, seed);
    let asked = |q| opts.questions.contains(&q);
    let interval = asked(Question::Interval)
        .then(|| interval::answer(&runner, &base, &failure))
        .transpose()?;
    let verification = match &interval {
        Some(a) if opts.verify_runs > 0 => Some(verify::check(&runner, seed, &failure, a.best_interval_ms, opts)?),
        _ => None,
    };
    Ok(Advice {
        scenario: label.to_string(),
        seed,
        options: opts.clone(),
        verdict: base.out.summary.verdict.clone(),
        interval,
        verification,
        bandwidth: asked(Question::Bandwidth)
            .then(|| bandwidth::answer(&runner, &base, opts.target_share))
            .transpose()?,
        catch_up: asked(Question::CatchUp)
            .then(|| headroom::answer(&runner, &base, &failure, opts.catch_up_ms))
            .transpose()?,
        spike: asked(Question::Spike)
            .then(|| spike::answer(&runner, &base, opts.spike_factor, opts.spike_length_ms))
            .transpose()?,
        mode: asked(Question::Mode)
            .then(|| mode::answer(&runner, &base, &failure))
            .transpose()?,
        aging: asked(Question::Aging)
            .then(|| aging::answer(&runner, &base, opts.target_share))
            .transpose()?,
        cores: asked(Question::Cores)
            .then(|| cores::answer(&runner, &base))
            .transpose()?,
    })
}

/// The pool the answers' runs share (`threads`: one per core when `None`).
fn pool(opts: &AdviseOptions) -> Result<rayon::ThreadPool, AdviseError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.unwrap_or(0))
        .build()
        .map_err(|e| AdviseError::Question(format!("no thread pool: {e}")))
}
