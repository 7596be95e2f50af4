//! `CheckpointCoordinator`: the JobManager side of checkpointing.
//!
//! Periodic triggering (its scheduler in `coordinator/scheduler.rs`), the request decider (one
//! trigger at a time, max-concurrent, min-pause with timer reschedule), the pending checkpoints
//! and their cancellers, acknowledgements, finalization, subsumption, the completed-checkpoint store and
//! failure accounting. Every effect is a [`CoordinatorAction`] pushed into the outbox.

use std::collections::{BTreeMap, VecDeque};

use crate::ids::CheckpointId;
use crate::protocol::failure_manager::CheckpointFailureManager;
use crate::protocol::types::*;
use crate::time::{DurationNs, SimTime};

mod scheduler;

#[derive(Clone, Debug)]
pub struct CoordinatorConfig {
    /// `execution.checkpointing.interval`; `None` disables periodic checkpoints.
    pub interval_ns: Option<DurationNs>,
    /// Delay of the first periodic trigger after the scheduler starts. `None`: as Flink 2.3,
    /// `min_pause` after every task of the job's start runs, and after a restart the schedule
    /// of an attempt made `min_pause` after the first restarted task runs (see
    /// `coordinator/scheduler.rs`); a fixed value gives checkpoints at fixed offsets from every
    /// (re)start, as checkpoint/restart models (Young, Daly) assume.
    pub first_trigger_delay_ns: Option<DurationNs>,
    pub timeout_ns: DurationNs,
    pub min_pause_ns: DurationNs,
    pub max_concurrent: u32,
    pub tolerable_failed: u32,
    pub num_retained: u32,
    /// Every subtask must acknowledge (`tasksToWaitFor`); acks are identified by index.
    pub num_tasks_to_ack: u32,
    /// Source subtasks, which receive the trigger RPC (`tasksToTrigger`).
    pub num_tasks_to_trigger: u32,
    /// `execution.checkpointing.mode`.
    pub mode: CheckpointingMode,
    /// `execution.checkpointing.unaligned.enabled`.
    pub unaligned: bool,
    /// `execution.checkpointing.aligned-checkpoint-timeout`; `None` or 0 means none.
    pub aligned_checkpoint_timeout_ns: Option<DurationNs>,
}

impl CoordinatorConfig {
    /// `baseInterval = max(interval, min-pause)`.
    pub fn base_interval_ns(&self) -> Option<DurationNs> {
        self.interval_ns.map(|i| i.max(self.min_pause_ns))
    }

    /// Unaligned checkpoints cannot run concurrently (Flink docs, "Unaligned checkpoints",
    /// limitations): with them enabled at most one checkpoint is pending.
    pub fn effective_max_concurrent(&self) -> u32 {
        if self.unaligned && self.mode.aligns_barriers() {
            1
        } else {
            self.max_concurrent
        }
    }
}

/// Timers the coordinator asks its runtime to set. Stale timers are recognised and ignored, so
/// the runtime never has to cancel one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoordinatorTimer {
    /// The periodic trigger (`ScheduledTrigger`); `generation` changes when it is rescheduled.
    Periodic { generation: u64 },
    /// `CheckpointCanceller`: expires the checkpoint if still pending.
    Canceller { checkpoint: CheckpointId },
    /// The trigger RPCs of the checkpoint being triggered have reached their tasks
    /// (`onTriggerSuccess`): a request queued behind it may start.
    TriggerComplete,
}

/// Why a checkpoint was triggered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TriggerKind {
    Periodic,
    /// A manual savepoint (`triggerSavepoint`): always aligned, never subsumed, not stored with
    /// the checkpoints, no complete notification. Forced past max-concurrent and min-pause only
    /// when unaligned checkpoints are off (`CheckpointProperties.forSavepoint`).
    Savepoint,
}

