//! The fault schedule: the run's fault plan (the scenario's `[faults]`) turned into a
//! time-sorted list of events before the run starts, so a run's faults are a pure function of
//! (scenario, seed).
//!
//! Every fault spec draws from its own stream, `(Faults, category << 24 | spec index)`, so adding
//! a spec, or a component elsewhere, never changes another spec's draws. Per-upload storage
//! failures are not scheduled (they depend on how many uploads happen): the world draws them
//! from [`UploadFailures`], a stream of its own.

use crate::fault_spec::FaultsCfg;
use crate::ids::SubtaskId;
use crate::model::graph::JobGraph;
use crate::sim::dist::Duration;
use crate::sim::rng::{RngStream, StreamId, StreamKind};
use crate::time::{DurationNs, SimTime, ns_from_f64};
use crate::vocab::{LossDetection, MtbfScope, StragglerKind};

/// Bound on scheduled events (validation rejects scenarios that would come near it).
pub const SCHEDULE_EVENTS_MAX: usize = 2_000_000;

const CATEGORY_TASK_CRASH: u32 = 1;
const CATEGORY_TASKMANAGER_LOSS: u32 = 2;
const CATEGORY_JOBMANAGER_FAILOVER: u32 = 3;
const CATEGORY_UPLOAD_FAILURES: u32 = 4;
const CATEGORY_CONNECTION_LOSS: u32 = 5;
// Fault windows, one category per kind, so that a spec's windows never shift another's.
const CATEGORY_PARTITION: u32 = 6;
const CATEGORY_LATENCY_SPIKE: u32 = 7;
const CATEGORY_OUTAGE: u32 = 8;
const CATEGORY_THROTTLING: u32 = 9;
const CATEGORY_STRAGGLER: u32 = 10;

fn stream(seed: u64, category: u32, spec: usize) -> RngStream {
    let index = (category << 24) | (spec as u32 & 0x00FF_FFFF);
    RngStream::new(seed, StreamId::new(StreamKind::Faults, index))
}

/// A condition that holds for a window of time. Overlapping windows of one kind multiply.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Condition {
    /// No traffic between the two TaskManagers, either way.
    NetworkPartition { a: u32, b: u32 },
    /// Checkpoint storage does not answer.
    StorageOutage,
    /// Storage request latency × factor (>= 1).
    StorageLatencySpike { factor: f64 },
    /// Storage bandwidth × factor (in (0, 1]).
    StorageThrottling { factor: f64 },
    /// Every task on the TaskManager: service time × slowdown.
    SlowTaskManager { taskmanager: u32, slowdown: f64 },
    /// The TaskManager's local disk: bandwidth / slowdown.
    SlowDisk { taskmanager: u32, slowdown: f64 },
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FaultWindow {
    pub start: SimTime,
    pub end: SimTime,
    pub condition: Condition,
}

impl FaultWindow {
    fn holds_at(&self, t: SimTime) -> bool {
        self.start <= t && t < self.end
    }
}

