//! The JobManager's store of restore points: Flink's `CompletedCheckpointStore` and the choice
//! `CheckpointCoordinator.restoreLatestCheckpointedState` makes from it.
//!
//! What a restore point holds is the caller's business (the simulator keeps each subtask's
//! snapshot and the persisted channel state); the store decides which ones exist. Snapshots
//! accumulate under a pending checkpoint while its subtasks take them; a checkpoint that
//! completes becomes the latest restore point and subsumes the older pending ones; the
//! completed ones beyond `state.checkpoints.num-retained` (default 1) are discarded when the
//! coordinator subsumes them (`addCheckpointAndSubsumeOldestOne`); a checkpoint that fails drops
//! its snapshots. A restore reads a retained checkpoint's point, the latest one on failover.

use std::collections::BTreeMap;

use crate::ids::CheckpointId;

#[derive(Clone, Debug)]
pub struct CompletedCheckpointStore<P> {
    pending: BTreeMap<CheckpointId, P>,
    completed: BTreeMap<CheckpointId, P>,
}

impl<P> Default for CompletedCheckpointStore<P> {
    fn default() -> Self {
        CompletedCheckpointStore {
            pending: BTreeMap::new(),
            completed: BTreeMap::new(),
        }
    }
}

impl<P: Default> CompletedCheckpointStore<P> {
    /// The restore point a pending checkpoint is collecting, created empty on first use.
    pub fn pending_mut(&mut self, checkpoint: CheckpointId) -> &mut P {
        self.pending.entry(checkpoint).or_default()
    }
}

impl<P> CompletedCheckpointStore<P> {
    /// A checkpoint failed or was aborted: its snapshots can never be restored.
    pub fn discard_pending(&mut self, checkpoint: CheckpointId) {
        self.pending.remove(&checkpoint);
    }

    /// A checkpoint completed: hands over what its subtasks collected, for the caller to check
    /// before [`CompletedCheckpointStore::add_completed`] keeps it. Pending checkpoints up to
    /// this one are subsumed either way.
    pub fn take_completing(&mut self, checkpoint: CheckpointId) -> Option<P> {
        let point = self.pending.remove(&checkpoint);
        self.pending.retain(|id, _| *id > checkpoint);
        point
    }

    /// A savepoint completed: what its subtasks collected, to check. A savepoint never enters the
    /// store (a failover never restores it), and it subsumes no pending checkpoint.
    pub fn take_savepoint(&mut self, savepoint: CheckpointId) -> Option<P> {
        self.pending.remove(&savepoint)
    }

    /// `addCheckpointAndSubsumeOldestOne`: the new restore point joins the retained ones; the
    /// oldest leaves through [`CompletedCheckpointStore::discard_completed`].
    pub fn add_completed(&mut self, checkpoint: CheckpointId, point: P) {
        self.completed.insert(checkpoint, point);
    }

    /// A completed checkpoint was subsumed beyond `num-retained`: it can no longer be restored.
    pub fn discard_completed(&mut self, checkpoint: CheckpointId) {
        self.completed.remove(&checkpoint);
    }

    /// `restoreLatestCheckpointedState` (or a restore from a chosen retained checkpoint): the
    /// restore point of that checkpoint, if the store still retains it.
    pub fn restore_point(&self, checkpoint: Option<CheckpointId>) -> Option<&P> {
        checkpoint.and_then(|id| self.completed.get(&id))
    }

    /// The retained completed checkpoints, oldest first.
    pub fn retained(&self) -> impl Iterator<Item = CheckpointId> + '_ {
        self.completed.keys().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::CompletedCheckpointStore;

    #[test]
    fn a_completed_checkpoint_subsumes_older_pending_and_completed_ones() {
        let mut store: CompletedCheckpointStore<Vec<u32>> = CompletedCheckpointStore::default();
        store.pending_mut(1).push(10);
        store.pending_mut(2).push(20);
        store.pending_mut(3).push(30);
        let one = store.take_completing(1).expect("pending");
        store.add_completed(1, one);
        assert_eq!(store.restore_point(Some(1)), Some(&vec![10]));
        // Checkpoint 3 completes before 2: 2 is subsumed and can no longer complete.
        let three = store.take_completing(3).expect("pending");
        store.add_completed(3, three);
        store.discard_completed(1); // the coordinator subsumes it (one retained checkpoint)
        assert_eq!(store.take_completing(2), None);
        assert_eq!(store.restore_point(Some(1)), None, "one retained checkpoint");
        assert_eq!(store.restore_point(Some(3)), Some(&vec![30]));
    }

    /// `state.checkpoints.num-retained` = 2: the two latest completed checkpoints can be
    /// restored, the one the coordinator subsumed cannot.
    #[test]
    fn num_retained_bounds_restorable_checkpoints() {
        let mut store: CompletedCheckpointStore<Vec<u32>> = CompletedCheckpointStore::default();
        for id in 1..=3 {
            store.pending_mut(id).push(id as u32 * 10);
            let point = store.take_completing(id).expect("pending");
            store.add_completed(id, point);
        }
        store.discard_completed(1);
        assert_eq!(store.restore_point(Some(1)), None, "subsumed");
        assert_eq!(store.restore_point(Some(2)), Some(&vec![20]), "retained");
        assert_eq!(store.restore_point(Some(3)), Some(&vec![30]));
        assert_eq!(store.retained().collect::<Vec<_>>(), vec![2, 3]);
    }

    #[test]
    fn a_failed_checkpoint_leaves_nothing_to_restore_and_no_checkpoint_restores_nothing() {
        let mut store: CompletedCheckpointStore<Vec<u32>> = CompletedCheckpointStore::default();
        store.pending_mut(1).push(10);
        store.discard_pending(1);
        assert_eq!(store.take_completing(1), None);
        assert_eq!(store.restore_point(None), None);
        assert_eq!(store.restore_point(Some(1)), None);
    }
}
