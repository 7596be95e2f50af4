//! The configuration the world runs on, one part per component, compiled from a scenario by the
//! `compile` module (the model never reads a scenario).
//! [`World::new`](crate::model::world::World::new) takes a [`WorldConfig`] and a seed.

use crate::fault_spec::FaultsCfg;
use crate::model::backend::BackendConfig;
use crate::model::debloat::DebloatConfig;
use crate::model::graph::JobSpec;
use crate::model::storage::StorageProfile;
use crate::protocol::coordinator::CoordinatorConfig;
use crate::protocol::restart::RestartStrategyConfig;
use crate::sim::Dist;
use crate::sim::dist::Duration;
use crate::time::SimTime;
use crate::vocab::FailoverStrategyKind;

/// `NetworkConfig::buffer_timeout_ns` with `execution.buffer-timeout.enabled: false`: no output
/// flusher is ever armed, and a source's batch has no flusher tick to end at.
pub const NO_OUTPUT_FLUSHER: u64 = u64::MAX;

/// The first tick of the output flushers strictly after `t_ns`: they tick every `period_ns`
/// (a buffer timeout above 0), `phase_ns` (below `period_ns`) after the job's start and every
/// period after. With [`NO_OUTPUT_FLUSHER`], never.
pub fn next_flush_tick_ns(t_ns: u64, period_ns: u64, phase_ns: u64) -> u64 {
    if period_ns == NO_OUTPUT_FLUSHER {
        return u64::MAX;
    }
    debug_assert!(period_ns > 0 && phase_ns < period_ns);
    (t_ns + period_ns - phase_ns) / period_ns * period_ns + phase_ns
}

/// Everything one run of the world is configured with.
#[derive(Clone, Debug)]
pub struct WorldConfig {
    /// The run itself: how long, what to report and how.
    pub run: RunConfig,
    /// The job's operators and the cluster they are placed on.
    pub job: JobSpec,
    /// Channels, buffers, flushing, latencies, RPCs and buffer debloating.
    pub network: NetworkConfig,
    /// The JobManager's `CheckpointCoordinator` (its task counts are the job's).
    pub coordinator: CoordinatorConfig,
    /// The JobManager <-> TaskManager RPCs of the checkpoint protocol.
    pub rpc: RpcConfig,
    /// Checkpoint storage.
    pub storage: StorageConfig,
    /// The state backend of every stateful subtask.
    pub backend: BackendConfig,
    /// Failover strategy, redeployment and state restore.
    pub recovery: RecoverySettings,
    /// `restart-strategy.*`, Flink's default already resolved.
    pub restart: RestartStrategyConfig,
    /// What is to go wrong.
    pub faults: FaultsCfg,
}

/// Settings of the run as a whole.
#[derive(Clone, Debug)]
pub struct RunConfig {
    /// Simulated time to run.
    pub duration: Duration,
    /// Statistics ignore the time before this.
    pub warmup: SimTime,
    /// Wall-clock time (epoch ms) of simulated time zero, for Flink-shaped exports.
    pub start_epoch_ms: u64,
    /// `web.checkpoints.history`.
    pub history_size: u32,
    /// When savepoints are triggered.
    pub savepoint_times: Vec<SimTime>,
    /// `execution.checkpointing.dir`, for the `external_path` of completed checkpoints.
    pub checkpoint_dir: String,
    /// Keep the id of every record the sinks write and commit, for the exactly-once checker
    /// ([`World::committed_output`](crate::model::world::World::committed_output)). Off in a
    /// run: the ids would grow with it (8 bytes per committed record, kept to the end).
    pub keep_committed_output: bool,
    /// Records each simulated record stands for (`simulation.records_per_bundle`; 1: the
    /// record-level model): the factor from simulated records to the counts reported.
    pub records_per_bundle: u32,
}

