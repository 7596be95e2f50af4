//! The JobManager's failover life cycle, as Flink's `DefaultScheduler` runs it with its
//! `ExecutionFailureHandler` and `RestartBackoffTimeStrategy`: a failure is noticed (at once
//! for a task exception, after the heartbeat timeout for a lost TaskManager), the restart set
//! is cancelled, the restart strategy decides whether and when to restart, the tasks are
//! redeployed once their slots exist again, and the job runs again when the whole set has
//! restored. A failure that strikes tasks of another one still recovering takes it over: one
//! restart brings both back.
//!
//! Sans-IO like the rest of `protocol`: the caller passes time, randomness and what only it
//! knows (the restart set its failover strategy computes, where each restarted source stood),
//! and carries out the returned [`FailoverAction`]s in order.

use rand::Rng;

use crate::ids::CheckpointId;
use crate::protocol::restart::{FailureCause, RestartBackoffTimeStrategy};
use crate::time::SimTime;

/// Where a source stood when its task died: what it must replay, and the lag it had.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourcePosition {
    pub subtask: u32,
    /// Read lag before the failure (ns): at or below it again, the source has caught up.
    pub lag_ns: u64,
    /// Offset of the first record it had not emitted.
    pub offset: u64,
}

/// One failure and what it cost.
#[derive(Clone, Debug)]
pub struct Failure {
    pub cause: FailureCause,
    pub time: SimTime,
    pub detected: Option<SimTime>,
    pub restart_at: Option<SimTime>,
    pub running_again: Option<SimTime>,
    pub caught_up: Option<SimTime>,
    /// The tasks it restarts (its restart set, once detected).
    pub tasks: Vec<u32>,
    pub restored_checkpoint: Option<(CheckpointId, SimTime)>,
    pub records_replayed: u64,
    /// Records put back into channels from the restored unaligned checkpoint's channel state.
    pub channel_state_records: u64,
    /// Tasks of the restart set still restoring.
    pub restoring: u32,
    /// When the first task of the restart set ran again: Flink's first trigger attempt after
    /// the restart, which fails as long as any task is not running, and the phase of the
    /// periodic triggers after it.
    pub first_running: Option<SimTime>,
    pub sources: Vec<SourcePosition>,
    pub sources_behind: u32,
    /// The restart strategy refused to restart: the job stays down.
    pub gave_up: bool,
    /// A later failure hit tasks of this one before they ran again: its restart is void and
    /// the later failure's restart brings them back.
    pub superseded: bool,
}

impl Failure {
    fn is_open(&self) -> bool {
        self.running_again.is_none() && !self.gave_up && !self.superseded
    }

    fn merge_sources(&mut self, others: &[SourcePosition]) {
        for src in others {
            if !self.sources.iter().any(|x| x.subtask == src.subtask) {
                self.sources.push(*src);
            }
        }
    }
}

/// What the caller must do, in this order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailoverAction {
    /// Stop these tasks at once: work in progress, buffers, channels, uploads and pending
    /// restores are gone.
    KillTasks(Vec<u32>),
    /// The JobManager learns of failure `failure` at `at`: call [`FailoverLifecycle::on_detected`].
    ScheduleDetection { failure: u32, at: SimTime },
    /// A failover aborts every pending checkpoint (not counted as failures) and stops the
    /// checkpoint scheduler until the job runs again.
    StopCheckpointScheduler,
    /// The restart backoff ends at `at`: call [`FailoverLifecycle::begin_restart`].
    ScheduleRestart { failure: u32, at: SimTime },
    /// The restart strategy gave up: the job goes FAILED, every task is cancelled, and it is no
    /// longer run (`DefaultScheduler` with an unrecoverable `FailureHandlingResult`).
    FailJob,
}

pub struct FailoverLifecycle {
    failures: Vec<Failure>,
    /// Indices of `failures` that may still be open, ascending. Closing is for good, so closed
    /// ones are pruned as they are met: the scans over open failures cost in total the number
    /// of failures plus the open ones, where a scan over all failures made a run quadratic.
    open_ids: Vec<u32>,
    scan_steps: u64,
    restart: RestartBackoffTimeStrategy,
    /// Per TaskManager: when its slots can run tasks again after a loss (detected, replaced).
    taskmanager_back_at: Vec<SimTime>,
    /// Per TaskManager: its latest loss (local state copies taken before it are gone).
    taskmanager_lost_at: Vec<Option<SimTime>>,
}

impl FailoverLifecycle {
    pub fn new(restart: RestartBackoffTimeStrategy, taskmanagers: usize) -> Self {
        FailoverLifecycle {
            failures: Vec::new(),
            open_ids: Vec::new(),
            scan_steps: 0,
            restart,
            taskmanager_back_at: vec![SimTime::ZERO; taskmanagers],
            taskmanager_lost_at: vec![None; taskmanagers],
        }
    }

    /// Replaces the restart strategy (`restart-strategy.type` and its options).
    pub fn set_restart_strategy(&mut self, restart: RestartBackoffTimeStrategy) {
        self.restart = restart;
    }

