//! Builds Flink's REST responses from a run's checkpoint log, with Flink's arithmetic:
//! timestamps are the start time plus whole elapsed milliseconds, an end-to-end duration is
//! `max(0, latest ack - trigger)` in those milliseconds (failure time for a failed checkpoint,
//! -1 without any acknowledgement), and phase durations are whole milliseconds, truncated as a
//! task truncates its nanosecond measurements.

use std::collections::BTreeMap;

use super::dto::*;
use super::stats::StatsSummaryDto;
use crate::metrics::checkpoint_log::{CheckpointLog, LoggedAck, LoggedCheckpoint, LoggedStatus};

const NS_PER_MS: u64 = 1_000_000;

/// What names and places the run in Flink's terms.
#[derive(Clone, Debug)]
pub struct RestContext {
    pub start_epoch_ms: u64,
    pub job_id: String,
    /// One per vertex of the log, in its order.
    pub vertex_ids: Vec<String>,
    /// Where completed checkpoints are said to live (`execution.checkpointing.dir`).
    pub checkpoint_dir: String,
}

impl RestContext {
    fn epoch_ms(&self, ns: u64) -> i64 {
        (self.start_epoch_ms + ns / NS_PER_MS) as i64
    }
}

fn ms(ns: u64) -> i64 {
    (ns / NS_PER_MS) as i64
}

fn status(c: &LoggedCheckpoint) -> (&'static str, &'static str) {
    match c.status {
        LoggedStatus::Completed => ("completed", "COMPLETED"),
        LoggedStatus::Failed => ("failed", "FAILED"),
        LoggedStatus::InProgress => ("in_progress", "IN_PROGRESS"),
    }
}

fn is_savepoint(c: &LoggedCheckpoint) -> bool {
    c.checkpoint_type == "SAVEPOINT"
}

fn external_path(ctx: &RestContext, c: &LoggedCheckpoint) -> String {
    if is_savepoint(c) {
        format!(
            "{}/savepoints/savepoint-{}-{:012x}",
            ctx.checkpoint_dir,
            ctx.job_id.get(..6).unwrap_or(&ctx.job_id),
            c.id
        )
    } else {
        format!("{}/{}/chk-{}", ctx.checkpoint_dir, ctx.job_id, c.id)
    }
}

/// Latest ack (epoch ms) and `max(0, latest ack - trigger)`, or -1 and -1 without acks.
fn latest_ack_and_duration<'a>(
    ctx: &RestContext,
    trigger_ms: i64,
    acks: impl Iterator<Item = &'a LoggedAck>,
) -> (i64, i64) {
    match acks.map(|a| ctx.epoch_ms(a.ack_ns)).max() {
        Some(latest) => (latest, (latest - trigger_ms).max(0)),
        None => (-1, -1),
    }
}

fn task_statistics(ctx: &RestContext, c: &LoggedCheckpoint, vertex: u32, parallelism: u32) -> TaskCheckpointStatistics {
    let trigger_ms = ctx.epoch_ms(c.trigger_ns);
    let acks: Vec<&LoggedAck> = c.acks.iter().filter(|a| a.vertex == vertex).collect();
    let (latest_ack_timestamp, end_to_end_duration) = latest_ack_and_duration(ctx, trigger_ms, acks.iter().copied());
    TaskCheckpointStatistics {
        id: c.id,
        status: status(c).1,
        latest_ack_timestamp,
        checkpointed_size: acks.iter().map(|a| a.metrics.checkpointed_size).sum(),
        state_size: acks.iter().map(|a| a.metrics.state_size).sum(),
        end_to_end_duration,
        alignment_buffered: 0,
        processed_data: acks.iter().map(|a| a.metrics.processed_data).sum(),
        persisted_data: acks.iter().map(|a| a.metrics.persisted_data).sum(),
        num_subtasks: parallelism,
        num_acknowledged_subtasks: acks.len() as u32,
    }
}