/// Statistics events, consumed by the stats tracker (`CheckpointStatsTracker`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StatsReport {
    Pending {
        checkpoint: CheckpointId,
        trigger_timestamp: SimTime,
        checkpoint_type: CheckpointType,
        num_subtasks: u32,
    },
    SubtaskAck {
        checkpoint: CheckpointId,
        subtask: u32,
        ack_timestamp: SimTime,
        metrics: SubtaskCheckpointMetrics,
    },
    Completed {
        checkpoint: CheckpointId,
        completion_timestamp: SimTime,
    },
    Failed {
        checkpoint: CheckpointId,
        failure_timestamp: SimTime,
        reason: CheckpointFailureReason,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum CoordinatorAction {
    SetTimer {
        at: SimTime,
        timer: CoordinatorTimer,
    },
    /// Send `triggerCheckpoint` to every task in `tasksToTrigger`.
    TriggerTasks {
        barrier: CheckpointBarrier,
    },
    /// Write the `_metadata` file; answer with [`CheckpointCoordinator::on_metadata_written`].
    FinalizeCheckpoint {
        checkpoint: CheckpointId,
    },
    NotifyCheckpointComplete {
        checkpoint: CheckpointId,
    },
    NotifyCheckpointAborted {
        checkpoint: CheckpointId,
    },
    /// A completed checkpoint left the store (subsumed); its files may be deleted.
    DiscardCompleted {
        checkpoint: CheckpointId,
    },
    /// A trigger request was refused before a checkpoint existed (no id was used).
    TriggerRequestFailed {
        at: SimTime,
        reason: CheckpointFailureReason,
    },
    Report(StatsReport),
    /// Tolerable failures exceeded: the job must fail over.
    FailJob {
        checkpoint: CheckpointId,
        reason: CheckpointFailureReason,
    },
}

#[derive(Clone, Debug)]
struct PendingCheckpoint {
    timestamp: SimTime,
    acknowledged: Vec<bool>,
    num_acknowledged: u32,
    checkpoint_type: CheckpointType,
    /// Fully acknowledged, `_metadata` being written: the canceller no longer applies (in Flink
    /// finalization runs on the coordinator's timer thread, so the canceller cannot interleave).
    finalizing: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompletedCheckpoint {
    pub id: CheckpointId,
    pub timestamp: SimTime,
    pub completion: SimTime,
}

/// The answer to an acknowledgement (`PendingCheckpoint.TaskAcknowledgeResult`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AckResult {
    Success,
    Duplicate,
    /// The checkpoint is no longer pending (late ack after abort or completion).
    Unknown,
}

/// Flink's request queue holds at most this many requests (`CheckpointRequestDecider`).
pub const MAX_QUEUED_REQUESTS: usize = 1000;

#[derive(Clone, Debug)]
pub struct CheckpointCoordinator {
    cfg: CoordinatorConfig,
    next_checkpoint_id: CheckpointId,
    pending: BTreeMap<CheckpointId, PendingCheckpoint>,
    completed: VecDeque<CompletedCheckpoint>,
    last_completion: Option<SimTime>,
    periodic_scheduling: bool,
    periodic_generation: u64,
    /// Flink 2.3's `triggerDelay`: how long the next `startCheckpointScheduler` waits before
    /// its first trigger. `None` until the first start draws the initial triggering delay; the
    /// minimum pause after it.
    trigger_delay_ns: Option<DurationNs>,
    queued_requests: VecDeque<TriggerKind>,
    failure_manager: CheckpointFailureManager,
    /// Ids of completed savepoints, in completion order (bounded by the scenario's savepoints).
    completed_savepoints: Vec<CheckpointId>,
    /// `CheckpointRequestDecider.isTriggering`: until when the last trigger's RPCs are still on
    /// their way to the tasks. Flink starts no other trigger before they have all arrived, so
    /// every task sees the triggers in id order; without this a savepoint forced past
    /// max-concurrent could reach a source before the periodic checkpoint triggered just
    /// before it, the source dropped the older id as out of order, and that checkpoint stayed
    /// pending, holding back every later one.
    triggering_until: Option<SimTime>,
    /// A `TriggerComplete` timer is set for `triggering_until`.
    trigger_complete_timer_set: bool,
    /// Subtasks in state `FINISHED` (FLIP-147): a new checkpoint neither triggers nor waits for
    /// them; they are reported as finished, with no state (`FullyFinishedOperatorState`).
    finished_tasks: Vec<bool>,
}

impl CheckpointCoordinator {
    pub fn new(cfg: CoordinatorConfig) -> Self {
        let failure_manager = CheckpointFailureManager::new(cfg.tolerable_failed);
        let num_tasks = cfg.num_tasks_to_ack as usize;
        CheckpointCoordinator {
            cfg,
            next_checkpoint_id: 1,
            pending: BTreeMap::new(),
            completed: VecDeque::new(),
            last_completion: None,
            periodic_scheduling: false,
            periodic_generation: 0,
            trigger_delay_ns: None,
            queued_requests: VecDeque::new(),
            failure_manager,
            completed_savepoints: Vec::new(),
            triggering_until: None,
            trigger_complete_timer_set: false,
            finished_tasks: vec![false; num_tasks],
        }
    }

    pub fn config(&self) -> &CoordinatorConfig {
        &self.cfg
    }

    pub fn num_pending(&self) -> usize {
        self.pending.len()
    }

    pub fn is_pending(&self, id: CheckpointId) -> bool {
        self.pending.contains_key(&id)
    }

    pub fn latest_completed(&self) -> Option<CompletedCheckpoint> {
        self.completed.back().copied()
    }

    pub fn completed_checkpoints(&self) -> impl Iterator<Item = &CompletedCheckpoint> {
        self.completed.iter()
    }

    /// `shutdown` when the job reached a terminal state (FINISHED): no more triggers, and what
    /// is still pending is aborted.
    pub fn shutdown(&mut self, now: SimTime, out: &mut Vec<CoordinatorAction>) {
        self.periodic_scheduling = false;
        self.periodic_generation += 1;
        self.queued_requests.clear();
        let ids: Vec<CheckpointId> = self.pending.keys().copied().collect();
        for id in ids {
            self.abort_pending(now, id, CheckpointFailureReason::CheckpointCoordinatorShutdown, out);
        }
    }

    pub fn on_timer(&mut self, now: SimTime, timer: CoordinatorTimer, out: &mut Vec<CoordinatorAction>) {
        match timer {
            CoordinatorTimer::Periodic { generation } => {
                if !self.periodic_scheduling || generation != self.periodic_generation {
                    return; // rescheduled or stopped since
                }
                let base = self
                    .cfg
                    .base_interval_ns()
                    .expect("periodic scheduling implies an interval");
                out.push(CoordinatorAction::SetTimer {
                    at: now + base,
                    timer: CoordinatorTimer::Periodic { generation },
                });
                self.trigger_checkpoint(now, TriggerKind::Periodic, out);
            }
            CoordinatorTimer::Canceller { checkpoint } => {
                if self.pending.get(&checkpoint).is_some_and(|p| !p.finalizing) {
                    self.abort_pending(now, checkpoint, CheckpointFailureReason::CheckpointExpired, out);
                }
            }
            CoordinatorTimer::TriggerComplete => {
                self.trigger_complete_timer_set = false;
                self.execute_queued_request(now, out);
            }
        }
    }

    /// A subtask reached `FINISHED` (its final checkpoint completed and its inputs ended).
    pub fn task_finished(&mut self, subtask: u32) {
        self.finished_tasks[subtask as usize] = true;
    }

    /// A subtask was restarted: it runs again (until it finishes again).
    pub fn task_restarted(&mut self, subtask: u32) {
        self.finished_tasks[subtask as usize] = false;
    }

    pub fn is_task_finished(&self, subtask: u32) -> bool {
        self.finished_tasks[subtask as usize]
    }

    /// The runtime sent the trigger RPCs of the checkpoint just triggered; the last reaches
    /// its task at `at`. Until then the trigger is in progress (`isTriggering`).
    pub fn trigger_rpcs_sent(&mut self, at: SimTime) {
        self.triggering_until = Some(at);
    }

    /// Whether a trigger is still in its pipeline at `now` (its RPCs not all arrived); if so,
    /// asks to be woken when it is over.
    fn is_triggering(&mut self, now: SimTime, out: &mut Vec<CoordinatorAction>) -> bool {
        match self.triggering_until {
            Some(until) if until > now => {
                if !self.trigger_complete_timer_set {
                    self.trigger_complete_timer_set = true;
                    out.push(CoordinatorAction::SetTimer {
                        at: until,
                        timer: CoordinatorTimer::TriggerComplete,
                    });
                }
                true
            }
            _ => {
                self.triggering_until = None;
                false
            }
        }
    }

    /// Queues a trigger request and starts whatever the request decider allows.
    pub fn trigger_checkpoint(&mut self, now: SimTime, kind: TriggerKind, out: &mut Vec<CoordinatorAction>) {
        // The decider's queue is sorted savepoints first, then by time (FIFO among equals).
        match kind {
            TriggerKind::Savepoint => {
                let at = self
                    .queued_requests
                    .iter()
                    .position(|k| *k != TriggerKind::Savepoint)
                    .unwrap_or(self.queued_requests.len());
                self.queued_requests.insert(at, kind);
            }
            TriggerKind::Periodic => self.queued_requests.push_back(kind),
        }
        if self.queued_requests.len() > MAX_QUEUED_REQUESTS {
            // On overflow the newest periodic request is dropped.
            let drop_at = self
                .queued_requests
                .iter()
                .rposition(|k| *k == TriggerKind::Periodic)
                .unwrap_or(self.queued_requests.len() - 1);
            self.queued_requests.remove(drop_at);
            out.push(CoordinatorAction::TriggerRequestFailed {
                at: now,
                reason: CheckpointFailureReason::TooManyCheckpointRequests,
            });
        }
        self.execute_queued_request(now, out);
    }

    /// `CheckpointRequestDecider.chooseRequestToExecute` followed by `startTriggeringCheckpoint`.
    fn execute_queued_request(&mut self, now: SimTime, out: &mut Vec<CoordinatorAction>) {
        let Some(&first) = self.queued_requests.front() else {
            return;
        };
        if self.pending.len() >= self.cfg.effective_max_concurrent() as usize && !self.is_forced(first) {
            return; // stays queued until a pending checkpoint completes or aborts
        }
        // Checked after max-concurrent (Flink checks it first): a request held back by both
        // waits for the pending checkpoint anyway, and needs no wake-up at the trigger's end.
        if self.is_triggering(now, out) {
            return; // stays queued until the trigger in progress is over
        }
        if first == TriggerKind::Periodic
            && let Some(last) = self.last_completion
        {
            let earliest = last + self.cfg.min_pause_ns;
            if earliest > now {
                self.queued_requests.pop_front();
                out.push(CoordinatorAction::TriggerRequestFailed {
                    at: now,
                    reason: CheckpointFailureReason::MinimumTimeBetweenCheckpoints,
                });
                self.reschedule_trigger(earliest, out);
                return;
            }
        }
        self.queued_requests.pop_front();
        self.start_triggering_checkpoint(now, first, out);
    }

    /// `CheckpointProperties.forceCheckpoint`: a savepoint bypasses max-concurrent and min-pause
    /// only when unaligned checkpoints are off (`forSavepoint(!unalignedEnabled, ...)`).
    fn is_forced(&self, kind: TriggerKind) -> bool {
        kind == TriggerKind::Savepoint && !self.cfg.unaligned
    }

    /// `rescheduleTrigger`: the periodic timer restarts so that it fires when the pause is over.
    fn reschedule_trigger(&mut self, at: SimTime, out: &mut Vec<CoordinatorAction>) {
        if !self.periodic_scheduling {
            return;
        }
        self.periodic_generation += 1;
        out.push(CoordinatorAction::SetTimer {
            at,
            timer: CoordinatorTimer::Periodic {
                generation: self.periodic_generation,
            },
        });
    }

    fn start_triggering_checkpoint(&mut self, now: SimTime, kind: TriggerKind, out: &mut Vec<CoordinatorAction>) {
        let id = self.next_checkpoint_id;
        self.next_checkpoint_id += 1;
        let props = match kind {
            TriggerKind::Periodic => CheckpointType::Checkpoint,
            TriggerKind::Savepoint => CheckpointType::Savepoint,
        };
        // `calculateAfterTasksFinished`: finished subtasks are not waited for.
        let num_finished = self.finished_tasks.iter().filter(|f| **f).count() as u32;
        self.pending.insert(
            id,
            PendingCheckpoint {
                timestamp: now,
                acknowledged: self.finished_tasks.clone(),
                num_acknowledged: num_finished,
                checkpoint_type: props,
                finalizing: false,
            },
        );
        out.push(CoordinatorAction::Report(StatsReport::Pending {
            checkpoint: id,
            trigger_timestamp: now,
            checkpoint_type: props,
            num_subtasks: self.cfg.num_tasks_to_ack,
        }));
        out.push(CoordinatorAction::SetTimer {
            at: now + self.cfg.timeout_ns,
            timer: CoordinatorTimer::Canceller { checkpoint: id },
        });
        let barrier = CheckpointBarrier {
            id,
            timestamp: now,
            options: CheckpointOptions::for_config(
                props,
                self.cfg.mode,
                self.cfg.unaligned,
                self.cfg.aligned_checkpoint_timeout_ns,
            ),
        };
        out.push(CoordinatorAction::TriggerTasks { barrier });
    }

    /// `receiveAcknowledgeMessage`.
    pub fn receive_acknowledge(
        &mut self,
        now: SimTime,
        checkpoint: CheckpointId,
        subtask: u32,
        metrics: SubtaskCheckpointMetrics,
        out: &mut Vec<CoordinatorAction>,
    ) -> AckResult {
        let Some(p) = self.pending.get_mut(&checkpoint) else {
            return AckResult::Unknown;
        };
        let slot = &mut p.acknowledged[subtask as usize];
        if *slot {
            return AckResult::Duplicate;
        }
        *slot = true;
        p.num_acknowledged += 1;
        out.push(CoordinatorAction::Report(StatsReport::SubtaskAck {
            checkpoint,
            subtask,
            ack_timestamp: now,
            metrics,
        }));
        if p.num_acknowledged == self.cfg.num_tasks_to_ack {
            p.finalizing = true;
            out.push(CoordinatorAction::FinalizeCheckpoint { checkpoint });
        }
        AckResult::Success
    }

    /// `receiveDeclineMessage`: a task declined; the whole checkpoint is aborted.
    pub fn receive_decline(
        &mut self,
        now: SimTime,
        checkpoint: CheckpointId,
        reason: CheckpointFailureReason,
        out: &mut Vec<CoordinatorAction>,
    ) {
        if self.pending.get(&checkpoint).is_some_and(|p| !p.finalizing) {
            self.abort_pending(now, checkpoint, reason, out);
        }
    }

    /// The `_metadata` write finished (`completePendingCheckpoint` continues here).
    pub fn on_metadata_written(
        &mut self,
        now: SimTime,
        checkpoint: CheckpointId,
        ok: bool,
        out: &mut Vec<CoordinatorAction>,
    ) {
        if !self.pending.contains_key(&checkpoint) {
            return;
        }
        if !ok {
            self.abort_pending(now, checkpoint, CheckpointFailureReason::IoException, out);
            return;
        }
        let p = self.pending.remove(&checkpoint).expect("checked");
        debug_assert!(p.finalizing);
        let is_savepoint = p.checkpoint_type == CheckpointType::Savepoint;
        if is_savepoint {
            // Savepoints are user-owned: not in the completed-checkpoint store.
            self.completed_savepoints.push(checkpoint);
        } else {
            self.completed.push_back(CompletedCheckpoint {
                id: checkpoint,
                timestamp: p.timestamp,
                completion: now,
            });
            while self.completed.len() > self.cfg.num_retained as usize {
                let old = self.completed.pop_front().expect("non-empty");
                out.push(CoordinatorAction::DiscardCompleted { checkpoint: old.id });
            }
        }
        // reportCompletedCheckpoint and cleanupAfterCompletedCheckpoint do both for savepoints
        // too: any completion resets the failure count and restarts the min-pause.
        self.failure_manager.handle_checkpoint_success(checkpoint);
        self.last_completion = Some(now);
        out.push(CoordinatorAction::Report(StatsReport::Completed {
            checkpoint,
            completion_timestamp: now,
        }));
        if !is_savepoint {
            // dropSubsumedCheckpoints: older pending checkpoints can no longer be useful; a
            // savepoint is never subsumed (`canBeSubsumed() = !isSavepoint()`).
            let subsumed: Vec<CheckpointId> = self
                .pending
                .range(..checkpoint)
                .filter(|(_, p)| p.checkpoint_type != CheckpointType::Savepoint)
                .map(|(id, _)| *id)
                .collect();
            for id in subsumed {
                self.abort_pending(now, id, CheckpointFailureReason::CheckpointSubsumed, out);
            }
            out.push(CoordinatorAction::NotifyCheckpointComplete { checkpoint });
        }
        self.execute_queued_request(now, out);
    }

    /// `abortPendingCheckpoint`.
    fn abort_pending(
        &mut self,
        now: SimTime,
        checkpoint: CheckpointId,
        reason: CheckpointFailureReason,
        out: &mut Vec<CoordinatorAction>,
    ) {
        let Some(p) = self.pending.remove(&checkpoint) else {
            return;
        };
        out.push(CoordinatorAction::Report(StatsReport::Failed {
            checkpoint,
            failure_timestamp: now,
            reason,
        }));
        out.push(CoordinatorAction::NotifyCheckpointAborted { checkpoint });
        // `handleJobLevelCheckpointException`: a failed (non-synchronous) savepoint is not counted.
        let counted = p.checkpoint_type != CheckpointType::Savepoint;
        if counted && self.failure_manager.handle_checkpoint_failure(checkpoint, reason) {
            out.push(CoordinatorAction::FailJob { checkpoint, reason });
        }
        self.execute_queued_request(now, out);
    }

    pub fn completed_savepoints(&self) -> &[CheckpointId] {
        &self.completed_savepoints
    }

    /// The checkpoint type of a pending checkpoint or savepoint.
    pub fn pending_type(&self, id: CheckpointId) -> Option<CheckpointType> {
        self.pending.get(&id).map(|p| p.checkpoint_type)
    }

    /// Trigger timestamp of a pending checkpoint.
    pub fn pending_timestamp(&self, id: CheckpointId) -> Option<SimTime> {
        self.pending.get(&id).map(|p| p.timestamp)
    }
}

#[cfg(test)]
#[path = "coordinator_savepoint_tests.rs"]
mod savepoint_tests;