/// One fault, whatever it hits: the one vocabulary for the scenario's fault schedule and for
/// faults a test plans. Failures (a task, a TaskManager, the JobManager, a connection) go to
/// the failover life cycle; window edges go to the components whose conditions they change
/// (storage latency and bandwidth, a TaskManager's speed, its disk, a network partition).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fault {
    /// A task throws; the JobManager learns it at once.
    TaskFailure { subtask: SubtaskId },
    /// The TaskManager process is gone at this instant; the JobManager notices after
    /// `detection_delay_ns` and its slots come back after `replacement_delay_ns` from the loss.
    TaskManagerLost {
        taskmanager: u32,
        detection_delay_ns: DurationNs,
        replacement_delay_ns: DurationNs,
    },
    /// The leading JobManager dies; the standby leads after `leader_election_ns`.
    JobManagerFailover { leader_election_ns: DurationNs },
    /// The connection between TaskManagers `a` and `b` is gone: tasks reading across it fail.
    ConnectionLost { a: u32, b: u32 },
    /// `windows[window]` starts holding.
    WindowBegin { window: u32 },
    /// `windows[window]` stops holding.
    WindowEnd { window: u32 },
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FaultEvent {
    pub at: SimTime,
    pub kind: Fault,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FaultScheduleError {
    #[error("faults.task_crash[{spec}]: no operator named `{name}`")]
    UnknownOperator { spec: usize, name: String },
    #[error("faults.task_crash[{spec}]: operator `{name}` has no subtask {subtask}")]
    UnknownSubtask { spec: usize, name: String, subtask: u32 },
    #[error("the fault schedule would exceed {SCHEDULE_EVENTS_MAX} events")]
    TooManyEvents,
}

/// All scheduled faults of a run, sorted by time (ties in the order of the scenario file).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultSchedule {
    pub events: Vec<FaultEvent>,
    /// Referenced by `WindowBegin`/`WindowEnd`.
    pub windows: Vec<FaultWindow>,
    /// Chance that one checkpoint upload fails; drawn by [`UploadFailures`].
    pub upload_failure_probability: f64,
}

impl FaultSchedule {
    /// The schedule of plan `f` for master `seed`, events before `end` (the end of the
    /// simulation).
    pub fn generate(
        f: &FaultsCfg,
        end: SimTime,
        graph: &JobGraph,
        seed: u64,
    ) -> Result<FaultSchedule, FaultScheduleError> {
        let mut b = Builder {
            end,
            events: Vec::new(),
            windows: Vec::new(),
        };
        b.task_crashes(f, graph, seed)?;
        b.taskmanager_losses(f, graph.taskmanagers, seed)?;
        b.jobmanager_failovers(f, seed)?;
        b.connection_losses(f, graph.taskmanagers, seed)?;
        b.windows(f, seed)?;
        // Stable: events at the same instant keep the order of the file.
        b.events.sort_by_key(|e| e.at);
        Ok(FaultSchedule {
            events: b.events,
            windows: b.windows,
            upload_failure_probability: f.storage.as_ref().map_or(0.0, |st| st.upload_failure_probability),
        })
    }

    fn product(&self, t: SimTime, pick: impl Fn(&Condition) -> Option<f64>) -> f64 {
        self.windows
            .iter()
            .filter(|w| w.holds_at(t))
            .filter_map(|w| pick(&w.condition))
            .product()
    }

    /// Storage request latency multiplier at `t` (1 outside spikes).
    pub fn storage_latency_factor(&self, t: SimTime) -> f64 {
        self.product(t, |c| match c {
            Condition::StorageLatencySpike { factor } => Some(*factor),
            _ => None,
        })
    }

    /// Storage bandwidth multiplier at `t` (1 outside throttling, 0 during an outage).
    pub fn storage_bandwidth_factor(&self, t: SimTime) -> f64 {
        self.product(t, |c| match c {
            Condition::StorageThrottling { factor } => Some(*factor),
            Condition::StorageOutage => Some(0.0),
            _ => None,
        })
    }

    pub fn storage_available(&self, t: SimTime) -> bool {
        !self
            .windows
            .iter()
            .any(|w| w.holds_at(t) && w.condition == Condition::StorageOutage)
    }

    /// Service-time multiplier of tasks on `taskmanager` at `t`.
    pub fn service_slowdown(&self, taskmanager: u32, t: SimTime) -> f64 {
        self.product(t, |c| match c {
            Condition::SlowTaskManager {
                taskmanager: tm,
                slowdown,
            } if *tm == taskmanager => Some(*slowdown),
            _ => None,
        })
    }

    /// Local-disk bandwidth divisor of `taskmanager` at `t`.
    pub fn disk_slowdown(&self, taskmanager: u32, t: SimTime) -> f64 {
        self.product(t, |c| match c {
            Condition::SlowDisk {
                taskmanager: tm,
                slowdown,
            } if *tm == taskmanager => Some(*slowdown),
            _ => None,
        })
    }

