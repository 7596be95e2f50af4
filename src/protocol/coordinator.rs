//! `CheckpointCoordinator`: the JobManager side of checkpointing.
//!
//! Periodic triggering with a random first delay, the request decider (one trigger at a time,
//! max-concurrent, min-pause with timer reschedule), the pending checkpoints and their
//! cancellers, acknowledgements, finalization, subsumption, the completed-checkpoint store and
//! failure accounting. Every effect is a [`CoordinatorAction`] pushed into the outbox.

use std::collections::{BTreeMap, VecDeque};

use rand::Rng;

use crate::ids::CheckpointId;
use crate::protocol::failure_manager::CheckpointFailureManager;
use crate::protocol::types::*;
use crate::time::{DurationNs, SimTime};

#[derive(Clone, Debug)]
pub struct CoordinatorConfig {
    /// `execution.checkpointing.interval`; `None` disables periodic checkpoints.
    pub interval_ns: Option<DurationNs>,
    pub timeout_ns: DurationNs,
    pub min_pause_ns: DurationNs,
    pub max_concurrent: u32,
    pub tolerable_failed: u32,
    pub num_retained: u32,
    /// Every subtask must acknowledge (`tasksToWaitFor`); acks are identified by index.
    pub num_tasks_to_ack: u32,
    /// Source subtasks, which receive the trigger RPC (`tasksToTrigger`).
    pub num_tasks_to_trigger: u32,
}

impl CoordinatorConfig {
    /// `baseInterval = max(interval, min-pause)`.
    pub fn base_interval_ns(&self) -> Option<DurationNs> {
        self.interval_ns.map(|i| i.max(self.min_pause_ns))
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
}

/// Why a checkpoint was triggered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TriggerKind {
    Periodic,
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
    queued_requests: VecDeque<TriggerKind>,
    failure_manager: CheckpointFailureManager,
}

impl CheckpointCoordinator {
    pub fn new(cfg: CoordinatorConfig) -> Self {
        let failure_manager = CheckpointFailureManager::new(cfg.tolerable_failed);
        CheckpointCoordinator {
            cfg,
            next_checkpoint_id: 1,
            pending: BTreeMap::new(),
            completed: VecDeque::new(),
            last_completion: None,
            periodic_scheduling: false,
            periodic_generation: 0,
            queued_requests: VecDeque::new(),
            failure_manager,
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

    /// `startCheckpointScheduler`: the first periodic trigger after a random delay in
    /// `[min_pause, base_interval]`, then at a fixed rate.
    pub fn start_checkpoint_scheduler(&mut self, now: SimTime, rng: &mut impl Rng, out: &mut Vec<CoordinatorAction>) {
        let Some(base) = self.cfg.base_interval_ns() else {
            return;
        };
        self.periodic_scheduling = true;
        self.periodic_generation += 1;
        let lo = self.cfg.min_pause_ns;
        let span = base - lo; // base >= min_pause by construction
        let delay = lo
            + if span == 0 {
                0
            } else {
                ((rng.next_u64() as u128 * (span as u128 + 1)) >> 64) as u64
            };
        out.push(CoordinatorAction::SetTimer {
            at: now + delay,
            timer: CoordinatorTimer::Periodic {
                generation: self.periodic_generation,
            },
        });
    }

    /// `stopCheckpointScheduler`: aborts pending checkpoints and drops queued requests.
    pub fn stop_checkpoint_scheduler(&mut self, now: SimTime, out: &mut Vec<CoordinatorAction>) {
        self.periodic_scheduling = false;
        self.periodic_generation += 1;
        self.queued_requests.clear();
        let ids: Vec<CheckpointId> = self.pending.keys().copied().collect();
        for id in ids {
            self.abort_pending(now, id, CheckpointFailureReason::CheckpointCoordinatorSuspend, out);
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
        }
    }

    /// Queues a trigger request and starts whatever the request decider allows.
    pub fn trigger_checkpoint(&mut self, now: SimTime, kind: TriggerKind, out: &mut Vec<CoordinatorAction>) {
        self.queued_requests.push_back(kind);
        if self.queued_requests.len() > MAX_QUEUED_REQUESTS {
            self.queued_requests.pop_back();
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
        if self.pending.len() >= self.cfg.max_concurrent as usize {
            return; // stays queued until a pending checkpoint completes or aborts
        }
        if first == TriggerKind::Periodic {
            if let Some(last) = self.last_completion {
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
        }
        self.queued_requests.pop_front();
        self.start_triggering_checkpoint(now, out);
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

    fn start_triggering_checkpoint(&mut self, now: SimTime, out: &mut Vec<CoordinatorAction>) {
        let id = self.next_checkpoint_id;
        self.next_checkpoint_id += 1;
        let props = CheckpointType::Checkpoint;
        self.pending.insert(
            id,
            PendingCheckpoint {
                timestamp: now,
                acknowledged: vec![false; self.cfg.num_tasks_to_ack as usize],
                num_acknowledged: 0,
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
            options: CheckpointOptions::aligned_no_timeout(props),
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
        self.completed.push_back(CompletedCheckpoint {
            id: checkpoint,
            timestamp: p.timestamp,
            completion: now,
        });
        while self.completed.len() > self.cfg.num_retained as usize {
            let old = self.completed.pop_front().expect("non-empty");
            out.push(CoordinatorAction::DiscardCompleted { checkpoint: old.id });
        }
        self.last_completion = Some(now);
        self.failure_manager.handle_checkpoint_success(checkpoint);
        out.push(CoordinatorAction::Report(StatsReport::Completed {
            checkpoint,
            completion_timestamp: now,
        }));
        // dropSubsumedCheckpoints: older pending checkpoints can no longer be useful.
        let subsumed: Vec<CheckpointId> = self.pending.range(..checkpoint).map(|(id, _)| *id).collect();
        for id in subsumed {
            self.abort_pending(now, id, CheckpointFailureReason::CheckpointSubsumed, out);
        }
        out.push(CoordinatorAction::NotifyCheckpointComplete { checkpoint });
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
        if self.pending.remove(&checkpoint).is_none() {
            return;
        }
        out.push(CoordinatorAction::Report(StatsReport::Failed {
            checkpoint,
            failure_timestamp: now,
            reason,
        }));
        out.push(CoordinatorAction::NotifyCheckpointAborted { checkpoint });
        if self.failure_manager.handle_checkpoint_failure(checkpoint, reason) {
            out.push(CoordinatorAction::FailJob { checkpoint, reason });
        }
        self.execute_queued_request(now, out);
    }

    /// Trigger timestamp of a pending checkpoint.
    pub fn pending_timestamp(&self, id: CheckpointId) -> Option<SimTime> {
        self.pending.get(&id).map(|p| p.timestamp)
    }
}
