//! `[restart]` (`restart-strategy.*`) and `[recovery]` (failover strategy, state restore), as
//! the file writes them (their checks are `scenario::restart`'s).

use serde::Deserialize;

use crate::protocol::restart::RestartStrategyConfig;
use crate::sim::Dist;
use crate::sim::dist::{Duration, DurationDist, Rate};
use crate::time::{NS_PER_MS, NS_PER_S};

/// The vocabulary the file shares with the model, defined below both.
pub use crate::vocab::FailoverStrategyKind;

/// `restart-strategy.type`, with Flink's accepted spellings.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
pub enum RestartStrategyKind {
    #[serde(rename = "none", alias = "off", alias = "disable")]
    None,
    #[serde(rename = "fixed-delay", alias = "fixeddelay")]
    FixedDelay,
    #[serde(rename = "exponential-delay", alias = "exponentialdelay")]
    ExponentialDelay,
    #[serde(rename = "failure-rate", alias = "failurerate")]
    FailureRate,
}

/// `restart-strategy.*`. Only the options of the chosen strategy may be given; absent ones take
/// Flink's defaults.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestartCfg {
    pub strategy: RestartStrategyKind,
    /// fixed-delay: `restart-strategy.fixed-delay.attempts` (1).
    pub attempts: Option<u32>,
    /// fixed-delay and failure-rate: `….delay` (1 s).
    pub delay: Option<Duration>,
    /// exponential-delay: `….initial-backoff` (1 s).
    pub initial_backoff: Option<Duration>,
    /// exponential-delay: `….max-backoff` (1 min).
    pub max_backoff: Option<Duration>,
    /// exponential-delay: `….backoff-multiplier` (1.5).
    pub backoff_multiplier: Option<f64>,
    /// exponential-delay: `….jitter-factor` (0.1).
    pub jitter_factor: Option<f64>,
    /// exponential-delay: `….reset-backoff-threshold` (1 h).
    pub reset_backoff_threshold: Option<Duration>,
    /// exponential-delay: `….attempts-before-reset-backoff` (unlimited).
    pub attempts_before_reset_backoff: Option<u32>,
    /// failure-rate: `….max-failures-per-interval` (1).
    pub max_failures_per_interval: Option<u32>,
    /// failure-rate: `….failure-rate-interval` (1 min).
    pub failure_rate_interval: Option<Duration>,
}

impl RestartCfg {
    /// The protocol's configuration, defaults filled in.
    pub fn to_config(&self) -> RestartStrategyConfig {
        let ns = |d: &Option<Duration>, default: u64| d.as_ref().map_or(default, |d| d.as_u64());
        match self.strategy {
            RestartStrategyKind::None => RestartStrategyConfig::NoRestart,
            RestartStrategyKind::FixedDelay => RestartStrategyConfig::FixedDelay {
                attempts: self.attempts.unwrap_or(1),
                delay_ns: ns(&self.delay, NS_PER_S),
            },
            RestartStrategyKind::ExponentialDelay => RestartStrategyConfig::ExponentialDelay {
                initial_backoff_ns: ns(&self.initial_backoff, NS_PER_S),
                max_backoff_ns: ns(&self.max_backoff, 60 * NS_PER_S),
                backoff_multiplier: self.backoff_multiplier.unwrap_or(1.5),
                jitter_factor: self.jitter_factor.unwrap_or(0.1),
                reset_backoff_threshold_ns: ns(&self.reset_backoff_threshold, 3600 * NS_PER_S),
                attempts_before_reset_backoff: self.attempts_before_reset_backoff.unwrap_or(i32::MAX as u32),
            },
            RestartStrategyKind::FailureRate => RestartStrategyConfig::FailureRate {
                max_failures_per_interval: self.max_failures_per_interval.unwrap_or(1),
                failure_rate_interval_ns: ns(&self.failure_rate_interval, 60 * NS_PER_S),
                delay_ns: ns(&self.delay, NS_PER_S),
            },
        }
    }

