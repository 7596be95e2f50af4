//! `CheckpointStatsTracker`: turns the coordinator's statistics reports into the rows Flink's
//! checkpoint history shows (`checkpoints.csv`) and its per-subtask details (`subtasks.csv`).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::ids::CheckpointId;
use crate::protocol::coordinator::StatsReport;
use crate::protocol::{CheckpointType, SubtaskCheckpointMetrics};
use crate::time::SimTime;

use super::checkpoint_log::{CheckpointLog, LoggedAck, LoggedCheckpoint, LoggedRestore, LoggedStatus, LoggedVertex};
use super::ms;

/// One row of `checkpoints.csv`: Flink's checkpoint history entry. Times in ms.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct CheckpointRecord {
    pub id: u64,
    /// IN_PROGRESS | COMPLETED | FAILED
    pub status: String,
    pub checkpoint_type: String,
    pub trigger_timestamp: f64,
    pub latest_ack_timestamp: Option<f64>,
    /// Flink's `end_to_end_duration`: the latest acknowledgement minus the trigger
    /// (`AbstractCheckpointStats.getEndToEndDuration`); for a failed checkpoint, its failure
    /// time minus the trigger.
    pub end_to_end_duration: Option<f64>,
    pub state_size: u64,
    pub checkpointed_size: u64,
    pub processed_data: u64,
    pub persisted_data: u64,
    pub num_subtasks: u32,
    pub num_acknowledged_subtasks: u32,
    /// Largest value over acknowledged subtasks, for the phase breakdown.
    pub max_start_delay: f64,
    pub max_alignment_duration: f64,
    pub max_sync_duration: f64,
    pub max_async_duration: f64,
    pub failure_timestamp: Option<f64>,
    pub failure_reason: Option<String>,
    /// Completed checkpoints: from the latest acknowledgement to the completion, the
    /// `_metadata` write (`finalizeCheckpoint`), which Flink's `end_to_end_duration` leaves out.
    #[serde(default)]
    pub metadata_write_duration: Option<f64>,
}

/// One row of `subtasks.csv`: a subtask's acknowledgement of a checkpoint.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct SubtaskRecord {
    pub checkpoint_id: u64,
    pub task: String,
    pub index: u32,
    pub ack_timestamp: f64,
    pub end_to_end_duration: f64,
    pub start_delay: f64,
    pub alignment_duration: f64,
    pub sync_duration: f64,
    pub async_duration: f64,
    pub checkpointed_size: u64,
    pub state_size: u64,
    pub processed_data: u64,
    pub persisted_data: u64,
}

#[derive(Clone, Debug)]
struct Tracked {
    record: CheckpointRecord,
    trigger: SimTime,
    type_name: &'static str,
    /// Completion or failure time.
    end: Option<SimTime>,
    /// The latest acknowledgement.
    latest_ack: Option<SimTime>,
    discarded: bool,
}

#[derive(Clone, Debug)]
pub struct CheckpointStatsTracker {
    subtask_names: Vec<(String, u32)>,
    history: BTreeMap<CheckpointId, Tracked>,
    subtasks: Vec<SubtaskRecord>,
    /// Raw per-subtask metrics of each acknowledgement, in ns (for tests and summaries).
    raw_acks: Vec<(CheckpointId, u32, SimTime, SubtaskCheckpointMetrics)>,
    changelog_replay: BTreeMap<CheckpointId, u64>,
    /// (checkpoint, ack slot) of the acknowledgements taken unaligned.
    unaligned_acks: BTreeSet<(CheckpointId, u32)>,
    restores: Vec<LoggedRestore>,
}

impl CheckpointStatsTracker {
    /// `subtask_names[i]` = (task name, subtask index) of ack slot i.
    pub fn new(subtask_names: Vec<(String, u32)>) -> Self {
        CheckpointStatsTracker {
            subtask_names,
            history: BTreeMap::new(),
            subtasks: Vec::new(),
            raw_acks: Vec::new(),
            changelog_replay: BTreeMap::new(),
            unaligned_acks: BTreeSet::new(),
            restores: Vec::new(),
        }
    }

