//! The simulated world and its event loop.
//!
//! One `World` is one run: it owns every task, channel, the storage and the coordinator, and
//! processes events in `(time, seq)` order until the simulated duration is over. It is
//! single-threaded and draws randomness only from its seeded streams, so a run is a pure
//! function of (scenario, seed).

mod backends;
mod channel_state;
mod checkpointing;
mod debloating;
mod events;
mod invariants;
mod job_status;
mod liveness;
mod network;
mod recovery;
mod restore_point;
mod stats;
mod task_loop;

use std::collections::BTreeMap;
use std::sync::Arc;

pub use events::Event;
pub use recovery::{FaultKind, PlannedFault, RecoverySettings};

use crate::ids::SubtaskId;
use crate::metrics::RunOutput;
use crate::metrics::histogram::LogHistogram;
use crate::metrics::{CheckpointStatsTracker, TimelineSample};
use crate::model::backend::{BackendConfig, StateBackend};
use crate::model::debloat::{BufferDebloater, DebloatConfig, ThroughputCalculator};
use crate::model::faults::FaultSchedule;
use crate::model::graph::JobGraph;
use crate::model::network::{ChannelState, GatePool};
use crate::model::records::Record;
use crate::model::regions::FailoverStrategy;
use crate::model::snapshot::BackendModel;
use crate::model::source::{ArrivalGen, RecordShape};
use crate::model::storage::{SharedBandwidth, StorageProfile};
use crate::model::task::{SourceRuntime, Task, TaskPhase};
use crate::protocol::coordinator::{CheckpointCoordinator, CoordinatorAction, CoordinatorConfig};
use crate::protocol::input_handler::InputHandler;
use crate::protocol::restart::RestartBackoffTimeStrategy;
use crate::protocol::subtask::SubtaskCheckpointCoordinator;
use crate::scenario::{OperatorKind, Scenario};
use crate::sim::rng::StreamKind;
use crate::sim::{Dist, EventQueue, RngStream, StreamId, TraceHash};
use crate::time::{NS_PER_S, SimTime};

/// Settings the event loop reads on its hot path, resolved once from the scenario.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub segment_bytes: u32,
    pub exclusive_buffers: u32,
    pub floating_buffers_per_gate: u32,
    pub buffer_timeout_ns: u64,
    pub max_buffers_per_channel: u32,
    /// Pool size of each (subtask, output edge): `subpartitions * buffers-per-channel + floating`.
    pub pool_size: Vec<Vec<u32>>,
    pub local_latency: Dist,
    pub remote_latency: Dist,
    pub remote_bandwidth_bytes_per_s: f64,
    pub rpc_latency: Dist,
    pub trigger_latency: Dist,
    pub inline_threshold_bytes: u64,
    pub end: SimTime,
    pub warmup: SimTime,
    pub sample_period_ns: u64,
    /// Records a source reads per batch: about one buffer's worth, so back-pressure is checked
    /// at least once per buffer filled.
    pub source_batch_max: usize,
    /// The record size `source_batch_max` assumes (the smallest mean, at most 100 B).
    pub batch_record_bytes: f64,
}

#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Baseline {
    pub busy_ns: u64,
    pub back_pressured_ns: u64,
    pub records_in: u64,
    pub records_out: u64,
    pub bytes_in: u64,
}

/// A storage upload in flight.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StorageRequest {
    pub subtask: u32,
    pub checkpoint: u64,
    pub bytes: u64,
    pub started: bool,
    pub cancelled: bool,
    /// A restore download for the subtask's incarnation, rather than a checkpoint upload.
    pub download_for: Option<u32>,
}

/// A record processed by a subtask (test hook).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcessedRecord {
    pub subtask: u32,
    /// When the subtask finished processing it.
    pub done: SimTime,
    pub record_id: u64,
    pub origin_ns: u64,
}

/// A snapshot's synchronous phase starting at a subtask (test hook).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SnapshotTaken {
    pub subtask: u32,
    pub checkpoint: u64,
    pub time: SimTime,
    /// Sources: offset of the first record not covered by the snapshot.
    pub source_offset: Option<u64>,
    /// Length of the record log then: entries before it were processed before the snapshot
    /// (the log is appended when a batch starts, and a batch always finishes before a
    /// snapshot of an aligned checkpoint begins).
    pub records_logged_before: usize,
}

/// What a storage request other than a checkpoint's state upload or a restore download is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UploadKind {
    /// The channel state (in-flight data) of an unaligned checkpoint.
    ChannelState,
    /// A changelog (DSTL) background upload of log batch `seq`.
    Changelog { seq: u64 },
    /// A changelog materialization's upload.
    Materialization { id: u64 },
}

