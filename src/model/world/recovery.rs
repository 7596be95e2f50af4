//! Failures and recovery in the world: faults strike tasks, and the JobManager's failover life
//! cycle (`protocol::failover`, a sans-IO state machine) decides what is cancelled, when the
//! JobManager notices, whether and when the restart strategy restarts, and when the job runs
//! again. The world carries out its actions: it kills tasks, restores them from the latest
//! completed checkpoint (sources rewind to their checkpointed offsets and replay) and resumes
//! checkpointing.

use std::collections::BTreeMap;

use super::restore_point::TaskSnapshot;
use super::{Event, StorageRequest, World};
use crate::model::config::RecoverySettings;
use crate::model::faults::{Fault, FaultEvent};
use crate::model::task::PersistedChannel;
use crate::protocol::coordinator::CompletedCheckpoint;
use crate::protocol::failover::{FailoverAction, SourcePosition};
use crate::protocol::restart::{FailureCause, RestartConfigError, RestartStrategyConfig};
use crate::time::SimTime;

/// Read lag above the pre-failure lag that still counts as caught up: one millisecond, the
/// resolution at which a planner reads catch-up times.
pub const CATCH_UP_SLACK_NS: u64 = 1_000_000;

impl World {
    /// Plans a fault (tests and the scenario's fault schedule).
    pub fn plan_fault(&mut self, fault: FaultEvent) {
        self.jm.capture_snapshots();
        self.keys.keep_log();
        self.faults.plan(fault);
    }

    /// Replaces the restart strategy (`restart-strategy.type` and its options).
    pub fn set_restart_strategy(&mut self, cfg: RestartStrategyConfig) -> Result<(), RestartConfigError> {
        self.failover.set_restart_strategy(cfg.create()?);
        Ok(())
    }

    pub fn set_recovery(&mut self, settings: RecoverySettings) {
        self.redeployment.set_settings(settings, &self.graph);
    }

    /// Schedules the fault schedule's events: window edges go to the components they affect;
    /// failures are planned with the test's own.
    pub(crate) fn schedule_planned_faults(&mut self) {
        for e in self.faults.start() {
            if let Fault::WindowBegin { window } | Fault::WindowEnd { window } = e.kind {
                self.queue.schedule(e.at, Event::FaultWindow { window });
            }
        }
        for (i, f) in self.faults.planned().iter().enumerate() {
            self.queue.schedule(f.at, Event::Fault { index: i as u32 });
        }
    }

    pub(crate) fn on_fault(&mut self, now: SimTime, index: u32) {
        let fault = self.faults.fault(index);
        let (hit, detection_ns): (Vec<u32>, u64) = match fault {
            // The task reports its own failure once it has cleaned up.
            Fault::TaskFailure { subtask } => (vec![subtask.0], self.redeployment.task_failure_report_ns()),
            Fault::TaskManagerLost {
                taskmanager,
                detection_delay_ns,
                replacement_delay_ns,
            } => {
                // Until the JobManager notices and a replacement registers, nothing can run in
                // this TaskManager's slots: a restart meanwhile (another failure's) waits.
                let back = now + detection_delay_ns.max(replacement_delay_ns);
                self.failover.taskmanager_lost(now, taskmanager, back);
                (
                    self.tasks
                        .subtasks()
                        .filter(|s| self.graph.subtasks[*s as usize].taskmanager == taskmanager)
                        .collect(),
                    detection_delay_ns,
                )
            }
            // The readers fail with a `RemoteTransportException` and report it like any task.
            Fault::ConnectionLost { a, b } => (self.readers_across(a, b), self.redeployment.task_failure_report_ns()),
            Fault::JobManagerFailover { leader_election_ns } => {
                // The pending checkpoints die with the leader.
                let out = self.jm.stop_checkpoint_scheduler(now);
                self.apply_coordinator_actions(out);
                // The TaskManagers lose their JobManager (`JobLeaderService` reports the leader
                // lost; `disconnectJobManager` fails the job's tasks): every task stops now,
                // and the new leader redeploys the job once elected.
                (self.tasks.subtasks().collect(), leader_election_ns)
            }
            Fault::WindowBegin { .. } | Fault::WindowEnd { .. } => unreachable!("windows are not planned"),
        };
        let dead = self.failover.tasks_hit(hit, |s| self.tasks.is_down(s));
        let global = matches!(fault, Fault::JobManagerFailover { .. });
        if dead.is_empty() && !global {
            return; // already down and not restoring: nothing more to break
        }
        self.start_failure(now, fault_cause(&fault), &dead, detection_ns);
    }

