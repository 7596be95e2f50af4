//! Restore points: what a subtask captures at its snapshot (source position, keyed state,
//! sink transactions, records absorbed), the in-flight records an unaligned checkpoint persists,
//! their promotion when the checkpoint completes (with the consistent-cut check), and putting
//! the channel state back into the channels on recovery.

use super::World;
use crate::ids::CheckpointId;
use crate::model::records::{NetBuffer, Payload, Record};
use crate::model::source::ArrivalGen;
use crate::model::task::{ChannelSide, PersistedChannel};

/// State of one subtask captured at its snapshot, to restore from.
#[derive(Clone, Debug)]
pub(crate) struct TaskSnapshot {
    pub arrivals: Option<ArrivalGen>,
    pub keys_seen: Vec<u64>,
    pub distinct_keys: u64,
    pub state_bytes: u64,
    pub sink: Option<crate::protocol::two_phase_commit::TwoPhaseCommitSinkState>,
    /// Sinks: records processed per source subtask.
    pub sink_absorbed: Option<Vec<u64>>,
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
        let si = s as usize;
        let t = &self.tasks[si];
        let arrivals = t.source.as_ref().map(|src| match &t.batch {
            Some(b) if b.next < b.records.len() => {
                let mut g = ArrivalGen::clone(b.gen_start.as_ref().expect("source batches keep their start"));
                for _ in 0..b.next {
                    g.advance();
                }
                g
            }
            _ => src.arrivals.clone(),
        });
        let snap = TaskSnapshot {
            arrivals,
            keys_seen: t.keys_seen.clone(),
            distinct_keys: t.distinct_keys,
            state_bytes,
            sink,
            sink_absorbed: t.sink.as_ref().map(|k| k.absorbed_per_source.clone()),
        };
        self.restore_point_mut(checkpoint).tasks[si] = Some(snap);
    }

    /// Keeps the channel state a subtask persisted for a checkpoint, to restore from.
    pub(crate) fn keep_channel_state(&mut self, checkpoint: CheckpointId, channels: Vec<PersistedChannel>) {
        if self.capture_snapshots && !channels.is_empty() {
            self.restore_point_mut(checkpoint).channels.extend(channels);
        }
    }

    fn restore_point_mut(&mut self, checkpoint: CheckpointId) -> &mut RestorePoint {
        let n = self.tasks.len();
        let point = self.pending_snapshots.entry(checkpoint).or_default();
        if point.tasks.is_empty() {
            point.tasks = vec![None; n];
        }
        point
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

    /// Puts restored channel state back into its (freshly reset) channel, in buffers of at most
    /// a segment: input state at the head of the consumer's queue, read before anything new
    /// and holding no credit (`RecoveredInputChannel`); output state in the producer's
    /// subpartition, sent first once the producer runs.
    pub(crate) fn restore_channel(&mut self, p: &PersistedChannel) {
        let segment = self.set.segment_bytes.max(1);
        let mut buffers = Vec::new();
        let mut records = self.vec_pool.pop().unwrap_or_default();
        let mut bytes = 0u32;
        for r in &p.records {
            records.push(*r);
            bytes += r.bytes;
            if bytes >= segment {
                buffers.push(data_buffer(std::mem::take(&mut records), std::mem::take(&mut bytes)));
            }
        }
        if !records.is_empty() {
            buffers.push(data_buffer(records, bytes));
        }
        self.in_flight_bytes += buffers.iter().map(|b| b.bytes as u64).sum::<u64>();
        let ch = p.channel as usize;
        self.record_counts[ch].restored += p.records.len() as u64;
        let n = buffers.len() as u32;
        match p.side {
            ChannelSide::Input => {
                let c = &mut self.chans[ch];
                for b in buffers.into_iter().rev() {
                    c.received.push_front(b);
                }
                c.recovered_ahead += n;
                let info = &self.graph.channels[ch];
                let (s, input) = (info.consumer.index(), info.input_index as usize);
                let t = &mut self.tasks[s];
                if n > 0 && !t.in_avail[input] {
                    t.in_avail[input] = true;
                    t.avail.push_back(input as u32);
                }
            }
            ChannelSide::Output => {
                let c = &mut self.chans[ch];
                for b in buffers.into_iter().rev() {
                    c.queue.push_front(b);
                }
                c.queued_data += n;
            }
        }
    }

    /// A checkpoint completed: its snapshots become the restore point; older ones go.
    pub(crate) fn promote_snapshots(&mut self, checkpoint: CheckpointId) {
        if let Some(v) = self.pending_snapshots.remove(&checkpoint) {
            self.check_cut(checkpoint, &v);
            self.completed_snapshots.clear();
            self.completed_snapshots.insert(checkpoint, v);
        }
        self.pending_snapshots.retain(|id, _| *id > checkpoint);
    }
}

impl World {
    /// A savepoint completed: its cut is checked, but it is not in the completed-checkpoint
    /// store, so it is never what a failover restores, and it must neither replace the restore
    /// point of the latest completed checkpoint nor drop the snapshots of checkpoints still
    /// pending. (Promoting it as a checkpoint left a failover with no state to restore while
    /// the sources rewound to their start: the sinks committed records twice.)
    /// `DefaultCheckpointPlanCalculator` refuses a trigger unless every task runs
    /// (`NOT_ALL_REQUIRED_TASKS_RUNNING`): a savepoint requested during a failover fails at
    /// once. Triggered anyway, its barriers reached only the running sources, and the
    /// alignment behind them blocked the job until the savepoint timed out.
    pub(crate) fn refuse_savepoint_while_tasks_are_down(&mut self) {
        *self
            .failure_reasons
            .entry("NOT_ALL_REQUIRED_TASKS_RUNNING (savepoint refused)".to_string())
            .or_default() += 1;
    }

    pub(crate) fn complete_savepoint_snapshot(&mut self, savepoint: CheckpointId) {
        if let Some(v) = self.pending_snapshots.remove(&savepoint) {
            self.check_cut(savepoint, &v);
        }
    }
}

fn data_buffer(records: Vec<Record>, bytes: u32) -> NetBuffer {
    NetBuffer {
        payload: Payload::Data(records),
        bytes,
        backlog: 0,
    }
}
