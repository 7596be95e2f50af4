//! The external system a two-phase-commit sink writes to (Kafka, a file system): part of the
//! simulated environment, not of the protocol. It outlives every failure of the job and applies
//! the sink's commits and aborts idempotently by transaction id, since Flink's notifications are
//! best effort and a restored sink commits again what may already be committed.

use std::collections::BTreeSet;

use crate::protocol::two_phase_commit::{RecordId, TransactionAction, TransactionId};

/// What happened when the external system applied an action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applied<'a> {
    /// The transaction's records are visible now, in this order.
    Committed(&'a [RecordId]),
    /// Committed earlier, or aborted earlier: nothing changes (idempotent commit).
    AlreadyFinished,
    Aborted,
}

/// The external system's side: which transactions are committed or aborted, and the visible
/// output in commit order. Survives every failure of the job.
#[derive(Clone, Debug, Default)]
pub struct ExternalTransactionLog {
    committed: BTreeSet<TransactionId>,
    aborted: BTreeSet<TransactionId>,
    visible: Vec<RecordId>,
    /// Whether `visible` is kept (for the exactly-once checker); without it only the
    /// transactions' fates are, and memory does not grow with the output.
    keep_visible: bool,
}

impl ExternalTransactionLog {
    /// A log that keeps every committed record, in commit order.
    pub fn new() -> Self {
        Self::keeping_visible(true)
    }

    /// A log that keeps the committed records only if `keep`.
    pub fn keeping_visible(keep: bool) -> Self {
        ExternalTransactionLog {
            keep_visible: keep,
            ..Self::default()
        }
    }

