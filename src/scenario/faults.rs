//! Scenario sections for failures and recovery: `[faults]` (what goes wrong and when),
//! `[restart]` (`restart-strategy.*`) and `[recovery]` (failover strategy, state restore).
//!
//! ```toml
//! [restart]
//! strategy = "exponential-delay"      # none | fixed-delay | exponential-delay | failure-rate
//! initial_backoff = "1s"              # Flink's names and defaults, see RestartCfg
//!
//! [recovery]
//! failover = "region"                 # region | full
//! local = false                       # execution.state-recovery.from-local
//!
//! [[faults.task_crash]]
//! at = ["2min"]                       # fixed times ...
//! operator = "map"                    # ... of a random subtask of `map`
//!
//! [[faults.task_crash]]
//! mtbf = "6h"                         # a Poisson process ...
//! per = "task"                        # ... for every subtask (or one for the whole job)
//!
//! [[faults.taskmanager_loss]]
//! at = ["10min"]
//! taskmanager = 1
//! detection = "heartbeat"             # after heartbeat.timeout (50 s), or "connection_drop"
//!
//! [[faults.network_partition]]
//! start = "5min"
//! duration = "30s"
//! between = [0, 1]
//! fail_after = "20s"                  # optional: connections time out, consumers fail
//!
//! [[faults.connection_loss]]
//! at = ["7min"]                       # or mtbf = "2h"
//! between = [0, 1]                    # default: a uniformly drawn pair per loss
//!
//! # Every window (partitions, storage latency spikes, outages, throttling, stragglers) takes
//! # `start` (one window) or `mtbf` (windows starting as a Poisson process with that mean gap),
//! # plus its `duration`.
//!
//! [faults.storage]
//! upload_failure_probability = 0.01
//! latency_spikes = [{ start = "3min", duration = "1min", factor = 10 }]
//! outages = [{ start = "8min", duration = "2min" }]
//! throttling = [{ start = "12min", duration = "5min", factor = 0.25 }]
//!
//! [[faults.straggler]]
//! kind = "taskmanager"                # or "disk"
//! taskmanager = 0
//! start = "1min"
//! duration = "2min"
//! slowdown = 3.0
//!
//! [faults.jobmanager_failover]
//! at = ["20min"]
//! ```

use serde::Deserialize;

use super::schema::Scenario;
use crate::protocol::restart::RestartStrategyConfig;
use crate::sim::Dist;
use crate::sim::dist::{Duration, DurationDist, Rate};
use crate::time::{NS_PER_MS, NS_PER_S};
/// The vocabulary the file shares with the model, defined below both.
pub use crate::vocab::{FailoverStrategyKind, LossDetection, MtbfScope, StragglerKind};

type Problem = (String, String);

fn fail<T>(path: impl Into<String>, msg: impl Into<String>) -> Result<T, Problem> {
    Err((path.into(), msg.into()))
}

/// A random process must not ask for more events than a run can hold.
pub const FAULT_EVENTS_MAX: f64 = 1_000_000.0;
/// Shortest MTBF accepted: below it a "failure" is no longer a rare event.
pub const MTBF_MIN_NS: f64 = NS_PER_MS as f64;

