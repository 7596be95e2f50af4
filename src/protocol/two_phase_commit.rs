//! `TwoPhaseCommitSinkFunction` (and the Sink V2 `CommitterOperator`, which has the same
//! checkpoint contract): one transaction per checkpoint, pre-committed in the snapshot,
//! committed on `notifyCheckpointComplete`, recovered and committed (or aborted) on restore.
//!
//! The sink lives in a task and dies with it; the external system (Kafka, a file system) does
//! not. So every effect on the external system is a [`TransactionAction`] in the outbox, and the
//! external system ([`ExternalTransactionLog`]) applies commits idempotently by transaction id:
//! Flink's notifications are best-effort and a restore re-commits what may already be committed.
//!
//! The records of a transaction are kept in the transaction itself (as a file sink's part file
//! would hold them), so the snapshot state carries them and a restored sink can commit them.

use std::collections::{BTreeMap, BTreeSet};

use crate::ids::CheckpointId;

/// A record as the sink sees it: the world's unique id for one input record's effect.
pub type RecordId = u64;

/// Unique across restarts: `attempt` is the world's restore counter for the sink subtask, so a
/// transaction begun after a restore never reuses the id of one begun before the failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TransactionId {
    pub subtask: u32,
    pub attempt: u32,
    pub seq: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    pub id: TransactionId,
    /// Written by `invoke`, in order.
    pub records: Vec<RecordId>,
}

/// `TwoPhaseCommitSinkFunction.State`: what the world stores with the checkpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TwoPhaseCommitSinkState {
    /// The transaction opened right after the pre-commit; aborted on restore.
    pub pending_transaction: Option<TransactionId>,
    /// Pre-committed transactions not yet known to be committed, ascending by checkpoint.
    pub pending_commit_transactions: Vec<(CheckpointId, Transaction)>,
}

impl TwoPhaseCommitSinkState {
    /// Records held in the state (a proxy for its size).
    pub fn records(&self) -> usize {
        self.pending_commit_transactions
            .iter()
            .map(|(_, t)| t.records.len())
            .sum()
    }
}

/// Effects on the external system, in the order they must be applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransactionAction {
    /// Make the transaction's records visible (`commit` / `recoverAndCommit`).
    Commit {
        checkpoint: CheckpointId,
        transaction: Transaction,
    },
    /// Discard the transaction (`recoverAndAbort`).
    Abort { transaction: TransactionId },
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TwoPhaseCommitError {
    /// Flink asserts checkpoint ids only grow at a sink (`checkState` in `snapshotState`).
    #[error("snapshot for checkpoint {checkpoint} after checkpoint {last} at sink subtask {subtask}")]
    CheckpointOutOfOrder {
        subtask: u32,
        checkpoint: CheckpointId,
        last: CheckpointId,
    },
    #[error("transaction sequence exhausted at sink subtask {subtask}")]
    TransactionIdsExhausted { subtask: u32 },
}

/// One sink subtask's two-phase-commit state machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TwoPhaseCommitSink {
    subtask: u32,
    attempt: u32,
    next_seq: u32,
    current_transaction: Transaction,
    pending_commit_transactions: BTreeMap<CheckpointId, Transaction>,
    last_snapshot: CheckpointId,
}

impl TwoPhaseCommitSink {
    /// A sink starting without state (`initializeState` with nothing to restore): begins the
    /// first transaction.
    pub fn new(subtask: u32, attempt: u32) -> Self {
        TwoPhaseCommitSink {
            subtask,
            attempt,
            next_seq: 1,
            current_transaction: Transaction {
                id: TransactionId {
                    subtask,
                    attempt,
                    seq: 0,
                },
                records: Vec::new(),
            },
            pending_commit_transactions: BTreeMap::new(),
            last_snapshot: 0,
        }
    }

    /// `initializeState` from a checkpoint: `recoverAndCommit` every pending transaction in the
    /// state (its checkpoint completed, or we would not restore from it, but the notification may
    /// have been lost), `recoverAndAbort` the transaction that was open, then begin a new one.
    /// `attempt` must differ from every earlier attempt of this subtask.
    pub fn restore(
        subtask: u32,
        attempt: u32,
        state: &TwoPhaseCommitSinkState,
        out: &mut Vec<TransactionAction>,
    ) -> Self {
        let mut sorted = state.pending_commit_transactions.clone();
        sorted.sort_by_key(|(c, _)| *c);
        let mut last = 0;
        for (checkpoint, transaction) in sorted {
            last = last.max(checkpoint);
            out.push(TransactionAction::Commit {
                checkpoint,
                transaction,
            });
        }
        if let Some(open) = state.pending_transaction {
            out.push(TransactionAction::Abort { transaction: open });
        }
        let mut sink = TwoPhaseCommitSink::new(subtask, attempt);
        sink.last_snapshot = last;
        sink
    }

