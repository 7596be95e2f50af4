//! What is to go wrong in a run, as the scenario's `[faults]` section says it (fixed times,
//! MTBFs, windows), before any of it is drawn. The scenario reads these types from the file and
//! the model draws its fault schedule from them (`model::faults::FaultSchedule::generate`):
//! defined once, below both, so that no translation sits between the two and a new fault type
//! is declared in one place. Specs keep the order they were given in, because each draws from
//! a stream named by its index. Validation (ranges, references) is the scenario's
//! (`scenario::faults::validate_faults`).

use serde::Deserialize;

use crate::sim::dist::Duration;
use crate::time::{NS_PER_MS, NS_PER_S};
pub use crate::vocab::{LossDetection, MtbfScope, StragglerKind};

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