    /// The options given, by name, to reject those that do not belong to the strategy.
    pub(crate) fn given(&self) -> [(&'static str, bool); 10] {
        [
            ("attempts", self.attempts.is_some()),
            ("delay", self.delay.is_some()),
            ("initial_backoff", self.initial_backoff.is_some()),
            ("max_backoff", self.max_backoff.is_some()),
            ("backoff_multiplier", self.backoff_multiplier.is_some()),
            ("jitter_factor", self.jitter_factor.is_some()),
            ("reset_backoff_threshold", self.reset_backoff_threshold.is_some()),
            (
                "attempts_before_reset_backoff",
                self.attempts_before_reset_backoff.is_some(),
            ),
            ("max_failures_per_interval", self.max_failures_per_interval.is_some()),
            ("failure_rate_interval", self.failure_rate_interval.is_some()),
        ]
    }
}

// ---------------------------------------------------------------------------------------------
// [recovery]

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoveryCfg {
    /// `jobmanager.execution.failover-strategy` (region).
    #[serde(default = "default_failover")]
    pub failover: FailoverStrategyKind,
    /// `execution.state-recovery.from-local` (false): keyed state is read from the TaskManager's
    /// local copy when the task is redeployed to the same TaskManager.
    #[serde(default)]
    pub local: bool,
    /// Download bandwidth for restoring state from checkpoint storage; default: the storage
    /// profile's bandwidth.
    #[serde(default)]
    pub restore_bandwidth: Option<Rate>,
    /// Read bandwidth of the local copy used by local recovery.
    #[serde(default = "default_local_restore_bandwidth")]
    pub local_restore_bandwidth: Rate,
    /// Scheduling and deployment of the restarted tasks onto slots, after the restart delay
    /// (not a Flink option: what the JobManager and TaskManagers spend before `INITIALIZING`).
    #[serde(default = "default_deployment_time")]
    pub deployment_time: DurationDist,
    /// From a task's exception (or a reader's broken connection) to the JobManager handling
    /// it: the task cancels its invokable and releases its resources, then reports `FAILED`
    /// (`TaskExecutor.updateTaskExecutionState`); the scheduler then moves the job to
    /// `RESTARTING` (not a Flink option).
    #[serde(default = "default_task_failure_report_delay")]
    pub task_failure_report_delay: DurationDist,
}

fn default_failover() -> FailoverStrategyKind {
    FailoverStrategyKind::Region
}
fn default_local_restore_bandwidth() -> Rate {
    Rate::new(200e6)
}
fn default_deployment_time() -> DurationDist {
    DurationDist::new(Dist::Constant(DEPLOYMENT_TIME_MS * NS_PER_MS as f64))
}

fn default_task_failure_report_delay() -> DurationDist {
    DurationDist::new(Dist::Constant(TASK_FAILURE_REPORT_DELAY_MS * NS_PER_MS as f64))
}

/// Single-host defaults of the recovery timings, measured on Flink 2.3 (MiniCluster, 2 cores:
/// the calibration run `c05_failure` of `tests/fidelity/configs.tsv`, failing after 400 000
/// records, about 100 s in, past the JVM's warm-up; measured 2026-12-03). One failure is one
/// sample: the first suite's run (2026-12-01, failing 30 s in, still in the JIT's first minute)
/// gave 29 and 95 ms. f15's two runs (p = 2, twice the rate) report in 59 and 86 ms; they are
/// the comparison and set nothing. On a cluster both grow with the RPC latency, the slot
/// allocation and the size of the job's jars: measure yours.
/// `c05_failure`: the map's exception to the job's RESTARTING.
pub const TASK_FAILURE_REPORT_DELAY_MS: f64 = 17.0;
/// `c05_failure`: the job RUNNING again to the restarted map subtask open (slot, deployment,
/// restore of a few kB of state).
pub const DEPLOYMENT_TIME_MS: f64 = 129.0;

impl Default for RecoveryCfg {
    fn default() -> Self {
        RecoveryCfg {
            failover: default_failover(),
            local: false,
            restore_bandwidth: None,
            local_restore_bandwidth: default_local_restore_bandwidth(),
            deployment_time: default_deployment_time(),
            task_failure_report_delay: default_task_failure_report_delay(),
        }
    }
}