    pub fn report(&mut self, r: StatsReport) {
        match r {
            StatsReport::Pending {
                checkpoint,
                trigger_timestamp,
                checkpoint_type,
                num_subtasks,
            } => {
                self.history.insert(
                    checkpoint,
                    Tracked {
                        trigger: trigger_timestamp,
                        type_name: type_name(checkpoint_type),
                        end: None,
                        latest_ack: None,
                        discarded: false,
                        record: CheckpointRecord {
                            id: checkpoint,
                            status: "IN_PROGRESS".into(),
                            checkpoint_type: type_name(checkpoint_type).into(),
                            trigger_timestamp: ms(trigger_timestamp.as_ns()),
                            latest_ack_timestamp: None,
                            end_to_end_duration: None,
                            state_size: 0,
                            checkpointed_size: 0,
                            processed_data: 0,
                            persisted_data: 0,
                            num_subtasks,
                            num_acknowledged_subtasks: 0,
                            max_start_delay: 0.0,
                            max_alignment_duration: 0.0,
                            max_sync_duration: 0.0,
                            max_async_duration: 0.0,
                            failure_timestamp: None,
                            failure_reason: None,
                            metadata_write_duration: None,
                        },
                    },
                );
            }
            StatsReport::SubtaskAck {
                checkpoint,
                subtask,
                ack_timestamp,
                metrics: m,
            } => {
                let Some(t) = self.history.get_mut(&checkpoint) else {
                    return;
                };
                let r = &mut t.record;
                t.latest_ack = Some(ack_timestamp);
                r.num_acknowledged_subtasks += 1;
                r.latest_ack_timestamp = Some(ms(ack_timestamp.as_ns()));
                r.end_to_end_duration = Some(ms(ack_timestamp.since(t.trigger)));
                r.state_size += m.state_size;
                r.checkpointed_size += m.checkpointed_size;
                r.processed_data += m.processed_data;
                r.persisted_data += m.persisted_data;
                r.max_start_delay = r.max_start_delay.max(ms(m.start_delay_ns));
                r.max_alignment_duration = r.max_alignment_duration.max(ms(m.alignment_duration_ns));
                r.max_sync_duration = r.max_sync_duration.max(ms(m.sync_duration_ns));
                r.max_async_duration = r.max_async_duration.max(ms(m.async_duration_ns));
                let (task, index) = self.subtask_names[subtask as usize].clone();
                self.subtasks.push(SubtaskRecord {
                    checkpoint_id: checkpoint,
                    task,
                    index,
                    ack_timestamp: ms(ack_timestamp.as_ns()),
                    end_to_end_duration: ms(ack_timestamp.since(t.trigger)),
                    start_delay: ms(m.start_delay_ns),
                    alignment_duration: ms(m.alignment_duration_ns),
                    sync_duration: ms(m.sync_duration_ns),
                    async_duration: ms(m.async_duration_ns),
                    checkpointed_size: m.checkpointed_size,
                    state_size: m.state_size,
                    processed_data: m.processed_data,
                    persisted_data: m.persisted_data,
                });
                self.raw_acks.push((checkpoint, subtask, ack_timestamp, m));
            }
            StatsReport::Completed {
                checkpoint,
                completion_timestamp,
            } => {
                let Some(t) = self.history.get_mut(&checkpoint) else {
                    return;
                };
                t.record.status = "COMPLETED".into();
                t.end = Some(completion_timestamp);
                // The end-to-end duration stays the latest ack's; the metadata write is apart.
                let acked = t.latest_ack.unwrap_or(completion_timestamp);
                t.record.end_to_end_duration = Some(ms(acked.since(t.trigger)));
                t.record.metadata_write_duration = Some(ms(completion_timestamp.since(acked)));
            }
            StatsReport::Failed {
                checkpoint,
                failure_timestamp,
                reason,
            } => {
                let Some(t) = self.history.get_mut(&checkpoint) else {
                    return;
                };
                t.record.status = "FAILED".into();
                t.end = Some(failure_timestamp);
                t.record.end_to_end_duration = Some(ms(failure_timestamp.since(t.trigger)));
                t.record.failure_timestamp = Some(ms(failure_timestamp.as_ns()));
                t.record.failure_reason = Some(reason.as_str().into());
            }
        }
    }

    /// Subtask `subtask` (ack slot) acknowledged the checkpoint as unaligned: Flink's REST API
    /// then reports the whole checkpoint as `UNALIGNED_CHECKPOINT`
    /// (`PendingCheckpointStats.unalignedCheckpoint`) and the subtask's `unaligned_checkpoint`.
    pub fn mark_unaligned(&mut self, checkpoint: CheckpointId, subtask: u32) {
        if let Some(t) = self.history.get_mut(&checkpoint) {
            self.unaligned_acks.insert((checkpoint, subtask));
            if t.record.checkpoint_type == "CHECKPOINT" {
                t.record.checkpoint_type = "UNALIGNED_CHECKPOINT".into();
                t.type_name = "UNALIGNED_CHECKPOINT";
            }
        }
    }

