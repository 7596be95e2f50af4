//! Failures and recovery: tasks die, the JobManager notices (at once for a task exception,
//! after the heartbeat timeout for a lost TaskManager), cancels the failover region, waits for
//! the restart strategy's backoff, redeploys the tasks and restores them from the latest
//! completed checkpoint; sources rewind to their checkpointed offsets and replay.

use std::collections::BTreeMap;

use super::{Event, StorageRequest, World};
use crate::ids::CheckpointId;
use crate::model::network::ChannelState;
use crate::model::regions::{FailoverStrategy, FailoverStrategyKind};
use crate::model::task::PersistedChannel;
use crate::model::task::TaskPhase;
use crate::protocol::restart::{FailureCause, RestartConfigError, RestartStrategyConfig};
use crate::scenario::faults::RecoveryCfg;
use crate::sim::Dist;
use crate::time::SimTime;

/// What fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// A task throws: the JobManager hears of it at once.
    TaskCrash { subtask: u32 },
    /// A TaskManager process dies or hangs: all its tasks stop; the JobManager notices after
    /// `detection_ns` (the heartbeat timeout, or the network latency when a connection drop
    /// gives it away).
    TaskManagerLoss {
        taskmanager: u32,
        detection_ns: u64,
        replacement_ns: u64,
    },
    /// The leading JobManager dies: pending checkpoints are lost, and after the leader
    /// election the new leader restarts the whole job from the completed checkpoint store.
    JobManagerFailover { leader_election_ns: u64 },
    /// The connection between two TaskManagers broke: every task reading an input channel
    /// across it fails with a `RemoteTransportException`, reported at once.
    ConnectionLoss { a: u32, b: u32 },
    /// Checkpoint failures exceeded the tolerable number: the job fails over as a whole.
    CheckpointFailureThreshold,
}

impl FaultKind {
    pub fn failure_cause(&self) -> FailureCause {
        match self {
            FaultKind::TaskCrash { .. } => FailureCause::TaskFailure,
            FaultKind::TaskManagerLoss { .. } => FailureCause::TaskManagerLost,
            FaultKind::CheckpointFailureThreshold => FailureCause::CheckpointToleranceExceeded,
            FaultKind::JobManagerFailover { .. } => FailureCause::JobManagerFailover,
            FaultKind::ConnectionLoss { .. } => FailureCause::NetworkFailure,
        }
    }
}

/// A fault planned for a time (from the scenario's fault schedule or a test).
#[derive(Clone, Copy, Debug)]
pub struct PlannedFault {
    pub at: SimTime,
    pub kind: FaultKind,
}

/// How recovery behaves (`[recovery]`: failover strategy, local recovery, restore speed).
#[derive(Clone, Debug)]
pub struct RecoverySettings {
    /// Time to deploy a task again before it restores (scheduling, slot, task startup).
    pub deploy: Dist,
    /// `execution.state-recovery.from-local`: a task restarted on a surviving TaskManager
    /// reads its state from local disk instead of the checkpoint storage.
    pub local_recovery: bool,
    pub local_restore_bytes_per_s: f64,
    /// Download bandwidth per task when restoring from storage; `None` shares the storage's.
    pub restore_bytes_per_s: Option<f64>,
    /// `jobmanager.execution.failover-strategy`.
    pub failover: FailoverStrategyKind,
}

impl RecoverySettings {
    pub fn from_cfg(c: &RecoveryCfg) -> Self {
        RecoverySettings {
            deploy: c.deployment_time.dist.clone(),
            local_recovery: c.local,
            local_restore_bytes_per_s: c.local_restore_bandwidth.value,
            restore_bytes_per_s: c.restore_bandwidth.map(|b| b.value),
            failover: c.failover,
        }
    }

    /// Immediate redeployment, downloads through the storage, region failover: for tests
    /// that want the arithmetic plain.
    pub fn instant(local_recovery: bool) -> Self {
        RecoverySettings {
            deploy: Dist::Constant(0.0),
            local_recovery,
            local_restore_bytes_per_s: f64::INFINITY,
            restore_bytes_per_s: None,
            failover: FailoverStrategyKind::Region,
        }
    }
}

