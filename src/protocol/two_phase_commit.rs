//! `TwoPhaseCommitSinkFunction` (and the Sink V2 `CommitterOperator`, which has the same
//! checkpoint contract): one transaction per checkpoint, pre-committed in the snapshot,
//! committed on `notifyCheckpointComplete`, recovered and committed (or aborted) on restore.
//!
//! The sink lives in a task and dies with it; the external system (Kafka, a file system) does
//! not. So every effect on the external system is a [`TransactionAction`] in the outbox, and the
//! external system (the world's `ExternalTransactionLog`, environment rather than protocol) applies
//! commits idempotently by transaction id:
//! Flink's notifications are best-effort and a restore re-commits what may already be committed.
//!
//! The records of a transaction are kept in the transaction itself (as a file sink's part file
//! would hold them), so the snapshot state carries them and a restored sink can commit them.

use std::collections::BTreeMap;

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
    /// Written by `invoke`, in order (empty when the sink does not keep record ids).
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
    /// Whether a transaction keeps the ids of its records. The protocol needs only the
    /// transaction's id; the records are kept for whoever checks what became visible (the
    /// exactly-once tests), and dropped in long runs, where they would grow with the output.
    keep_record_ids: bool,
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
            keep_record_ids: true,
        }
    }

    /// The same sink, keeping its records' ids in its transactions or not (kept by default).
    pub fn with_record_ids(mut self, keep: bool) -> Self {
        self.keep_record_ids = keep;
        self
    }

    pub fn keeps_record_ids(&self) -> bool {
        self.keep_record_ids
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
        if self.keep_record_ids {
            self.current_transaction.records.push(record);
        }
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

    /// End of input without periodic checkpoints (`SinkWriterOperator.endInput`, then
    /// `CommitterOperator.endInput`: "there will be no final checkpoint"): the open transaction
    /// is pre-committed and everything pending (a savepoint's) is committed at once, in order,
    /// the open one last under the id after the last snapshot (`lastCompletedCheckpointId + 1`).
    /// A new, empty transaction is begun (no record follows the end of input).
    pub fn commit_at_end_of_input(&mut self, out: &mut Vec<TransactionAction>) -> Result<(), TwoPhaseCommitError> {
        let next = self.begin_transaction()?;
        let last = std::mem::replace(&mut self.current_transaction, next);
        for (checkpoint, transaction) in std::mem::take(&mut self.pending_commit_transactions) {
            out.push(TransactionAction::Commit {
                checkpoint,
                transaction,
            });
        }
        out.push(TransactionAction::Commit {
            checkpoint: self.last_snapshot + 1,
            transaction: last,
        });
        Ok(())
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