    /// Whether traffic between two TaskManagers is cut at `t`.
    pub fn partitioned(&self, x: u32, y: u32, t: SimTime) -> bool {
        self.windows.iter().any(|w| {
            w.holds_at(t)
                && matches!(w.condition, Condition::NetworkPartition { a, b } if (a, b) == (x, y) || (a, b) == (y, x))
        })
    }
}

struct Builder {
    end: SimTime,
    events: Vec<FaultEvent>,
    windows: Vec<FaultWindow>,
}

impl Builder {
    fn push(&mut self, at: SimTime, kind: Fault) -> Result<(), FaultScheduleError> {
        if self.events.len() >= SCHEDULE_EVENTS_MAX {
            return Err(FaultScheduleError::TooManyEvents);
        }
        self.events.push(FaultEvent { at, kind });
        Ok(())
    }

    /// The fixed times before the end, then the random arrivals: one Poisson process per
    /// target (`per = "task"`) or one for the job. Each arrival gets its target.
    fn arrivals(
        &self,
        at: &[Duration],
        mtbf: Option<&Duration>,
        per: MtbfScope,
        targets: u32,
        rng: &mut RngStream,
    ) -> Result<Vec<(SimTime, u32)>, FaultScheduleError> {
        let mut out = Vec::new();
        let pick = |rng: &mut RngStream| {
            if targets <= 1 {
                0
            } else {
                rng.below(targets as u64) as u32
            }
        };
        for t in at {
            let t = SimTime(t.as_u64());
            if t < self.end {
                out.push((t, pick(rng)));
            }
        }
        let Some(mtbf) = mtbf else {
            return Ok(out);
        };
        let mean_ns = mtbf.value;
        let process = |out: &mut Vec<(SimTime, u32)>, target: Option<u32>, rng: &mut RngStream| {
            let mut t = 0.0f64;
            loop {
                // Inverse CDF of Exp(1/M); 1 - U is in (0, 1], so the log is finite.
                t += -mean_ns * (1.0 - rng.next_f64()).ln();
                let at = SimTime(ns_from_f64(t));
                if at >= self.end {
                    return Ok(());
                }
                if out.len() >= SCHEDULE_EVENTS_MAX {
                    return Err(FaultScheduleError::TooManyEvents);
                }
                let target = target.unwrap_or_else(|| pick(rng));
                out.push((at, target));
            }
        };
        match per {
            MtbfScope::Task => {
                for target in 0..targets {
                    process(&mut out, Some(target), rng)?;
                }
            }
            MtbfScope::Job => process(&mut out, None, rng)?,
        }
        Ok(out)
    }

    fn task_crashes(&mut self, f: &FaultsCfg, graph: &JobGraph, seed: u64) -> Result<(), FaultScheduleError> {
        for (i, c) in f.task_crash.iter().enumerate() {
            let (first, count) = match &c.operator {
                Some(name) => {
                    // An operator inside a chain fails with its task: the chain's vertex is the target.
                    let v = graph.vertices.iter().find(|v| v.runs_operator(name)).ok_or_else(|| {
                        FaultScheduleError::UnknownOperator {
                            spec: i,
                            name: name.clone(),
                        }
                    })?;
                    match c.subtask {
                        Some(idx) if idx >= v.parallelism => {
                            return Err(FaultScheduleError::UnknownSubtask {
                                spec: i,
                                name: name.clone(),
                                subtask: idx,
                            });
                        }
                        Some(idx) => (v.first_subtask + idx, 1),
                        None => (v.first_subtask, v.parallelism),
                    }
                }
                None => (0, graph.subtasks.len() as u32),
            };
            let mut rng = stream(seed, CATEGORY_TASK_CRASH, i);
            for (at, target) in self.arrivals(&c.at, c.mtbf.as_ref(), c.per, count, &mut rng)? {
                self.push(
                    at,
                    Fault::TaskFailure {
                        subtask: SubtaskId(first + target),
                    },
                )?;
            }
        }
        Ok(())
    }