/// One failure and what it cost.
#[derive(Clone, Debug)]
pub(crate) struct FailureState {
    pub kind: FaultKind,
    pub time: SimTime,
    pub detected: Option<SimTime>,
    pub restart_at: Option<SimTime>,
    pub running_again: Option<SimTime>,
    pub caught_up: Option<SimTime>,
    pub tasks: Vec<u32>,
    pub restored_checkpoint: Option<(CheckpointId, SimTime)>,
    pub records_replayed: u64,
    /// Records put back into channels from the restored unaligned checkpoint's channel state.
    pub channel_state_records: u64,
    pub restoring: u32,
    /// Per restarted source: (subtask, read lag before the failure, offset at the failure).
    pub sources: Vec<(u32, u64, u64)>,
    pub sources_behind: u32,
    /// The restart strategy refused to restart: the job stays down.
    pub gave_up: bool,
    /// A later failure hit tasks of this one before they ran again: its restart is void and
    /// the later failure's restart brings them back.
    pub superseded: bool,
}

/// Read lag above the pre-failure lag that still counts as caught up: one millisecond, the
/// resolution at which a planner reads catch-up times.
pub const CATCH_UP_SLACK_NS: u64 = 1_000_000;

impl World {
    /// Plans a fault (tests and the scenario's fault schedule).
    pub fn plan_fault(&mut self, fault: PlannedFault) {
        self.capture_snapshots = true;
        self.planned_faults.push(fault);
    }

    /// Replaces the restart strategy (`restart-strategy.type` and its options).
    pub fn set_restart_strategy(&mut self, cfg: RestartStrategyConfig) -> Result<(), RestartConfigError> {
        self.restart = cfg.create()?;
        Ok(())
    }

    pub fn set_recovery(&mut self, settings: RecoverySettings) {
        self.failover = FailoverStrategy::new(settings.failover, &self.graph);
        self.recovery = settings;
    }

    pub(crate) fn schedule_planned_faults(&mut self) {
        use crate::model::faults::FaultKind as Scheduled;
        for e in self.fault_schedule.events.clone() {
            let kind = match e.kind {
                Scheduled::TaskFailure { subtask } => FaultKind::TaskCrash { subtask: subtask.0 },
                Scheduled::TaskManagerLost {
                    taskmanager,
                    detection_delay_ns,
                    replacement_delay_ns,
                } => FaultKind::TaskManagerLoss {
                    taskmanager,
                    detection_ns: detection_delay_ns,
                    replacement_ns: replacement_delay_ns,
                },
                Scheduled::JobManagerFailover { leader_election_ns } => {
                    FaultKind::JobManagerFailover { leader_election_ns }
                }
                Scheduled::ConnectionLost { a, b } => FaultKind::ConnectionLoss { a, b },
                Scheduled::WindowBegin { window } | Scheduled::WindowEnd { window } => {
                    self.queue.schedule(e.at, Event::FaultWindow { window });
                    continue;
                }
            };
            self.planned_faults.push(PlannedFault { at: e.at, kind });
        }
        // Stable: faults at the same instant keep their order.
        self.planned_faults.sort_by_key(|f| f.at);
        for (i, f) in self.planned_faults.iter().enumerate() {
            self.queue.schedule(f.at, Event::Fault { index: i as u32 });
        }
    }

