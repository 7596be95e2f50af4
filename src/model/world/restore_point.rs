//! Restore points: what a subtask captures at its snapshot (source position, keyed state,
//! sink transactions, records absorbed), the in-flight records an unaligned checkpoint persists,
//! their promotion when the checkpoint completes (with the consistent-cut check), and putting
//! the channel state back into the channels on recovery.

use super::World;
use crate::ids::CheckpointId;
use crate::model::source::SourceReader;
use crate::model::task::{ChannelSide, PersistedChannel};

/// State of one subtask captured at its snapshot, to restore from.
#[derive(Clone, Debug)]
pub(crate) struct TaskSnapshot {
    pub reader: Option<SourceReader>,
    /// Its keyed state's keys: the first `distinct` it saw (see [`super::seen_keys`]).
    pub keys: super::seen_keys::KeysMark,
    pub state_bytes: u64,
    pub sink: Option<crate::protocol::two_phase_commit::TwoPhaseCommitSinkState>,
    /// Sinks: records processed per source subtask.
    pub sink_absorbed: Option<Vec<u64>>,
    /// The task had finished (`FullyFinishedOperatorState`): restored from this checkpoint, it
    /// is deployed as finished.
    pub finished: bool,
}

/// What a completed checkpoint restores: each subtask's snapshot and the in-flight records an
/// unaligned checkpoint persisted (`TaskStateSnapshot` with its channel state handles).
#[derive(Clone, Debug, Default)]
pub(crate) struct RestorePoint {
    pub tasks: Vec<Option<TaskSnapshot>>,
    pub channels: Vec<crate::model::task::PersistedChannel>,
}

impl World {
    /// Keeps the snapshot a subtask took for a checkpoint, to restore from once it completes.
    pub(crate) fn capture_snapshot(
        &mut self,
        s: u32,
        checkpoint: CheckpointId,
        state_bytes: u64,
        sink: Option<crate::protocol::two_phase_commit::TwoPhaseCommitSinkState>,
    ) {
        let reader = self.tasks.snapshot_source_reader(s);
        let snap = TaskSnapshot {
            reader,
            keys: self.keys.mark(s),
            state_bytes,
            sink,
            sink_absorbed: self.tasks.sink_absorbed(s),
            finished: false,
        };
        self.restore_point_mut(checkpoint).tasks[s as usize] = Some(snap);
    }

    /// Keeps the channel state a subtask persisted for a checkpoint, to restore from.
    pub(crate) fn keep_channel_state(&mut self, checkpoint: CheckpointId, channels: Vec<PersistedChannel>) {
        if self.jm.captures_snapshots() && !channels.is_empty() {
            self.restore_point_mut(checkpoint).channels.extend(channels);
        }
    }

    fn restore_point_mut(&mut self, checkpoint: CheckpointId) -> &mut RestorePoint {
        let n = self.tasks.count();
        self.jm.restore_point_mut(checkpoint, n)
    }

    /// The task a piece of channel state belongs to: the consumer of input state, the producer
    /// of output state.
    pub(crate) fn channel_owner(&self, c: &PersistedChannel) -> u32 {
        let info = &self.graph.channels[c.channel as usize];
        match c.side {
            ChannelSide::Input => info.consumer.0,
            ChannelSide::Output => info.producer.0,
        }
    }

    /// Puts restored channel state back into its (freshly reset) channel.
    pub(crate) fn restore_channel(&mut self, p: &PersistedChannel) {
        self.checks.records_restored(p.channel, p.records.len() as u64);
        self.net.restore_channel(p, &self.graph);
    }

    /// `DefaultCheckpointPlanCalculator` refuses a trigger unless every task runs
    /// (`NOT_ALL_REQUIRED_TASKS_RUNNING`): a savepoint requested during a failover fails at
    /// once. Triggered anyway, its barriers reached only the running sources, and the
    /// alignment behind them blocked the job until the savepoint timed out.
    pub(crate) fn refuse_savepoint_while_tasks_are_down(&mut self) {
        self.stats
            .count_failure("NOT_ALL_REQUIRED_TASKS_RUNNING (savepoint refused)");
    }

    /// A savepoint completed: its cut is checked, but it is not in the completed-checkpoint
    /// store, so it is never what a failover restores, and it must neither replace the restore
    /// point of the latest completed checkpoint nor drop the snapshots of checkpoints still
    /// pending. (Promoting it as a checkpoint left a failover with no state to restore while
    /// the sources rewound to their start: the sinks committed records twice.)
    pub(crate) fn complete_savepoint_snapshot(&mut self, savepoint: CheckpointId) {
        if let Some(point) = self.jm.take_savepoint_point(savepoint) {
            self.checks.check_cut(savepoint, &point);
        }
    }

    /// A checkpoint completed: its snapshots become the restore point; older ones go.
    pub(crate) fn promote_snapshots(&mut self, checkpoint: CheckpointId) {
        if let Some(mut point) = self.jm.take_completing(checkpoint) {
            self.jm.add_finished_tasks(&mut point);
            self.checks.check_cut(checkpoint, &point);
            self.jm.keep_completed(checkpoint, point);
            self.trim_key_logs();
        }
    }

    /// A restore reaches back at most to the oldest retained checkpoint: each stateful
    /// subtask's log of first-seen keys starts at its snapshot there.
    fn trim_key_logs(&mut self) {
        for s in 0..self.tasks.count() {
            let oldest = self
                .jm
                .retained_points()
                .map(|p| p.tasks.get(s).and_then(|t| t.as_ref()).map(|t| t.keys))
                .try_fold(None, |m: Option<super::seen_keys::KeysMark>, k| {
                    let k = k?;
                    Some(Some(m.map_or(k, |m| if k.distinct < m.distinct { k } else { m })))
                })
                .flatten();
            if let Some(mark) = oldest {
                self.keys.trim_log(s as u32, mark);
            }
        }
    }
}
