//! Parameter sweeps: a scenario's `[sweep]` table expanded into points, each point run with
//! several seeds in parallel (rayon, across runs only; a run itself is single-threaded), every
//! finished run stored at once so that an interrupted sweep resumes where it stopped, and the
//! results tabulated with 95 % confidence intervals.
//!
//! Determinism: the files a sweep writes depend on the scenario file and the ckptsim version only,
//! never on the thread count, the shard split, or whether the sweep was interrupted and resumed.

pub mod aggregate;
pub mod checksums;
pub mod error;
pub mod expand;
pub mod fingerprint;
pub mod flatten;
pub mod lock;
pub mod merge;
pub mod plan;
pub mod progress;
pub mod run_file;
pub mod runner;
pub mod seeds;
pub mod shard;
pub mod spec;
pub mod value;

pub use error::SweepError;
pub use merge::{MergeReport, merge};
pub use plan::{Plan, plan};
pub use runner::{SweepOptions, SweepReport, sweep, sweep_file};
pub use shard::Shard;
pub use spec::SweepSpec;
