//! The scenario file schema. Field names follow Flink's configuration keys where one exists
//! (`execution.checkpointing.interval` is `checkpoint.interval`), with Flink's defaults.
//! Unknown fields are rejected so that a typo never silently falls back to a default.

use serde::Deserialize;

use crate::sim::Dist;
use crate::sim::dist::{Bytes, BytesDist, Duration, DurationDist, Rate};
use crate::time::{NS_PER_MS, NS_PER_S, NS_PER_US};

/// The vocabulary the file shares with the model, defined below both.
pub use crate::protocol::CheckpointingMode;
pub use crate::vocab::{
    ArrivalProcess, ChainingStrategy, DeliveryGuarantee, KeyDistribution, OperatorKind, Partitioning, SourceConnector,
    StateBackendKind,
};

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Free text shown in reports.
    #[serde(default)]
    pub description: String,
    pub simulation: SimulationCfg,
    #[serde(default)]
    pub checkpoint: CheckpointCfg,
    pub cluster: ClusterCfg,
    #[serde(default)]
    pub network: NetworkCfg,
    #[serde(default)]
    pub storage: StorageCfg,
    #[serde(default)]
    pub state_backend: StateBackendCfg,
    /// How the job's operators become tasks (`pipeline.*`).
    #[serde(default)]
    pub pipeline: PipelineCfg,
    pub operators: Vec<OperatorCfg>,
    /// Injected failures (`[faults]`); none when absent.
    #[serde(default)]
    pub faults: Option<super::faults::FaultsCfg>,
    /// `restart-strategy.*`; absent: Flink's default (see `restart::effective_restart_strategy`).
    #[serde(default)]
    pub restart: Option<super::restart::RestartCfg>,
    /// Failover strategy and state restore (`[recovery]`).
    #[serde(default)]
    pub recovery: super::restart::RecoveryCfg,
    /// Parameter sweep definition, read by `ckptsim sweep`; ignored by `ckptsim run`.
    #[serde(default)]
    pub sweep: Option<toml::Table>,
    /// The planner's questions for this job (`ckptsim advise`'s options); ignored by `ckptsim run`.
    #[serde(default)]
    pub advise: Option<toml::Table>,
    /// Flink configuration keys (`"execution.checkpointing.interval" = "30 s"`), mapped onto
    /// the fields above when the file is loaded (`scenario::flink`); always `None` afterwards.
    #[serde(default)]
    pub flink: Option<toml::Table>,
    /// Where an imported scenario's job data came from and the job's own medians
    /// (`ckptsim import` writes it); `ckptsim run` prints them beside the simulated ones.
    #[serde(default)]
    pub imported: Option<super::imported::ImportedCfg>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulationCfg {
    /// Simulated time to run.
    pub duration: Duration,
    /// Master seed; `--seed` overrides it.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Statistics (throughput, latency, back-pressure) ignore this initial period.
    #[serde(default = "zero_duration")]
    pub warmup: Duration,
    /// Wall-clock time of simulated time zero, in epoch milliseconds, for the timestamps of
    /// `checkpoints.json` (Flink's REST API reports epoch milliseconds). Fixed by default, never
    /// the real clock, so that a run's bytes do not depend on when it ran.
    #[serde(default = "default_start_epoch_ms")]
    pub start_epoch_ms: u64,
}

/// 2024-01-01T00:00:00Z.
pub const DEFAULT_START_EPOCH_MS: u64 = 1_704_067_200_000;

fn default_start_epoch_ms() -> u64 {
    DEFAULT_START_EPOCH_MS
}

fn default_seed() -> u64 {
    1
}
fn zero_duration() -> Duration {
    Duration::new(0.0)
}
fn dur(ns: u64) -> Duration {
    Duration::new(ns as f64)
}
fn dur_dist(ns: u64) -> DurationDist {
    DurationDist::new(Dist::Constant(ns as f64))
}