/// Buffer debloating of one task: one throughput meter, one debloater per input gate.
#[derive(Clone, Debug)]
pub(crate) struct TaskDebloat {
    pub throughput: ThroughputCalculator,
    pub gates: Vec<BufferDebloater>,
}

pub struct World {
    pub(crate) label: String,
    pub(crate) seed: u64,
    /// For exports in Flink's shape: epoch milliseconds of time zero, checkpoint location.
    pub(crate) start_epoch_ms: u64,
    pub(crate) checkpoint_dir: String,
    pub(crate) history_size: u32,
    pub(crate) set: Settings,
    pub(crate) graph: JobGraph,
    pub(crate) queue: EventQueue<Event>,
    pub(crate) tasks: Vec<Task>,
    pub(crate) chans: Vec<ChannelState>,
    pub(crate) gate_pools: Vec<Vec<GatePool>>,
    pub(crate) connection_free_at: Vec<SimTime>,
    pub(crate) net_rng: RngStream,
    pub(crate) rpc_rng: RngStream,
    pub(crate) storage_rng: RngStream,
    pub(crate) coord_rng: RngStream,
    pub(crate) storage_profile: StorageProfile,
    pub(crate) storage: SharedBandwidth,
    pub(crate) storage_requests: Vec<Option<StorageRequest>>,
    pub(crate) storage_free: Vec<u32>,
    pub(crate) backend: BackendModel,
    pub(crate) coordinator: CheckpointCoordinator,
    pub(crate) tracker: CheckpointStatsTracker,
    pub(crate) trace: TraceHash,
    pub(crate) sources: Vec<u32>,
    pub(crate) sinks: Vec<u32>,
    pub(crate) latency: LogHistogram,
    pub(crate) vec_pool: Vec<Vec<Record>>,
    pub(crate) in_flight_bytes: u64,
    pub(crate) timeline: Vec<TimelineSample>,
    pub(crate) last_sample: (u64, u64),
    pub(crate) failure_reasons: BTreeMap<String, u64>,
    pub(crate) job_failovers_requested: u64,
    pub(crate) baseline: Vec<Baseline>,
    pub(crate) checkpoint_interval_ns: Option<u64>,
    /// Set by tests: every record a task processes, for protocol checks.
    pub(crate) record_log: Option<Vec<ProcessedRecord>>,
    /// Set by tests: when each subtask took each snapshot, and a source's offset then.
    pub(crate) snapshot_log: Vec<SnapshotTaken>,
    /// Negative control for the checkers: barriers block nothing (a deliberately broken
    /// aligned handler). Never set outside tests.
    pub(crate) broken_alignment: bool,
    // ---- failures and recovery ----
    pub(crate) planned_faults: Vec<PlannedFault>,
    pub(crate) failures: Vec<recovery::FailureState>,
    /// Indices of `failures` that may still be open, ascending (see `open_failures`).
    pub(crate) open_failure_ids: Vec<u32>,
    pub(crate) failure_scan_steps: u64,
    /// Snapshots are kept only when something can fail (they cost memory and time).
    pub(crate) capture_snapshots: bool,
    pub(crate) pending_snapshots: BTreeMap<u64, restore_point::RestorePoint>,
    pub(crate) completed_snapshots: BTreeMap<u64, restore_point::RestorePoint>,
    pub(crate) recovery: RecoverySettings,
    pub(crate) restart: RestartBackoffTimeStrategy,
    pub(crate) restart_rng: RngStream,
    pub(crate) failover: FailoverStrategy,
    pub(crate) fault_schedule: FaultSchedule,
    pub(crate) upload_failures: crate::model::faults::UploadFailures,
    /// The external system the sinks commit to; it survives every failure of the job.
    pub(crate) transactions: crate::model::external_log::ExternalTransactionLog,
    /// Source arrival to visibility (commit) of sink output, after warm-up.
    pub(crate) visible_latency: LogHistogram,
    /// Bounded jobs: when the last record of every bounded source was first processed by a sink.
    pub(crate) finished_at: Option<SimTime>,
    pub(crate) last_record_seen: Vec<bool>,
    pub(crate) bounded_sources_open: u32,
    /// Stop the run once a bounded job has finished (experiments that measure completion time).
    pub(crate) stop_when_finished: bool,
    /// Each source's generator at offset 0, to restart from when no checkpoint completed.
    pub(crate) initial_arrivals: Vec<Option<ArrivalGen>>,
    /// Per source: read lag at or below which it has caught up after a restart.
    pub(crate) catch_up_threshold_ns: Vec<Option<u64>>,
    // ---- issue 3: modes, savepoints, state backends, debloating ----
    pub(crate) mode: crate::protocol::CheckpointingMode,
    pub(crate) unaligned: bool,
    pub(crate) backend_cfg: BackendConfig,
    /// Storage requests that are neither state uploads nor restore downloads.
    pub(crate) upload_kinds: BTreeMap<u32, UploadKind>,
    pub(crate) savepoint_times: Vec<SimTime>,
    pub(crate) debloat: Option<DebloatConfig>,
    pub(crate) debloaters: Vec<Option<TaskDebloat>>,
    /// Largest `in_flight_bytes` seen after warm-up (debloating bounds it).
    pub(crate) in_flight_bytes_max: u64,
    /// Per subtask: when its pending `BackendWake` fires.
    pub(crate) backend_wake_at: Vec<Option<SimTime>>,
    // ---- run-time invariants ----
    /// Per channel: records in and out, for the conservation check.
    pub(crate) record_counts: Vec<invariants::RecordCounts>,
    pub(crate) barrier_ledger: crate::model::checker::BarrierLedger,
    pub(crate) invariant_violations: Vec<crate::model::checker::InvariantViolation>,
    /// Negative control: the next data buffer to arrive vanishes.
    pub(crate) lose_next_data_buffer: bool,
    /// Negative control: recoveries ignore the channel state of unaligned checkpoints.
    pub(crate) forget_channel_state: bool,
    /// Per TaskManager: when its slots can run tasks again after a loss (detected, replaced).
    pub(crate) taskmanager_back_at: Vec<SimTime>,
    /// Per TaskManager: its latest loss (local state copies taken before it are gone).
    pub(crate) taskmanager_lost_at: Vec<Option<SimTime>>,
    /// Completed checkpoints are checked to be consistent cuts (exactly-once mode, and every
    /// record maps to one record downstream: no broadcast, no fan-out to two edges).
    pub(crate) cut_check: bool,
    /// A negative control is active: broken invariants are expected, not a bug.
    pub(crate) negative_control: bool,
    /// The restart strategy gave up: the job is FAILED and no longer simulated.
    pub(crate) job_failed_at: Option<SimTime>,
    /// The liveness invariant's marks (checked at every sample).
    pub(crate) liveness: liveness::Liveness,
}

