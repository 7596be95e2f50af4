//! What is to go wrong in a run, as the scenario's `[faults]` section says it (fixed times,
//! MTBFs, windows), before any of it is drawn. The scenario reads these types from the file and
//! the model draws its fault schedule from them (`model::faults::FaultSchedule::generate`):
//! defined once, below both, so that no translation sits between the two and a new fault type
//! is declared in one place. Specs keep the order they were given in, because each draws from
//! a stream named by its index.
//!
//! Each fault type is one `*Cfg` with one [`FaultSpec`] impl beside it: its checks (ranges and
//! references, from the shared ones in [`checks`]) and the events it adds to the run. The
//! scenario's validation (`scenario::faults::validate_faults`) and the run's estimate
//! (`scenario::budget`) walk [`FaultsCfg::specs`] instead of naming each fault type; its TOML
//! key is its field name in [`FaultsCfg`].

use serde::Deserialize;

use crate::sim::dist::Duration;
use crate::time::{NS_PER_MS, NS_PER_S};
pub use crate::vocab::{LossDetection, MtbfScope, StragglerKind};

pub mod checks;

pub use checks::{FAULT_EVENTS_MAX, MTBF_MIN_NS};

/// A refused value: (dotted field path, message).
pub type Problem = (String, String);

/// Declares `FaultsCfg`, one field per fault type (its TOML key under `[faults]`, a list of
/// entries or one table), and `FaultsCfg::specs`, which lists them in the same order: a fault
/// type added here is validated and estimated with the others, never forgotten by one of them.
macro_rules! faults_cfg {
    ($($key:ident: $holder:ident<$cfg:ty>,)*) => {
        /// The `[faults]` section: one field per fault type.
        #[derive(Clone, Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct FaultsCfg {
            $(
                #[serde(default)]
                pub $key: $holder<$cfg>,
            )*
        }

        impl FaultsCfg {
            /// Every spec with its place in the file, in file order (fault types as declared,
            /// entries of a list in their order): what validation and the estimate walk.
            pub fn specs(&self) -> Vec<Spec<'_>> {
                let mut table = Vec::new();
                $( Entries::list_into(&self.$key, stringify!($key), &mut table); )*
                table
            }
        }
    };
}

faults_cfg! {
    task_crash: Vec<TaskCrashCfg>,
    taskmanager_loss: Vec<TaskManagerLossCfg>,
    network_partition: Vec<NetworkPartitionCfg>,
    connection_loss: Vec<ConnectionLossCfg>,
    storage: Option<StorageFaultsCfg>,
    straggler: Vec<StragglerCfg>,
    jobmanager_failover: Option<JobManagerFailoverCfg>,
}

/// One fault spec of the file and where it is.
pub struct Spec<'a> {
    pub path: SpecPath,
    pub cfg: &'a dyn FaultSpec,
}

/// Where a spec is in the file: `faults.task_crash[2]`, `faults.jobmanager_failover`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecPath(String);

impl SpecPath {
    pub fn new(path: impl Into<String>) -> SpecPath {
        SpecPath(path.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The dotted path of one of its fields, as errors name it.
    pub fn field(&self, name: &str) -> String {
        format!("{}.{name}", self.0)
    }
    /// Entry `index` of its list `name` (`faults.storage.outages[0]`).
    pub fn entry(&self, name: &str, index: usize) -> SpecPath {
        SpecPath(format!("{}.{name}[{index}]", self.0))
    }
}

/// How the specs of one fault type sit in `FaultsCfg`: a list (`[[faults.task_crash]]`) or
/// one table (`[faults.storage]`).
trait Entries {
    fn list_into<'a>(&'a self, key: &str, table: &mut Vec<Spec<'a>>);
}

impl<T: FaultSpec> Entries for Vec<T> {
    fn list_into<'a>(&'a self, key: &str, table: &mut Vec<Spec<'a>>) {
        for (i, cfg) in self.iter().enumerate() {
            table.push(Spec {
                path: SpecPath(format!("faults.{key}[{i}]")),
                cfg,
            });
        }
    }
}

impl<T: FaultSpec> Entries for Option<T> {
    fn list_into<'a>(&'a self, key: &str, table: &mut Vec<Spec<'a>>) {
        if let Some(cfg) = self {
            table.push(Spec {
                path: SpecPath(format!("faults.{key}")),
                cfg,
            });
        }
    }
}

/// What fault specs are checked and estimated against: the run's length and the job's shape.
#[derive(Clone, Debug)]
pub struct Targets<'a> {
    pub run_ns: f64,
    /// (name, parallelism) of every operator, in file order.
    pub operators: Vec<(&'a str, u32)>,
    pub taskmanagers: u32,
}

impl Targets<'_> {
    pub fn subtasks(&self) -> u64 {
        self.operators.iter().map(|(_, parallelism)| *parallelism as u64).sum()
    }
}

/// What one event of a spec costs the run, and what it hits. The estimate adds loads in this
/// order (its sums of floats depend on the order, so a new kind goes where it changes none).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EventKind {
    /// Restarts tasks: one scheduled event.
    Failure,
    /// A window on the cluster (a partition, a straggler): a begin and an end, consulted by
    /// the network and the tasks while it holds.
    ClusterWindow,
    /// A window on the checkpoint storage, consulted by its requests while it holds.
    StorageWindow,
}