    fn taskmanager_losses(&mut self, f: &FaultsCfg, taskmanagers: u32, seed: u64) -> Result<(), FaultScheduleError> {
        for (i, l) in f.taskmanager_loss.iter().enumerate() {
            let (first, count) = match l.taskmanager {
                Some(tm) => (tm, 1),
                None => (0, taskmanagers),
            };
            let mut rng = stream(seed, CATEGORY_TASKMANAGER_LOSS, i);
            for (at, target) in self.arrivals(&l.at, l.mtbf.as_ref(), l.per, count, &mut rng)? {
                let detection_delay_ns = match l.detection {
                    // The JobManager's monitor times out `heartbeat_timeout` after the last
                    // heartbeat it received, which came up to one interval before the loss.
                    LossDetection::Heartbeat => {
                        let since_last = ns_from_f64(rng.next_f64() * l.heartbeat_interval.value);
                        l.heartbeat_timeout.as_u64().saturating_sub(since_last)
                    }
                    LossDetection::ConnectionDrop => l.connection_drop_delay.as_u64(),
                };
                self.push(
                    at,
                    Fault::TaskManagerLost {
                        taskmanager: first + target,
                        detection_delay_ns,
                        replacement_delay_ns: l.replacement_delay.as_u64(),
                    },
                )?;
            }
        }
        Ok(())
    }

    fn jobmanager_failovers(&mut self, f: &FaultsCfg, seed: u64) -> Result<(), FaultScheduleError> {
        let Some(j) = &f.jobmanager_failover else {
            return Ok(());
        };
        let mut rng = stream(seed, CATEGORY_JOBMANAGER_FAILOVER, 0);
        for (at, _) in self.arrivals(&j.at, j.mtbf.as_ref(), MtbfScope::Job, 1, &mut rng)? {
            self.push(
                at,
                Fault::JobManagerFailover {
                    leader_election_ns: j.leader_election_time.as_u64(),
                },
            )?;
        }
        Ok(())
    }

    fn connection_losses(&mut self, f: &FaultsCfg, taskmanagers: u32, seed: u64) -> Result<(), FaultScheduleError> {
        for (i, c) in f.connection_loss.iter().enumerate() {
            let mut rng = stream(seed, CATEGORY_CONNECTION_LOSS, i);
            let pairs = taskmanagers * taskmanagers.saturating_sub(1) / 2;
            for (at, target) in self.arrivals(&c.at, c.mtbf.as_ref(), MtbfScope::Job, pairs, &mut rng)? {
                let (a, b) = match c.between {
                    Some([a, b]) => (a, b),
                    None => nth_pair(target, taskmanagers),
                };
                self.push(at, Fault::ConnectionLost { a, b })?;
            }
        }
        Ok(())
    }

    /// The windows of one spec: one at `start`, or windows starting as a Poisson process with
    /// mean gap `mtbf`. Returns their start times.
    fn windows_of(
        &mut self,
        start: Option<&Duration>,
        mtbf: Option<&Duration>,
        duration: &Duration,
        condition: Condition,
        rng: &mut RngStream,
    ) -> Result<Vec<SimTime>, FaultScheduleError> {
        let at: Vec<Duration> = start.into_iter().cloned().collect();
        let starts: Vec<SimTime> = self
            .arrivals(&at, mtbf, MtbfScope::Job, 1, rng)?
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        for t in &starts {
            self.window(*t, duration, condition)?;
        }
        Ok(starts)
    }

