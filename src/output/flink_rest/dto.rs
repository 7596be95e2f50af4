//! Flink's REST response bodies for checkpoint statistics, field for field and in Flink's order
//! (`CheckpointingStatistics`, `CheckpointStatistics`, `TaskCheckpointStatistics`,
//! `TaskCheckpointStatisticsWithSubtaskDetails`, `SubtaskCheckpointStatistics` in
//! `org.apache.flink.runtime.rest.messages.checkpoints`). Timestamps are epoch milliseconds,
//! durations milliseconds, sizes bytes, all integers.

use std::collections::BTreeMap;

use serde::Serialize;

use super::stats::StatsSummaryDto;

/// `GET /jobs/:jobid/checkpoints`.
#[derive(Clone, Debug, Serialize)]
pub struct CheckpointingStatistics {
    pub counts: Counts,
    pub summary: Summary,
    pub latest: Latest,
    /// Newest first.
    pub history: Vec<CheckpointStatistics>,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct Counts {
    pub restored: u64,
    pub total: u64,
    pub in_progress: u64,
    pub completed: u64,
    pub failed: u64,
}

/// Over completed checkpoints (`CompletedCheckpointStatsSummary`).
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub checkpointed_size: StatsSummaryDto,
    pub state_size: StatsSummaryDto,
    pub end_to_end_duration: StatsSummaryDto,
    pub alignment_buffered: StatsSummaryDto,
    pub processed_data: StatsSummaryDto,
    pub persisted_data: StatsSummaryDto,
}

#[derive(Clone, Debug, Serialize)]
pub struct Latest {
    pub completed: Option<CheckpointStatistics>,
    pub savepoint: Option<CheckpointStatistics>,
    pub failed: Option<CheckpointStatistics>,
    pub restored: Option<RestoredCheckpointStatistics>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RestoredCheckpointStatistics {
    pub id: u64,
    pub restore_timestamp: i64,
    pub is_savepoint: bool,
    pub external_path: Option<String>,
}

/// One checkpoint: a history entry, or `GET /jobs/:jobid/checkpoints/details/:checkpointid`.
/// `className` is the JSON type discriminator (`completed`, `failed`, `in_progress`); the last
/// fields exist only for completed (`external_path`, `discarded`) or failed checkpoints
/// (`failure_timestamp`, `failure_message`).
#[derive(Clone, Debug, Serialize)]
pub struct CheckpointStatistics {
    #[serde(rename = "className")]
    pub class_name: &'static str,
    pub id: u64,
    pub status: &'static str,
    pub is_savepoint: bool,
    #[serde(rename = "savepointFormat")]
    pub savepoint_format: Option<&'static str>,
    pub trigger_timestamp: i64,
    pub latest_ack_timestamp: i64,
    pub checkpointed_size: u64,
    pub state_size: u64,
    pub end_to_end_duration: i64,
    pub alignment_buffered: u64,
    pub processed_data: u64,
    pub persisted_data: u64,
    pub num_subtasks: u32,
    pub num_acknowledged_subtasks: u32,
    pub checkpoint_type: &'static str,
    /// Per vertex id; empty in the history of `/checkpoints`, filled in the details.
    pub tasks: BTreeMap<String, TaskCheckpointStatistics>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discarded: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_timestamp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_message: Option<String>,
}

/// One vertex's part of a checkpoint.
#[derive(Clone, Debug, Serialize)]
pub struct TaskCheckpointStatistics {
    pub id: u64,
    pub status: &'static str,
    pub latest_ack_timestamp: i64,
    pub checkpointed_size: u64,
    pub state_size: u64,
    pub end_to_end_duration: i64,
    pub alignment_buffered: u64,
    pub processed_data: u64,
    pub persisted_data: u64,
    pub num_subtasks: u32,
    pub num_acknowledged_subtasks: u32,
}

/// `GET /jobs/:jobid/checkpoints/details/:checkpointid/subtasks/:vertexid`.
#[derive(Clone, Debug, Serialize)]
pub struct TaskCheckpointStatisticsWithSubtaskDetails {
    #[serde(flatten)]
    pub task: TaskCheckpointStatistics,
    pub summary: TaskSummary,
    pub subtasks: Vec<SubtaskCheckpointStatistics>,
}

/// Over the vertex's acknowledged subtasks.
#[derive(Clone, Debug, Serialize)]
pub struct TaskSummary {
    pub checkpointed_size: StatsSummaryDto,
    pub state_size: StatsSummaryDto,
    pub end_to_end_duration: StatsSummaryDto,
    pub checkpoint_duration: CheckpointDuration<StatsSummaryDto>,
    pub alignment: Alignment<StatsSummaryDto>,
    pub start_delay: StatsSummaryDto,
}

#[derive(Clone, Debug, Serialize)]
pub struct CheckpointDuration<T> {
    pub sync: T,
    #[serde(rename = "async")]
    pub async_: T,
}

#[derive(Clone, Debug, Serialize)]
pub struct Alignment<T> {
    pub buffered: T,
    pub processed: T,
    pub persisted: T,
    pub duration: T,
}

/// A subtask that acknowledged (`className` `completed`) or not (`pending_or_failed`).
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum SubtaskCheckpointStatistics {
    Completed(CompletedSubtask),
    Pending(PendingSubtask),
}

#[derive(Clone, Debug, Serialize)]
pub struct CompletedSubtask {
    #[serde(rename = "className")]
    pub class_name: &'static str,
    pub index: u32,
    pub ack_timestamp: i64,
    pub end_to_end_duration: i64,
    pub checkpointed_size: u64,
    pub state_size: u64,
    pub checkpoint: CheckpointDuration<i64>,
    pub alignment: Alignment<i64>,
    pub start_delay: i64,
    pub unaligned_checkpoint: bool,
    pub aborted: bool,
    pub status: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct PendingSubtask {
    #[serde(rename = "className")]
    pub class_name: &'static str,
    pub index: u32,
    pub status: &'static str,
}

/// `checkpoint_details.json`: for every checkpoint its details and each vertex's subtask
/// details, keyed as `ckptsim`'s Flink harness stores real responses (`collect.py`): checkpoint
/// id, then vertex id.
#[derive(Clone, Debug, Serialize)]
pub struct CheckpointDetailsFile {
    pub job_id: String,
    /// Vertex id to name (`/jobs/:jobid`'s `vertices`).
    pub vertices: BTreeMap<String, String>,
    pub checkpoints: BTreeMap<u64, CheckpointDetails>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CheckpointDetails {
    pub details: CheckpointStatistics,
    pub subtasks: BTreeMap<String, TaskCheckpointStatisticsWithSubtaskDetails>,
}
