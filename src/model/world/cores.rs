//! The TaskManagers' cores: CPU shared by the threads of the TaskManagers on one host.
//!
//! A TaskManager has `cores_per_taskmanager` cores (default: one per slot); TaskManagers packed
//! on one host (`taskmanagers_per_host`, e.g. a MiniCluster, whose TaskManagers all run in one
//! JVM) pool their cores. The threads that compete for them are the task threads (a record's
//! CPU part) and the asynchronous snapshot threads (a heap snapshot's serialization, and on a
//! local file system its file's request latency).
//!
//! The scheduler is processor sharing evaluated per quantum: a thread starting a quantum of CPU
//! work gets `min(1, cores / runnable)` of a core for all of it, where `runnable` counts itself
//! plus every other thread of the host with work in progress, each weighted by the fraction of
//! its quantum it is runnable (a source batch waiting for arrivals, or a record's waiting part,
//! holds its thread without a core). The quantum is [`CPU_QUANTUM_NS`] of CPU (1 ms, at least
//! one record) for an operator's input buffer, scheduled a quantum at a time, and for a
//! snapshot's serialization, done in chunks of that size; a source's batch is one quantum (at
//! most one network buffer's worth of records, never past the next output flush). A thread's
//! share is re-evaluated at each quantum. When every thread stays runnable, the shares are exactly
//! `cores / threads` and the host delivers exactly its cores; in between, a quantum keeps the
//! share it started with (Linux's CFS, the scheduler Flink's threads see, likewise gives
//! runnable threads equal shares, re-evaluated every few milliseconds).

use crate::time::SimTime;

/// Largest piece of CPU work a thread does at one share (1 ms of CPU): a batch of records is
/// scheduled a quantum at a time, a snapshot's serialization in chunks of this size.
pub(crate) const CPU_QUANTUM_NS: u64 = 1_000_000;

/// A thread of a subtask.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Thread {
    /// The task thread (mailbox: records, barriers, the synchronous phase).
    Task(u32),
    /// The subtask's asynchronous snapshot thread (`AsyncCheckpointRunnable`).
    Snapshot(u32),
}

#[derive(Clone, Copy, Debug)]
struct Claim {
    thread: Thread,
    until: SimTime,
    /// Fraction of `[start, until)` the thread is runnable.
    weight: f64,
}

/// The hosts' cores and the work in progress on them.
#[derive(Clone, Debug)]
pub(crate) struct Cores {
    /// Host of each TaskManager.
    host_of_tm: Vec<u32>,
    /// Cores of each host; infinite when the scenario gives every thread its own.
    cores: Vec<f64>,
    /// Per host, the quanta in progress (at most two per subtask of the host).
    claims: Vec<Vec<Claim>>,
}

impl Cores {
    /// `taskmanagers` TaskManagers of `cores_per_taskmanager` cores, `per_host` to a host.
    pub fn new(taskmanagers: u32, cores_per_taskmanager: f64, per_host: u32) -> Cores {
        let per_host = per_host.max(1);
        let hosts = taskmanagers.div_ceil(per_host).max(1);
        let host_of_tm = (0..taskmanagers).map(|tm| tm / per_host).collect();
        let cores = (0..hosts)
            .map(|h| {
                let tms = per_host.min(taskmanagers - h * per_host);
                cores_per_taskmanager * tms as f64
            })
            .collect();
        Cores {
            host_of_tm,
            cores,
            claims: vec![Vec::new(); hosts as usize],
        }
    }

    fn host(&self, tm: u32) -> usize {
        self.host_of_tm.get(tm as usize).copied().unwrap_or(0) as usize
    }

    /// The share of a core `thread` (of TaskManager `tm`) gets for a quantum starting now.
    pub fn share(&mut self, tm: u32, thread: Thread, now: SimTime) -> f64 {
        self.shares(tm, thread, now).0
    }

