//! The JobManager's checkpointing side as one component: the `CheckpointCoordinator`, the
//! random stream it draws the initial triggering delay from (which the job's start uses up, as
//! Flink 2.3's, and the negative control draws again), the store of restore points, the
//! scheduled savepoints, and the count of failovers it asked for.
//!
//! Its state is private. Each method takes the current time and returns the coordinator's
//! actions for the world to carry out (RPCs to the tasks, timers, statistics, a failover).

use super::restore_point::RestorePoint;
use crate::ids::CheckpointId;
use crate::model::backend::shared_registry::SharedStateRegistry;
use crate::protocol::checkpoint_store::CompletedCheckpointStore;
use crate::protocol::coordinator::{
    CheckpointCoordinator, CompletedCheckpoint, CoordinatorAction, CoordinatorTimer, TriggerKind,
};
use crate::protocol::{CheckpointFailureReason, SubtaskCheckpointMetrics};
use crate::sim::RngStream;
use crate::time::SimTime;

pub(crate) struct JobManager {
    coordinator: CheckpointCoordinator,
    /// The checkpoint scheduler's initial triggering delay.
    rng: RngStream,
    store: CompletedCheckpointStore<RestorePoint>,
    /// Restore points are collected only when something can fail (they cost memory and time).
    capture_snapshots: bool,
    savepoint_times: Vec<SimTime>,
    /// Global failovers the coordinator asked for (tolerable checkpoint failures exceeded).
    failovers_requested: u64,
    /// The restart strategy gave up: the job is FAILED and no longer simulated.
    job_failed_at: Option<SimTime>,
    /// Every task finished (FLIP-147): the job is FINISHED and no longer simulated.
    job_finished_at: Option<SimTime>,
    /// The JobManager's `SharedStateRegistry` over checkpoint storage: every file the retained
    /// (and pending) checkpoints refer to, shared incremental files counted once. A checkpoint
    /// discarded by the store releases its files.
    storage_files: SharedStateRegistry,
    /// Ids for files private to one checkpoint (full snapshots, channel state), above every
    /// shared file's id.
    next_private_file: u64,
    /// Per subtask, once it finished: the state it finished with, which every later
    /// checkpoint reports for it (`FullyFinishedOperatorState`).
    finished_snapshots: Vec<Option<RestorePointTask>>,
    /// Negative control: after a restart the scheduler starts as at the job's start.
    restart_like_start: bool,
}

type RestorePointTask = super::restore_point::TaskSnapshot;

/// Shared files are keyed (subtask << 40 | file id); private files get ids from here up.
const PRIVATE_FILE_BASE: u64 = 1 << 62;

type Actions = Vec<CoordinatorAction>;

impl JobManager {
    pub fn new(
        coordinator: CheckpointCoordinator,
        rng: RngStream,
        capture_snapshots: bool,
        savepoint_times: Vec<SimTime>,
    ) -> Self {
        JobManager {
            coordinator,
            rng,
            store: CompletedCheckpointStore::default(),
            capture_snapshots,
            savepoint_times,
            failovers_requested: 0,
            job_failed_at: None,
            job_finished_at: None,
            finished_snapshots: Vec::new(),
            storage_files: SharedStateRegistry::new(u32::MAX),
            next_private_file: PRIVATE_FILE_BASE,
            restart_like_start: false,
        }
    }

    /// The scheduler at the job's start (see [`CheckpointCoordinator::start_job`]).
    pub fn start_job(&mut self, now: SimTime) -> Actions {
        let mut out = Vec::new();
        self.coordinator.start_job(now, self.rng.rng_mut(), &mut out);
        out
    }

    /// The checkpoint scheduler once the whole restart set runs again; `first_running` is when
    /// the first of its tasks did (see [`CheckpointCoordinator::restart_checkpoint_scheduler`]).
    pub fn restart_checkpoint_scheduler(&mut self, now: SimTime, first_running: SimTime) -> Actions {
        let mut out = Vec::new();
        if self.job_finished_at.is_some() {
            return out; // the last restored tasks were deployed as finished
        }
        if self.restart_like_start {
            self.coordinator.forget_trigger_delay_for_negative_control();
            self.coordinator
                .start_checkpoint_scheduler(now, self.rng.rng_mut(), &mut out);
        } else {
            self.coordinator
                .restart_checkpoint_scheduler(now, first_running, &mut out);
        }
        out
    }

    /// Negative control: after a restart, start the scheduler with a fresh random first delay
    /// once every task runs, the rule before Flink 2.3's restart timing was measured.
    pub fn restart_like_start(&mut self) {
        self.restart_like_start = true;
    }

