//! One row of `failures.csv` per failure: what failed, how long each recovery step took, and
//! what the failure cost. Times in ms, as the other output files.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct FailureRecord {
    /// When the fault struck (ms since the start).
    pub failure_timestamp: f64,
    /// TASK_FAILURE, TASKMANAGER_LOST, EXCEEDED_CHECKPOINT_TOLERABLE_FAILURE.
    pub cause: String,
    /// Subtasks restarted (the failover region, or all).
    pub tasks_restarted: u32,
    /// Fault to the JobManager noticing it (the failed task's report for a task exception, the
    /// heartbeat timeout for a hung TaskManager): the job is RESTARTING from then on. Empty when
    /// the run ended first (a hung TaskManager within `heartbeat.timeout`, 50 s by default).
    pub detection_delay: Option<f64>,
    /// Detection to redeployment: the restart strategy's backoff.
    pub restart_delay: Option<f64>,
    /// Redeployment to every restarted task running again: waiting for slots (a lost
    /// TaskManager's replacement), deploy, state download.
    pub restore_duration: Option<f64>,
    /// Checkpoint restored (empty: none had completed, the job starts over).
    pub restored_checkpoint: Option<u64>,
    /// Records the sources read again: their offset at the failure minus the restored offset.
    pub records_replayed: u64,
    /// In-flight records restored from an unaligned checkpoint's channel state and processed
    /// again before new input.
    pub channel_state_records: u64,
    /// Time since the restored checkpoint's trigger: the processing to redo. Empty when the run
    /// ended before the restart chose what to restore.
    pub lost_work: Option<f64>,
    /// Fault to every restarted task running again.
    pub downtime: Option<f64>,
    /// Fault until the job has caught up: every restarted task runs and the restarted sources
    /// read with no more lag than before the fault.
    pub catch_up_time: Option<f64>,
    /// The restart strategy gave up: the job stayed down.
    pub job_failed: bool,
    /// Another failure struck before this one's recovery finished and took it over: the next
    /// row carries the recovery of both.
    pub taken_over: bool,
}