    pub(crate) fn on_fault(&mut self, now: SimTime, index: u32) {
        let kind = self.planned_faults[index as usize].kind;
        let (dead, detection_ns): (Vec<u32>, u64) = match kind {
            FaultKind::TaskCrash { subtask } => (vec![subtask], 0),
            FaultKind::TaskManagerLoss {
                taskmanager,
                detection_ns,
                replacement_ns,
            } => {
                // Until the JobManager notices and a replacement registers, nothing can run in
                // this TaskManager's slots: a restart meanwhile (another failure's) waits.
                let back = now + detection_ns.max(replacement_ns);
                let slot = &mut self.taskmanager_back_at[taskmanager as usize];
                *slot = (*slot).max(back);
                self.taskmanager_lost_at[taskmanager as usize] = Some(now);
                (
                    (0..self.tasks.len() as u32)
                        .filter(|s| self.graph.subtasks[*s as usize].taskmanager == taskmanager)
                        .collect(),
                    detection_ns,
                )
            }
            FaultKind::CheckpointFailureThreshold => (Vec::new(), 0),
            FaultKind::ConnectionLoss { a, b } => {
                let mut readers: Vec<u32> = self
                    .graph
                    .channels
                    .iter()
                    .filter(|c| {
                        let (p, q) = (
                            self.graph.subtasks[c.producer.index()].taskmanager,
                            self.graph.subtasks[c.consumer.index()].taskmanager,
                        );
                        (p, q) == (a, b) || (p, q) == (b, a)
                    })
                    .map(|c| c.consumer.0)
                    .collect();
                readers.sort_unstable();
                readers.dedup();
                (readers, 0)
            }
            FaultKind::JobManagerFailover { leader_election_ns } => {
                // The pending checkpoints die with the leader.
                let mut out = Vec::new();
                self.coordinator.stop_checkpoint_scheduler(now, &mut out);
                self.apply_coordinator_actions(out);
                // The TaskManagers lose their JobManager (`JobLeaderService` reports the leader
                // lost; `disconnectJobManager` fails the job's tasks): every task stops now,
                // and the new leader redeploys the job once elected.
                ((0..self.tasks.len() as u32).collect(), leader_election_ns)
            }
        };
        let open = self.open_failures();
        let dead: Vec<u32> = dead
            .into_iter()
            .filter(|s| {
                // A task down but restoring dies again; one down and waiting stays as it is.
                self.tasks[*s as usize].phase != TaskPhase::Down
                    || open.iter().any(|&i| self.failures[i].tasks.contains(s))
            })
            .collect();
        let global = matches!(
            kind,
            FaultKind::CheckpointFailureThreshold | FaultKind::JobManagerFailover { .. }
        );
        if dead.is_empty() && !global {
            return; // already down and not restoring: nothing more to break
        }
        self.start_failure(now, kind, &dead, detection_ns);
    }

    /// Indices of the failures still open (not running again, not given up, not taken over), in
    /// order. Closing is for good, so closed ones are pruned from the list as they are met: the
    /// scans over open failures cost in total the number of failures plus the open ones, where
    /// a scan over all failures made a run quadratic in its failures.
    fn open_failures(&mut self) -> Vec<usize> {
        let failures = &self.failures;
        self.open_failure_ids.retain(|&i| {
            let f = &failures[i as usize];
            f.running_again.is_none() && !f.gave_up && !f.superseded
        });
        self.failure_scan_steps += self.open_failure_ids.len() as u64;
        self.open_failure_ids.iter().map(|&i| i as usize).collect()
    }

    /// Failures examined by the scans over open failures: the measure that shows they are
    /// linear in the number of failures (a test reads it).
    pub fn failure_scan_steps(&self) -> u64 {
        self.failure_scan_steps
    }

    pub(crate) fn start_failure(&mut self, now: SimTime, kind: FaultKind, dead: &[u32], detection_ns: u64) {
        let id = self.failures.len() as u32;
        let mut sources: Vec<(u32, u64, u64)> = dead
            .iter()
            .filter(|s| self.tasks[**s as usize].source.is_some() && self.tasks[**s as usize].phase != TaskPhase::Down)
            .map(|s| (*s, self.source_lag_ns(now, *s), self.source_offset(*s)))
            .collect();
        // A failure during another's detection or restart takes that one over: its tasks
        // restart with this one, and its own detection and restart are void.
        let mut tasks: Vec<u32> = dead.to_vec();
        for i in self.open_failures() {
            let f = &mut self.failures[i];
            let overlaps = dead.is_empty() || f.tasks.iter().any(|t| dead.contains(t));
            if overlaps {
                f.superseded = true;
                tasks.extend(f.tasks.iter().copied());
                for src in &f.sources {
                    if !sources.iter().any(|(x, _, _)| *x == src.0) {
                        sources.push(*src);
                    }
                }
            }
        }
        tasks.sort_unstable();
        tasks.dedup();
        // Every task of a taken-over failure dies again too: its pending restores are void.
        self.kill_tasks(now, &tasks);
        self.failures.push(FailureState {
            kind,
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
            sources,
            sources_behind: 0,
            gave_up: false,
            superseded: false,
        });
        self.open_failure_ids.push(id);
        self.queue
            .schedule(now + detection_ns, Event::FailureDetected { failure: id });
    }