impl World {
    pub fn new(s: &Scenario, seed: u64, label: &str) -> World {
        let graph = JobGraph::build(s);
        let n = &s.network;
        let pool_size = graph
            .outputs
            .iter()
            .map(|edges| {
                edges
                    .iter()
                    .map(|e| e.channels.len() as u32 * n.buffers_per_channel + n.floating_buffers_per_gate)
                    .collect()
            })
            .collect();
        let segment_bytes = n.segment_size.as_u64() as u32;
        let mean_record = s
            .operators
            .iter()
            .filter_map(|o| o.record_size.as_ref().map(|d| d.dist.mean()))
            .fold(crate::model::source::DEFAULT_RECORD_BYTES, f64::min)
            .max(1.0);
        let set = Settings {
            segment_bytes,
            exclusive_buffers: n.buffers_per_channel,
            floating_buffers_per_gate: n.floating_buffers_per_gate,
            buffer_timeout_ns: n.buffer_timeout.as_u64(),
            max_buffers_per_channel: n.max_buffers_per_channel,
            pool_size,
            local_latency: n.local_latency.dist.clone(),
            remote_latency: n.remote_latency.dist.clone(),
            remote_bandwidth_bytes_per_s: n.remote_bandwidth.value,
            rpc_latency: s.cluster.rpc_latency.dist.clone(),
            trigger_latency: s.checkpoint.trigger_latency.dist.clone(),
            inline_threshold_bytes: s.storage.inline_threshold.as_u64(),
            end: SimTime(s.simulation.duration.as_u64()),
            warmup: SimTime(s.simulation.warmup.as_u64()),
            // One sample a second, fewer for long runs: at most about 10,000 rows.
            sample_period_ns: (s.simulation.duration.as_u64() / 10_000).div_ceil(NS_PER_S).max(1) * NS_PER_S,
            source_batch_max: ((segment_bytes as f64 / mean_record).ceil() as usize).clamp(1, 4096),
            batch_record_bytes: mean_record,
        };
        let key_space: u64 = s
            .operators
            .iter()
            .filter(|o| o.kind == OperatorKind::Source)
            .map(|o| {
                o.keys
                    .as_ref()
                    .map(|k| k.count)
                    .unwrap_or(crate::model::source::DEFAULT_KEY_COUNT)
            })
            .max()
            .unwrap_or(1);
        let mode = match s.checkpoint.mode {
            crate::scenario::CheckpointingMode::ExactlyOnce => crate::protocol::CheckpointingMode::ExactlyOnce,
            crate::scenario::CheckpointingMode::AtLeastOnce => crate::protocol::CheckpointingMode::AtLeastOnce,
        };
        let backend_cfg = BackendConfig::from_scenario(&s.state_backend, s.checkpoint.num_retained);
        let mut tasks = Vec::with_capacity(graph.subtasks.len());
        let mut sources = Vec::new();
        let mut sinks = Vec::new();
        // Keys and sizes are functions of (seed, record id) only: one shape, and one Zipf table,
        // per source operator, shared by its subtasks.
        let shapes: Vec<Option<Arc<RecordShape>>> = s
            .operators
            .iter()
            .map(|op| (op.kind == OperatorKind::Source).then(|| RecordShape::new(op, seed)))
            .collect();
        let end_ns = s.simulation.duration.value;
        for (i, st) in graph.subtasks.iter().enumerate() {
            let op = &s.operators[st.vertex.index()];
            let v = &graph.vertices[st.vertex.index()];
            let inputs = graph.inputs[i].len();
            let source = (op.kind == OperatorKind::Source).then(|| {
                sources.push(i as u32);
                SourceRuntime {
                    arrivals: ArrivalGen::until(
                        op.rate.as_ref().expect("validated"),
                        RngStream::new(seed, StreamId::new(StreamKind::SourceArrivals, i as u32)),
                        end_ns,
                    ),
                    shape: Arc::clone(shapes[st.vertex.index()].as_ref().expect("a source has a shape")),
                    max_records: op.max_records,
                }
            });
            if op.kind == OperatorKind::Sink {
                sinks.push(i as u32);
            }
            let edges = graph.outputs[i].len();
            tasks.push(Task {
                phase: TaskPhase::Idle,
                incarnation: 0,
                wake_gen: 0,
                batch: None,
                avail: Default::default(),
                in_avail: vec![false; inputs],
                handler: (inputs > 0).then(|| InputHandler::for_config(inputs as u32, mode, s.checkpoint.unaligned)),
                coordinator: SubtaskCheckpointCoordinator::new(),
                sync_until: SimTime::ZERO,
                sync_checkpoint: None,
                resume_after_sync: false,
                deferred_triggers: Default::default(),
                checkpoints: Vec::new(),
                rng: RngStream::new(seed, StreamId::new(StreamKind::TaskService, i as u32)),
                flush_armed: false,
                round_robin: (0..edges)
                    .map(|e| st.index % graph.outputs[i][e].channels.len() as u32)
                    .collect(),
                pool_used: vec![0; edges],
                channels_at_cap: vec![0; edges],
                keys_seen: if v.state_bytes_per_key > 0 {
                    vec![0; key_space.div_ceil(64) as usize]
                } else {
                    Vec::new()
                },
                distinct_keys: 0,
                source,
                sink: (op.kind == OperatorKind::Sink).then(|| crate::model::task::SinkRuntime {
                    txn: crate::protocol::two_phase_commit::TwoPhaseCommitSink::new(i as u32, 0),
                    open_origins_ns: Vec::new(),
                    pending_origins_ns: Default::default(),
                    absorbed_per_source: vec![0; graph.subtasks.len()],
                }),
                busy_ns: 0,
                back_pressured_ns: 0,
                back_pressured_since: None,
                records_in: 0,
                records_out: 0,
                bytes_in: 0,
                alignment_bytes_start: 0,
                backend: (v.state_bytes_per_key > 0 || v.state_initial_bytes > 0)
                    .then(|| StateBackend::new(&backend_cfg, v.state_initial_bytes)),
                state_written_pending: 0,
                channel_state: None,
                deferred_mail: Default::default(),
                waiting_output_barrier: None,
                changelog_replay_bytes: Default::default(),
            });
        }
        let chans = graph
            .channels
            .iter()
            .map(|_| ChannelState::new(n.buffers_per_channel))
            .collect();
        let gate_pools = graph
            .gates
            .iter()
            .map(|g| {
                (0..*g)
                    .map(|_| GatePool {
                        available: n.floating_buffers_per_gate,
                        waiting: Default::default(),
                    })
                    .collect()
            })
            .collect();
        let storage_profile = StorageProfile::from_cfg(&s.storage);
        let storage = SharedBandwidth::new(&storage_profile);
        let num_tasks = graph.subtasks.len() as u32;
        let coordinator = CheckpointCoordinator::new(CoordinatorConfig {
            interval_ns: s.checkpoint.interval.map(|i| i.as_u64()),
            first_trigger_delay_ns: s.checkpoint.first_trigger_delay.map(|d| d.as_u64()),
            timeout_ns: s.checkpoint.timeout.as_u64(),
            min_pause_ns: s.checkpoint.min_pause.as_u64(),
            max_concurrent: s.checkpoint.max_concurrent,
            tolerable_failed: s.checkpoint.tolerable_failed,
            num_retained: s.checkpoint.num_retained,
            num_tasks_to_ack: num_tasks,
            num_tasks_to_trigger: sources.len() as u32,
            mode,
            unaligned: s.checkpoint.unaligned,
            aligned_checkpoint_timeout_ns: Some(s.checkpoint.aligned_checkpoint_timeout.as_u64()).filter(|t| *t > 0),
        });
        let debloat = DebloatConfig::from_scenario(n);
        let debloaters = graph
            .gates
            .iter()
            .map(|g| {
                debloat.filter(|_| *g > 0).map(|cfg| TaskDebloat {
                    throughput: ThroughputCalculator::new(SimTime::ZERO),
                    gates: (0..*g).map(|_| BufferDebloater::new(cfg)).collect(),
                })
            })
            .collect();
        // Validation bounds the fault specs, so a schedule always exists for a valid scenario.
        let fault_schedule =
            FaultSchedule::generate(s, &graph, seed).expect("a validated scenario has a fault schedule");
        let initial_arrivals = tasks
            .iter()
            .map(|t| t.source.as_ref().map(|s| s.arrivals.clone()))
            .collect();
        let names = graph
            .subtasks
            .iter()
            .map(|st| (graph.vertices[st.vertex.index()].name.clone(), st.index))
            .collect();
        let tms = graph.taskmanagers as usize;
        World {
            label: label.to_string(),
            seed,
            start_epoch_ms: s.simulation.start_epoch_ms,
            checkpoint_dir: checkpoint_dir_of(&storage_profile.name),
            history_size: s.checkpoint.history_size,
            checkpoint_interval_ns: s.checkpoint.interval.map(|i| i.as_u64()),
            set,
            queue: EventQueue::new(),
            tasks,
            chans,
            gate_pools,
            connection_free_at: vec![SimTime::ZERO; tms * tms],
            net_rng: RngStream::new(seed, StreamId::new(StreamKind::Network, 0)),
            rpc_rng: RngStream::new(seed, StreamId::new(StreamKind::Rpc, 0)),
            storage_rng: RngStream::new(seed, StreamId::new(StreamKind::Storage, 0)),
            coord_rng: RngStream::new(seed, StreamId::new(StreamKind::Coordinator, 0)),
            storage_profile,
            storage,
            storage_requests: Vec::new(),
            storage_free: Vec::new(),
            backend: BackendModel::new(&s.state_backend),
            coordinator,
            tracker: CheckpointStatsTracker::new(names),
            trace: TraceHash::default(),
            sources,
            sinks,
            latency: LogHistogram::default(),
            vec_pool: Vec::new(),
            in_flight_bytes: 0,
            timeline: Vec::new(),
            last_sample: (0, 0),
            failure_reasons: BTreeMap::new(),
            job_failovers_requested: 0,
            baseline: vec![Baseline::default(); num_tasks as usize],
            record_log: None,
            snapshot_log: Vec::new(),
            broken_alignment: false,
            planned_faults: Vec::new(),
            failures: Vec::new(),
            open_failure_ids: Vec::new(),
            failure_scan_steps: 0,
            // A failover can follow any checkpoint failure past the tolerance, so keep restore
            // points whenever checkpointing is on.
            capture_snapshots: s.checkpoint.interval.is_some(),
            pending_snapshots: BTreeMap::new(),
            completed_snapshots: BTreeMap::new(),
            recovery: RecoverySettings::from_cfg(&s.recovery),
            restart: crate::scenario::faults::effective_restart_strategy(s)
                .create()
                .expect("validated restart strategy"),
            restart_rng: RngStream::new(seed, StreamId::new(StreamKind::Restart, 0)),
            failover: FailoverStrategy::new(s.recovery.failover, &graph),
            upload_failures: crate::model::faults::UploadFailures::new(seed, fault_schedule.upload_failure_probability),
            fault_schedule,
            transactions: Default::default(),
            visible_latency: LogHistogram::default(),
            finished_at: None,
            stop_when_finished: false,
            last_record_seen: vec![false; num_tasks as usize],
            bounded_sources_open: s
                .operators
                .iter()
                .filter(|o| o.kind == OperatorKind::Source && o.max_records.is_some())
                .map(|o| o.parallelism)
                .sum(),
            initial_arrivals,
            catch_up_threshold_ns: vec![None; num_tasks as usize],
            mode,
            unaligned: s.checkpoint.unaligned,
            backend_cfg,
            upload_kinds: BTreeMap::new(),
            savepoint_times: s
                .checkpoint
                .savepoint_times
                .iter()
                .map(|d| SimTime(d.as_u64()))
                .collect(),
            debloat,
            debloaters,
            in_flight_bytes_max: 0,
            backend_wake_at: vec![None; num_tasks as usize],
            record_counts: vec![Default::default(); graph.channels.len()],
            barrier_ledger: Default::default(),
            invariant_violations: Vec::new(),
            lose_next_data_buffer: false,
            forget_channel_state: false,
            taskmanager_back_at: vec![SimTime::ZERO; tms],
            taskmanager_lost_at: vec![None; tms],
            // The check counts each source's records where they end: at a sink, or in persisted
            // channel state. It applies when every record takes exactly one path to a sink: one
            // output edge per non-sink (a job whose last operator is no sink drops its records
            // there), none of them broadcast.
            cut_check: mode == crate::protocol::CheckpointingMode::ExactlyOnce
                && graph.outputs.iter().enumerate().all(|(i, edges)| {
                    let sink = graph.vertex_of(SubtaskId(i as u32)).kind == OperatorKind::Sink;
                    (if sink { edges.is_empty() } else { edges.len() == 1 })
                        && edges
                            .iter()
                            .all(|e| e.partitioning != crate::scenario::Partitioning::Broadcast)
                }),
            negative_control: false,
            job_failed_at: None,
            liveness: Default::default(),
            graph,
        }
    }