/// A checkpoint as a history entry (`tasks` empty) or as its details (`tasks` filled).
pub fn checkpoint_statistics(
    ctx: &RestContext,
    log: &CheckpointLog,
    c: &LoggedCheckpoint,
    with_tasks: bool,
) -> CheckpointStatistics {
    let trigger_ms = ctx.epoch_ms(c.trigger_ns);
    let (latest_ack_timestamp, ack_duration) = latest_ack_and_duration(ctx, trigger_ms, c.acks.iter());
    let failure_ms = c.end_ns.map(|e| ctx.epoch_ms(e));
    let (class_name, status) = status(c);
    let failed = c.status == LoggedStatus::Failed;
    let completed = c.status == LoggedStatus::Completed;
    let tasks = if with_tasks {
        log.vertices
            .iter()
            .enumerate()
            .map(|(v, vx)| {
                (
                    ctx.vertex_ids[v].clone(),
                    task_statistics(ctx, c, v as u32, vx.parallelism),
                )
            })
            .collect()
    } else {
        BTreeMap::new()
    };
    CheckpointStatistics {
        class_name,
        id: c.id,
        status,
        is_savepoint: is_savepoint(c),
        savepoint_format: is_savepoint(c).then_some("CANONICAL"),
        trigger_timestamp: trigger_ms,
        latest_ack_timestamp,
        checkpointed_size: c.acks.iter().map(|a| a.metrics.checkpointed_size).sum(),
        state_size: c.acks.iter().map(|a| a.metrics.state_size).sum(),
        end_to_end_duration: match (failed, failure_ms) {
            (true, Some(f)) => (f - trigger_ms).max(0),
            _ => ack_duration,
        },
        alignment_buffered: 0,
        processed_data: c.acks.iter().map(|a| a.metrics.processed_data).sum(),
        persisted_data: c.acks.iter().map(|a| a.metrics.persisted_data).sum(),
        num_subtasks: c.num_subtasks,
        num_acknowledged_subtasks: c.acks.len() as u32,
        checkpoint_type: c.checkpoint_type,
        tasks,
        external_path: completed.then(|| external_path(ctx, c)),
        discarded: completed.then_some(c.discarded && !is_savepoint(c)),
        failure_timestamp: if failed { failure_ms } else { None },
        failure_message: if failed { c.failure_reason.clone() } else { None },
    }
}

/// `GET /jobs/:jobid/checkpoints`.
pub fn checkpointing_statistics(ctx: &RestContext, log: &CheckpointLog) -> CheckpointingStatistics {
    let count = |s: LoggedStatus| log.checkpoints.iter().filter(|c| c.status == s).count() as u64;
    let completed: Vec<&LoggedCheckpoint> = log
        .checkpoints
        .iter()
        .filter(|c| c.status == LoggedStatus::Completed)
        .collect();
    let entries: Vec<CheckpointStatistics> = completed
        .iter()
        .map(|c| checkpoint_statistics(ctx, log, c, false))
        .collect();
    let of = |f: &dyn Fn(&CheckpointStatistics) -> i64| {
        StatsSummaryDto::with_histogram(&entries.iter().map(f).collect::<Vec<_>>())
    };
    let summary = Summary {
        checkpointed_size: of(&|c| c.checkpointed_size as i64),
        state_size: of(&|c| c.state_size as i64),
        end_to_end_duration: of(&|c| c.end_to_end_duration),
        alignment_buffered: StatsSummaryDto::zeros(),
        processed_data: of(&|c| c.processed_data as i64),
        persisted_data: of(&|c| c.persisted_data as i64),
    };
    let last = |pred: &dyn Fn(&LoggedCheckpoint) -> bool| {
        log.checkpoints
            .iter()
            .filter(|c| pred(c))
            .max_by_key(|c| (c.end_ns, c.id))
            .map(|c| checkpoint_statistics(ctx, log, c, false))
    };
    let latest = Latest {
        completed: last(&|c| c.status == LoggedStatus::Completed && !is_savepoint(c)),
        savepoint: last(&|c| c.status == LoggedStatus::Completed && is_savepoint(c)),
        failed: last(&|c| c.status == LoggedStatus::Failed),
        restored: log.restores.last().map(|r| {
            let restored = log.checkpoints.iter().find(|c| c.id == r.checkpoint);
            RestoredCheckpointStatistics {
                id: r.checkpoint,
                restore_timestamp: ctx.epoch_ms(r.restore_ns),
                is_savepoint: false,
                external_path: restored.map(|c| external_path(ctx, c)),
            }
        }),
    };
    CheckpointingStatistics {
        counts: Counts {
            restored: log.restores.len() as u64,
            total: log.checkpoints.len() as u64,
            in_progress: count(LoggedStatus::InProgress),
            completed: count(LoggedStatus::Completed),
            failed: count(LoggedStatus::Failed),
        },
        summary,
        latest,
        history: kept(log).map(|c| checkpoint_statistics(ctx, log, c, false)).collect(),
    }
}

