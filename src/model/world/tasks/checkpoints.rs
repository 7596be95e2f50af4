//! The tasks' checkpoint side: each task's subtask checkpoint coordinator
//! (`protocol::subtask`), the checkpoints it has started and not yet acknowledged, and what the
//! JobManager's notifications do to its backend and its sink.

use super::Tasks;
use crate::ids::CheckpointId;
use crate::model::task::SubtaskCheckpoint;
use crate::protocol::CheckpointBarrier;
use crate::protocol::subtask::SubtaskAction;
use crate::protocol::two_phase_commit::TransactionAction;
use crate::vocab::DeliveryGuarantee;

impl Tasks {
    /// `checkpointState` at task `s`: what its subtask coordinator does for `barrier`.
    #[inline]
    pub fn checkpoint_state(&mut self, s: u32, barrier: CheckpointBarrier) -> Vec<SubtaskAction> {
        let mut out = Vec::new();
        self.tasks[s as usize].coordinator.checkpoint_state(barrier, &mut out);
        out
    }

    /// The barrier handler aborted `checkpoint` at task `s`: its channel state (of this or an
    /// earlier checkpoint) goes.
    #[inline]
    pub fn drop_channel_state_up_to(&mut self, s: u32, checkpoint: CheckpointId) {
        let t = &mut self.tasks[s as usize];
        if t.channel_state.as_ref().is_some_and(|a| a.checkpoint <= checkpoint) {
            t.channel_state = None;
        }
    }

    /// `abortCheckpointOnBarrier` at task `s`: what its subtask coordinator does.
    #[inline]
    pub fn abort_checkpoint_on_barrier(&mut self, s: u32, checkpoint: CheckpointId) -> Vec<SubtaskAction> {
        let mut out = Vec::new();
        self.tasks[s as usize]
            .coordinator
            .abort_checkpoint_on_barrier(checkpoint, &mut out);
        out
    }

    /// Whether the asynchronous part of `checkpoint` runs at task `s`.
    #[inline]
    pub fn is_async_running(&self, s: u32, checkpoint: CheckpointId) -> bool {
        self.tasks[s as usize].coordinator.is_async_running(checkpoint)
    }

    /// Task `s` forgets `checkpoint` (it will not acknowledge it).
    #[inline]
    pub fn forget_checkpoint(&mut self, s: u32, checkpoint: CheckpointId) {
        self.tasks[s as usize].checkpoints.retain(|c| c.id != checkpoint);
    }

    /// The asynchronous part of `checkpoint` ends at task `s` without an acknowledgement (it
    /// failed): whether it was running (then the task forgets the checkpoint).
    #[inline]
    pub fn fail_async(&mut self, s: u32, checkpoint: CheckpointId) -> bool {
        let t = &mut self.tasks[s as usize];
        if !t.coordinator.finish_async(checkpoint) {
            return false;
        }
        t.checkpoints.retain(|c| c.id != checkpoint);
        true
    }

    /// The storage requests of checkpoint `checkpoint`'s upload at task `s` still in flight.
    pub fn uploads_in_flight(&self, s: u32, checkpoint: CheckpointId) -> Vec<u32> {
        self.tasks[s as usize]
            .checkpoints
            .iter()
            .filter(|c| c.id == checkpoint)
            .flat_map(|c| c.uploads.iter().copied())
            .collect()
    }

    /// Checkpoint `checkpoint` in progress at task `s`, if it is.
    #[inline]
    pub fn checkpoint_mut(&mut self, s: u32, checkpoint: CheckpointId) -> Option<&mut SubtaskCheckpoint> {
        self.tasks[s as usize]
            .checkpoints
            .iter_mut()
            .find(|c| c.id == checkpoint)
    }

    /// The JobManager received task `s`'s acknowledgement of `checkpoint`: the task no longer
    /// holds it. What it acknowledged, if it still held it.
    #[inline]
    pub fn take_acknowledged(&mut self, s: u32, checkpoint: CheckpointId) -> Option<SubtaskCheckpoint> {
        let t = &mut self.tasks[s as usize];
        let pos = t.checkpoints.iter().position(|c| c.id == checkpoint)?;
        Some(t.checkpoints.swap_remove(pos))
    }

    /// Changelog: log bytes a recovery from `checkpoint` replays at task `s`, if recorded.
    #[inline]
    pub fn changelog_replay_bytes(&self, s: u32, checkpoint: CheckpointId) -> Option<u64> {
        self.tasks[s as usize].changelog_replay_bytes.get(&checkpoint).copied()
    }

    /// Files (id, bytes) of `checkpoint` at task `s` shared with earlier checkpoints
    /// (incremental backends).
    #[inline]
    pub fn shared_files(&self, s: u32, checkpoint: CheckpointId) -> Vec<(u64, u64)> {
        self.tasks[s as usize]
            .backend
            .as_ref()
            .and_then(|b| b.as_incremental())
            .and_then(|b| b.referenced_files(checkpoint))
            .map(|fs| fs.iter().filter(|f| f.shared).map(|f| (f.id, f.bytes)).collect())
            .unwrap_or_default()
    }

    /// `notifyCheckpointComplete` / `notifyCheckpointAborted` reaches task `s`'s backend.
    #[inline]
    pub fn notify_backend(&mut self, s: u32, checkpoint: CheckpointId, complete: bool) {
        if let Some(b) = self.tasks[s as usize].backend.as_mut() {
            if complete {
                b.notify_checkpoint_complete(checkpoint);
            } else {
                b.notify_checkpoint_aborted(checkpoint);
            }
        }
    }

    /// `notifyCheckpointComplete` at task `s`: its coordinator, then an exactly-once sink
    /// commits. The sink's transaction actions and the arrival times of the records that
    /// became visible, if it is one.
    pub fn notify_complete(&mut self, s: u32, checkpoint: CheckpointId) -> Option<(Vec<TransactionAction>, Vec<u64>)> {
        let t = &mut self.tasks[s as usize];
        t.coordinator.notify_checkpoint_complete(checkpoint);
        let sink = t
            .sink
            .as_mut()
            .filter(|k| k.guarantee == DeliveryGuarantee::ExactlyOnce)?;
        let mut actions = Vec::new();
        sink.txn.notify_checkpoint_complete(checkpoint, &mut actions);
        let committed: Vec<u64> = sink
            .pending_origins_ns
            .range(..=checkpoint)
            .flat_map(|(_, v)| v.iter().copied())
            .collect();
        sink.pending_origins_ns.retain(|c, _| *c > checkpoint);
        Some((actions, committed))
    }

    /// `notifyCheckpointAborted` at task `s`. If the asynchronous part was running and the task
    /// holds the checkpoint, the storage requests to cancel (its upload's files in flight,
    /// then its channel-state write); the task forgets the checkpoint unless it is in its synchronous phase.
    pub fn notify_aborted(&mut self, s: u32, checkpoint: CheckpointId) -> Option<Vec<u32>> {
        let t = &mut self.tasks[s as usize];
        if !t.coordinator.notify_checkpoint_aborted(checkpoint) {
            return None;
        }
        let pos = t.checkpoints.iter().position(|c| c.id == checkpoint)?;
        let c = &mut t.checkpoints[pos];
        let mut running = std::mem::take(&mut c.uploads);
        running.extend(c.progress.channel_write());
        if t.sync_checkpoint != Some(checkpoint) {
            t.checkpoints.swap_remove(pos);
        }
        Some(running)
    }
}