    /// The completed checkpoint left the store (subsumed beyond `num_retained`) and was deleted
    /// (`CompletedCheckpointStats.discarded`).
    pub fn mark_discarded(&mut self, checkpoint: CheckpointId) {
        if let Some(t) = self.history.get_mut(&checkpoint) {
            t.discarded = true;
        }
    }

    /// A recovery restored `checkpoint` at `now` (`reportRestoredCheckpoint`).
    pub fn report_restored(&mut self, now: SimTime, checkpoint: CheckpointId) {
        self.restores.push(LoggedRestore {
            checkpoint,
            restore_ns: now.as_ns(),
        });
    }

    /// Per checkpoint or savepoint in id order: (type name, trigger ns, completion or failure ns).
    pub fn spans_ns(&self) -> impl Iterator<Item = (&'static str, u64, Option<u64>)> + '_ {
        self.history
            .values()
            .map(|t| (t.type_name, t.trigger.as_ns(), t.end.map(|e| e.as_ns())))
    }

    /// The statistics in integer nanoseconds, with vertices and restores, for exports.
    pub fn log(&self) -> CheckpointLog {
        // Ack slots are grouped by vertex in job-graph order, and operator names are unique.
        let mut vertices: Vec<LoggedVertex> = Vec::new();
        let mut slot_vertex = Vec::with_capacity(self.subtask_names.len());
        for (name, _) in &self.subtask_names {
            match vertices.last_mut() {
                Some(v) if &v.name == name => v.parallelism += 1,
                _ => vertices.push(LoggedVertex {
                    name: name.clone(),
                    parallelism: 1,
                }),
            }
            slot_vertex.push(vertices.len() as u32 - 1);
        }
        let mut checkpoints: BTreeMap<CheckpointId, LoggedCheckpoint> = self
            .history
            .iter()
            .map(|(id, t)| {
                let status = match t.record.status.as_str() {
                    "COMPLETED" => LoggedStatus::Completed,
                    "FAILED" => LoggedStatus::Failed,
                    _ => LoggedStatus::InProgress,
                };
                let c = LoggedCheckpoint {
                    id: *id,
                    checkpoint_type: t.type_name,
                    status,
                    trigger_ns: t.trigger.as_ns(),
                    end_ns: t.end.map(|e| e.as_ns()),
                    failure_reason: t.record.failure_reason.clone(),
                    num_subtasks: t.record.num_subtasks,
                    acks: Vec::new(),
                    discarded: t.discarded,
                };
                (*id, c)
            })
            .collect();
        for (checkpoint, slot, at, m) in &self.raw_acks {
            if let Some(c) = checkpoints.get_mut(checkpoint) {
                c.acks.push(LoggedAck {
                    vertex: slot_vertex[*slot as usize],
                    index: self.subtask_names[*slot as usize].1,
                    ack_ns: at.as_ns(),
                    metrics: *m,
                    unaligned: self.unaligned_acks.contains(&(*checkpoint, *slot)),
                });
            }
        }
        CheckpointLog {
            start_epoch_ms: 0,
            checkpoint_dir: String::new(),
            history_size: 0,
            vertices,
            checkpoints: checkpoints.into_values().collect(),
            restores: self.restores.clone(),
        }
    }

    /// Changelog backend: log bytes a recovery from this checkpoint replays (summed over subtasks).
    pub fn add_changelog_replay(&mut self, checkpoint: CheckpointId, bytes: u64) {
        if self.history.contains_key(&checkpoint) {
            *self.changelog_replay.entry(checkpoint).or_default() += bytes;
        }
    }

    /// Changelog backend (FLIP-158): log bytes a recovery from `checkpoint` replays on top of
    /// the materialized state, summed over its acknowledged subtasks (0 for other backends).
    pub fn changelog_replay_bytes(&self, checkpoint: CheckpointId) -> u64 {
        self.changelog_replay.get(&checkpoint).copied().unwrap_or(0)
    }

    pub fn checkpoints(&self) -> Vec<CheckpointRecord> {
        self.history.values().map(|t| t.record.clone()).collect()
    }

    pub fn subtasks(&self) -> &[SubtaskRecord] {
        &self.subtasks
    }

    pub fn raw_acks(&self) -> &[(CheckpointId, u32, SimTime, SubtaskCheckpointMetrics)] {
        &self.raw_acks
    }
}

fn type_name(t: CheckpointType) -> &'static str {
    t.as_str()
}