    fn window(&mut self, start: SimTime, duration: &Duration, condition: Condition) -> Result<(), FaultScheduleError> {
        if start >= self.end {
            return Ok(());
        }
        let id = self.windows.len() as u32;
        let end = start + duration.as_u64();
        self.windows.push(FaultWindow { start, end, condition });
        self.push(start, Fault::WindowBegin { window: id })?;
        self.push(end, Fault::WindowEnd { window: id })
    }

    fn windows(&mut self, f: &FaultsCfg, seed: u64) -> Result<(), FaultScheduleError> {
        for (i, n) in f.network_partition.iter().enumerate() {
            let [a, b] = n.between;
            let mut rng = stream(seed, CATEGORY_PARTITION, i);
            let condition = Condition::NetworkPartition { a, b };
            let starts = self.windows_of(n.start.as_ref(), n.mtbf.as_ref(), &n.duration, condition, &mut rng)?;
            // A partition that outlasts its `fail_after` breaks the connections then.
            if let Some(after) = n.fail_after.as_ref().filter(|t| t.value < n.duration.value) {
                for s in starts {
                    let at = s + after.as_u64();
                    if at < self.end {
                        self.push(at, Fault::ConnectionLost { a, b })?;
                    }
                }
            }
        }
        if let Some(st) = &f.storage {
            for (i, w) in st.latency_spikes.iter().enumerate() {
                let mut rng = stream(seed, CATEGORY_LATENCY_SPIKE, i);
                let condition = Condition::StorageLatencySpike { factor: w.factor };
                self.windows_of(w.start.as_ref(), w.mtbf.as_ref(), &w.duration, condition, &mut rng)?;
            }
            for (i, w) in st.outages.iter().enumerate() {
                let mut rng = stream(seed, CATEGORY_OUTAGE, i);
                let condition = Condition::StorageOutage;
                self.windows_of(w.start.as_ref(), w.mtbf.as_ref(), &w.duration, condition, &mut rng)?;
            }
            for (i, w) in st.throttling.iter().enumerate() {
                let mut rng = stream(seed, CATEGORY_THROTTLING, i);
                let condition = Condition::StorageThrottling { factor: w.factor };
                self.windows_of(w.start.as_ref(), w.mtbf.as_ref(), &w.duration, condition, &mut rng)?;
            }
        }
        for (i, g) in f.straggler.iter().enumerate() {
            let condition = match g.kind {
                StragglerKind::Taskmanager => Condition::SlowTaskManager {
                    taskmanager: g.taskmanager,
                    slowdown: g.slowdown,
                },
                StragglerKind::Disk => Condition::SlowDisk {
                    taskmanager: g.taskmanager,
                    slowdown: g.slowdown,
                },
            };
            let mut rng = stream(seed, CATEGORY_STRAGGLER, i);
            self.windows_of(g.start.as_ref(), g.mtbf.as_ref(), &g.duration, condition, &mut rng)?;
        }
        Ok(())
    }
}

/// Per-upload failures with the configured probability, from a stream of their own.
#[derive(Clone, Debug)]
pub struct UploadFailures {
    probability: f64,
    rng: RngStream,
}

impl UploadFailures {
    pub fn new(seed: u64, probability: f64) -> Self {
        UploadFailures {
            probability,
            rng: stream(seed, CATEGORY_UPLOAD_FAILURES, 0),
        }
    }

    /// Whether the next upload fails. Draws nothing when the probability is 0, so enabling
    /// another fault never perturbs a run without upload failures.
    pub fn next_upload_fails(&mut self) -> bool {
        self.probability > 0.0 && self.rng.bernoulli(self.probability)
    }
}

/// The `k`-th unordered pair of distinct TaskManagers among `n`: (0,1), (0,2), .., (1,2), ..
pub(crate) fn nth_pair(mut k: u32, n: u32) -> (u32, u32) {
    for a in 0..n {
        let with_a = n - a - 1;
        if k < with_a {
            return (a, a + 1 + k);
        }
        k -= with_a;
    }
    unreachable!("k is below n (n - 1) / 2")
}