/// `pipeline.*`: how the job graph is built from the operators.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineCfg {
    /// `pipeline.operator-chaining.enabled` (true): forward edges between operators of equal
    /// parallelism chain them into one task.
    #[serde(default = "yes")]
    pub operator_chaining: bool,
}

impl Default for PipelineCfg {
    fn default() -> Self {
        PipelineCfg {
            operator_chaining: true,
        }
    }
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointCfg {
    /// `execution.checkpointing.interval`; absent means periodic checkpointing is off.
    #[serde(default)]
    pub interval: Option<Duration>,
    /// `execution.checkpointing.timeout` (10 min).
    #[serde(default = "default_timeout")]
    pub timeout: Duration,
    /// `execution.checkpointing.min-pause` (0), measured from the last completion.
    #[serde(default = "zero_duration")]
    pub min_pause: Duration,
    /// `execution.checkpointing.max-concurrent-checkpoints` (1).
    #[serde(default = "one")]
    pub max_concurrent: u32,
    /// `execution.checkpointing.tolerable-failed-checkpoints` (0).
    #[serde(default)]
    pub tolerable_failed: u32,
    /// `execution.checkpointing.mode`.
    #[serde(default = "default_mode")]
    pub mode: CheckpointingMode,
    /// `execution.checkpointing.num-retained` (1).
    #[serde(default = "one")]
    pub num_retained: u32,
    /// Time the JobManager spends between the trigger timer firing and the trigger RPCs leaving
    /// (checkpoint ID counter, storage location, coordinator snapshots).
    #[serde(default = "zero_dist")]
    pub trigger_latency: DurationDist,
    /// Delay of the first periodic checkpoint after the job starts or restarts. Default: as
    /// Flink, random in `[min_pause, interval]`. A fixed value places checkpoints at fixed
    /// offsets, as the checkpoint/restart models (Young, Daly) assume.
    #[serde(default)]
    pub first_trigger_delay: Option<Duration>,
    /// `execution.checkpointing.unaligned.enabled` (false).
    #[serde(default)]
    pub unaligned: bool,
    /// `execution.checkpointing.aligned-checkpoint-timeout` (0s): with `unaligned`, a checkpoint
    /// starts aligned and switches to unaligned once this long has passed since its trigger;
    /// 0 means always unaligned.
    #[serde(default = "zero_duration")]
    pub aligned_checkpoint_timeout: Duration,
    /// `execution.checkpointing.unaligned.max-subtasks-per-channel-state-file` (5): on each
    /// TaskManager, the job's subtasks share channel-state writers, this many per writer; a
    /// writer puts their channel state of a checkpoint into one file, and a subtask's
    /// channel state is complete when that file is closed, after all of theirs.
    #[serde(default = "five")]
    pub max_subtasks_per_channel_state_file: u32,
    /// Times at which a savepoint is triggered (manual `triggerSavepoint`), e.g. `["20s"]`.
    #[serde(default)]
    pub savepoint_times: Vec<Duration>,
    /// `web.checkpoints.history` (10): the most recent checkpoints whose entries and details
    /// `checkpoints.json` and `checkpoint_details.json` keep, as Flink's REST API keeps them
    /// (counts and summaries cover every checkpoint; `checkpoints.csv` lists them all).
    #[serde(default = "default_history_size")]
    pub history_size: u32,
}

fn default_history_size() -> u32 {
    10
}

fn default_timeout() -> Duration {
    dur(10 * 60 * NS_PER_S)
}
fn one() -> u32 {
    1
}
fn default_mode() -> CheckpointingMode {
    CheckpointingMode::ExactlyOnce
}
fn zero_dist() -> DurationDist {
    dur_dist(0)
}

impl Default for CheckpointCfg {
    fn default() -> Self {
        CheckpointCfg {
            interval: None,
            timeout: default_timeout(),
            min_pause: zero_duration(),
            max_concurrent: 1,
            tolerable_failed: 0,
            mode: default_mode(),
            num_retained: 1,
            trigger_latency: zero_dist(),
            first_trigger_delay: None,
            unaligned: false,
            aligned_checkpoint_timeout: zero_duration(),
            max_subtasks_per_channel_state_file: five(),
            savepoint_times: Vec::new(),
            history_size: default_history_size(),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterCfg {
    pub taskmanagers: u32,
    /// `taskmanager.numberOfTaskSlots` (1).
    #[serde(default = "one")]
    pub slots_per_taskmanager: u32,
    /// One-way latency of an RPC between the JobManager and a TaskManager: the default of the
    /// three kinds below.
    #[serde(default = "default_rpc_latency")]
    pub rpc_latency: DurationDist,
    /// `triggerCheckpoint` (JobManager -> source task); absent: `rpc_latency`.
    #[serde(default)]
    pub trigger_rpc_latency: Option<DurationDist>,
    /// `acknowledgeCheckpoint` / `declineCheckpoint` (task -> JobManager); absent: `rpc_latency`.
    #[serde(default)]
    pub acknowledge_rpc_latency: Option<DurationDist>,
    /// `notifyCheckpointComplete` / `Aborted` (JobManager -> task); absent: `rpc_latency`.
    #[serde(default)]
    pub notify_rpc_latency: Option<DurationDist>,
    /// Cores of each TaskManager, shared by its task threads and asynchronous snapshot
    /// threads; absent: one per slot.
    #[serde(default)]
    pub cores_per_taskmanager: Option<f64>,
    /// TaskManagers per host (1): those of one host pool their cores (a MiniCluster runs every
    /// TaskManager on its host's cores).
    #[serde(default = "one")]
    pub taskmanagers_per_host: u32,
    /// Bandwidth of each TaskManager's network interface, which its checkpoint uploads,
    /// channel-state uploads and restore downloads share (on top of the storage's aggregate and
    /// per-request bandwidth); TaskManagers of one host pool theirs, as they pool their cores.
    /// Absent: unlimited (only the storage limits a transfer). Flink has no key for it: it is
    /// the machine's, not Flink's.
    #[serde(default)]
    pub nic_bandwidth: Option<Rate>,
}

/// Median 1 ms (a JobManager-TaskManager round of Pekko RPC on one network); the spread is
/// that of the trigger RPC as Flink 2.3 shows it in a source's start delay on the calibration
/// run `c04_empty` (tests/fidelity/real/c04_empty.r1, after the 10 s warm-up: p50 3 ms,
/// p90 7.6 ms, so sigma = ln(7.6 / 3) / 1.2816 = 0.73). A constant latency would trigger every
/// source at the same instant, so no alignment ever happened without backpressure.
pub const DEFAULT_RPC_LATENCY_SIGMA: f64 = 0.73;

fn default_rpc_latency() -> DurationDist {
    DurationDist::new(Dist::LogNormal {
        median: NS_PER_MS as f64,
        sigma: DEFAULT_RPC_LATENCY_SIGMA,
    })
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkCfg {
    /// `taskmanager.memory.segment-size` (32 KiB): the network buffer size.
    #[serde(default = "default_segment")]
    pub segment_size: Bytes,
    /// `taskmanager.network.memory.buffers-per-channel` (2): exclusive credits per input channel.
    #[serde(default = "two")]
    pub buffers_per_channel: u32,
    /// `taskmanager.network.memory.floating-buffers-per-gate` (8).
    #[serde(default = "eight")]
    pub floating_buffers_per_gate: u32,
    /// `taskmanager.network.memory.max-buffers-per-channel` (10): cap per output subpartition.
    #[serde(default = "ten")]
    pub max_buffers_per_channel: u32,
    /// `execution.buffer-timeout` (100 ms); 0 flushes after every record.
    #[serde(default = "default_buffer_timeout")]
    pub buffer_timeout: Duration,
    /// Latency of a channel whose two ends share a TaskManager.
    #[serde(default = "default_local_latency")]
    pub local_latency: DurationDist,
    /// Latency of a channel between TaskManagers.
    #[serde(default = "default_remote_latency")]
    pub remote_latency: DurationDist,
    /// The consumer's hand-off: from a buffer or event reaching an input channel that had
    /// nothing pending to the consumer's task thread reading it (Flink: the channel's
    /// `notifyChannelNonEmpty` completes the input gate's availability future, whose callback
    /// puts a mail that resumes the task's suspended default action). A buffer that arrives
    /// while an earlier one on its channel is still being handed off goes with it. Default:
    /// measured on real Flink 2.3, the calibration runs c01, c02, c04 and c05 of
    /// `tests/fidelity/` (the map's start delay minus its source's, per checkpoint, on a
    /// local channel; `cargo test --release --test fidelity -- --nocapture` prints it).
    #[serde(default = "default_input_handoff_latency")]
    pub input_handoff_latency: DurationDist,
    /// Bandwidth of the connection between two TaskManagers, shared by all channels on it
    /// (Flink multiplexes them over one TCP connection).
    #[serde(default = "default_remote_bandwidth")]
    pub remote_bandwidth: Rate,
    /// Buffer debloating (FLIP-183), off by default.
    #[serde(default)]
    pub debloat: DebloatCfg,
}

/// `taskmanager.network.memory.buffer-debloat.*` and the segment-size bounds it uses.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DebloatCfg {
    /// `…buffer-debloat.enabled` (false).
    #[serde(default)]
    pub enabled: bool,
    /// `…buffer-debloat.target` (1 s): the time in-flight data should take to consume.
    #[serde(default = "default_debloat_target")]
    pub target: Duration,
    /// `…buffer-debloat.period` (200 ms): how often the buffer size is recalculated.
    #[serde(default = "default_debloat_period")]
    pub period: Duration,
    /// `…buffer-debloat.samples` (20): the moving average's window.
    #[serde(default = "default_debloat_samples")]
    pub samples: u32,
    /// `…buffer-debloat.threshold-percentages` (25): smaller changes are not announced.
    #[serde(default = "default_debloat_threshold")]
    pub threshold_percentages: u32,
    /// `taskmanager.memory.min-segment-size` (256 B).
    #[serde(default = "default_min_segment")]
    pub min_segment_size: Bytes,
    /// `taskmanager.memory.starting-segment-size` (1024 B): buffer size before the first
    /// announcement.
    #[serde(default = "default_starting_segment")]
    pub starting_segment_size: Bytes,
}

fn default_debloat_target() -> Duration {
    dur(NS_PER_S)
}
fn default_debloat_period() -> Duration {
    dur(200 * NS_PER_MS)
}
fn default_debloat_samples() -> u32 {
    20
}
fn default_debloat_threshold() -> u32 {
    25
}
fn default_min_segment() -> Bytes {
    Bytes::new(256.0)
}
fn default_starting_segment() -> Bytes {
    Bytes::new(1024.0)
}

impl Default for DebloatCfg {
    fn default() -> Self {
        DebloatCfg {
            enabled: false,
            target: default_debloat_target(),
            period: default_debloat_period(),
            samples: default_debloat_samples(),
            threshold_percentages: default_debloat_threshold(),
            min_segment_size: default_min_segment(),
            starting_segment_size: default_starting_segment(),
        }
    }
}

fn default_segment() -> Bytes {
    Bytes::new(32.0 * 1024.0)
}
fn two() -> u32 {
    2
}
fn five() -> u32 {
    5
}
fn eight() -> u32 {
    8
}
fn ten() -> u32 {
    10
}
fn default_buffer_timeout() -> Duration {
    dur(100 * NS_PER_MS)
}
fn default_local_latency() -> DurationDist {
    dur_dist(10 * NS_PER_US)
}
fn default_remote_latency() -> DurationDist {
    dur_dist(100 * NS_PER_US)
}
/// The consumer's hand-off as measured on real Flink 2.3 (`tests/fidelity/` calibration runs
/// c01, c02, c04, c05; the fidelity test checks these points against the measurement).
pub const DEFAULT_INPUT_HANDOFF_PERCENTILES_MS: [(f64, f64); 7] = [
    (0.0, 0.0),
    (0.1, 0.0),
    (0.25, 1.0),
    (0.5, 1.0),
    (0.75, 2.0),
    (0.9, 3.0),
    (1.0, 15.0),
];
fn default_input_handoff_latency() -> DurationDist {
    DurationDist::new(Dist::Percentiles(
        DEFAULT_INPUT_HANDOFF_PERCENTILES_MS
            .iter()
            .map(|&(q, ms)| (q, ms * NS_PER_MS as f64))
            .collect(),
    ))
}
fn default_remote_bandwidth() -> Rate {
    Rate::new(1.25e9)
}

impl Default for NetworkCfg {
    fn default() -> Self {
        NetworkCfg {
            segment_size: default_segment(),
            buffers_per_channel: 2,
            floating_buffers_per_gate: 8,
            max_buffers_per_channel: 10,
            buffer_timeout: default_buffer_timeout(),
            local_latency: default_local_latency(),
            remote_latency: default_remote_latency(),
            input_handoff_latency: default_input_handoff_latency(),
            remote_bandwidth: default_remote_bandwidth(),
            debloat: DebloatCfg::default(),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageCfg {
    /// `local-disk`, `local-page-cache`, `hdfs` or `s3` (`vocab::STORAGE_PROFILES`); the fields
    /// below override the profile's values.
    #[serde(default = "default_profile")]
    pub profile: String,
    /// Latency before an upload starts moving bytes (connection, request, first byte).
    pub request_latency: Option<DurationDist>,
    /// Aggregate bandwidth shared by all concurrent uploads.
    pub bandwidth: Option<Rate>,
    /// Cap on the bandwidth of a single upload.
    pub per_request_bandwidth: Option<Rate>,
    /// Time to write the checkpoint's `_metadata` file on completion.
    pub metadata_latency: Option<DurationDist>,
    /// State at or below this size is inlined into the metadata instead of uploaded
    /// (`execution.checkpointing.data-inline-threshold`, 20 KiB).
    #[serde(default = "default_inline")]
    pub inline_threshold: Bytes,
}

fn default_profile() -> String {
    "hdfs".into()
}
fn default_inline() -> Bytes {
    Bytes::new(20.0 * 1024.0)
}

impl Default for StorageCfg {
    fn default() -> Self {
        StorageCfg {
            profile: default_profile(),
            request_latency: None,
            bandwidth: None,
            per_request_bandwidth: None,
            metadata_latency: None,
            inline_threshold: default_inline(),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateBackendCfg {
    #[serde(default = "default_backend")]
    pub kind: StateBackendKind,
    /// RocksDB: bytes in the memtable that the sync phase flushes (at most the state size).
    #[serde(default = "default_memtable")]
    pub memtable_size: Bytes,
    /// RocksDB: local disk write speed for the memtable flush.
    #[serde(default = "default_local_disk")]
    pub local_disk_bandwidth: Rate,
    /// `execution.checkpointing.incremental` (false): RocksDB uploads only new SST files.
    #[serde(default)]
    pub incremental: bool,
    /// RocksDB leveled compaction, which decides which SST files exist.
    #[serde(default)]
    pub compaction: CompactionCfg,
    /// The changelog state backend (FLIP-158) wrapping `kind`.
    #[serde(default)]
    pub changelog: ChangelogCfg,
    /// Heap: CPU time the asynchronous snapshot thread spends serializing one state entry
    /// (`CopyOnWriteStateMapSnapshot.writeState`: key, namespace, value serializers).
    #[serde(default = "default_heap_entry_cpu")]
    pub heap_serialize_per_entry: Duration,
    /// Heap: bytes per second of CPU the snapshot thread serializes, on top of the per-entry
    /// cost (the write to checkpoint storage is the storage model's).
    #[serde(default = "default_heap_byte_rate")]
    pub heap_serialize_bandwidth: Rate,
}

/// Calibrated on Flink 2.3 (`tests/fidelity`: runs c01_heap_bytes, c02_heap_entries and
/// c03_rocks_bytes on a 2-core host), rounded.
fn default_heap_entry_cpu() -> Duration {
    dur(250)
}
fn default_heap_byte_rate() -> Rate {
    Rate::new(2.5e9)
}

/// RocksDB's leveled compaction, with Flink's defaults (`state.backend.rocksdb.compaction.*`)
/// and RocksDB's where Flink sets none.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompactionCfg {
    /// RocksDB `level0_file_num_compaction_trigger` (4).
    #[serde(default = "default_l0_trigger")]
    pub level0_file_num_compaction_trigger: u32,
    /// `…compaction.level.max-size-level-base` (256 MiB): target size of level 1.
    #[serde(default = "default_level_base")]
    pub max_size_level_base: Bytes,
    /// RocksDB `max_bytes_for_level_multiplier` (10): each level's target is this times the
    /// previous one's.
    #[serde(default = "default_level_multiplier")]
    pub level_multiplier: u32,
    /// `…compaction.level.target-file-size-base` (64 MiB): size of the files compaction writes.
    #[serde(default = "default_target_file")]
    pub target_file_size_base: Bytes,
}

fn default_l0_trigger() -> u32 {
    4
}
fn default_level_base() -> Bytes {
    Bytes::new(256.0 * 1024.0 * 1024.0)
}
fn default_level_multiplier() -> u32 {
    10
}
fn default_target_file() -> Bytes {
    Bytes::new(64.0 * 1024.0 * 1024.0)
}

impl Default for CompactionCfg {
    fn default() -> Self {
        CompactionCfg {
            level0_file_num_compaction_trigger: default_l0_trigger(),
            max_size_level_base: default_level_base(),
            level_multiplier: default_level_multiplier(),
            target_file_size_base: default_target_file(),
        }
    }
}

/// `state.backend.changelog.*` and `dstl.dfs.*` (FLIP-158), with Flink's defaults.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangelogCfg {
    /// `state.backend.changelog.enabled` (false).
    #[serde(default)]
    pub enabled: bool,
    /// `state.backend.changelog.periodic-materialize.interval` (10 min).
    #[serde(default = "default_materialize_interval")]
    pub periodic_materialize_interval: Duration,
    /// `dstl.dfs.batch.persist-delay` (10 ms): an upload waits this long to batch more changes.
    #[serde(default = "default_persist_delay")]
    pub persist_delay: Duration,
    /// `dstl.dfs.batch.persist-size-threshold` (10 MiB): a batch this large goes at once.
    #[serde(default = "default_persist_size")]
    pub persist_size_threshold: Bytes,
    /// `dstl.dfs.preemptive-persist-threshold` (5 MiB): changes accumulated past this are
    /// uploaded without waiting for a checkpoint.
    #[serde(default = "default_preemptive")]
    pub preemptive_persist_threshold: Bytes,
}

fn default_materialize_interval() -> Duration {
    dur(10 * 60 * NS_PER_S)
}
fn default_persist_delay() -> Duration {
    dur(10 * NS_PER_MS)
}
fn default_persist_size() -> Bytes {
    Bytes::new(10.0 * 1024.0 * 1024.0)
}
fn default_preemptive() -> Bytes {
    Bytes::new(5.0 * 1024.0 * 1024.0)
}

impl Default for ChangelogCfg {
    fn default() -> Self {
        ChangelogCfg {
            enabled: false,
            periodic_materialize_interval: default_materialize_interval(),
            persist_delay: default_persist_delay(),
            persist_size_threshold: default_persist_size(),
            preemptive_persist_threshold: default_preemptive(),
        }
    }
}

fn default_backend() -> StateBackendKind {
    StateBackendKind::Heap
}
fn default_memtable() -> Bytes {
    Bytes::new(64.0 * 1024.0 * 1024.0)
}
fn default_local_disk() -> Rate {
    Rate::new(200e6)
}

impl Default for StateBackendCfg {
    fn default() -> Self {
        StateBackendCfg {
            kind: default_backend(),
            memtable_size: default_memtable(),
            local_disk_bandwidth: default_local_disk(),
            incremental: false,
            compaction: CompactionCfg::default(),
            changelog: ChangelogCfg::default(),
            heap_serialize_per_entry: default_heap_entry_cpu(),
            heap_serialize_bandwidth: default_heap_byte_rate(),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputCfg {
    pub from: String,
    pub partitioning: Partitioning,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateCfg {
    pub process: ArrivalProcess,
    /// Per source subtask.
    pub records_per_second: f64,
    pub on: Option<DurationDist>,
    pub off: Option<DurationDist>,
    /// The rate over time: a factor on `records_per_second` (steps, ramps, a daily curve, or
    /// points from a CSV file); constant when absent.
    #[serde(default)]
    pub profile: Option<super::rate_profile::RateProfileCfg>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeysCfg {
    pub count: u64,
    #[serde(default = "default_key_dist")]
    pub distribution: KeyDistribution,
    /// Zipf exponent s (weight of key k is 1/k^s).
    #[serde(default = "default_zipf")]
    pub exponent: f64,
}

fn default_key_dist() -> KeyDistribution {
    KeyDistribution::Uniform
}
fn default_zipf() -> f64 {
    1.0
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateCfg {
    /// Keyed state per distinct key seen by the subtask.
    #[serde(default)]
    pub bytes_per_key: Option<Bytes>,
    /// State present from the start, per subtask (operator state, or a pre-loaded keyed state).
    #[serde(default)]
    pub initial: Option<Bytes>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorCfg {
    pub name: String,
    pub kind: OperatorKind,
    pub parallelism: u32,
    #[serde(default)]
    pub inputs: Vec<InputCfg>,
    /// Sources: what the source reads: a log (default) or a rate-limited generator.
    #[serde(default)]
    pub connector: Option<SourceConnector>,
    /// Sources: arrival process of the external input (a generator: its rate limit).
    pub rate: Option<RateCfg>,
    /// Sources: size of each record.
    pub record_size: Option<BytesDist>,
    /// Sources: the key space of the records.
    pub keys: Option<KeysCfg>,
    /// Sources: stop after this many records per subtask (bounded input).
    pub max_records: Option<u64>,
    /// CPU time to process one record (for a source: to read and emit it). Default 1 us.
    #[serde(default = "default_service")]
    pub service_time: DurationDist,
    /// Time a record holds the task thread without a core (I/O, a remote call, a sleep), on
    /// top of `service_time`. Default 0.
    #[serde(default = "zero_dist")]
    pub wait_time: DurationDist,
    /// Size of the records this operator emits; default: the size of the input record.
    pub output_record_size: Option<BytesDist>,
    /// Records out per record in: below 1 a filter or window aggregation, above 1 a flatMap.
    #[serde(default = "one_f64")]
    pub selectivity: f64,
    #[serde(default)]
    pub state: StateCfg,
    /// Fixed part of the synchronous snapshot phase (operator `snapshotState`, timers), on top
    /// of the state backend's. Default 0: the backend's model alone.
    #[serde(default = "zero_dist")]
    pub sync_time: DurationDist,
    /// `disableChaining()` / `startNewChain()`; absent: chained where Flink would chain it.
    #[serde(default)]
    pub chaining: Option<ChainingStrategy>,
    /// Sinks: what the sink promises after a failure (Flink's `DeliveryGuarantee`); absent:
    /// exactly-once, a two-phase-commit sink.
    #[serde(default)]
    pub delivery_guarantee: Option<DeliveryGuarantee>,
}

fn one_f64() -> f64 {
    1.0
}

fn default_service() -> DurationDist {
    dur_dist(NS_PER_US)
}