    pub fn failures(&self) -> &[Failure] {
        &self.failures
    }

    /// Failures examined by the scans over open failures (a test reads it to show they are
    /// linear in the number of failures).
    pub fn scan_steps(&self) -> u64 {
        self.scan_steps
    }

    fn open_failures(&mut self) -> Vec<usize> {
        let failures = &self.failures;
        self.open_ids.retain(|&i| failures[i as usize].is_open());
        self.scan_steps += self.open_ids.len() as u64;
        self.open_ids.iter().map(|&i| i as usize).collect()
    }

    // ---- TaskManagers ----

    /// A TaskManager is lost at `now`: nothing runs in its slots until `back_at` (the loss
    /// detected and a replacement registered); a restart meanwhile waits for them.
    pub fn taskmanager_lost(&mut self, now: SimTime, taskmanager: u32, back_at: SimTime) {
        let slot = &mut self.taskmanager_back_at[taskmanager as usize];
        *slot = (*slot).max(back_at);
        self.taskmanager_lost_at[taskmanager as usize] = Some(now);
    }

    /// When slots exist on all of `taskmanagers` again (pipelined region scheduling deploys a
    /// region once slots for all its tasks exist).
    pub fn slots_back_at(&self, taskmanagers: impl IntoIterator<Item = u32>) -> SimTime {
        taskmanagers
            .into_iter()
            .map(|tm| self.taskmanager_back_at[tm as usize])
            .max()
            .unwrap_or(SimTime::ZERO)
    }

    /// Whether a TaskManager kept its local state copies since a snapshot taken at `since`
    /// (`None`: there is no snapshot, so no copy either unless it was never lost).
    pub fn taskmanager_survived(&self, taskmanager: u32, since: Option<SimTime>) -> bool {
        match (self.taskmanager_lost_at[taskmanager as usize], since) {
            (None, _) => true,
            (Some(lost), Some(t)) => lost < t,
            (Some(_), None) => false,
        }
    }

    // ---- the life cycle ----

    /// The tasks a fault kills: those running, and those down but restoring (they die again);
    /// one down and waiting for its restart stays as it is.
    pub fn tasks_hit(&mut self, candidates: Vec<u32>, is_down: impl Fn(u32) -> bool) -> Vec<u32> {
        let open = self.open_failures();
        candidates
            .into_iter()
            .filter(|s| !is_down(*s) || open.iter().any(|&i| self.failures[i].tasks.contains(s)))
            .collect()
    }

    /// A failure strikes `dead` (none: a global failure). `sources` are the running sources
    /// among them. A failure during another's detection or restart takes that one over.
    pub fn begin(
        &mut self,
        now: SimTime,
        cause: FailureCause,
        dead: &[u32],
        mut sources: Vec<SourcePosition>,
        detection_ns: u64,
    ) -> Vec<FailoverAction> {
        let id = self.failures.len() as u32;
        let mut tasks: Vec<u32> = dead.to_vec();
        for i in self.open_failures() {
            let f = &mut self.failures[i];
            let overlaps = dead.is_empty() || f.tasks.iter().any(|t| dead.contains(t));
            if overlaps {
                f.superseded = true;
                tasks.extend(f.tasks.iter().copied());
                for src in &f.sources {
                    if !sources.iter().any(|x| x.subtask == src.subtask) {
                        sources.push(*src);
                    }
                }
            }
        }
        tasks.sort_unstable();
        tasks.dedup();
        // Every task of a taken-over failure dies again too: its pending restores are void.
        let kill = FailoverAction::KillTasks(tasks.clone());
        self.failures.push(Failure {
            cause,
            time: now,
            detected: None,
            restart_at: None,
            running_again: None,
            caught_up: None,
            tasks,
            restored_checkpoint: None,
            records_replayed: 0,
            channel_state_records: 0,
            restoring: 0,
            first_running: None,
            sources,
            sources_behind: 0,
            gave_up: false,
            superseded: false,
        });
        self.open_ids.push(id);
        vec![
            kill,
            FailoverAction::ScheduleDetection {
                failure: id,
                at: now + detection_ns,
            },
        ]
    }

    /// The failed tasks the JobManager is about to learn of, for the caller's failover strategy
    /// to compute the restart set from; `None` when a later failure took this one over.
    pub fn failed_tasks(&self, failure: u32) -> Option<&[u32]> {
        let f = &self.failures[failure as usize];
        (!f.superseded).then_some(f.tasks.as_slice())
    }