    /// The share of a core `thread` gets for a quantum starting now, and the share it would get
    /// if no asynchronous snapshot thread of its host held a core: their ratio is how much the
    /// snapshots slow it (what checkpointing costs a task thread beyond its synchronous phase).
    pub fn shares(&mut self, tm: u32, thread: Thread, now: SimTime) -> (f64, f64) {
        let h = self.host(tm);
        let cores = self.cores[h];
        if !cores.is_finite() {
            return (1.0, 1.0);
        }
        let claims = &mut self.claims[h];
        claims.retain(|c| c.until > now && c.thread != thread);
        // One pass: every other claim counts against the thread; task claims alone give the
        // share it would have without the snapshot threads (same summation order as before).
        let (mut others, mut tasks, mut any_snapshot) = (0.0, 0.0, false);
        for c in claims.iter() {
            others += c.weight;
            match c.thread {
                Thread::Task(_) => tasks += c.weight,
                Thread::Snapshot(_) => any_snapshot = true,
            }
        }
        let share = (cores / (others + 1.0)).min(1.0);
        if !any_snapshot {
            return (share, share);
        }
        (share, (cores / (tasks + 1.0)).min(1.0))
    }

    /// `thread` works from `now` to `until`, runnable for `runnable_ns` of it (its CPU at the
    /// share it got).
    pub fn claim(&mut self, tm: u32, thread: Thread, now: SimTime, until: SimTime, runnable_ns: u64) {
        let h = self.host(tm);
        if !self.cores[h].is_finite() {
            return;
        }
        let claims = &mut self.claims[h];
        claims.retain(|c| c.thread != thread);
        let span = until.since(now);
        if span == 0 || runnable_ns == 0 {
            return;
        }
        claims.push(Claim {
            thread,
            until,
            weight: (runnable_ns as f64 / span as f64).min(1.0),
        });
    }

    /// `thread` stopped before the end of its quantum (its task failed, or paused).
    pub fn release(&mut self, tm: u32, thread: Thread) {
        let h = self.host(tm);
        self.claims[h].retain(|c| c.thread != thread);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lone_thread_runs_at_full_speed_and_saturated_threads_split_the_cores() {
        let mut c = Cores::new(1, 2.0, 1);
        let t0 = SimTime(0);
        assert_eq!(c.share(0, Thread::Task(0), t0), 1.0);
        c.claim(0, Thread::Task(0), t0, SimTime(100), 100);
        assert_eq!(c.share(0, Thread::Task(1), t0), 1.0);
        c.claim(0, Thread::Task(1), t0, SimTime(100), 100);
        // Three runnable threads on two cores: two thirds of a core each.
        assert!((c.share(0, Thread::Task(2), t0) - 2.0 / 3.0).abs() < 1e-12);
        // A thread's own earlier quantum does not count against it; expired quanta do not count.
        assert_eq!(c.share(0, Thread::Task(0), t0), 1.0);
        assert_eq!(c.share(0, Thread::Task(2), SimTime(100)), 1.0);
    }

    #[test]
    fn the_share_without_snapshots_leaves_out_only_the_snapshot_threads() {
        let mut c = Cores::new(1, 1.0, 1);
        let t0 = SimTime(0);
        assert_eq!(c.shares(0, Thread::Task(0), t0), (1.0, 1.0));
        c.claim(0, Thread::Snapshot(1), t0, SimTime(100), 100);
        // One core, a snapshot thread runnable: the task thread gets half, a whole core without it.
        assert_eq!(c.shares(0, Thread::Task(0), t0), (0.5, 1.0));
        c.claim(0, Thread::Task(2), t0, SimTime(100), 50);
        // Another task thread, runnable half the time, counts in both.
        let (with, without) = c.shares(0, Thread::Task(0), t0);
        assert!((with - 1.0 / 2.5).abs() < 1e-12 && (without - 1.0 / 1.5).abs() < 1e-12);
    }

    #[test]
    fn taskmanagers_of_one_host_pool_their_cores() {
        let mut c = Cores::new(2, 1.0, 2);
        let t0 = SimTime(0);
        c.claim(0, Thread::Task(0), t0, SimTime(10), 10);
        c.claim(1, Thread::Task(1), t0, SimTime(10), 10);
        // Two busy threads on the host's two cores: a third gets two thirds.
        assert!((c.share(1, Thread::Snapshot(1), t0) - 2.0 / 3.0).abs() < 1e-12);
        let mut apart = Cores::new(2, 1.0, 1);
        apart.claim(0, Thread::Task(0), t0, SimTime(10), 10);
        assert_eq!(apart.share(1, Thread::Task(1), t0), 1.0);
    }

    #[test]
    fn a_half_idle_thread_counts_half() {
        let mut c = Cores::new(1, 1.0, 1);
        c.claim(0, Thread::Task(0), SimTime(0), SimTime(100), 50);
        assert!((c.share(0, Thread::Task(1), SimTime(0)) - 1.0 / 1.5).abs() < 1e-12);
    }
}
