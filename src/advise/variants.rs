//! The runs an answer needs: each a set of `--set` overrides on the user's scenario and a seed,
//! run in parallel on a pool of the requested size. Results come back in the order asked,
//! whatever the pool does, so an answer is a function of (scenario, options) only.

use rayon::prelude::*;

use super::AdviseError;
use crate::metrics::RunOutput;
use crate::scenario::{LoadedScenario, Override};

/// One run: the overrides that make it (on top of the user's own), and its seed.
#[derive(Clone, Debug)]
pub struct Variant {
    pub overrides: Vec<Override>,
    pub seed: u64,
}

impl Variant {
    pub fn new(seed: u64) -> Self {
        Variant {
            overrides: Vec::new(),
            seed,
        }
    }

    /// Adds `path=value`, the value written as in a scenario file (TOML).
    pub fn set(mut self, path: &str, value: impl std::fmt::Display) -> Self {
        let o = Override::parse(&format!("{path}={value}")).expect("overrides built by advise are well formed");
        self.overrides.push(o);
        self
    }
}

/// Where the answers' runs come from: the loaded file, the user's overrides, a label and the
/// pool. Every run is validated as a scenario, so an override that breaks one says which.
pub struct Runner<'a> {
    pub loaded: &'a LoadedScenario,
    pub user: &'a [Override],
    pub label: &'a str,
    pub pool: &'a rayon::ThreadPool,
}

impl Runner<'_> {
    pub fn scenario(&self, v: &Variant) -> Result<crate::scenario::Scenario, AdviseError> {
        let all: Vec<Override> = self.user.iter().chain(&v.overrides).cloned().collect();
        Ok(self.loaded.with_overrides(&all)?)
    }

    /// Runs every variant; outputs in the variants' order.
    pub fn run_all(&self, variants: &[Variant]) -> Result<Vec<RunOutput>, AdviseError> {
        let scenarios = variants
            .iter()
            .map(|v| self.scenario(v))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.pool.install(|| {
            scenarios
                .par_iter()
                .zip(variants)
                .map(|(s, v)| crate::run::run_labelled(s, v.seed, self.label))
                .collect()
        }))
    }
}

/// A duration as a scenario file writes it, exact to the nanosecond.
pub fn dur(ns: f64) -> String {
    format!("\"{}ns\"", ns.round().max(0.0) as u64)
}