    /// Offset of the first record a source has not emitted.
    pub(crate) fn source_offset(&self, s: u32) -> u64 {
        let t = &self.tasks[s as usize];
        let src = t.source.as_ref().expect("source");
        match &t.batch {
            Some(b) if b.next < b.records.len() => {
                b.records[b.next].id & ((1u64 << crate::model::records::OFFSET_BITS) - 1)
            }
            _ => src.arrivals.offset(),
        }
    }

    /// The JobManager cancels the failover region, aborts pending checkpoints and asks the
    /// restart strategy when to restart.
    pub(crate) fn on_failure_detected(&mut self, now: SimTime, failure: u32) {
        let fi = failure as usize;
        if self.failures[fi].superseded {
            return; // a later failure took it over
        }
        self.failures[fi].detected = Some(now);
        let restart_set = self.failover_set(&self.failures[fi].tasks.clone());
        let newly: Vec<u32> = restart_set
            .iter()
            .copied()
            .filter(|s| !self.failures[fi].tasks.contains(s))
            .collect();
        let more_sources: Vec<(u32, u64, u64)> = newly
            .iter()
            .filter(|s| self.tasks[**s as usize].source.is_some() && self.tasks[**s as usize].phase != TaskPhase::Down)
            .map(|s| (*s, self.source_lag_ns(now, *s), self.source_offset(*s)))
            .collect();
        self.kill_tasks(now, &newly);
        self.failures[fi].sources.extend(more_sources);
        // Another failure still recovering tasks of this restart set (a failure detected
        // meanwhile, while this one waited for its heartbeat timeout) is taken over: one
        // restart brings all of them back.
        let mut restart_set = restart_set;
        for gi in self.open_failures() {
            let g = &self.failures[gi];
            // Taking over closes `gi` only, so the others' openness holds through the loop.
            let open = gi != fi && g.detected.is_some();
            if open && g.tasks.iter().any(|t| restart_set.contains(t)) {
                self.failures[gi].superseded = true;
                let (tasks, sources) = (self.failures[gi].tasks.clone(), self.failures[gi].sources.clone());
                restart_set.extend(tasks);
                for src in sources {
                    if !self.failures[fi].sources.iter().any(|(x, _, _)| *x == src.0) {
                        self.failures[fi].sources.push(src);
                    }
                }
            }
        }
        restart_set.sort_unstable();
        restart_set.dedup();
        self.kill_tasks(now, &restart_set);
        self.failures[fi].tasks = restart_set;
        // Region or global failover aborts all pending checkpoints (not counted as failures)
        // and the scheduler stops until every task runs again.
        let mut out = Vec::new();
        self.coordinator.stop_checkpoint_scheduler(now, &mut out);
        self.apply_coordinator_actions(out);
        if let super::FaultKind::JobManagerFailover { .. } = self.failures[fi].kind {
            // The new leader's JobMaster recovers the job from the job graph store and restores
            // the latest checkpoint of the completed-checkpoint store at once: a new scheduler,
            // not a restart the old one's strategy decides on.
            self.failures[fi].restart_at = Some(now);
            self.queue.schedule(now, Event::Restart { failure });
            return;
        }
        let cause = self.failures[fi].kind.failure_cause();
        self.restart.notify_failure(now, cause, self.restart_rng.rng_mut());
        if self.restart.can_restart() {
            let at = now + self.restart.backoff_time_ns();
            self.failures[fi].restart_at = Some(at);
            self.queue.schedule(at, Event::Restart { failure });
        } else {
            self.failures[fi].gave_up = true;
            self.fail_job(now);
        }
    }