    /// `stopCheckpointScheduler`: a failover aborts the pending checkpoints.
    pub fn stop_checkpoint_scheduler(&mut self, now: SimTime) -> Actions {
        let mut out = Vec::new();
        self.coordinator.stop_checkpoint_scheduler(now, &mut out);
        out
    }

    pub fn on_timer(&mut self, now: SimTime, timer: CoordinatorTimer) -> Actions {
        let mut out = Vec::new();
        self.coordinator.on_timer(now, timer, &mut out);
        out
    }

    /// The trigger RPCs just sent all arrive by `at` (`isTriggering` until then).
    pub fn trigger_rpcs_sent(&mut self, at: SimTime) {
        self.coordinator.trigger_rpcs_sent(at);
    }

    pub fn trigger_savepoint(&mut self, now: SimTime) -> Actions {
        let mut out = Vec::new();
        self.coordinator
            .trigger_checkpoint(now, TriggerKind::Savepoint, &mut out);
        out
    }

    pub fn receive_acknowledge(
        &mut self,
        now: SimTime,
        checkpoint: CheckpointId,
        subtask: u32,
        metrics: SubtaskCheckpointMetrics,
    ) -> Actions {
        let mut out = Vec::new();
        self.coordinator
            .receive_acknowledge(now, checkpoint, subtask, metrics, &mut out);
        out
    }

    pub fn receive_decline(
        &mut self,
        now: SimTime,
        checkpoint: CheckpointId,
        reason: CheckpointFailureReason,
    ) -> Actions {
        let mut out = Vec::new();
        self.coordinator.receive_decline(now, checkpoint, reason, &mut out);
        out
    }

    pub fn on_metadata_written(&mut self, now: SimTime, checkpoint: CheckpointId) -> Actions {
        let mut out = Vec::new();
        self.coordinator.on_metadata_written(now, checkpoint, true, &mut out);
        out
    }

    pub fn latest_completed(&self) -> Option<CompletedCheckpoint> {
        self.coordinator.latest_completed()
    }

    pub fn savepoint_times(&self) -> &[SimTime] {
        &self.savepoint_times
    }

    pub fn note_failover_requested(&mut self) {
        self.failovers_requested += 1;
    }

    pub fn failovers_requested(&self) -> u64 {
        self.failovers_requested
    }

    /// The job is FAILED from `now` on.
    pub fn job_failed(&mut self, now: SimTime) {
        self.job_failed_at.get_or_insert(now);
    }

    pub fn job_failed_at(&self) -> Option<SimTime> {
        self.job_failed_at
    }