impl EventKind {
    pub fn is_window(self) -> bool {
        self != EventKind::Failure
    }
}

/// The events a spec adds to a run, by the field that drives their number.
#[derive(Clone, Debug, PartialEq)]
pub struct Load {
    pub field: String,
    pub kind: EventKind,
    /// Expected number of failures or windows in the run.
    pub count: f64,
}

impl Load {
    /// Scheduled events: a window is two (its begin and end).
    pub fn scheduled_events(&self) -> f64 {
        if self.kind.is_window() {
            2.0 * self.count
        } else {
            self.count
        }
    }
}

/// One fault type: what the checks and the estimate need to know of it.
pub trait FaultSpec {
    /// Range and reference checks; the first problem found, naming its field under `at`.
    fn check(&self, at: &SpecPath, targets: &Targets) -> Result<(), Problem>;
    /// The failures or windows it adds to the run (of a checked spec).
    fn loads(&self, at: &SpecPath, targets: &Targets) -> Vec<Load>;
}

impl FaultsCfg {
    /// The loads of every spec by [`EventKind`] (failures, cluster windows, storage windows),
    /// each kind in file order: the order the estimate adds them in.
    pub fn loads(&self, targets: &Targets) -> Vec<Load> {
        let mut all: Vec<Load> = self
            .specs()
            .iter()
            .flat_map(|s| s.cfg.loads(&s.path, targets))
            .collect();
        // Stable: file order within a kind.
        all.sort_by_key(|l| l.kind);
        all
    }
}

/// Expected events of fixed times `at` plus a Poisson process per one of `processes`.
fn expected(run_ns: f64, at: usize, mtbf: Option<&Duration>, processes: f64) -> f64 {
    at as f64 + mtbf.map_or(0.0, |m| run_ns / m.value.max(1.0) * processes)
}

/// Failures at `at` and with `mtbf`, driven by the MTBF when there is one.
fn failures(p: &SpecPath, at: &[Duration], mtbf: Option<&Duration>, processes: f64, run_ns: f64) -> Load {
    Load {
        field: p.field(if mtbf.is_some() { "mtbf" } else { "at" }),
        kind: EventKind::Failure,
        count: expected(run_ns, at.len(), mtbf, processes),
    }
}

/// Windows of `kind`: one at `start`, or a Poisson process of them.
fn windows(kind: EventKind, p: &SpecPath, start: Option<&Duration>, mtbf: Option<&Duration>, run_ns: f64) -> Load {
    Load {
        field: p.field("mtbf"),
        kind,
        count: if start.is_some() {
            1.0
        } else {
            expected(run_ns, 0, mtbf, 1.0)
        },
    }
}