    /// Tasks to restart: the failover strategy's answer, or everything for a global failover.
    fn failover_set(&self, failed: &[u32]) -> Vec<u32> {
        if failed.is_empty() {
            return (0..self.tasks.len() as u32).collect();
        }
        let failed: Vec<crate::ids::SubtaskId> = failed.iter().map(|s| crate::ids::SubtaskId(*s)).collect();
        self.failover
            .tasks_to_restart_all(&failed)
            .into_iter()
            .map(|s| s.0)
            .collect()
    }

    /// Stops tasks at once: their work in progress, buffers and channels are gone.
    pub(crate) fn kill_tasks(&mut self, now: SimTime, dead: &[u32]) {
        for &s in dead {
            let si = s as usize;
            let uploads: Vec<u32> = self.tasks[si].checkpoints.iter().filter_map(|c| c.upload).collect();
            for req in uploads {
                self.cancel_storage_request(now, req);
            }
            // Restore downloads of an earlier failure are cancelled too.
            let downloads: Vec<u32> = (0..self.storage_requests.len() as u32)
                .filter(|r| {
                    self.storage_requests[*r as usize]
                        .as_ref()
                        .is_some_and(|q| q.subtask == s && q.download_for.is_some())
                })
                .collect();
            for req in downloads {
                self.cancel_storage_request(now, req);
            }
            let t = &mut self.tasks[si];
            if let Some(since) = t.back_pressured_since.take() {
                t.back_pressured_ns += now.since(since);
            }
            t.incarnation += 1;
            t.wake_gen = t.wake_gen.wrapping_add(1);
            t.phase = TaskPhase::Down;
            if let Some(b) = t.batch.take() {
                if b.input_channel.is_some() {
                    // The input buffer being read is gone with the task (it held its bytes).
                    self.in_flight_bytes -= b.records.iter().map(|r| r.bytes as u64).sum::<u64>();
                }
                let v = b.records;
                self.give_back_vec(v);
            }
            let t = &mut self.tasks[si];
            t.avail.clear();
            t.in_avail.iter_mut().for_each(|a| *a = false);
            if t.handler.is_some() {
                let inputs = self.graph.inputs[si].len() as u32;
                self.tasks[si].handler = Some(crate::protocol::input_handler::InputHandler::for_config(
                    inputs,
                    self.mode,
                    self.unaligned,
                ));
            }
            self.reset_backend(s);
            let t = &mut self.tasks[si];
            t.coordinator = crate::protocol::subtask::SubtaskCheckpointCoordinator::new();
            t.sync_checkpoint = None;
            t.resume_after_sync = false;
            t.deferred_triggers.clear();
            t.checkpoints.clear();
            t.flush_armed = false;
            // Stateless tasks too: no channel state or deferred mailbox action survives.
            t.channel_state = None;
            t.deferred_mail.clear();
            t.waiting_output_barrier = None;
        }
        // Channels touching a dead task lose everything in them.
        let exclusive = self.set.exclusive_buffers;
        for ch in 0..self.chans.len() {
            let info = &self.graph.channels[ch];
            let (p, c) = (info.producer.0, info.consumer.0);
            if !(dead.contains(&p) || dead.contains(&c)) {
                continue;
            }
            let old = std::mem::take(&mut self.chans[ch]);
            self.record_counts[ch].dropped += super::invariants::records_in_channel(&old);
            let mut bytes = 0u64;
            for b in old
                .queue
                .into_iter()
                .chain(old.wire.into_iter().map(|(_, b)| b))
                .chain(old.received)
            {
                if let crate::model::records::Payload::Data(v) = b.payload {
                    bytes += b.bytes as u64;
                    self.give_back_vec(v);
                }
            }
            self.in_flight_bytes -= bytes;
            let mut fresh = ChannelState::new(exclusive);
            fresh.incarnation = old.incarnation + 1;
            fresh.last_delivery = now;
            let producer_alive = self.tasks[p as usize].phase != TaskPhase::Down;
            let consumer_alive = self.tasks[c as usize].phase != TaskPhase::Down;
            if producer_alive && !consumer_alive {
                // Nobody grants credit for a dead consumer: its producer backs up.
                fresh.credit = 0;
            }
            self.chans[ch] = fresh;
            // A live consumer must not look for buffers in the emptied channel.
            let input = self.graph.channels[ch].input_index;
            let t = &mut self.tasks[c as usize];
            if t.in_avail[input as usize] {
                t.in_avail[input as usize] = false;
                t.avail.retain(|i| *i != input);
            }
            // The producer's output pool loses the buffers this channel held.
            self.recount_pool(p);
        }
        for &s in dead {
            for g in self.gate_pools[s as usize].iter_mut() {
                g.available = self.set.floating_buffers_per_gate;
                g.waiting.clear();
            }
        }
    }

