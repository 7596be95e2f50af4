//! Job-level statistics: throughput per operator, back-pressured/busy/idle time per task
//! (Flink's `backPressuredTimeMsPerSecond`, `busyTimeMsPerSecond`, `idleTimeMsPerSecond`),
//! record latency, and a per-second timeline.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct JobStats {
    pub operators: Vec<OperatorStats>,
    pub tasks: Vec<TaskStats>,
    /// Source arrival to sink processing, over records that reached a sink after warm-up (ms).
    pub latency_ms: super::StatsSummary,
    /// Source arrival to the sink's commit making the record visible (two-phase commit: output
    /// is visible only once its checkpoint completed), ms.
    #[serde(default)]
    pub visible_latency_ms: super::StatsSummary,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct OperatorStats {
    pub name: String,
    pub parallelism: u32,
    /// Records processed per second, all subtasks together, after warm-up.
    pub records_per_second: f64,
    pub bytes_per_second: f64,
    /// Mean over subtasks of `backPressuredTimeMsPerSecond`.
    pub back_pressured_time_ms_per_second: f64,
    pub busy_time_ms_per_second: f64,
    pub idle_time_ms_per_second: f64,
    /// Part of the busy time by which the asynchronous snapshot threads of the host slowed the
    /// task thread, taking cores it would otherwise have had (processor sharing, issue 12): what
    /// checkpointing costs the task's throughput beyond its synchronous phase and alignment. 0
    /// when the host has a core for every thread. Not a Flink metric.
    #[serde(default)]
    pub slowed_by_snapshots_ms_per_second: f64,
    /// Part of the busy time the task thread was runnable without a core, because its host's
    /// threads (task threads and snapshot threads) outnumbered its cores (processor sharing,
    /// issue 12); includes `slowed_by_snapshots_ms_per_second`. Linux's run delay of the task
    /// thread, which Flink does not report. 0 when the host has a core for every thread.
    #[serde(default)]
    pub waiting_for_cores_ms_per_second: f64,
    /// Mean over subtasks of Flink's `outPoolUsage` (see [`TaskStats::out_pool_usage`]).
    #[serde(default)]
    pub out_pool_usage: f64,
    /// Mean over subtasks of Flink's `inPoolUsage` (see [`TaskStats::in_pool_usage`]).
    #[serde(default)]
    pub in_pool_usage: f64,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct TaskStats {
    pub task: String,
    pub subtask_index: u32,
    pub records_in: u64,
    pub records_out: u64,
    pub back_pressured_time_ms_per_second: f64,
    pub busy_time_ms_per_second: f64,
    pub idle_time_ms_per_second: f64,
    /// Part of the busy time by which the asynchronous snapshot threads of the host slowed the
    /// task thread, taking cores it would otherwise have had (processor sharing, issue 12): what
    /// checkpointing costs the task's throughput beyond its synchronous phase and alignment. 0
    /// when the host has a core for every thread. Not a Flink metric.
    #[serde(default)]
    pub slowed_by_snapshots_ms_per_second: f64,
    /// Part of the busy time the task thread was runnable without a core, because its host's
    /// threads (task threads and snapshot threads) outnumbered its cores (processor sharing,
    /// issue 12); includes `slowed_by_snapshots_ms_per_second`. Linux's run delay of the task
    /// thread, which Flink does not report. 0 when the host has a core for every thread.
    #[serde(default)]
    pub waiting_for_cores_ms_per_second: f64,
    /// Flink's `Shuffle.Netty.Output.Buffers.outPoolUsage`: buffers of the output pools in use
    /// over their size, averaged over the samples after warm-up (0 without outputs).
    #[serde(default)]
    pub out_pool_usage: f64,
    /// Flink's `outputQueueLength`: buffers and events queued in the subpartitions (a local
    /// consumer's unread buffers included), averaged likewise.
    #[serde(default)]
    pub output_queue_length: f64,
    /// Flink's `Shuffle.Netty.Input.Buffers.inPoolUsage`: input buffers holding data over the
    /// gates' pools (exclusive buffers of remote channels plus floating ones; local channels
    /// hold none), averaged likewise.
    #[serde(default)]
    pub in_pool_usage: f64,
    /// Flink's `numBuffersInLocalPerSecond` and `numBytesInLocalPerSecond`: data buffers read
    /// from local channels, and their bytes, per second of the window.
    #[serde(default)]
    pub buffers_in_local_per_second: f64,
    #[serde(default)]
    pub bytes_in_local_per_second: f64,
    /// Flink's `numBuffersInRemotePerSecond` and `numBytesInRemotePerSecond`, from remote
    /// channels.
    #[serde(default)]
    pub buffers_in_remote_per_second: f64,
    #[serde(default)]
    pub bytes_in_remote_per_second: f64,
}

/// One row of `timeline.csv`: the job sampled once per `timeline` period.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct TimelineSample {
    pub time_s: f64,
    /// Records read by all sources in the period, per second.
    pub source_records_per_second: f64,
    /// Records processed by all sinks in the period, per second.
    pub sink_records_per_second: f64,
    /// Largest lag of a source behind its input: now minus the arrival time of the next record
    /// it has not read (ms; 0 when caught up).
    pub input_lag_ms: f64,
    /// Bytes in network buffers (output queues, on the wire, input queues) at the sample time.
    pub in_flight_bytes: u64,
}