    /// Test hook: record (subtask, time, record id) of every record processed.
    pub fn enable_record_log(&mut self) {
        self.record_log = Some(Vec::new());
    }

    /// Test hook, for negative controls: make aligned barriers block no channel, so the
    /// snapshot no longer matches the barrier cut. A checker must catch this.
    #[doc(hidden)]
    pub fn break_alignment_for_negative_control(&mut self) {
        self.broken_alignment = true;
        self.negative_control = true;
    }

    pub fn record_log(&self) -> Option<&[ProcessedRecord]> {
        self.record_log.as_deref()
    }

    pub fn snapshot_log(&self) -> &[SnapshotTaken] {
        &self.snapshot_log
    }

    /// Every record id the sinks committed, in commit order (what a `read_committed` consumer
    /// of the external system sees). The exactly-once checker compares these.
    pub fn committed_output(&self) -> &[u64] {
        self.transactions.visible()
    }

    /// Bounded jobs: end the run as soon as the job has finished.
    pub fn stop_when_finished(&mut self) {
        self.stop_when_finished = true;
    }

    /// Bounded jobs: when every record had been processed by a sink (first time).
    pub fn finished_at(&self) -> Option<SimTime> {
        self.finished_at
    }

    pub fn now(&self) -> SimTime {
        self.queue.now()
    }