    /// The JobManager learns of the failure (`ExecutionFailureHandler.getFailureHandlingResult`):
    /// `restart_set` is the failover strategy's answer for its tasks, `newly_sources` the
    /// running sources among the tasks it adds. Another failure still recovering tasks of the
    /// set is taken over; the restart strategy decides whether and when to restart.
    pub fn on_detected(
        &mut self,
        now: SimTime,
        failure: u32,
        mut restart_set: Vec<u32>,
        newly_sources: Vec<SourcePosition>,
        rng: &mut impl Rng,
    ) -> Vec<FailoverAction> {
        let fi = failure as usize;
        self.failures[fi].detected = Some(now);
        let newly: Vec<u32> = restart_set
            .iter()
            .copied()
            .filter(|s| !self.failures[fi].tasks.contains(s))
            .collect();
        self.failures[fi].sources.extend(newly_sources);
        for gi in self.open_failures() {
            let g = &self.failures[gi];
            // Taking over closes `gi` only, so the others' openness holds through the loop.
            let open = gi != fi && g.detected.is_some();
            if open && g.tasks.iter().any(|t| restart_set.contains(t)) {
                self.failures[gi].superseded = true;
                let (tasks, sources) = (self.failures[gi].tasks.clone(), self.failures[gi].sources.clone());
                restart_set.extend(tasks);
                self.failures[fi].merge_sources(&sources);
            }
        }
        restart_set.sort_unstable();
        restart_set.dedup();
        self.failures[fi].tasks = restart_set.clone();
        let mut actions = vec![
            FailoverAction::KillTasks(newly),
            FailoverAction::KillTasks(restart_set),
            FailoverAction::StopCheckpointScheduler,
        ];
        let cause = self.failures[fi].cause;
        if cause == FailureCause::JobManagerFailover {
            // The new leader's JobMaster recovers the job from the job graph store and restores
            // the latest checkpoint of the completed-checkpoint store at once: a new scheduler,
            // not a restart the old one's strategy decides on.
            self.failures[fi].restart_at = Some(now);
            actions.push(FailoverAction::ScheduleRestart { failure, at: now });
            return actions;
        }
        self.restart.notify_failure(now, cause, rng);
        if self.restart.can_restart() {
            let at = now + self.restart.backoff_time_ns();
            self.failures[fi].restart_at = Some(at);
            actions.push(FailoverAction::ScheduleRestart { failure, at });
        } else {
            self.failures[fi].gave_up = true;
            actions.push(FailoverAction::FailJob);
        }
        actions
    }

    /// Whether a failure is still being recovered (not running again, given up or taken over).
    pub fn has_open_failure(&self) -> bool {
        self.open_ids.iter().any(|&i| self.failures[i as usize].is_open())
    }

    /// The backoff is over: the tasks to redeploy and restore (`None` when a later failure
    /// took this one over). The caller restores them and reports with
    /// [`FailoverLifecycle::restarted`].
    pub fn begin_restart(&mut self, failure: u32) -> Option<Vec<u32>> {
        let f = &mut self.failures[failure as usize];
        if f.superseded {
            return None;
        }
        f.restoring = f.tasks.len() as u32;
        Some(f.tasks.clone())
    }

    /// What the restart restored: the checkpoint, the records the sources replay and the
    /// channel-state records put back. Returns the restarted sources, whose catch-up the caller
    /// watches for.
    pub fn restarted(
        &mut self,
        failure: u32,
        restored_checkpoint: Option<(CheckpointId, SimTime)>,
        records_replayed: u64,
        channel_state_records: u64,
    ) -> &[SourcePosition] {
        let f = &mut self.failures[failure as usize];
        f.restored_checkpoint = restored_checkpoint;
        f.records_replayed = records_replayed;
        f.channel_state_records = channel_state_records;
        f.sources_behind = f.sources.len() as u32;
        &f.sources
    }

    /// Where a restarted source stood at the failure being restarted, if it is one of them.
    pub fn source_at_failure(&self, failure: u32, subtask: u32) -> Option<SourcePosition> {
        self.failures[failure as usize]
            .sources
            .iter()
            .find(|x| x.subtask == subtask)
            .copied()
    }

    /// A task of a restarted failure has its state back. When that was the last one (the
    /// failure's restart set runs again), returns when the first of them ran again.
    pub fn task_restored(&mut self, now: SimTime, subtask: u32) -> Option<SimTime> {
        // Such a failure is open (a restarted one has not given up): the newest one holding it.
        let open = self.open_failures();
        let fi = open.into_iter().rev().find(|&i| {
            let f = &self.failures[i];
            f.tasks.contains(&subtask) && f.restart_at.is_some()
        })?;
        let f = &mut self.failures[fi];
        f.restoring = f.restoring.saturating_sub(1);
        let first = *f.first_running.get_or_insert(now);
        if f.restoring == 0 {
            f.running_again = Some(now);
            return Some(first);
        }
        None
    }

    /// A restarted source read a record with no more lag than before the failure; the job has
    /// caught up with its input once every restarted source has.
    pub fn source_caught_up(&mut self, at: SimTime, subtask: u32) {
        // The newest restarted failure this source belongs to (a source without state may run
        // again, and catch up, before the rest of its region has restored).
        let Some(f) = self
            .failures
            .iter_mut()
            .rev()
            .find(|f| !f.superseded && f.restart_at.is_some() && f.sources.iter().any(|x| x.subtask == subtask))
        else {
            return;
        };
        if f.caught_up.is_some() {
            return;
        }
        f.sources_behind = f.sources_behind.saturating_sub(1);
        if f.sources_behind == 0 {
            f.caught_up = Some(at);
        }
    }
}
