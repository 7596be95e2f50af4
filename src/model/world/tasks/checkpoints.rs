//! The tasks' checkpoint side: each task's subtask checkpoint coordinator
//! (`protocol::subtask`), the checkpoints it has started and not yet acknowledged, and what the
//! JobManager's notifications do to its backend and its sink.

use super::Tasks;
use crate::ids::CheckpointId;
use crate::model::arrival_log::ArrivalLog;
use crate::model::graph::Vertex;
use crate::model::task::SubtaskCheckpoint;
use crate::protocol::CheckpointBarrier;
use crate::protocol::subtask::SubtaskAction;
use crate::protocol::two_phase_commit::{TransactionAction, TwoPhaseCommitSinkState};
use crate::time::SimTime;
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

    /// Task `s` started `checkpoint` (its synchronous part): it holds it until it acknowledges.
    #[inline]
    pub fn start_checkpoint(&mut self, s: u32, checkpoint: SubtaskCheckpoint) {
        self.tasks[s as usize].checkpoints.push(checkpoint);
    }

    /// The synchronous part's own time at task `s` (drawn from the task's stream), before the
    /// backend's.
    #[inline]
    pub fn draw_sync_time_ns(&mut self, s: u32, vertex: &Vertex) -> u64 {
        vertex.sync_time_ns(&mut self.tasks[s as usize].rng)
    }

    /// Two-phase commit at task `s` in the sync phase of `checkpoint`: an exactly-once sink
    /// pre-commits its open transaction; its state then, if it is one. (An at-least-once
    /// writer flushes what it has pending here (`SinkWriter.flush`); the model's writes are
    /// visible at once, so nothing is pending. A discarding sink keeps nothing.)
    pub fn pre_commit_sink(&mut self, s: u32, checkpoint: CheckpointId) -> Option<TwoPhaseCommitSinkState> {
        self.tasks[s as usize]
            .sink
            .as_mut()
            .filter(|sink| sink.guarantee == DeliveryGuarantee::ExactlyOnce)
            .map(|sink| {
                let origins = std::mem::take(&mut sink.open_origins_ns);
                sink.pending_origins_ns.insert(checkpoint, origins);
                sink.txn
                    .snapshot_state(checkpoint)
                    .expect("checkpoint ids grow at a subtask")
            })
    }

    /// Where task `s`'s part of its writer's shared channel-state file of `checkpoint` is, if
    /// the checkpoint is in progress there and waits for that file.
    pub fn shared_file_part(&self, s: u32, checkpoint: CheckpointId) -> Option<SharedFilePart> {
        let c = self.tasks[s as usize].checkpoints.iter().find(|c| c.id == checkpoint)?;
        c.progress.waits_for_shared_file().then(|| SharedFilePart {
            handed_over: c.progress.channel_state_handed_over(),
            timeoutable: c.barrier.options.is_timeoutable(),
        })
    }

    /// Task `s` starts its asynchronous part of `checkpoint` at `now`: whether the snapshot
    /// thread has CPU work to do before the upload (`None`: the checkpoint is gone).
    pub fn start_async(&mut self, s: u32, checkpoint: CheckpointId, now: SimTime) -> Option<bool> {
        let c = self.checkpoint_mut(s, checkpoint)?;
        c.progress.start_async(now);
        Some(c.async_cpu_left_ns > 0)
    }

    /// Task `s`'s state snapshot of `checkpoint` waits for its channel state: whether it is held
    /// back (the channel state is not complete yet).
    pub fn hold_state_for_channel_state(&mut self, s: u32, checkpoint: CheckpointId) -> bool {
        self.checkpoint_mut(s, checkpoint)
            .is_some_and(|c| c.progress.hold_state_for_channel_state())
    }

    /// Task `s`'s held state snapshot of `checkpoint` may run now (its channel state is
    /// complete): whether it serializes first, as [`Self::start_async`] says. Once.
    pub fn release_held_state(&mut self, s: u32, checkpoint: CheckpointId) -> Option<bool> {
        let c = self.checkpoint_mut(s, checkpoint)?;
        c.progress.release_held_state().then_some(c.async_cpu_left_ns > 0)
    }

    /// CPU the snapshot thread of task `s` has still to spend on `checkpoint` before the
    /// upload (`None`: the checkpoint is gone).
    #[inline]
    pub fn snapshot_cpu_left_ns(&self, s: u32, checkpoint: CheckpointId) -> Option<u64> {
        let c = self.tasks[s as usize].checkpoints.iter().find(|c| c.id == checkpoint)?;
        Some(c.async_cpu_left_ns)
    }

    /// The snapshot thread of task `s` takes the next chunk of `checkpoint`'s serialization,
    /// at most `quantum_ns` of CPU (`None`: the checkpoint is gone).
    pub fn take_snapshot_chunk_ns(&mut self, s: u32, checkpoint: CheckpointId, quantum_ns: u64) -> Option<u64> {
        let c = self.checkpoint_mut(s, checkpoint)?;
        let chunk = c.async_cpu_left_ns.min(quantum_ns);
        c.async_cpu_left_ns -= chunk;
        Some(chunk)
    }

    /// Every storage request of task `s`'s uploads in flight, of all its checkpoints.
    pub fn all_uploads_in_flight(&self, s: u32) -> Vec<u32> {
        self.tasks[s as usize]
            .checkpoints
            .iter()
            .flat_map(|c| c.uploads.iter().copied())
            .collect()
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
    /// became visible (per transaction, oldest first), if it is one.
    pub fn notify_complete(
        &mut self,
        s: u32,
        checkpoint: CheckpointId,
    ) -> Option<(Vec<TransactionAction>, Vec<ArrivalLog>)> {
        let t = &mut self.tasks[s as usize];
        t.coordinator.notify_checkpoint_complete(checkpoint);
        let sink = t
            .sink
            .as_mut()
            .filter(|k| k.guarantee == DeliveryGuarantee::ExactlyOnce)?;
        let mut actions = Vec::new();
        sink.txn.notify_checkpoint_complete(checkpoint, &mut actions);
        // The transactions up to `checkpoint` leave the map as they are (one, unless a
        // notification was lost): no copy of an interval's records.
        let later = sink.pending_origins_ns.split_off(&(checkpoint + 1));
        let committed = std::mem::replace(&mut sink.pending_origins_ns, later)
            .into_values()
            .collect();
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

/// Where a task's part of its writer's shared channel-state file is.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SharedFilePart {
    /// All its channel state was handed over to the writer.
    pub handed_over: bool,
    /// The barrier is timeoutable: the part is complete only once it left every output.
    pub timeoutable: bool,
}