    fn start(&mut self) {
        self.schedule_planned_faults();
        for s in self.sources.clone() {
            self.queue.schedule(SimTime::ZERO, Event::TaskWake { s, generation: 0 });
        }
        let mut out = Vec::new();
        let rng = self.coord_rng.rng_mut();
        self.coordinator
            .start_checkpoint_scheduler(SimTime::ZERO, rng, &mut out);
        self.apply_coordinator_actions(out);
        self.queue.schedule(SimTime(self.set.sample_period_ns), Event::Sample);
        for at in self.savepoint_times.clone() {
            self.queue.schedule(at, Event::SavepointTrigger);
        }
        if let Some(d) = self.debloat {
            self.queue.schedule(SimTime(d.period_ns), Event::DebloatTick);
        }
        for s in 0..self.tasks.len() as u32 {
            self.schedule_backend_wake(s);
        }
        if self.set.warmup > SimTime::ZERO {
            self.queue.schedule(self.set.warmup, Event::WarmupEnd);
        }
    }

    /// Runs to the end of the simulated duration and returns the statistics.
    pub fn run(mut self) -> RunOutput {
        self.run_to_end();
        self.finish()
    }

    /// Runs to the end, keeping the world for inspection (tests).
    pub fn run_to_end(&mut self) {
        self.start();
        while let Some(t) = self.queue.peek_time() {
            if t > self.set.end
                || (self.stop_when_finished && self.finished_at.is_some())
                || self.job_failed_at.is_some()
            {
                break;
            }
            let (now, ev) = self.queue.pop().expect("peeked");
            let (kind, component) = ev.trace_key();
            self.trace.fold_event(now.as_ns(), kind, component);
            self.dispatch(now, ev);
        }
    }