    /// The tasks reading an input channel across the connection between TaskManagers `a` and
    /// `b` (they fail with a `RemoteTransportException` when it drops).
    fn readers_across(&self, a: u32, b: u32) -> Vec<u32> {
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
        readers
    }

    /// Failures examined by the scans over open failures: the measure that shows they are
    /// linear in the number of failures (a test reads it).
    pub fn failure_scan_steps(&self) -> u64 {
        self.failover.scan_steps()
    }

    /// A failure strikes `dead` (none: the whole job, e.g. tolerable checkpoint failures
    /// exceeded).
    pub(crate) fn start_failure(&mut self, now: SimTime, cause: FailureCause, dead: &[u32], detection_ns: u64) {
        let sources = self.running_sources(now, dead);
        let actions = self.failover.begin(now, cause, dead, sources, detection_ns);
        self.apply_failover_actions(now, actions);
    }

    /// Where each running source among `tasks` stands.
    fn running_sources(&self, now: SimTime, tasks: &[u32]) -> Vec<SourcePosition> {
        tasks
            .iter()
            .filter(|s| self.tasks.is_source(**s) && !self.tasks.is_down(**s))
            .map(|s| SourcePosition {
                subtask: *s,
                lag_ns: self.tasks.source_lag_ns(*s, now),
                offset: self.source_offset(*s),
            })
            .collect()
    }

    fn apply_failover_actions(&mut self, now: SimTime, actions: Vec<FailoverAction>) {
        for a in actions {
            match a {
                FailoverAction::KillTasks(tasks) => self.kill_tasks(now, &tasks),
                FailoverAction::ScheduleDetection { failure, at } => {
                    self.queue.schedule(at, Event::FailureDetected { failure })
                }
                FailoverAction::StopCheckpointScheduler => {
                    let out = self.jm.stop_checkpoint_scheduler(now);
                    self.apply_coordinator_actions(out);
                }
                FailoverAction::ScheduleRestart { failure, at } => self.queue.schedule(at, Event::Restart { failure }),
                FailoverAction::FailJob => self.fail_job(now),
            }
        }
    }

    /// Offset of the first record a source has not emitted.
    pub(crate) fn source_offset(&self, s: u32) -> u64 {
        self.tasks.source_offset(s).expect("source")
    }

    /// The JobManager learns of a failure: the failover strategy names the restart set, and the
    /// life cycle cancels it, aborts pending checkpoints and asks the restart strategy when to
    /// restart.
    pub(crate) fn on_failure_detected(&mut self, now: SimTime, failure: u32) {
        let Some(failed) = self.failover.failed_tasks(failure).map(<[u32]>::to_vec) else {
            return; // a later failure took it over
        };
        let restart_set = self.redeployment.restart_set(&failed, self.tasks.count() as u32);
        let newly: Vec<u32> = restart_set.iter().copied().filter(|s| !failed.contains(s)).collect();
        let newly_sources = self.running_sources(now, &newly);
        let actions = self.failover.on_detected(
            now,
            failure,
            restart_set,
            newly_sources,
            self.redeployment.rng_mut().rng_mut(),
        );
        self.apply_failover_actions(now, actions);
    }