    /// Flink's `JobStatus` at the end of the run.
    pub fn job_status(&self) -> &'static str {
        if self.job_failed_at.is_some() {
            "FAILED"
        } else if self.job_finished_at.is_some() {
            "FINISHED"
        } else {
            "RUNNING"
        }
    }

    /// Subtask `s` is FINISHED; `snapshot` is its final state (when restore points are kept).
    pub fn task_finished(&mut self, s: u32, snapshot: Option<RestorePointTask>) {
        self.coordinator.task_finished(s);
        let si = s as usize;
        if self.finished_snapshots.len() <= si {
            self.finished_snapshots.resize(si + 1, None);
        }
        self.finished_snapshots[si] = snapshot;
    }

    /// Subtask `s` was restarted: it runs again.
    pub fn task_restarted(&mut self, s: u32) {
        self.coordinator.task_restarted(s);
        if let Some(slot) = self.finished_snapshots.get_mut(s as usize) {
            *slot = None;
        }
    }

    /// A completed checkpoint reports its finished tasks with the state they finished with.
    pub fn add_finished_tasks(&self, point: &mut RestorePoint) {
        fill_finished(&self.finished_snapshots, point);
    }

    /// `CheckpointPlan`: the tasks finished when `checkpoint` is triggered are in it with the
    /// state they finished with (`FullyFinishedOperatorState`), whatever happens to them before
    /// it completes. A task restarted by a failure in between (its TaskManager lost) must not
    /// take its final state out of the checkpoint it was planned into: restored from it, the
    /// task would start over and its records would be committed twice.
    pub fn plan_finished_tasks(&mut self, checkpoint: CheckpointId, subtasks: usize) {
        if self.finished_snapshots.iter().all(Option::is_none) {
            return; // nothing finished (or no restore points kept): no pending point to open
        }
        let point = self.store.pending_mut(checkpoint);
        if point.tasks.is_empty() {
            point.tasks = vec![None; subtasks];
        }
        fill_finished(&self.finished_snapshots, point);
    }

    /// Subtask `s` acknowledged `checkpoint`: its shared files (incremental SSTs, as (id,
    /// bytes)) and the bytes only this checkpoint holds are registered (`registerSharedStates`).
    pub fn register_checkpoint_files(
        &mut self,
        checkpoint: CheckpointId,
        s: u32,
        shared: &[(u64, u64)],
        private_bytes: u64,
    ) {
        let mut files: Vec<(u64, u64)> = shared.iter().map(|(id, b)| (((s as u64) << 40) | id, *b)).collect();
        if private_bytes > 0 {
            files.push((self.next_private_file, private_bytes));
            self.next_private_file += 1;
        }
        self.storage_files.add_files(checkpoint, files);
    }

    /// The store discarded `checkpoint` (subsumed beyond `num-retained`) or it failed: it can
    /// no longer be restored, and its files no other checkpoint refers to are deleted.
    pub fn discard_checkpoint(&mut self, checkpoint: CheckpointId) {
        self.store.discard_completed(checkpoint);
        self.storage_files.checkpoint_discarded(checkpoint);
    }

    /// Bytes in checkpoint storage held by the retained and pending checkpoints.
    pub fn retained_checkpoint_bytes(&self) -> u64 {
        self.storage_files.stored_bytes()
    }

    /// Completed checkpoints the store retains (restorable), oldest first.
    pub fn retained_checkpoints(&self) -> Vec<CheckpointId> {
        self.coordinator.completed_checkpoints().map(|c| c.id).collect()
    }

    /// Completed checkpoints whose restore points the store holds (restore points are kept
    /// only when something can fail), oldest first.
    pub fn restorable_checkpoints(&self) -> Vec<CheckpointId> {
        self.store.retained().collect()
    }

    pub fn is_pending(&self, checkpoint: CheckpointId) -> bool {
        self.coordinator.is_pending(checkpoint)
    }

    /// `num-retained`.
    pub fn num_retained(&self) -> u32 {
        self.coordinator.config().num_retained
    }

    /// Every task finished: the job is FINISHED and the coordinator shuts down.
    pub fn job_finished(&mut self, now: SimTime) -> Actions {
        let mut out = Vec::new();
        if self.job_finished_at.is_none() {
            self.job_finished_at = Some(now);
            self.coordinator.shutdown(now, &mut out);
        }
        out
    }

    pub fn job_finished_at(&self) -> Option<SimTime> {
        self.job_finished_at
    }

    /// Whether `checkpoint` is the savepoint that just completed.
    pub fn is_completed_savepoint(&self, checkpoint: CheckpointId) -> bool {
        self.coordinator.completed_savepoints().last() == Some(&checkpoint)
    }

    // ---- restore points ----

    pub fn captures_snapshots(&self) -> bool {
        self.capture_snapshots
    }

    /// A fault is planned: from now on restore points are needed.
    pub fn capture_snapshots(&mut self) {
        self.capture_snapshots = true;
    }

    /// The restore point a pending checkpoint collects, sized for `subtasks` on first use.
    pub fn restore_point_mut(&mut self, checkpoint: CheckpointId, subtasks: usize) -> &mut RestorePoint {
        let point = self.store.pending_mut(checkpoint);
        if point.tasks.is_empty() {
            point.tasks = vec![None; subtasks];
        }
        point
    }

    pub fn discard_restore_point(&mut self, checkpoint: CheckpointId) {
        self.store.discard_pending(checkpoint);
    }

    /// A checkpoint completed: its restore point, to check before [`JobManager::keep_completed`].
    pub fn take_completing(&mut self, checkpoint: CheckpointId) -> Option<RestorePoint> {
        self.store.take_completing(checkpoint)
    }

    /// A savepoint completed: its restore point, to check; it is never restored.
    pub fn take_savepoint_point(&mut self, savepoint: CheckpointId) -> Option<RestorePoint> {
        self.store.take_savepoint(savepoint)
    }

    pub fn keep_completed(&mut self, checkpoint: CheckpointId, point: RestorePoint) {
        self.store.add_completed(checkpoint, point);
    }

    /// The restore points of the retained completed checkpoints (what a restore can reach).
    pub fn retained_points(&self) -> impl Iterator<Item = &RestorePoint> + '_ {
        self.store
            .retained()
            .filter_map(|id| self.store.restore_point(Some(id)))
    }

    /// `restoreLatestCheckpointedState`: the latest completed checkpoint and its restore point.
    pub fn restore_latest(&self) -> (Option<CompletedCheckpoint>, Option<RestorePoint>) {
        let latest = self.latest_completed();
        let point = self.store.restore_point(latest.map(|c| c.id)).cloned();
        (latest, point)
    }
}

/// Puts each finished task's final state into the point's empty slots.
fn fill_finished(finished: &[Option<RestorePointTask>], point: &mut RestorePoint) {
    for (s, snap) in finished.iter().enumerate() {
        if let (Some(snap), Some(slot)) = (snap, point.tasks.get_mut(s))
            && slot.is_none()
        {
            *slot = Some(snap.clone());
        }
    }
}