    fn dispatch(&mut self, now: SimTime, ev: Event) {
        match ev {
            Event::TaskWake { s, generation } => {
                if self.tasks[s as usize].wake_gen == generation {
                    self.task_step(now, s);
                }
            }
            // Events for a task or channel that has been restarted since are stale.
            Event::Flush { s, inc } if inc == self.tasks[s as usize].incarnation => self.on_flush(now, s),
            Event::Deliver { ch, inc } if inc == self.chans[ch as usize].incarnation => self.on_deliver(now, ch),
            Event::Credit { ch, n, inc } if inc == self.chans[ch as usize].incarnation => self.on_credit(now, ch, n),
            Event::Resume { ch, inc } if inc == self.chans[ch as usize].incarnation => self.on_resume(now, ch),
            Event::Flush { .. } | Event::Deliver { .. } | Event::Credit { .. } | Event::Resume { .. } => {}
            Event::CoordTimer(timer) => {
                let mut out = Vec::new();
                self.coordinator.on_timer(now, timer, &mut out);
                self.apply_coordinator_actions(out);
            }
            Event::TriggerArrive { s, barrier, inc } => {
                if inc == self.tasks[s as usize].incarnation && self.tasks[s as usize].phase != TaskPhase::Down {
                    self.on_trigger_arrive(now, s, barrier)
                }
            }
            Event::AckArrive { s, checkpoint } => self.on_ack_arrive(now, s, checkpoint),
            Event::DeclineArrive { checkpoint, reason } => {
                let mut out = Vec::new();
                self.coordinator.receive_decline(now, checkpoint, reason, &mut out);
                self.apply_coordinator_actions(out);
            }
            Event::NotifyArrive {
                s,
                checkpoint,
                complete,
            } => self.on_notify_arrive(now, s, checkpoint, complete),
            Event::MetadataWritten { checkpoint } => {
                let mut out = Vec::new();
                self.coordinator.on_metadata_written(now, checkpoint, true, &mut out);
                self.apply_coordinator_actions(out);
            }
            Event::StorageStart { req } => self.on_storage_start(now, req),
            Event::StorageTick { generation } => self.on_storage_tick(now, generation),
            Event::Sample => self.on_sample(now),
            Event::WarmupEnd => self.on_warmup_end(now),
            Event::Fault { index } => self.on_fault(now, index),
            Event::FaultWindow { .. } => self.on_fault_window(now),
            Event::FailureDetected { failure } => self.on_failure_detected(now, failure),
            Event::Restart { failure } => self.on_restart(now, failure),
            Event::AlignmentTimer { s, checkpoint, inc } => {
                if inc == self.tasks[s as usize].incarnation && self.tasks[s as usize].phase != TaskPhase::Down {
                    self.on_alignment_timer(now, s, checkpoint)
                }
            }
            Event::OutputAlignmentTimer { s, checkpoint, inc } => {
                if inc == self.tasks[s as usize].incarnation && self.tasks[s as usize].phase != TaskPhase::Down {
                    self.on_output_alignment_timer(now, s, checkpoint)
                }
            }
            Event::SavepointTrigger if self.tasks.iter().any(|t| t.phase == TaskPhase::Down) => {
                self.refuse_savepoint_while_tasks_are_down();
            }
            Event::SavepointTrigger => {
                let mut out = Vec::new();
                self.coordinator.trigger_checkpoint(
                    now,
                    crate::protocol::coordinator::TriggerKind::Savepoint,
                    &mut out,
                );
                self.apply_coordinator_actions(out);
            }
            Event::BackendWake { s, inc } => {
                if inc == self.tasks[s as usize].incarnation && self.tasks[s as usize].phase != TaskPhase::Down {
                    self.on_backend_wake(now, s)
                }
            }
            Event::DebloatTick => self.on_debloat_tick(now),
            Event::Restored { s, inc } => {
                if inc == self.tasks[s as usize].incarnation {
                    self.on_restored(now, s)
                }
            }
        }
    }

