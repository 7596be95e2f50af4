//! `CheckpointFailureManager`: counts consecutive checkpoint failures of the reasons Flink counts
//! and fails the job once the count exceeds `tolerable-failed-checkpoints`.

use std::collections::BTreeSet;

use crate::ids::CheckpointId;
use crate::protocol::types::CheckpointFailureReason;

#[derive(Clone, Debug)]
pub struct CheckpointFailureManager {
    tolerable_failures: u32,
    continuous_failure_counter: u32,
    /// Ids already counted (a checkpoint is counted once however many tasks decline it).
    counted_ids: BTreeSet<CheckpointId>,
    last_succeeded_id: CheckpointId,
}

impl CheckpointFailureManager {
    pub fn new(tolerable_failures: u32) -> Self {
        CheckpointFailureManager {
            tolerable_failures,
            continuous_failure_counter: 0,
            counted_ids: BTreeSet::new(),
            last_succeeded_id: 0,
        }
    }

    pub fn continuous_failures(&self) -> u32 {
        self.continuous_failure_counter
    }

    /// Records a failed checkpoint. Returns true when the job must fail over
    /// (`EXCEEDED_CHECKPOINT_TOLERABLE_FAILURE_MESSAGE`).
    pub fn handle_checkpoint_failure(&mut self, id: CheckpointId, reason: CheckpointFailureReason) -> bool {
        if !reason.is_counted() || id <= self.last_succeeded_id {
            return false;
        }
        if self.counted_ids.insert(id) {
            self.continuous_failure_counter += 1;
        }
        if self.continuous_failure_counter > self.tolerable_failures {
            // `checkFailureAgainstCounter` calls `clearCount()` before failing the job over:
            // the failover starts the count afresh.
            self.clear_count();
            return true;
        }
        false
    }

    /// `clearCount`: forget every counted failure.
    fn clear_count(&mut self) {
        self.continuous_failure_counter = 0;
        self.counted_ids.clear();
    }

    /// A completed checkpoint resets the count (only a newer one than the counted failures).
    pub fn handle_checkpoint_success(&mut self, id: CheckpointId) {
        self.last_succeeded_id = self.last_succeeded_id.max(id);
        self.counted_ids.retain(|c| *c > id);
        self.continuous_failure_counter = self.counted_ids.len() as u32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CheckpointFailureReason::*;

    #[test]
    fn only_counted_reasons_count_and_once_per_checkpoint() {
        let mut m = CheckpointFailureManager::new(1);
        assert!(!m.handle_checkpoint_failure(1, CheckpointSubsumed));
        assert!(!m.handle_checkpoint_failure(1, MinimumTimeBetweenCheckpoints));
        assert!(!m.handle_checkpoint_failure(1, CheckpointExpired));
        assert!(
            !m.handle_checkpoint_failure(1, CheckpointDeclined),
            "same id counts once"
        );
        assert_eq!(m.continuous_failures(), 1);
        assert!(m.handle_checkpoint_failure(2, CheckpointExpired), "2 > tolerable 1");
    }

    #[test]
    fn exceeding_the_tolerance_clears_the_count_as_the_failover_does() {
        let mut m = CheckpointFailureManager::new(1);
        assert!(!m.handle_checkpoint_failure(1, CheckpointExpired));
        assert!(m.handle_checkpoint_failure(2, CheckpointExpired), "2 > tolerable 1");
        assert_eq!(m.continuous_failures(), 0, "clearCount() before the failover");
        assert!(
            !m.handle_checkpoint_failure(3, CheckpointExpired),
            "counting starts afresh"
        );
        assert!(m.handle_checkpoint_failure(4, CheckpointExpired));
    }

    #[test]
    fn a_later_success_resets_the_counter() {
        let mut m = CheckpointFailureManager::new(0);
        m.handle_checkpoint_success(3);
        assert!(
            !m.handle_checkpoint_failure(2, CheckpointExpired),
            "older than the last success"
        );
        assert!(m.handle_checkpoint_failure(4, CheckpointExpired));
        m.handle_checkpoint_success(5);
        assert_eq!(m.continuous_failures(), 0);
    }
}