    /// Recomputes a producer's pool counters from its channels (after channels were reset).
    fn recount_pool(&mut self, s: u32) {
        let cap = self.set.max_buffers_per_channel;
        for e in 0..self.graph.outputs[s as usize].len() {
            let (mut used, mut at_cap) = (0, 0);
            for ch in &self.graph.outputs[s as usize][e].channels {
                let c = &self.chans[ch.index()];
                let u = c.queued_data + (!c.builder.is_empty()) as u32;
                used += u;
                at_cap += (u >= cap) as u32;
            }
            self.tasks[s as usize].pool_used[e] = used;
            self.tasks[s as usize].channels_at_cap[e] = at_cap;
        }
    }

    /// Redeploys the failed tasks and restores them from the latest completed checkpoint.
    pub(crate) fn on_restart(&mut self, now: SimTime, failure: u32) {
        let fi = failure as usize;
        if self.failures[fi].superseded {
            return;
        }
        let tasks = self.failures[fi].tasks.clone();
        // Start from nothing: whatever these tasks held (buffers, batches, half-restored
        // state) is gone, and so is every event aimed at their earlier incarnations.
        self.kill_tasks(now, &tasks);
        let latest = self.coordinator.latest_completed();
        self.failures[fi].restored_checkpoint = latest.map(|c| (c.id, c.timestamp));
        if let Some(c) = latest {
            self.tracker.report_restored(now, c.id);
        }
        let snapshot = latest.and_then(|c| self.completed_snapshots.get(&c.id).cloned());
        // The channel state of the restarted tasks: downloaded with their state, then put back
        // into the channels.
        let channels: Vec<PersistedChannel> = snapshot
            .as_ref()
            .map(|p| {
                p.channels
                    .iter()
                    .filter(|c| !self.forget_channel_state && tasks.contains(&self.channel_owner(c)))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let mut channel_bytes: BTreeMap<u32, u64> = BTreeMap::new();
        for c in &channels {
            *channel_bytes.entry(self.channel_owner(c)).or_default() +=
                c.records.iter().map(|r| r.bytes as u64).sum::<u64>();
        }
        // A region is deployed once slots for all its tasks exist (pipelined region scheduling):
        // a TaskManager lost, by this failure or an earlier one, is back only once the loss was
        // detected and a replacement registered.
        let slots_back = tasks
            .iter()
            .map(|s| self.taskmanager_back_at[self.graph.subtasks[*s as usize].taskmanager as usize])
            .max()
            .unwrap_or(SimTime::ZERO);
        let deploy_at = now.max(slots_back);
        let mut replayed = 0;
        self.failures[fi].restoring = tasks.len() as u32;
        for &s in &tasks {
            let si = s as usize;
            let snap = snapshot.as_ref().and_then(|p| p.tasks.get(si).cloned().flatten());
            let channel_bytes = channel_bytes.get(&s).copied().unwrap_or(0);
            let t = &mut self.tasks[si];
            t.incarnation += 1;
            t.wake_gen = t.wake_gen.wrapping_add(1);
            t.phase = TaskPhase::Down;
            let state_bytes = match &snap {
                Some(sn) => {
                    t.keys_seen.clone_from(&sn.keys_seen);
                    t.distinct_keys = sn.distinct_keys;
                    sn.state_bytes
                }
                None => {
                    t.keys_seen.iter_mut().for_each(|w| *w = 0);
                    t.distinct_keys = 0;
                    0
                }
            };
            if let Some(sink) = t.sink.as_mut() {
                // recoverAndCommit the restored pending transactions; the open one died with
                // the task (it is never committed, so the external system times it out).
                let attempt = t.incarnation;
                let mut actions = Vec::new();
                sink.txn = match snap.as_ref().and_then(|sn| sn.sink.as_ref()) {
                    Some(state) => {
                        crate::protocol::two_phase_commit::TwoPhaseCommitSink::restore(s, attempt, state, &mut actions)
                    }
                    None => crate::protocol::two_phase_commit::TwoPhaseCommitSink::new(s, attempt),
                };
                sink.open_origins_ns.clear();
                sink.pending_origins_ns.clear();
                match snap.as_ref().and_then(|sn| sn.sink_absorbed.as_ref()) {
                    Some(a) => sink.absorbed_per_source.clone_from(a),
                    None => sink.absorbed_per_source.iter_mut().for_each(|n| *n = 0),
                }
                self.apply_transactions(&actions);
            }
            let t = &mut self.tasks[si];
            if let Some(src) = t.source.as_mut() {
                src.arrivals = match snap.as_ref().and_then(|sn| sn.arrivals.clone()) {
                    Some(a) => a,
                    None => self.initial_arrivals[si]
                        .clone()
                        .expect("sources keep their initial generator"),
                };
            }
            if let Some(&(_, _, at_failure)) = self.failures[fi].sources.iter().find(|(x, _, _)| *x == s) {
                let from = self.tasks[si].source.as_ref().unwrap().arrivals.offset();
                replayed += at_failure.saturating_sub(from);
            }
            let inc = self.tasks[si].incarnation;
            // The local copy exists only if the TaskManager was not lost since the snapshot.
            let tm = self.graph.subtasks[si].taskmanager as usize;
            let tm_survived = match (self.taskmanager_lost_at[tm], latest) {
                (None, _) => true,
                (Some(lost), Some(c)) => lost < c.timestamp,
                (Some(_), None) => false,
            };
            // Changelog backend: the log since the last materialization is downloaded with the
            // state and re-applied after it.
            let (log_bytes, replay_ns) = match latest {
                Some(c) => (self.restore_changelog_bytes(s, c.id), self.restore_extra_ns(s, c.id)),
                None => (0, 0),
            };
            let state_bytes = state_bytes + log_bytes + channel_bytes;
            let at = deploy_at + self.recovery.deploy.sample_u64(&mut self.restart_rng) + replay_ns;
            let local = self.recovery.local_recovery && tm_survived;
            let fixed_rate = if local {
                Some(self.recovery.local_restore_bytes_per_s)
            } else {
                self.recovery.restore_bytes_per_s
            };
            if state_bytes <= self.set.inline_threshold_bytes {
                self.queue.schedule(at, Event::Restored { s, inc });
            } else if let Some(rate) = fixed_rate {
                let ns = crate::time::ns_from_f64(state_bytes as f64 / rate * 1e9);
                self.queue.schedule(at + ns, Event::Restored { s, inc });
            } else {
                // Download the state from checkpoint storage, sharing its bandwidth.
                let req = StorageRequest {
                    subtask: s,
                    checkpoint: 0,
                    bytes: state_bytes,
                    started: false,
                    cancelled: false,
                    download_for: Some(inc),
                };
                self.submit_storage_request(at, req);
            }
        }
        let mut restored_records = 0;
        for c in &channels {
            restored_records += c.records.len() as u64;
            self.restore_channel(c);
        }
        for &s in &tasks {
            self.recount_pool(s);
        }
        self.failures[fi].records_replayed = replayed;
        self.failures[fi].channel_state_records = restored_records;
        self.failures[fi].sources_behind = self.failures[fi].sources.len() as u32;
        for &(src, lag_before, _) in &self.failures[fi].sources {
            self.catch_up_threshold_ns[src as usize] = Some(lag_before + CATCH_UP_SLACK_NS);
        }
    }

    /// A task has its state and runs. When the whole restart set runs, checkpointing resumes.
    pub(crate) fn on_restored(&mut self, now: SimTime, s: u32) {
        let t = &mut self.tasks[s as usize];
        if t.phase != TaskPhase::Down {
            return;
        }
        t.phase = TaskPhase::Idle;
        self.wake_at(s, now);
        // Restored output channel state goes out first (credits permitting).
        for e in 0..self.graph.outputs[s as usize].len() {
            for i in 0..self.graph.outputs[s as usize][e].channels.len() {
                let ch = self.graph.outputs[s as usize][e].channels[i].0;
                if !self.chans[ch as usize].queue.is_empty() {
                    self.try_send(now, ch);
                }
            }
        }
        // Such a failure is open (a restarted one has not given up): the newest one holding `s`.
        let open = self.open_failures();
        let Some(fi) = open.into_iter().rev().find(|&i| {
            let f = &self.failures[i];
            f.tasks.contains(&s) && f.restart_at.is_some()
        }) else {
            return;
        };
        self.failures[fi].restoring = self.failures[fi].restoring.saturating_sub(1);
        if self.failures[fi].restoring == 0 {
            self.failures[fi].running_again = Some(now);
            if self.tasks.iter().all(|t| t.phase != TaskPhase::Down) {
                let mut out = Vec::new();
                let rng = self.coord_rng.rng_mut();
                self.coordinator.start_checkpoint_scheduler(now, rng, &mut out);
                self.apply_coordinator_actions(out);
            }
        }
    }

    /// A restarted source read a record with no more lag than before the failure; the job has
    /// caught up with its input once every restarted source has.
    pub(crate) fn note_source_caught_up(&mut self, at: SimTime, s: u32) {
        // The newest restarted failure this source belongs to (a source without state may run
        // again, and catch up, before the rest of its region has restored).
        let Some(f) = self
            .failures
            .iter_mut()
            .rev()
            .find(|f| !f.superseded && f.restart_at.is_some() && f.sources.iter().any(|(x, _, _)| *x == s))
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

    /// The failures as output rows.
    pub(crate) fn failure_records(&self) -> Vec<crate::metrics::FailureRecord> {
        let ms = |ns: u64| ns as f64 / 1e6;
        self.failures
            .iter()
            .map(|f| crate::metrics::FailureRecord {
                failure_timestamp: ms(f.time.as_ns()),
                cause: f.kind.failure_cause().as_str().to_uppercase(),
                tasks_restarted: f.tasks.len() as u32,
                detection_delay: ms(f.detected.map_or(0, |d| d.since(f.time))),
                restart_delay: f.restart_at.zip(f.detected).map(|(r, d)| ms(r.since(d))),
                restore_duration: f.running_again.zip(f.restart_at).map(|(a, r)| ms(a.since(r))),
                restored_checkpoint: f.restored_checkpoint.map(|(id, _)| id),
                records_replayed: f.records_replayed,
                channel_state_records: f.channel_state_records,
                lost_work: ms(f.time.since(f.restored_checkpoint.map_or(SimTime::ZERO, |(_, ts)| ts))),
                downtime: f.running_again.map(|a| ms(a.since(f.time))),
                // Not caught up while a task is still down, even if a stateless source already
                // reads at the head (into network buffers).
                catch_up_time: f
                    .caught_up
                    .zip(f.running_again)
                    .map(|(c, r)| ms(c.max(r).since(f.time))),
                job_failed: f.gave_up,
                taken_over: f.superseded,
            })
            .collect()
    }

    /// A fault window opened or closed: storage bandwidth follows throttling and outages at
    /// once; latency spikes, stragglers and partitions are read when they apply.
    pub(crate) fn on_fault_window(&mut self, now: SimTime) {
        let factor = self.fault_schedule.storage_bandwidth_factor(now);
        if let Some((at, generation)) = self.storage.set_bandwidth_factor(now, factor) {
            self.queue.schedule(at, Event::StorageTick { generation });
        }
    }
}