/// The network stack of the TaskManagers.
#[derive(Clone, Debug)]
pub struct NetworkConfig {
    /// `taskmanager.memory.segment-size`.
    pub segment_bytes: u64,
    /// Exclusive credits per input channel.
    pub buffers_per_channel: u32,
    pub floating_buffers_per_gate: u32,
    /// Cap per output subpartition.
    pub max_buffers_per_channel: u32,
    /// `execution.buffer-timeout.interval`: 0 flushes after every record,
    /// [`NO_OUTPUT_FLUSHER`] when `execution.buffer-timeout.enabled` is false.
    pub buffer_timeout_ns: u64,
    /// Latency of a channel within a TaskManager.
    pub local_latency: Dist,
    /// Latency of a channel between TaskManagers.
    pub remote_latency: Dist,
    /// The consumer's hand-off of a buffer or event reaching an input channel with nothing
    /// pending (its task thread waking to read it).
    pub input_handoff_latency: Dist,
    /// Bandwidth of the connection between two TaskManagers.
    pub remote_bandwidth_bytes_per_s: f64,
    /// Buffer debloating; `None` when off.
    pub debloat: Option<DebloatConfig>,
}

/// One-way latencies of the checkpoint protocol's RPCs, each kind its own (as Flink's
/// statistics tell them apart: the trigger shows in a source's start delay, the
/// acknowledgement in a subtask's end-to-end duration).
#[derive(Clone, Debug)]
pub struct RpcConfig {
    /// Time between the trigger timer firing and the trigger RPCs leaving the JobManager.
    pub trigger_pipeline: Dist,
    /// `triggerCheckpoint`, JobManager -> each source task.
    pub trigger: Dist,
    /// `acknowledgeCheckpoint` / `declineCheckpoint`, a task -> the JobManager.
    pub acknowledge: Dist,
    /// `notifyCheckpointComplete` / `notifyCheckpointAborted`, JobManager -> each task.
    pub notify: Dist,
}

/// Checkpoint storage.
#[derive(Clone, Debug)]
pub struct StorageConfig {
    pub profile: StorageProfile,
    /// State at or below this size is inlined into the checkpoint's metadata.
    pub inline_threshold_bytes: u64,
    /// Bandwidth of each TaskManager's network interface, shared by its storage transfers;
    /// `None`: unlimited.
    pub nic_bytes_per_s: Option<f64>,
    /// `execution.checkpointing.unaligned.max-subtasks-per-channel-state-file`: subtasks of a
    /// TaskManager sharing one channel-state writer and file.
    pub max_subtasks_per_channel_state_file: u32,
}

/// How recovery behaves (`[recovery]`: failover strategy, local recovery, restore speed).
#[derive(Clone, Debug)]
pub struct RecoverySettings {
    /// Time to deploy a task again before it restores (scheduling, slot, task startup).
    pub deploy: Dist,
    /// A failed task's cleanup and `FAILED` report: what the JobManager waits before it learns
    /// of a task failure.
    pub task_failure_report: Dist,
    /// `execution.state-recovery.from-local`: a task restarted on a surviving TaskManager
    /// reads its state from local disk instead of the checkpoint storage.
    pub local_recovery: bool,
    pub local_restore_bytes_per_s: f64,
    /// Download bandwidth per task when restoring from storage; `None` shares the storage's.
    pub restore_bytes_per_s: Option<f64>,
    /// `jobmanager.execution.failover-strategy`.
    pub failover: FailoverStrategyKind,
}

impl RecoverySettings {
    /// Immediate redeployment, downloads through the storage, region failover: for tests
    /// that want the arithmetic plain.
    pub fn instant(local_recovery: bool) -> Self {
        RecoverySettings {
            deploy: Dist::Constant(0.0),
            task_failure_report: Dist::Constant(0.0),
            local_recovery,
            local_restore_bytes_per_s: f64::INFINITY,
            restore_bytes_per_s: None,
            failover: FailoverStrategyKind::Region,
        }
    }
}
