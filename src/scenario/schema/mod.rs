//! The scenario file schema. Field names follow Flink's configuration keys where one exists
//! (`execution.checkpointing.interval` is `checkpoint.interval`), with Flink's defaults.
//! Unknown fields are rejected so that a typo never silently falls back to a default.

use serde::Deserialize;

use crate::sim::Dist;
use crate::sim::dist::{Duration, DurationDist};

/// The vocabulary the file shares with the model, defined below both.
pub use crate::protocol::CheckpointingMode;
pub use crate::vocab::{
    ArrivalProcess, ChainingStrategy, DeliveryGuarantee, KeyDistribution, OperatorKind, Partitioning, SourceConnector,
    StateBackendKind,
};

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Free text shown in reports.
    #[serde(default)]
    pub description: String,
    pub simulation: SimulationCfg,
    #[serde(default)]
    pub checkpoint: CheckpointCfg,
    pub cluster: ClusterCfg,
    #[serde(default)]
    pub network: NetworkCfg,
    #[serde(default)]
    pub storage: StorageCfg,
    #[serde(default)]
    pub state_backend: StateBackendCfg,
    /// How the job's operators become tasks (`pipeline.*`).
    #[serde(default)]
    pub pipeline: PipelineCfg,
    pub operators: Vec<OperatorCfg>,
    /// Injected failures (`[faults]`); none when absent.
    #[serde(default)]
    pub faults: Option<crate::fault_spec::FaultsCfg>,
    /// `restart-strategy.*`; absent: Flink's default (see `restart::effective_restart_strategy`).
    #[serde(default)]
    pub restart: Option<RestartCfg>,
    /// Failover strategy and state restore (`[recovery]`).
    #[serde(default)]
    pub recovery: RecoveryCfg,
    /// Parameter sweep definition, read by `ckptsim sweep`; ignored by `ckptsim run`.
    #[serde(default)]
    pub sweep: Option<toml::Table>,
    /// The planner's questions for this job (`ckptsim advise`'s options); ignored by `ckptsim run`.
    #[serde(default)]
    pub advise: Option<toml::Table>,
    /// Flink configuration keys (`"execution.checkpointing.interval" = "30 s"`), mapped onto
    /// the fields above when the file is loaded (`scenario::flink`); always `None` afterwards.
    #[serde(default)]
    pub flink: Option<toml::Table>,
    /// Where an imported scenario's job data came from and the job's own medians
    /// (`ckptsim import` writes it); `ckptsim run` prints them beside the simulated ones.
    #[serde(default)]
    pub imported: Option<crate::scenario::imported::ImportedCfg>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulationCfg {
    /// Simulated time to run.
    pub duration: Duration,
    /// Master seed; `--seed` overrides it.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Statistics (throughput, latency, back-pressure) ignore this initial period.
    #[serde(default = "zero_duration")]
    pub warmup: Duration,
    /// Wall-clock time of simulated time zero, in epoch milliseconds, for the timestamps of
    /// `checkpoints.json` (Flink's REST API reports epoch milliseconds). Fixed by default, never
    /// the real clock, so that a run's bytes do not depend on when it ran.
    #[serde(default = "default_start_epoch_ms")]
    pub start_epoch_ms: u64,
    /// The fast path: each simulated record stands for this many of the job's records (1: the
    /// record-level model). See [`crate::compile::bundle`].
    #[serde(default = "one_record")]
    pub records_per_bundle: u32,
}

fn one_record() -> u32 {
    1
}

/// 2024-01-01T00:00:00Z.
pub const DEFAULT_START_EPOCH_MS: u64 = 1_704_067_200_000;

fn default_start_epoch_ms() -> u64 {
    DEFAULT_START_EPOCH_MS
}

fn default_seed() -> u64 {
    1
}
fn zero_duration() -> Duration {
    Duration::new(0.0)
}
fn dur(ns: u64) -> Duration {
    Duration::new(ns as f64)
}
fn dur_dist(ns: u64) -> DurationDist {
    DurationDist::new(Dist::Constant(ns as f64))
}

/// `pipeline.*`: how the job graph is built from the operators.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineCfg {
    /// `pipeline.operator-chaining.enabled` (true): forward edges between operators of equal
    /// parallelism chain them into one task.
    #[serde(default = "yes")]
    pub operator_chaining: bool,
}

impl Default for PipelineCfg {
    fn default() -> Self {
        PipelineCfg {
            operator_chaining: true,
        }
    }
}

fn yes() -> bool {
    true
}

// Default-value functions that `#[serde(default = "...")]` names in more than one section.
fn one() -> u32 {
    1
}
fn five() -> u32 {
    5
}
fn zero_dist() -> DurationDist {
    dur_dist(0)
}

mod checkpoint;
mod cluster;
mod network;
mod operators;
mod rate_profile;
mod restart;
mod state_backend;
mod storage;

pub use checkpoint::CheckpointCfg;
pub use cluster::{ClusterCfg, DEFAULT_RPC_LATENCY_SIGMA};
pub use network::{DEFAULT_INPUT_HANDOFF_PERCENTILES_MS, DebloatCfg, NetworkCfg};
pub use operators::{InputCfg, KeysCfg, OperatorCfg, RateCfg, StateCfg};
pub use rate_profile::{FACTOR_MAX, POINTS_MAX, ProfileShape, RateProfileCfg};
pub use restart::{
    DEPLOYMENT_TIME_MS, FailoverStrategyKind, RecoveryCfg, RestartCfg, RestartStrategyKind,
    TASK_FAILURE_REPORT_DELAY_MS,
};
pub use state_backend::{ChangelogCfg, CompactionCfg, SavepointFormatCfg, StateBackendCfg};
pub use storage::StorageCfg;
