//! What is to go wrong in a run, as specified (fixed times, MTBFs, windows), before any of it is
//! drawn: the input of [`FaultSchedule::generate`](crate::model::faults::FaultSchedule::generate).
//! Specs keep the order they were given in, because each draws from a stream named by its
//! index.

use crate::sim::dist::Duration;
use crate::vocab::{LossDetection, MtbfScope, StragglerKind};

/// Every fault spec of a run; empty when nothing is to fail.
#[derive(Clone, Debug, Default)]
pub struct FaultPlan {
    pub task_crash: Vec<TaskCrashPlan>,
    pub taskmanager_loss: Vec<TaskManagerLossPlan>,
    pub network_partition: Vec<NetworkPartitionPlan>,
    pub connection_loss: Vec<ConnectionLossPlan>,
    pub storage: Option<StorageFaultPlan>,
    pub straggler: Vec<StragglerPlan>,
    pub jobmanager_failover: Option<JobManagerFailoverPlan>,
}

/// A task throws, at fixed times and/or as a Poisson process with mean gap `mtbf`.
#[derive(Clone, Debug)]
pub struct TaskCrashPlan {
    pub at: Vec<Duration>,
    pub mtbf: Option<Duration>,
    pub per: MtbfScope,
    /// Restricts targets to this operator's subtasks; `None`: all subtasks.
    pub operator: Option<String>,
    /// With `operator`: exactly this subtask; `None`: a uniformly drawn one per crash.
    pub subtask: Option<u32>,
}

/// A TaskManager is lost, and how the JobManager notices.
#[derive(Clone, Debug)]
pub struct TaskManagerLossPlan {
    pub at: Vec<Duration>,
    pub mtbf: Option<Duration>,
    pub per: MtbfScope,
    /// `None`: a uniformly drawn one per loss.
    pub taskmanager: Option<u32>,
    pub detection: LossDetection,
    pub heartbeat_timeout: Duration,
    pub heartbeat_interval: Duration,
    pub connection_drop_delay: Duration,
    pub replacement_delay: Duration,
}

/// The network between two TaskManagers is cut for a while.
#[derive(Clone, Debug)]
pub struct NetworkPartitionPlan {
    pub start: Option<Duration>,
    pub mtbf: Option<Duration>,
    pub duration: Duration,
    pub between: [u32; 2],
    /// A partition lasting longer breaks the connections this long after it starts.
    pub fail_after: Option<Duration>,
}

/// The connection between two TaskManagers drops.
#[derive(Clone, Debug)]
pub struct ConnectionLossPlan {
    pub at: Vec<Duration>,
    pub mtbf: Option<Duration>,
    /// `None`: a uniformly drawn pair per loss.
    pub between: Option<[u32; 2]>,
}

/// A window of time: one from `start`, or windows starting with mean gap `mtbf`.
#[derive(Clone, Debug)]
pub struct WindowPlan {
    pub start: Option<Duration>,
    pub mtbf: Option<Duration>,
    pub duration: Duration,
}

/// A window during which a quantity is multiplied by `factor`.
#[derive(Clone, Debug)]
pub struct FactorWindowPlan {
    pub start: Option<Duration>,
    pub mtbf: Option<Duration>,
    pub duration: Duration,
    pub factor: f64,
}

/// Checkpoint storage faults.
#[derive(Clone, Debug, Default)]
pub struct StorageFaultPlan {
    pub upload_failure_probability: f64,
    pub latency_spikes: Vec<FactorWindowPlan>,
    pub outages: Vec<WindowPlan>,
    pub throttling: Vec<FactorWindowPlan>,
}

/// A TaskManager (or its disk) slowed down for a while.
#[derive(Clone, Debug)]
pub struct StragglerPlan {
    pub kind: StragglerKind,
    pub taskmanager: u32,
    pub start: Option<Duration>,
    pub mtbf: Option<Duration>,
    pub duration: Duration,
    pub slowdown: f64,
}

/// The leading JobManager fails over to a standby.
#[derive(Clone, Debug)]
pub struct JobManagerFailoverPlan {
    pub at: Vec<Duration>,
    pub mtbf: Option<Duration>,
    pub leader_election_time: Duration,
}