fn completed_subtask(ctx: &RestContext, trigger_ms: i64, a: &LoggedAck) -> CompletedSubtask {
    let ack = ctx.epoch_ms(a.ack_ns);
    let m = &a.metrics;
    CompletedSubtask {
        class_name: "completed",
        index: a.index,
        ack_timestamp: ack,
        end_to_end_duration: (ack - trigger_ms).max(0),
        checkpointed_size: m.checkpointed_size,
        state_size: m.state_size,
        checkpoint: CheckpointDuration {
            sync: ms(m.sync_duration_ns),
            async_: ms(m.async_duration_ns),
        },
        alignment: Alignment {
            buffered: 0,
            processed: m.processed_data as i64,
            persisted: m.persisted_data as i64,
            duration: ms(m.alignment_duration_ns),
        },
        start_delay: ms(m.start_delay_ns),
        unaligned_checkpoint: a.unaligned,
        aborted: false,
        status: "completed",
    }
}

/// `GET /jobs/:jobid/checkpoints/details/:checkpointid/subtasks/:vertexid`.
pub fn task_details(
    ctx: &RestContext,
    log: &CheckpointLog,
    c: &LoggedCheckpoint,
    vertex: u32,
) -> TaskCheckpointStatisticsWithSubtaskDetails {
    let parallelism = log.vertices[vertex as usize].parallelism;
    let trigger_ms = ctx.epoch_ms(c.trigger_ns);
    let done: Vec<CompletedSubtask> = c
        .acks
        .iter()
        .filter(|a| a.vertex == vertex)
        .map(|a| completed_subtask(ctx, trigger_ms, a))
        .collect();
    let of = |f: &dyn Fn(&CompletedSubtask) -> i64| {
        StatsSummaryDto::without_histogram(&done.iter().map(f).collect::<Vec<_>>())
    };
    let summary = TaskSummary {
        checkpointed_size: of(&|s| s.checkpointed_size as i64),
        state_size: of(&|s| s.state_size as i64),
        end_to_end_duration: of(&|s| s.end_to_end_duration),
        checkpoint_duration: CheckpointDuration {
            sync: of(&|s| s.checkpoint.sync),
            async_: of(&|s| s.checkpoint.async_),
        },
        alignment: Alignment {
            buffered: StatsSummaryDto::zeros(),
            processed: of(&|s| s.alignment.processed),
            persisted: of(&|s| s.alignment.persisted),
            duration: of(&|s| s.alignment.duration),
        },
        start_delay: of(&|s| s.start_delay),
    };
    let subtasks = (0..parallelism)
        .map(|i| match done.iter().find(|s| s.index == i) {
            Some(s) => SubtaskCheckpointStatistics::Completed(s.clone()),
            None => SubtaskCheckpointStatistics::Pending(PendingSubtask {
                class_name: "pending_or_failed",
                index: i,
                status: "pending_or_failed",
            }),
        })
        .collect();
    TaskCheckpointStatisticsWithSubtaskDetails {
        task: task_statistics(ctx, c, vertex, parallelism),
        summary,
        subtasks,
    }
}

/// The checkpoints Flink's history keeps (`web.checkpoints.history`): the newest, newest first.
fn kept(log: &CheckpointLog) -> impl Iterator<Item = &LoggedCheckpoint> {
    log.checkpoints.iter().rev().take(log.history_size as usize)
}

/// The details and subtask details of every checkpoint in the history.
pub fn details_file(ctx: &RestContext, log: &CheckpointLog) -> CheckpointDetailsFile {
    CheckpointDetailsFile {
        job_id: ctx.job_id.clone(),
        vertices: log
            .vertices
            .iter()
            .enumerate()
            .map(|(v, vx)| (ctx.vertex_ids[v].clone(), vx.name.clone()))
            .collect(),
        checkpoints: kept(log)
            .map(|c| {
                let subtasks = (0..log.vertices.len() as u32)
                    .map(|v| (ctx.vertex_ids[v as usize].clone(), task_details(ctx, log, c, v)))
                    .collect();
                (
                    c.id,
                    CheckpointDetails {
                        details: checkpoint_statistics(ctx, log, c, true),
                        subtasks,
                    },
                )
            })
            .collect(),
    }
}