    /// Schedules a wake-up of task `s` at `at`, superseding any earlier one.
    pub(crate) fn wake_at(&mut self, s: u32, at: SimTime) {
        let t = &mut self.tasks[s as usize];
        t.wake_gen = t.wake_gen.wrapping_add(1);
        let generation = t.wake_gen;
        self.queue.schedule(at, Event::TaskWake { s, generation });
    }

    pub fn graph(&self) -> &JobGraph {
        &self.graph
    }

    pub fn tracker(&self) -> &CheckpointStatsTracker {
        &self.tracker
    }

    pub fn subtask(&self, s: SubtaskId) -> &Task {
        &self.tasks[s.index()]
    }

    /// Coordinator actions become events (RPCs with latency), statistics and counters.
    pub(crate) fn apply_coordinator_actions(&mut self, actions: Vec<CoordinatorAction>) {
        let now = self.queue.now();
        for a in actions {
            match a {
                CoordinatorAction::SetTimer { at, timer } => self.queue.schedule(at, Event::CoordTimer(timer)),
                CoordinatorAction::TriggerTasks { barrier } => {
                    let pipeline = self.set.trigger_latency.sample_u64(&mut self.rpc_rng);
                    for s in self.sources.clone() {
                        let at = now + pipeline + self.set.rpc_latency.sample_u64(&mut self.rpc_rng);
                        let inc = self.tasks[s as usize].incarnation;
                        self.queue.schedule(at, Event::TriggerArrive { s, barrier, inc });
                    }
                }
                CoordinatorAction::FinalizeCheckpoint { checkpoint } => {
                    let d = self.storage_profile.metadata_latency.sample_u64(&mut self.storage_rng);
                    self.queue.schedule(now + d, Event::MetadataWritten { checkpoint });
                }
                CoordinatorAction::NotifyCheckpointComplete { checkpoint } => {
                    self.broadcast_notify(now, checkpoint, true)
                }
                CoordinatorAction::NotifyCheckpointAborted { checkpoint } => {
                    self.broadcast_notify(now, checkpoint, false)
                }
                CoordinatorAction::DiscardCompleted { checkpoint } => self.tracker.mark_discarded(checkpoint),
                CoordinatorAction::TriggerRequestFailed { reason, .. } => {
                    *self.failure_reasons.entry(reason.as_str().to_string()).or_default() += 1;
                }
                CoordinatorAction::Report(r) => {
                    use crate::protocol::coordinator::StatsReport;
                    match r {
                        StatsReport::Failed { checkpoint, reason, .. } => {
                            *self.failure_reasons.entry(reason.as_str().to_string()).or_default() += 1;
                            self.pending_snapshots.remove(&checkpoint);
                        }
                        StatsReport::Completed { checkpoint, .. }
                            if self.coordinator.completed_savepoints().last() == Some(&checkpoint) =>
                        {
                            self.complete_savepoint_snapshot(checkpoint);
                        }
                        StatsReport::Completed { checkpoint, .. } => {
                            self.promote_snapshots(checkpoint);
                            self.prune_barrier_ledger(checkpoint);
                        }
                        _ => {}
                    }
                    self.tracker.report(r)
                }
                CoordinatorAction::FailJob { .. } => {
                    // Tolerable checkpoint failures exceeded: a global failover.
                    self.job_failovers_requested += 1;
                    self.start_failure(now, FaultKind::CheckpointFailureThreshold, &[], 0);
                }
            }
        }
    }