// ---------------------------------------------------------------------------------------------
// [restart]

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
    fn given(&self) -> [(&'static str, bool); 10] {
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

/// Flink's default restart strategy: exponential-delay when checkpointing is enabled (1.19+),
/// none (`disable`) otherwise.
pub fn effective_restart_strategy(s: &Scenario) -> RestartStrategyConfig {
    match &s.restart {
        Some(r) => r.to_config(),
        None if s.checkpoint.interval.is_some() => RestartStrategyConfig::exponential_delay_default(),
        None => RestartStrategyConfig::NoRestart,
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
}

fn default_failover() -> FailoverStrategyKind {
    FailoverStrategyKind::Region
}
fn default_local_restore_bandwidth() -> Rate {
    Rate::new(200e6)
}
fn default_deployment_time() -> DurationDist {
    DurationDist::new(Dist::Constant(500.0 * NS_PER_MS as f64))
}

impl Default for RecoveryCfg {
    fn default() -> Self {
        RecoveryCfg {
            failover: default_failover(),
            local: false,
            restore_bandwidth: None,
            local_restore_bandwidth: default_local_restore_bandwidth(),
            deployment_time: default_deployment_time(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// [faults]

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultsCfg {
    #[serde(default)]
    pub task_crash: Vec<TaskCrashCfg>,
    #[serde(default)]
    pub taskmanager_loss: Vec<TaskManagerLossCfg>,
    #[serde(default)]
    pub network_partition: Vec<NetworkPartitionCfg>,
    #[serde(default)]
    pub connection_loss: Vec<ConnectionLossCfg>,
    #[serde(default)]
    pub storage: Option<StorageFaultsCfg>,
    #[serde(default)]
    pub straggler: Vec<StragglerCfg>,
    #[serde(default)]
    pub jobmanager_failover: Option<JobManagerFailoverCfg>,
}

fn default_scope() -> MtbfScope {
    MtbfScope::Job
}

/// A task throws (`TaskFailure`): detected at once.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskCrashCfg {
    /// Fixed crash times.
    #[serde(default)]
    pub at: Vec<Duration>,
    /// Mean time between crashes of an exponential (Poisson) process.
    pub mtbf: Option<Duration>,
    /// Whose MTBF `mtbf` is (job).
    #[serde(default = "default_scope")]
    pub per: MtbfScope,
    /// Restricts targets to this operator's subtasks; default all subtasks.
    pub operator: Option<String>,
    /// With `operator`: exactly this subtask index; default a uniformly drawn one per crash.
    pub subtask: Option<u32>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskManagerLossCfg {
    #[serde(default)]
    pub at: Vec<Duration>,
    pub mtbf: Option<Duration>,
    #[serde(default = "default_scope")]
    pub per: MtbfScope,
    /// The TaskManager lost; default a uniformly drawn one per loss.
    pub taskmanager: Option<u32>,
    #[serde(default = "default_detection")]
    pub detection: LossDetection,
    /// `heartbeat.timeout` (50 s).
    #[serde(default = "default_heartbeat_timeout")]
    pub heartbeat_timeout: Duration,
    /// `heartbeat.interval` (10 s): the last heartbeat was up to one interval before the loss.
    #[serde(default = "default_heartbeat_interval")]
    pub heartbeat_interval: Duration,
    #[serde(default = "default_connection_drop_delay")]
    pub connection_drop_delay: Duration,
    /// Until a replacement TaskManager has registered its slots; 0 when spare slots exist.
    #[serde(default = "zero")]
    pub replacement_delay: Duration,
}

fn default_detection() -> LossDetection {
    LossDetection::Heartbeat
}
fn default_heartbeat_timeout() -> Duration {
    Duration::new(50.0 * NS_PER_S as f64)
}
fn default_heartbeat_interval() -> Duration {
    Duration::new(10.0 * NS_PER_S as f64)
}
fn default_connection_drop_delay() -> Duration {
    Duration::new(100.0 * NS_PER_MS as f64)
}
fn zero() -> Duration {
    Duration::new(0.0)
}

/// The network between two TaskManagers is cut for a while (both directions).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkPartitionCfg {
    /// One window from here, or (with `mtbf`) windows starting as a Poisson process.
    pub start: Option<Duration>,
    pub mtbf: Option<Duration>,
    pub duration: Duration,
    pub between: [u32; 2],
    /// When set and the partition lasts at least this long, the TCP connections between the
    /// two TaskManagers are declared dead then (retransmission timeout, `tcp_retries2`) and
    /// every task reading a channel across them fails. Default: traffic waits for the heal.
    pub fail_after: Option<Duration>,
}

/// The TCP connection between two TaskManagers drops: every task reading an input channel
/// across it fails at once (`RemoteTransportException: Connection unexpectedly closed`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionLossCfg {
    #[serde(default)]
    pub at: Vec<Duration>,
    pub mtbf: Option<Duration>,
    /// The two TaskManagers; default a uniformly drawn pair per loss.
    pub between: Option<[u32; 2]>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowCfg {
    pub start: Option<Duration>,
    pub mtbf: Option<Duration>,
    pub duration: Duration,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactorWindowCfg {
    pub start: Option<Duration>,
    pub mtbf: Option<Duration>,
    pub duration: Duration,
    pub factor: f64,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageFaultsCfg {
    /// Each checkpoint upload fails (`IO_EXCEPTION` at the task, a declined checkpoint) with
    /// this probability.
    #[serde(default)]
    pub upload_failure_probability: f64,
    /// Request latency multiplied by `factor` (>= 1) during the window.
    #[serde(default)]
    pub latency_spikes: Vec<FactorWindowCfg>,
    /// Storage unreachable: uploads and downloads stall (and checkpoints expire) during the window.
    #[serde(default)]
    pub outages: Vec<WindowCfg>,
    /// Bandwidth multiplied by `factor` (in (0, 1]) during the window.
    #[serde(default)]
    pub throttling: Vec<FactorWindowCfg>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StragglerCfg {
    pub kind: StragglerKind,
    pub taskmanager: u32,
    pub start: Option<Duration>,
    pub mtbf: Option<Duration>,
    pub duration: Duration,
    /// Service-time multiplier (taskmanager) or disk-bandwidth divisor (disk), >= 1.
    pub slowdown: f64,
}

/// The JobManager fails over to a standby: pending checkpoints are lost and the new leader
/// recovers the job from the completed checkpoint store.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobManagerFailoverCfg {
    #[serde(default)]
    pub at: Vec<Duration>,
    pub mtbf: Option<Duration>,
    /// Leader election and job recovery by the new JobManager (Kubernetes HA lease: 15 s).
    #[serde(default = "default_leader_election")]
    pub leader_election_time: Duration,
}

fn default_leader_election() -> Duration {
    Duration::new(15.0 * NS_PER_S as f64)
}

// ---------------------------------------------------------------------------------------------
// validation

/// Range and reference checks for `[faults]`, `[restart]` and `[recovery]`, as
/// (dotted field path, message).
pub fn validate_faults(s: &Scenario) -> Result<(), Problem> {
    if let Some(r) = &s.restart {
        validate_restart(r)?;
    }
    validate_recovery(&s.recovery)?;
    let Some(f) = &s.faults else {
        return Ok(());
    };
    let run_ns = s.simulation.duration.value;
    let subtasks: u64 = s.operators.iter().map(|o| o.parallelism as u64).sum();
    for (i, c) in f.task_crash.iter().enumerate() {
        let p = |field: &str| format!("faults.task_crash[{i}].{field}");
        validate_arrivals(&c.at, c.mtbf.as_ref(), &p)?;
        let targets = match &c.operator {
            Some(name) => {
                let Some(op) = s.operators.iter().find(|o| &o.name == name) else {
                    return fail(p("operator"), format!("no operator named `{name}`"));
                };
                match c.subtask {
                    Some(idx) if idx >= op.parallelism => {
                        return fail(
                            p("subtask"),
                            format!(
                                "`{name}` has parallelism {}; subtasks are 0..{}",
                                op.parallelism, op.parallelism
                            ),
                        );
                    }
                    Some(_) => 1,
                    None => op.parallelism as u64,
                }
            }
            None if c.subtask.is_some() => return fail(p("subtask"), "needs `operator` to say whose subtask"),
            None => subtasks,
        };
        check_event_count(run_ns, c.mtbf.as_ref(), c.per, targets, &p)?;
    }
    let tms = s.cluster.taskmanagers;
    for (i, l) in f.taskmanager_loss.iter().enumerate() {
        let p = |field: &str| format!("faults.taskmanager_loss[{i}].{field}");
        validate_arrivals(&l.at, l.mtbf.as_ref(), &p)?;
        let targets = match l.taskmanager {
            Some(tm) if tm >= tms => return fail(p("taskmanager"), format!("the cluster has TaskManagers 0..{tms}")),
            Some(_) => 1,
            None => tms as u64,
        };
        check_event_count(run_ns, l.mtbf.as_ref(), l.per, targets, &p)?;
        if l.heartbeat_interval.value <= 0.0 {
            return fail(p("heartbeat_interval"), "must be > 0");
        }
        if l.heartbeat_timeout.value < l.heartbeat_interval.value {
            return fail(p("heartbeat_timeout"), "must be at least heartbeat_interval");
        }
    }
    for (i, n) in f.network_partition.iter().enumerate() {
        let p = |field: &str| format!("faults.network_partition[{i}].{field}");
        window(n.start.as_ref(), n.mtbf.as_ref(), &n.duration, run_ns, &p)?;
        let [a, b] = n.between;
        if a >= tms || b >= tms {
            return fail(p("between"), format!("the cluster has TaskManagers 0..{tms}"));
        }
        if a == b {
            return fail(p("between"), "names one TaskManager twice; a partition is between two");
        }
        if let Some(t) = &n.fail_after
            && t.value <= 0.0
        {
            return fail(p("fail_after"), "must be > 0");
        }
    }
    for (i, c) in f.connection_loss.iter().enumerate() {
        let p = |field: &str| format!("faults.connection_loss[{i}].{field}");
        validate_arrivals(&c.at, c.mtbf.as_ref(), &p)?;
        match c.between {
            Some([a, b]) if a >= tms || b >= tms => {
                return fail(p("between"), format!("the cluster has TaskManagers 0..{tms}"));
            }
            Some([a, b]) if a == b => {
                return fail(p("between"), "names one TaskManager twice; a connection is between two");
            }
            None if tms < 2 => return fail(p("between"), "needs at least two TaskManagers"),
            _ => {}
        }
        check_event_count(run_ns, c.mtbf.as_ref(), MtbfScope::Job, 1, &p)?;
    }
    if let Some(st) = &f.storage {
        validate_storage_faults(st, run_ns)?;
    }
    for (i, g) in f.straggler.iter().enumerate() {
        let p = |field: &str| format!("faults.straggler[{i}].{field}");
        window(g.start.as_ref(), g.mtbf.as_ref(), &g.duration, run_ns, &p)?;
        if g.taskmanager >= tms {
            return fail(p("taskmanager"), format!("the cluster has TaskManagers 0..{tms}"));
        }
        if !(g.slowdown.is_finite() && (1.0..=1e6).contains(&g.slowdown)) {
            return fail(p("slowdown"), "must be between 1 and 1e6");
        }
    }
    if let Some(j) = &f.jobmanager_failover {
        let p = |field: &str| format!("faults.jobmanager_failover.{field}");
        validate_arrivals(&j.at, j.mtbf.as_ref(), &p)?;
        check_event_count(run_ns, j.mtbf.as_ref(), MtbfScope::Job, 1, &p)?;
    }
    // Each spec is bounded on its own; their sum must fit the schedule too (it holds twice
    // this, so a random schedule of this expected size never overflows it).
    let total = total_events(f, run_ns, subtasks as f64, tms as f64);
    if total > FAULT_EVENTS_MAX {
        return fail(
            "faults",
            format!(
                "the fault specs together ask for about {total:.0} events; at most {FAULT_EVENTS_MAX} are supported"
            ),
        );
    }
    Ok(())
}

/// Expected number of scheduled events of all specs (a window is two: its begin and end).
fn total_events(f: &FaultsCfg, run_ns: f64, subtasks: f64, tms: f64) -> f64 {
    let count = |at: usize, mtbf: Option<&Duration>, processes: f64| {
        at as f64 + mtbf.map_or(0.0, |m| run_ns / m.value.max(1.0) * processes)
    };
    let scope = |per: MtbfScope, targets: f64| if per == MtbfScope::Task { targets } else { 1.0 };
    let windows = |start: Option<&Duration>, mtbf: Option<&Duration>| 2.0 * count(start.is_some() as usize, mtbf, 1.0);
    let mut total = 0.0;
    for c in &f.task_crash {
        total += count(c.at.len(), c.mtbf.as_ref(), scope(c.per, subtasks));
    }
    for l in &f.taskmanager_loss {
        total += count(l.at.len(), l.mtbf.as_ref(), scope(l.per, tms));
    }
    for c in &f.connection_loss {
        total += count(c.at.len(), c.mtbf.as_ref(), 1.0);
    }
    if let Some(j) = &f.jobmanager_failover {
        total += count(j.at.len(), j.mtbf.as_ref(), 1.0);
    }
    for n in &f.network_partition {
        total += windows(n.start.as_ref(), n.mtbf.as_ref());
    }
    for g in &f.straggler {
        total += windows(g.start.as_ref(), g.mtbf.as_ref());
    }
    if let Some(st) = &f.storage {
        for w in st.latency_spikes.iter().chain(&st.throttling) {
            total += windows(w.start.as_ref(), w.mtbf.as_ref());
        }
        for w in &st.outages {
            total += windows(w.start.as_ref(), w.mtbf.as_ref());
        }
    }
    total
}

fn validate_restart(r: &RestartCfg) -> Result<(), Problem> {
    let allowed: &[&str] = match r.strategy {
        RestartStrategyKind::None => &[],
        RestartStrategyKind::FixedDelay => &["attempts", "delay"],
        RestartStrategyKind::ExponentialDelay => &[
            "initial_backoff",
            "max_backoff",
            "backoff_multiplier",
            "jitter_factor",
            "reset_backoff_threshold",
            "attempts_before_reset_backoff",
        ],
        RestartStrategyKind::FailureRate => &["max_failures_per_interval", "failure_rate_interval", "delay"],
    };
    for (name, given) in r.given() {
        if given && !allowed.contains(&name) {
            return fail(
                format!("restart.{name}"),
                format!("does not apply to strategy = \"{}\"", strategy_name(r.strategy)),
            );
        }
    }
    r.to_config().validate().map_err(|e| match e {
        crate::protocol::restart::RestartConfigError::Invalid { field, message } => {
            (format!("restart.{field}"), message)
        }
    })
}

fn strategy_name(k: RestartStrategyKind) -> &'static str {
    match k {
        RestartStrategyKind::None => "none",
        RestartStrategyKind::FixedDelay => "fixed-delay",
        RestartStrategyKind::ExponentialDelay => "exponential-delay",
        RestartStrategyKind::FailureRate => "failure-rate",
    }
}

fn validate_recovery(r: &RecoveryCfg) -> Result<(), Problem> {
    if let Some(b) = &r.restore_bandwidth
        && b.value <= 0.0
    {
        return fail("recovery.restore_bandwidth", "must be > 0");
    }
    if r.local_restore_bandwidth.value <= 0.0 {
        return fail("recovery.local_restore_bandwidth", "must be > 0");
    }
    Ok(())
}

fn validate_storage_faults(st: &StorageFaultsCfg, run_ns: f64) -> Result<(), Problem> {
    let p = |field: String| format!("faults.storage.{field}");
    if !(0.0..=1.0).contains(&st.upload_failure_probability) {
        return fail(p("upload_failure_probability".into()), "must be between 0 and 1");
    }
    for (i, w) in st.latency_spikes.iter().enumerate() {
        let q = |f: &str| p(format!("latency_spikes[{i}].{f}"));
        window(w.start.as_ref(), w.mtbf.as_ref(), &w.duration, run_ns, &q)?;
        if !(w.factor.is_finite() && (1.0..=1e6).contains(&w.factor)) {
            return fail(q("factor"), "must be between 1 and 1e6 (a latency multiplier)");
        }
    }
    for (i, w) in st.outages.iter().enumerate() {
        let q = |f: &str| p(format!("outages[{i}].{f}"));
        window(w.start.as_ref(), w.mtbf.as_ref(), &w.duration, run_ns, &q)?;
    }
    for (i, w) in st.throttling.iter().enumerate() {
        let q = |f: &str| p(format!("throttling[{i}].{f}"));
        window(w.start.as_ref(), w.mtbf.as_ref(), &w.duration, run_ns, &q)?;
        if !(w.factor.is_finite() && w.factor > 0.0 && w.factor <= 1.0) {
            return fail(q("factor"), "must be in (0, 1] (a bandwidth multiplier)");
        }
    }
    Ok(())
}

/// A fault window: one at `start`, or a Poisson process of them with mean gap `mtbf`.
fn window(
    start: Option<&Duration>,
    mtbf: Option<&Duration>,
    duration: &Duration,
    run_ns: f64,
    p: &dyn Fn(&str) -> String,
) -> Result<(), Problem> {
    match (start, mtbf) {
        (None, None) => {
            return fail(
                p("start"),
                "give a start (`start = \"5min\"`) or a random process (`mtbf = \"6h\"`)",
            );
        }
        (Some(_), Some(_)) => return fail(p("mtbf"), "give `start` or `mtbf`, not both"),
        (None, Some(m)) if m.value < MTBF_MIN_NS => return fail(p("mtbf"), "must be at least 1ms"),
        _ => {}
    }
    check_event_count(run_ns, mtbf, MtbfScope::Job, 1, p)?;
    if duration.value < 1.0 {
        return fail(p("duration"), "must be > 0");
    }
    Ok(())
}

fn validate_arrivals(at: &[Duration], mtbf: Option<&Duration>, p: &dyn Fn(&str) -> String) -> Result<(), Problem> {
    if at.is_empty() && mtbf.is_none() {
        return fail(
            p("at"),
            "give fixed times (`at = [\"5min\"]`) or a random process (`mtbf = \"6h\"`)",
        );
    }
    if at.len() as f64 > FAULT_EVENTS_MAX {
        return fail(p("at"), format!("at most {FAULT_EVENTS_MAX} times"));
    }
    if let Some(m) = mtbf
        && m.value < MTBF_MIN_NS
    {
        return fail(p("mtbf"), "must be at least 1ms");
    }
    Ok(())
}

/// Bounds the schedule: the expected number of random events must fit.
fn check_event_count(
    run_ns: f64,
    mtbf: Option<&Duration>,
    per: MtbfScope,
    targets: u64,
    p: &dyn Fn(&str) -> String,
) -> Result<(), Problem> {
    let Some(m) = mtbf else {
        return Ok(());
    };
    let processes = if per == MtbfScope::Task { targets.max(1) } else { 1 } as f64;
    let expected = run_ns / m.value * processes;
    if expected > FAULT_EVENTS_MAX {
        return fail(
            p("mtbf"),
            format!("asks for about {expected:.0} failures in the run; at most {FAULT_EVENTS_MAX} are supported"),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::scenario::parse_str;

    const BASE: &str = "[simulation]\nduration = \"1h\"\n[checkpoint]\ninterval = \"10s\"\n[cluster]\ntaskmanagers = 2\nslots_per_taskmanager = 2\n[[operators]]\nname = \"src\"\nkind = \"source\"\nparallelism = 2\nrate = { process = \"constant\", records_per_second = 10 }\n[[operators]]\nname = \"sink\"\nkind = \"sink\"\nparallelism = 2\ninputs = [{ from = \"src\", partitioning = \"hash\" }]\n";

    /// Parsed without `validate` (which calls `validate_faults` once wired), then checked here.
    fn scenario(extra: &str) -> Result<crate::scenario::Scenario, String> {
        toml::from_str(&format!("{BASE}{extra}")).map_err(|e: toml::de::Error| e.to_string())
    }

    fn err(extra: &str) -> (String, String) {
        let s = scenario(extra).expect("parses");
        super::validate_faults(&s).expect_err("should be rejected")
    }

    #[test]
    fn a_full_faults_section_parses() {
        let text = format!(
            "{BASE}{}",
            r#"
[restart]
strategy = "failure-rate"
max_failures_per_interval = 3
failure_rate_interval = "5min"
delay = "10s"
[recovery]
failover = "full"
local = true
[[faults.task_crash]]
at = ["2min", "3min"]
operator = "sink"
subtask = 1
[[faults.task_crash]]
mtbf = "6h"
per = "task"
[[faults.taskmanager_loss]]
at = ["10min"]
taskmanager = 1
detection = "connection_drop"
[[faults.network_partition]]
start = "5min"
duration = "30s"
between = [0, 1]
[faults.storage]
upload_failure_probability = 0.01
latency_spikes = [{ start = "3min", duration = "1min", factor = 10 }]
outages = [{ start = "8min", duration = "2min" }]
throttling = [{ start = "12min", duration = "5min", factor = 0.25 }]
[[faults.straggler]]
kind = "disk"
taskmanager = 0
start = "1min"
duration = "2min"
slowdown = 3.0
[faults.jobmanager_failover]
at = ["20min"]
"#
        );
        let s: crate::scenario::Scenario = toml::from_str(&text).unwrap();
        super::validate_faults(&s).unwrap();
        let f = s.faults.as_ref().unwrap();
        assert_eq!(f.task_crash.len(), 2);
        assert_eq!(s.recovery.failover, crate::vocab::FailoverStrategyKind::Full);
        assert_eq!(
            super::effective_restart_strategy(&s),
            crate::protocol::restart::RestartStrategyConfig::FailureRate {
                max_failures_per_interval: 3,
                failure_rate_interval_ns: 300 * crate::time::NS_PER_S,
                delay_ns: 10 * crate::time::NS_PER_S,
            }
        );
    }

    #[test]
    fn defaults_follow_flink() {
        let s = parse_str(BASE, "t.toml").unwrap().scenario;
        assert!(s.faults.is_none());
        assert_eq!(
            super::effective_restart_strategy(&s),
            crate::protocol::restart::RestartStrategyConfig::exponential_delay_default()
        );
        assert_eq!(s.recovery.failover, crate::vocab::FailoverStrategyKind::Region);
        let no_ckpt = parse_str(&BASE.replace("interval = \"10s\"", ""), "t.toml")
            .unwrap()
            .scenario;
        assert_eq!(
            super::effective_restart_strategy(&no_ckpt),
            crate::protocol::restart::RestartStrategyConfig::NoRestart
        );
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (
                "[restart]\nstrategy = \"fixed-delay\"\njitter_factor = 0.2\n",
                "restart.jitter_factor",
            ),
            (
                "[restart]\nstrategy = \"exponential-delay\"\nbackoff_multiplier = 0.5\n",
                "restart.backoff_multiplier",
            ),
            (
                "[[faults.task_crash]]\noperator = \"nope\"\nat = [\"1s\"]\n",
                "faults.task_crash[0].operator",
            ),
            (
                "[[faults.task_crash]]\noperator = \"sink\"\nsubtask = 2\nat = [\"1s\"]\n",
                "faults.task_crash[0].subtask",
            ),
            (
                "[[faults.task_crash]]\noperator = \"sink\"\n",
                "faults.task_crash[0].at",
            ),
            (
                "[[faults.taskmanager_loss]]\nmtbf = \"1ms\"\nper = \"task\"\n",
                "faults.taskmanager_loss[0].mtbf",
            ),
            (
                "[[faults.network_partition]]\nstart = \"1s\"\nduration = \"1s\"\nbetween = [1, 1]\n",
                "faults.network_partition[0].between",
            ),
            (
                "[[faults.network_partition]]\nstart = \"1s\"\nduration = \"1s\"\nbetween = [0, 1]\nfail_after = \"0s\"\n",
                "faults.network_partition[0].fail_after",
            ),
            (
                "[[faults.connection_loss]]\nat = [\"1s\"]\nbetween = [0, 2]\n",
                "faults.connection_loss[0].between",
            ),
            (
                "[[faults.connection_loss]]\nbetween = [0, 1]\n",
                "faults.connection_loss[0].at",
            ),
            (
                "[faults.storage]\noutages = [{ start = \"1s\", mtbf = \"1h\", duration = \"1s\" }]\n",
                "faults.storage.outages[0].mtbf",
            ),
            (
                "[[faults.straggler]]\nkind = \"disk\"\ntaskmanager = 0\nduration = \"1s\"\nslowdown = 2\n",
                "faults.straggler[0].start",
            ),
            (
                "[faults.storage]\nthrottling = [{ start = \"1s\", duration = \"1s\", factor = 2 }]\n",
                "faults.storage.throttling[0].factor",
            ),
            (
                "[faults.storage]\nupload_failure_probability = 1.5\n",
                "faults.storage.upload_failure_probability",
            ),
            (
                "[[faults.straggler]]\nkind = \"taskmanager\"\ntaskmanager = 5\nstart = \"1s\"\nduration = \"1s\"\nslowdown = 2\n",
                "faults.straggler[0].taskmanager",
            ),
        ];
        for (extra, field) in cases {
            let (f, msg) = err(extra);
            assert_eq!(f, field, "{msg}");
        }
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let msg = scenario("[[faults.task_crash]]\nat = [\"1s\"]\nmtbff = \"1h\"\n")
            .err()
            .unwrap();
        assert!(msg.contains("mtbff"), "{msg}");
        let msg = scenario("[restart]\nstrategy = \"sometimes\"\n").err().unwrap();
        assert!(msg.contains("sometimes"), "{msg}");
        // Through the loader, a serde error names file, line and field.
        let e = parse_str(&format!("{BASE}[recovery]\nfailover = \"partial\"\n"), "t.toml")
            .err()
            .unwrap();
        assert!(e.to_string().starts_with("t.toml:"), "{e}");
    }
}