/// Processes of an MTBF: one for the job's, one per target for each target's.
fn processes(per: MtbfScope, targets: u64) -> f64 {
    if per == MtbfScope::Task { targets as f64 } else { 1.0 }
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

impl FaultSpec for TaskCrashCfg {
    fn check(&self, p: &SpecPath, t: &Targets) -> Result<(), Problem> {
        checks::arrivals(&self.at, self.mtbf.as_ref(), p)?;
        let targets = checks::subtask_targets(self.operator.as_deref(), self.subtask, &t.operators, p)?;
        checks::event_count(t.run_ns, self.mtbf.as_ref(), self.per, targets, p)
    }
    fn loads(&self, p: &SpecPath, t: &Targets) -> Vec<Load> {
        // Bounded by every subtask of the job, whichever it may hit.
        let n = processes(self.per, t.subtasks());
        vec![failures(p, &self.at, self.mtbf.as_ref(), n, t.run_ns)]
    }
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

impl FaultSpec for TaskManagerLossCfg {
    fn check(&self, p: &SpecPath, t: &Targets) -> Result<(), Problem> {
        checks::arrivals(&self.at, self.mtbf.as_ref(), p)?;
        let targets = match self.taskmanager {
            Some(tm) => checks::taskmanager(tm, t.taskmanagers, p, "taskmanager").map(|()| 1)?,
            None => t.taskmanagers as u64,
        };
        checks::event_count(t.run_ns, self.mtbf.as_ref(), self.per, targets, p)?;
        checks::positive(Some(&self.heartbeat_interval), p, "heartbeat_interval")?;
        if self.heartbeat_timeout.value < self.heartbeat_interval.value {
            return checks::fail(p.field("heartbeat_timeout"), "must be at least heartbeat_interval");
        }
        Ok(())
    }
    fn loads(&self, p: &SpecPath, t: &Targets) -> Vec<Load> {
        let n = processes(self.per, t.taskmanagers as u64);
        vec![failures(p, &self.at, self.mtbf.as_ref(), n, t.run_ns)]
    }
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

impl FaultSpec for NetworkPartitionCfg {
    fn check(&self, p: &SpecPath, t: &Targets) -> Result<(), Problem> {
        checks::window(self.start.as_ref(), self.mtbf.as_ref(), &self.duration, t.run_ns, p)?;
        checks::taskmanager_pair(self.between, t.taskmanagers, p, "a partition")?;
        checks::positive(self.fail_after.as_ref(), p, "fail_after")
    }
    fn loads(&self, p: &SpecPath, t: &Targets) -> Vec<Load> {
        vec![windows(
            EventKind::ClusterWindow,
            p,
            self.start.as_ref(),
            self.mtbf.as_ref(),
            t.run_ns,
        )]
    }
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

impl FaultSpec for ConnectionLossCfg {
    fn check(&self, p: &SpecPath, t: &Targets) -> Result<(), Problem> {
        checks::arrivals(&self.at, self.mtbf.as_ref(), p)?;
        match self.between {
            Some(pair) => checks::taskmanager_pair(pair, t.taskmanagers, p, "a connection")?,
            None if t.taskmanagers < 2 => return checks::fail(p.field("between"), "needs at least two TaskManagers"),
            None => {}
        }
        checks::event_count(t.run_ns, self.mtbf.as_ref(), MtbfScope::Job, 1, p)
    }
    fn loads(&self, p: &SpecPath, t: &Targets) -> Vec<Load> {
        vec![failures(p, &self.at, self.mtbf.as_ref(), 1.0, t.run_ns)]
    }
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

impl FaultSpec for StorageFaultsCfg {
    fn check(&self, p: &SpecPath, t: &Targets) -> Result<(), Problem> {
        let chance = self.upload_failure_probability;
        checks::between(
            chance,
            0.0,
            1.0,
            p,
            "upload_failure_probability",
            "must be between 0 and 1",
        )?;
        for (i, w) in self.latency_spikes.iter().enumerate() {
            let q = p.entry("latency_spikes", i);
            checks::window(w.start.as_ref(), w.mtbf.as_ref(), &w.duration, t.run_ns, &q)?;
            let why = "must be between 1 and 1e6 (a latency multiplier)";
            checks::between(w.factor, 1.0, 1e6, &q, "factor", why)?;
        }
        for (i, w) in self.outages.iter().enumerate() {
            let q = p.entry("outages", i);
            checks::window(w.start.as_ref(), w.mtbf.as_ref(), &w.duration, t.run_ns, &q)?;
        }
        for (i, w) in self.throttling.iter().enumerate() {
            let q = p.entry("throttling", i);
            checks::window(w.start.as_ref(), w.mtbf.as_ref(), &w.duration, t.run_ns, &q)?;
            if !(w.factor.is_finite() && w.factor > 0.0 && w.factor <= 1.0) {
                return checks::fail(q.field("factor"), "must be in (0, 1] (a bandwidth multiplier)");
            }
        }
        Ok(())
    }
    fn loads(&self, p: &SpecPath, t: &Targets) -> Vec<Load> {
        // Latency spikes and throttling first, then outages: the order the estimate has always
        // added them in (its sums of floats depend on it).
        let factor_windows = [
            ("latency_spikes", &self.latency_spikes),
            ("throttling", &self.throttling),
        ];
        let factor_loads = factor_windows.into_iter().flat_map(|(name, list)| {
            list.iter().enumerate().map(move |(i, w)| {
                windows(
                    EventKind::StorageWindow,
                    &p.entry(name, i),
                    w.start.as_ref(),
                    w.mtbf.as_ref(),
                    t.run_ns,
                )
            })
        });
        let outages = self.outages.iter().enumerate().map(|(i, w)| {
            windows(
                EventKind::StorageWindow,
                &p.entry("outages", i),
                w.start.as_ref(),
                w.mtbf.as_ref(),
                t.run_ns,
            )
        });
        factor_loads.chain(outages).collect()
    }
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

impl FaultSpec for StragglerCfg {
    fn check(&self, p: &SpecPath, t: &Targets) -> Result<(), Problem> {
        checks::window(self.start.as_ref(), self.mtbf.as_ref(), &self.duration, t.run_ns, p)?;
        checks::taskmanager(self.taskmanager, t.taskmanagers, p, "taskmanager")?;
        checks::between(self.slowdown, 1.0, 1e6, p, "slowdown", "must be between 1 and 1e6")
    }
    fn loads(&self, p: &SpecPath, t: &Targets) -> Vec<Load> {
        vec![windows(
            EventKind::ClusterWindow,
            p,
            self.start.as_ref(),
            self.mtbf.as_ref(),
            t.run_ns,
        )]
    }
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

impl FaultSpec for JobManagerFailoverCfg {
    fn check(&self, p: &SpecPath, t: &Targets) -> Result<(), Problem> {
        checks::arrivals(&self.at, self.mtbf.as_ref(), p)?;
        checks::event_count(t.run_ns, self.mtbf.as_ref(), MtbfScope::Job, 1, p)
    }
    fn loads(&self, p: &SpecPath, t: &Targets) -> Vec<Load> {
        vec![failures(p, &self.at, self.mtbf.as_ref(), 1.0, t.run_ns)]
    }
}

fn default_leader_election() -> Duration {
    Duration::new(15.0 * NS_PER_S as f64)
}