    fn broadcast_notify(&mut self, now: SimTime, checkpoint: u64, complete: bool) {
        for s in 0..self.tasks.len() as u32 {
            let at = now + self.set.rpc_latency.sample_u64(&mut self.rpc_rng);
            self.queue.schedule(
                at,
                Event::NotifyArrive {
                    s,
                    checkpoint,
                    complete,
                },
            );
        }
    }
}

/// A plausible `execution.checkpointing.dir` for the storage profile, for the `external_path`
/// Flink reports of a completed checkpoint.
fn checkpoint_dir_of(profile: &str) -> String {
    match profile {
        "s3" => "s3://ckptsim/checkpoints".into(),
        "hdfs" => "hdfs:///ckptsim/checkpoints".into(),
        _ => "file:/ckptsim/checkpoints".into(),
    }
}

#[cfg(test)]
mod shared_shape_tests {
    /// A Zipf table of 50 M keys is 400 MB: built once per source operator, not per subtask.
    #[test]
    fn the_subtasks_of_a_source_share_one_record_shape() {
        let text = "[simulation]\nduration = \"1s\"\n[cluster]\ntaskmanagers = 1\nslots_per_taskmanager = 4\n\
                    [[operators]]\nname = \"source\"\nkind = \"source\"\nparallelism = 4\n\
                    rate = { process = \"constant\", records_per_second = 10 }\n\
                    keys = { count = 1000, distribution = \"zipf\", exponent = 1.1 }\n";
        let loaded = crate::scenario::parse_str(text, "shapes.toml").expect("valid");
        let w = super::World::new(&loaded.scenario, 1, "shapes");
        let shapes: Vec<_> = w
            .tasks
            .iter()
            .filter_map(|t| t.source.as_ref().map(|s| &s.shape))
            .collect();
        assert_eq!(shapes.len(), 4);
        assert!(shapes.windows(2).all(|p| std::sync::Arc::ptr_eq(p[0], p[1])));
    }
}