    /// Redeploys the failed tasks and restores them from the latest completed checkpoint.
    pub(crate) fn on_restart(&mut self, now: SimTime, failure: u32) {
        let Some(tasks) = self.failover.begin_restart(failure) else {
            return;
        };
        // Start from nothing: whatever these tasks held (buffers, batches, half-restored
        // state) is gone, and so is every event aimed at their earlier incarnations.
        self.kill_tasks(now, &tasks);
        let (latest, snapshot) = self.jm.restore_latest();
        if let Some(c) = latest {
            self.stats.report_restored(now, c.id);
        }
        // The channel state of the restarted tasks: downloaded with their state, then put back
        // into the channels.
        let channels: Vec<PersistedChannel> = snapshot
            .as_ref()
            .map(|p| {
                p.channels
                    .iter()
                    .filter(|c| !self.checks.forgets_channel_state() && tasks.contains(&self.channel_owner(c)))
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
        let slots_back = self
            .failover
            .slots_back_at(tasks.iter().map(|s| self.graph.subtasks[*s as usize].taskmanager));
        let deploy_at = now.max(slots_back);
        // Keyed state: each task's keys back to its snapshot's (one pass for all of them).
        let marks: Vec<_> = tasks
            .iter()
            .map(|&s| {
                let snap = snapshot.as_ref().and_then(|p| p.tasks.get(s as usize)?.as_ref());
                (s, snap.map(|sn| sn.keys))
            })
            .collect();
        self.keys.restore(&marks);
        let mut replayed = 0;
        for &s in &tasks {
            let snap = snapshot
                .as_ref()
                .and_then(|p| p.tasks.get(s as usize).cloned().flatten());
            let channel_bytes = channel_bytes.get(&s).copied().unwrap_or(0);
            replayed += self.restore_task(failure, s, snap, latest, channel_bytes, deploy_at);
        }
        let mut restored_records = 0;
        for c in &channels {
            restored_records += c.records.len() as u64;
            self.restore_channel(c);
        }
        for &s in &tasks {
            self.net.recount_pool(s, &self.graph);
        }
        let restored = latest.map(|c| (c.id, c.timestamp));
        let sources = self
            .failover
            .restarted(failure, restored, replayed, restored_records)
            .to_vec();
        for src in sources {
            self.endpoints
                .watch_catch_up(src.subtask, src.lag_ns + CATCH_UP_SLACK_NS);
        }
    }

    /// Redeploys one task of a restart at `deploy_at` and restores it: keyed state, sink
    /// transactions and source position from its snapshot (or from scratch), then its state
    /// (with changelog and channel state) read back locally, at a fixed rate, or downloaded
    /// from the checkpoint storage. Returns the records its source will replay.
    #[allow(clippy::too_many_arguments)]
    fn restore_task(
        &mut self,
        failure: u32,
        s: u32,
        snap: Option<TaskSnapshot>,
        latest: Option<CompletedCheckpoint>,
        channel_bytes: u64,
        deploy_at: SimTime,
    ) -> u64 {
        let si = s as usize;
        let state_bytes = self.restore_task_state(s, snap.as_ref());
        let mut replayed = 0;
        if let Some(at_failure) = self.failover.source_at_failure(failure, s) {
            let from = self.tasks.source_read_offset(s);
            replayed = at_failure.offset.saturating_sub(from);
        }
        let inc = self.tasks.incarnation(s);
        // The local copy exists only if the TaskManager was not lost since the snapshot.
        let tm = self.graph.subtasks[si].taskmanager;
        let tm_survived = self.failover.taskmanager_survived(tm, latest.map(|c| c.timestamp));
        // Changelog backend: the log since the last materialization is downloaded with the
        // state and re-applied after it.
        let (log_bytes, replay_ns) = match latest {
            Some(c) => (self.restore_changelog_bytes(s, c.id), self.restore_extra_ns(s, c.id)),
            None => (0, 0),
        };
        let state_bytes = state_bytes + log_bytes + channel_bytes;
        let at = deploy_at + self.redeployment.deploy_ns() + replay_ns;
        let fixed_rate = self.redeployment.restore_rate(tm_survived);
        if state_bytes <= self.set.inline_threshold_bytes {
            self.queue.schedule(at, Event::Restored { s, inc });
        } else if let Some(rate) = fixed_rate {
            let ns = crate::time::ns_from_f64(state_bytes as f64 / rate * 1e9);
            self.queue.schedule(at + ns, Event::Restored { s, inc });
        } else {
            // Download the state from checkpoint storage, sharing its bandwidth.
            let req = StorageRequest::download(s, state_bytes, inc);
            self.storage.submit(at, req, None, &mut self.queue);
        }
        replayed
    }

    /// A redeployed task takes its snapshot's keyed state, sink transactions (committing the
    /// restored pending ones) and source position, or starts from scratch. Returns the bytes of
    /// keyed state it reads back.
    fn restore_task_state(&mut self, s: u32, snap: Option<&TaskSnapshot>) -> u64 {
        self.tasks.redeploy(s);
        let state_bytes = match snap {
            Some(sn) => sn.state_bytes,
            None => 0,
        };
        if let Some(actions) = self.tasks.restore_sink(
            s,
            snap.and_then(|sn| sn.sink.as_ref()),
            snap.and_then(|sn| sn.sink_absorbed.as_deref()),
        ) {
            self.apply_transactions(&actions);
        }
        let endpoints = &self.endpoints;
        self.tasks
            .restore_source(s, snap.and_then(|sn| sn.reader.as_ref()), || {
                endpoints.initial_reader(s)
            });
        if snap.is_some_and(|sn| sn.finished) {
            // Deployed as finished: it ends its data and finishes once restored.
            self.tasks.deploy_as_finished(s);
        }
        state_bytes
    }

    /// A task has its state and runs. When the whole restart set runs, checkpointing resumes.
    pub(crate) fn on_restored(&mut self, now: SimTime, s: u32) {
        let Some(finished) = self.tasks.restored(s) else {
            return;
        };
        if finished {
            self.finish_restored_task(now, s);
        } else {
            self.wake_at(s, now);
        }
        // Restored output channel state goes out first (credits permitting).
        for e in 0..self.graph.outputs[s as usize].len() {
            for i in 0..self.graph.outputs[s as usize][e].channels.len() {
                let ch = self.graph.outputs[s as usize][e].channels[i].0;
                if self.net.has_queued_output(ch) {
                    self.try_send(now, ch);
                }
            }
        }
        if let Some(first_running) = self.failover.task_restored(now, s)
            && !self.tasks.any_down()
        {
            let out = self.jm.restart_checkpoint_scheduler(now, first_running);
            self.apply_coordinator_actions(out);
        }
    }

    /// Test hook, for negative controls: after a restart, start the checkpoint scheduler as at
    /// the job's start, once every task runs again. The real-Flink restart probes must catch it.
    #[doc(hidden)]
    pub fn restart_like_job_start_for_negative_control(&mut self) {
        self.jm.restart_like_start();
    }

    /// A restarted source read a record with no more lag than before the failure; the job has
    /// caught up with its input once every restarted source has.
    pub(crate) fn note_source_caught_up(&mut self, at: SimTime, s: u32) {
        self.failover.source_caught_up(at, s);
    }

    /// The failures as output rows.
    pub(crate) fn failure_records(&self) -> Vec<crate::metrics::FailureRecord> {
        let ms = |ns: u64| ns as f64 / 1e6;
        self.failover
            .failures()
            .iter()
            .map(|f| crate::metrics::FailureRecord {
                failure_timestamp: ms(f.time.as_ns()),
                cause: f.cause.as_str().to_uppercase(),
                tasks_restarted: f.tasks.len() as u32,
                detection_delay: f.detected.map(|d| ms(d.since(f.time))),
                restart_delay: f.restart_at.zip(f.detected).map(|(r, d)| ms(r.since(d))),
                restore_duration: f.running_again.zip(f.restart_at).map(|(a, r)| ms(a.since(r))),
                restored_checkpoint: f.restored_checkpoint.map(|(id, _)| id),
                records_replayed: f.records_replayed * self.run.records_per_bundle,
                channel_state_records: f.channel_state_records * self.run.records_per_bundle,
                // The restart picks the checkpoint (none: from the start); before it, unknown.
                lost_work: f
                    .restart_at
                    .map(|_| ms(f.time.since(f.restored_checkpoint.map_or(SimTime::ZERO, |(_, ts)| ts)))),
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
        self.storage.on_fault_window(now, &mut self.queue);
    }
}

/// The cause a fault reports to the restart strategy and in the failure rows.
fn fault_cause(fault: &Fault) -> FailureCause {
    match fault {
        Fault::TaskFailure { .. } => FailureCause::TaskFailure,
        Fault::TaskManagerLost { .. } => FailureCause::TaskManagerLost,
        Fault::JobManagerFailover { .. } => FailureCause::JobManagerFailover,
        Fault::ConnectionLost { .. } => FailureCause::NetworkFailure,
        Fault::WindowBegin { .. } | Fault::WindowEnd { .. } => unreachable!("windows fail no task"),
    }
}