    pub fn current_transaction(&self) -> TransactionId {
        self.current_transaction.id
    }

    /// `invoke`: the record goes into the open transaction, invisible until committed.
    pub fn invoke(&mut self, record: RecordId) {
        self.current_transaction.records.push(record);
    }

    /// `snapshotState`: pre-commit the open transaction as the one of `checkpoint`, begin a new
    /// one, and return the state to store with the checkpoint.
    pub fn snapshot_state(&mut self, checkpoint: CheckpointId) -> Result<TwoPhaseCommitSinkState, TwoPhaseCommitError> {
        if checkpoint <= self.last_snapshot {
            return Err(TwoPhaseCommitError::CheckpointOutOfOrder {
                subtask: self.subtask,
                checkpoint,
                last: self.last_snapshot,
            });
        }
        let next = self.begin_transaction()?;
        self.last_snapshot = checkpoint;
        // preCommit: nothing to flush here (records are already in the transaction).
        let pre_committed = std::mem::replace(&mut self.current_transaction, next);
        self.pending_commit_transactions.insert(checkpoint, pre_committed);
        Ok(TwoPhaseCommitSinkState {
            pending_transaction: Some(self.current_transaction.id),
            pending_commit_transactions: self
                .pending_commit_transactions
                .iter()
                .map(|(c, t)| (*c, t.clone()))
                .collect(),
        })
    }

    /// `notifyCheckpointComplete`: commit every pending transaction up to `checkpoint`, in
    /// order. A late or repeated notification commits nothing twice (they are removed here and
    /// the external log ignores a repeated id).
    pub fn notify_checkpoint_complete(&mut self, checkpoint: CheckpointId, out: &mut Vec<TransactionAction>) {
        let later = self
            .pending_commit_transactions
            .split_off(&(checkpoint.saturating_add(1)));
        let done = std::mem::replace(&mut self.pending_commit_transactions, later);
        for (checkpoint, transaction) in done {
            out.push(TransactionAction::Commit {
                checkpoint,
                transaction,
            });
        }
    }

    /// `notifyCheckpointAborted`: nothing to do. The aborted checkpoint's transaction stays
    /// pending and is committed with the next completed checkpoint (whose state lists it), which
    /// is what keeps its records from being lost.
    pub fn notify_checkpoint_aborted(&mut self, _checkpoint: CheckpointId) {}

    /// Pre-committed transactions still waiting for a completion notification.
    pub fn pending_commits(&self) -> impl Iterator<Item = (CheckpointId, &Transaction)> {
        self.pending_commit_transactions.iter().map(|(c, t)| (*c, t))
    }

    fn begin_transaction(&mut self) -> Result<Transaction, TwoPhaseCommitError> {
        let seq = self.next_seq;
        self.next_seq = seq
            .checked_add(1)
            .ok_or(TwoPhaseCommitError::TransactionIdsExhausted { subtask: self.subtask })?;
        Ok(Transaction {
            id: TransactionId {
                subtask: self.subtask,
                attempt: self.attempt,
                seq,
            },
            records: Vec::new(),
        })
    }
}

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
}

impl ExternalTransactionLog {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn apply(&mut self, action: &TransactionAction) -> Applied<'_> {
        match action {
            TransactionAction::Commit { transaction, .. } => {
                if self.committed.contains(&transaction.id) || self.aborted.contains(&transaction.id) {
                    return Applied::AlreadyFinished;
                }
                self.committed.insert(transaction.id);
                let start = self.visible.len();
                self.visible.extend_from_slice(&transaction.records);
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

    /// Every committed record, in commit order (what a consumer with `read_committed` sees).
    pub fn visible(&self) -> &[RecordId] {
        &self.visible
    }

    pub fn is_committed(&self, id: TransactionId) -> bool {
        self.committed.contains(&id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply_all(log: &mut ExternalTransactionLog, out: &mut Vec<TransactionAction>) -> Vec<RecordId> {
        let mut newly = Vec::new();
        for a in out.drain(..) {
            if let Applied::Committed(r) = log.apply(&a) {
                newly.extend_from_slice(r);
            }
        }
        newly
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
        assert!(log.visible().is_empty(), "pre-committed is not visible");
        sink.notify_checkpoint_complete(1, &mut out);
        assert_eq!(apply_all(&mut log, &mut out), vec![1, 2]);
        assert_eq!(log.visible(), &[1, 2], "record 3 is in the open transaction");
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
        let checkpoints: Vec<_> = out
            .iter()
            .map(|a| match a {
                TransactionAction::Commit { checkpoint, .. } => *checkpoint,
                TransactionAction::Abort { .. } => 0,
            })
            .collect();
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
        assert_eq!(log.visible(), &[10, 11]);
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
        assert!(log.visible().is_empty());
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