    pub fn apply(&mut self, action: &TransactionAction) -> Applied<'_> {
        match action {
            TransactionAction::Commit { transaction, .. } => {
                if self.committed.contains(&transaction.id) || self.aborted.contains(&transaction.id) {
                    return Applied::AlreadyFinished;
                }
                self.committed.insert(transaction.id);
                let start = self.visible.len();
                if self.keep_visible {
                    self.visible.extend_from_slice(&transaction.records);
                }
                Applied::Committed(&self.visible[start..])
            }
            TransactionAction::Abort { transaction } => {
                if self.committed.contains(transaction) || !self.aborted.insert(*transaction) {
                    return Applied::AlreadyFinished;
                }
                Applied::Aborted
            }
        }
    }

    /// A write outside any transaction (an at-least-once sink): visible at once.
    pub fn write(&mut self, id: RecordId) {
        if self.keep_visible {
            self.visible.push(id);
        }
    }

    /// Every committed record, in commit order (what a consumer with `read_committed` sees);
    /// `None` when the log does not keep them.
    pub fn visible(&self) -> Option<&[RecordId]> {
        self.keep_visible.then_some(self.visible.as_slice())
    }

    pub fn is_committed(&self, id: TransactionId) -> bool {
        self.committed.contains(&id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::two_phase_commit::{Transaction, TwoPhaseCommitError, TwoPhaseCommitSink};

    fn apply_all(log: &mut ExternalTransactionLog, out: &mut Vec<TransactionAction>) -> Vec<RecordId> {
        let mut newly = Vec::new();
        for a in out.drain(..) {
            if let Applied::Committed(r) = log.apply(&a) {
                newly.extend_from_slice(r);
            }
        }
        newly
    }

    /// The checkpoint id of each action (0 for an abort).
    fn commit_ids(out: &[TransactionAction]) -> Vec<crate::ids::CheckpointId> {
        out.iter()
            .map(|a| match a {
                TransactionAction::Commit { checkpoint, .. } => *checkpoint,
                TransactionAction::Abort { .. } => 0,
            })
            .collect()
    }

    #[test]
    fn output_becomes_visible_only_on_checkpoint_completion() {
        let mut sink = TwoPhaseCommitSink::new(0, 0);
        let mut log = ExternalTransactionLog::new();
        let mut out = Vec::new();
        sink.invoke(1);
        sink.invoke(2);
        sink.snapshot_state(1).unwrap();
        sink.invoke(3);
        assert!(log.visible().unwrap().is_empty(), "pre-committed is not visible");
        sink.notify_checkpoint_complete(1, &mut out);
        assert_eq!(apply_all(&mut log, &mut out), vec![1, 2]);
        assert_eq!(log.visible().unwrap(), &[1, 2], "record 3 is in the open transaction");
    }

    /// Without periodic checkpoints the end of input commits everything (`CommitterOperator`:
    /// "there will be no final checkpoint"): a savepoint's pre-committed transaction first, then
    /// the open one, under the id after the last snapshot.
    #[test]
    fn end_of_input_without_checkpoints_commits_everything_in_order() {
        let mut sink = TwoPhaseCommitSink::new(0, 0);
        let mut log = ExternalTransactionLog::new();
        let mut out = Vec::new();
        sink.invoke(1);
        sink.snapshot_state(1).unwrap(); // a savepoint: pre-committed, never notified
        sink.invoke(2);
        sink.invoke(3);
        sink.commit_at_end_of_input(&mut out).unwrap();
        let checkpoints = commit_ids(&out);
        assert_eq!(checkpoints, vec![1, 2]);
        assert_eq!(apply_all(&mut log, &mut out), vec![1, 2, 3]);
        assert_eq!(sink.pending_commits().count(), 0);
    }

    /// TwoPhaseCommitSinkFunction: "commit all pending transactions ≤ id" — an aborted
    /// checkpoint's transaction is committed with the next completed one.
    #[test]
    fn aborted_checkpoint_transaction_commits_with_the_next_completion() {
        let mut sink = TwoPhaseCommitSink::new(0, 0);
        let mut log = ExternalTransactionLog::new();
        let mut out = Vec::new();
        sink.invoke(1);
        sink.snapshot_state(1).unwrap();
        sink.notify_checkpoint_aborted(1);
        sink.invoke(2);
        sink.snapshot_state(2).unwrap();
        sink.invoke(3);
        sink.snapshot_state(3).unwrap();
        sink.notify_checkpoint_complete(2, &mut out);
        let checkpoints = commit_ids(&out);
        assert_eq!(checkpoints, vec![1, 2], "in order, up to 2");
        assert_eq!(apply_all(&mut log, &mut out), vec![1, 2]);
        sink.notify_checkpoint_complete(2, &mut out);
        assert!(out.is_empty(), "a repeated notification commits nothing");
        assert_eq!(sink.pending_commits().map(|(c, _)| c).collect::<Vec<_>>(), vec![3]);
    }

    /// Notification lost with the failure: the restored sink re-commits; the commit of a
    /// transaction already committed is ignored; the open transaction is aborted.
    #[test]
    fn restore_recommits_pending_idempotently_and_aborts_the_open_one() {
        let mut sink = TwoPhaseCommitSink::new(4, 0);
        let mut log = ExternalTransactionLog::new();
        let mut out = Vec::new();
        sink.invoke(10);
        sink.snapshot_state(1).unwrap();
        sink.invoke(11);
        let state2 = sink.snapshot_state(2).unwrap();
        sink.notify_checkpoint_complete(1, &mut out); // notification for 2 is lost
        apply_all(&mut log, &mut out);
        sink.invoke(12); // after checkpoint 2: replayed after the restore
        sink.snapshot_state(3).unwrap(); // checkpoint 3 never completes
        // The task fails; restore from checkpoint 2, whose state still lists checkpoint 1's transaction.
        assert_eq!(state2.pending_commit_transactions.len(), 2);
        let restored = TwoPhaseCommitSink::restore(4, 1, &state2, &mut out);
        assert!(matches!(out.last(), Some(TransactionAction::Abort { .. })));
        assert_eq!(apply_all(&mut log, &mut out), vec![11], "10 was committed already");
        assert_eq!(log.visible().unwrap(), &[10, 11]);
        assert_ne!(restored.current_transaction(), state2.pending_transaction.unwrap());
        assert_eq!(restored.current_transaction().attempt, 1);
    }

    #[test]
    fn an_aborted_transaction_never_becomes_visible() {
        let mut log = ExternalTransactionLog::new();
        let id = TransactionId {
            subtask: 0,
            attempt: 0,
            seq: 5,
        };
        assert_eq!(
            log.apply(&TransactionAction::Abort { transaction: id }),
            Applied::Aborted
        );
        let commit = TransactionAction::Commit {
            checkpoint: 1,
            transaction: Transaction { id, records: vec![1] },
        };
        assert_eq!(log.apply(&commit), Applied::AlreadyFinished);
        assert!(log.visible().unwrap().is_empty());
    }

    #[test]
    fn snapshots_out_of_order_are_errors() {
        let mut sink = TwoPhaseCommitSink::new(2, 0);
        sink.snapshot_state(3).unwrap();
        assert_eq!(
            sink.snapshot_state(3),
            Err(TwoPhaseCommitError::CheckpointOutOfOrder {
                subtask: 2,
                checkpoint: 3,
                last: 3
            })
        );
    }
}
