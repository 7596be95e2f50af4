//! The simulated world and its event loop.
//!
//! One `World` is one run: it owns every task, channel, the storage and the coordinator, and
//! processes events in `(time, seq)` order until the simulated duration is over. It is
//! single-threaded and draws randomness only from its seeded streams, so a run is a pure
//! function of (configuration, seed). The configuration ([`WorldConfig`]) is compiled from a
//! scenario by the `compile` module.

mod backends;
mod channel_state;
mod checkpoint_storage;
mod checkpointing;
mod debloating;
mod endpoints;
mod events;
mod invariants;
mod jobmanager;
mod network;
mod network_stack;
mod recovery;
mod restore_point;
mod rpc;
mod statistics;
mod stats;
mod task_loop;
mod task_reset;

use std::sync::Arc;

use checkpoint_storage::CheckpointStorage;
use endpoints::Endpoints;
pub use events::Event;
use invariants::Checks;
use jobmanager::JobManager;
use network_stack::{Network, NetworkSettings};
pub use recovery::RecoverySettings;
use rpc::Rpc;
use statistics::Statistics;

use crate::ids::SubtaskId;
use crate::metrics::CheckpointStatsTracker;
use crate::metrics::RunOutput;
use crate::model::backend::{BackendConfig, StateBackend};
use crate::model::config::WorldConfig;
use crate::model::faults::{FaultEvent, FaultSchedule};
use crate::model::graph::JobGraph;
use crate::model::regions::FailoverStrategy;
use crate::model::snapshot::BackendModel;
use crate::model::source::{ArrivalGen, RecordShape};
use crate::model::task::{SourceRuntime, Task, TaskPhase};
use crate::protocol::coordinator::{CheckpointCoordinator, CoordinatorAction};
use crate::protocol::failover::FailoverLifecycle;
use crate::protocol::input_handler::InputHandler;
use crate::protocol::subtask::SubtaskCheckpointCoordinator;
use crate::sim::rng::StreamKind;
use crate::sim::{EventQueue, RngStream, StreamId, TraceHash};
use crate::time::{NS_PER_S, SimTime};
use crate::vocab::OperatorKind;

/// Settings the event loop reads on its hot path, resolved once from the configuration.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub buffer_timeout_ns: u64,
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

impl Settings {
    fn new(cfg: &WorldConfig) -> Settings {
        let n = &cfg.network;
        let mean_record = cfg
            .job
            .operators
            .iter()
            .filter_map(|o| o.source.as_ref()?.record_size.as_ref().map(|d| d.mean()))
            .fold(crate::vocab::DEFAULT_RECORD_BYTES, f64::min)
            .max(1.0);
        Settings {
            buffer_timeout_ns: n.buffer_timeout_ns,
            inline_threshold_bytes: cfg.storage.inline_threshold_bytes,
            end: SimTime(cfg.run.duration.as_u64()),
            warmup: cfg.run.warmup,
            // One sample a second, fewer for long runs: at most about 10,000 rows.
            sample_period_ns: (cfg.run.duration.as_u64() / 10_000).div_ceil(NS_PER_S).max(1) * NS_PER_S,
            source_batch_max: ((n.segment_bytes as f64 / mean_record).ceil() as usize).clamp(1, 4096),
            batch_record_bytes: mean_record,
        }
    }
}

/// The network stack's settings: the configuration's, and each output pool's size.
fn network_settings(cfg: &WorldConfig, graph: &JobGraph) -> NetworkSettings {
    let n = &cfg.network;
    NetworkSettings {
        segment_bytes: n.segment_bytes as u32,
        exclusive_buffers: n.buffers_per_channel,
        floating_buffers_per_gate: n.floating_buffers_per_gate,
        buffer_timeout_ns: n.buffer_timeout_ns,
        max_buffers_per_channel: n.max_buffers_per_channel,
        // Per (subtask, output edge): `subpartitions * buffers-per-channel + floating`.
        pool_size: graph
            .outputs
            .iter()
            .map(|edges| {
                edges
                    .iter()
                    .map(|e| e.channels.len() as u32 * n.buffers_per_channel + n.floating_buffers_per_gate)
                    .collect()
            })
            .collect(),
        local_latency: n.local_latency.clone(),
        remote_latency: n.remote_latency.clone(),
        remote_bandwidth_bytes_per_s: n.remote_bandwidth_bytes_per_s,
    }
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
    pub(crate) net: Network,
    pub(crate) tasks: Vec<Task>,
    pub(crate) rpc: Rpc,
    pub(crate) storage: CheckpointStorage,
    pub(crate) backend: BackendModel,
    pub(crate) jm: JobManager,
    pub(crate) stats: Statistics,
    pub(crate) endpoints: Endpoints,
    pub(crate) checks: Checks,
    pub(crate) trace: TraceHash,
    pub(crate) baseline: Vec<Baseline>,
    pub(crate) checkpoint_interval_ns: Option<u64>,
    /// Set by tests: every record a task processes, for protocol checks.
    pub(crate) record_log: Option<Vec<ProcessedRecord>>,
    /// Set by tests: when each subtask took each snapshot, and a source's offset then.
    pub(crate) snapshot_log: Vec<SnapshotTaken>,
    // ---- failures and recovery ----
    /// Failures planned by the fault schedule or a test, in time order.
    pub(crate) planned_faults: Vec<FaultEvent>,
    pub(crate) failover: FailoverLifecycle,
    pub(crate) recovery: RecoverySettings,
    pub(crate) restart_rng: RngStream,
    /// `jobmanager.execution.failover-strategy`: which tasks a failure restarts.
    pub(crate) failover_strategy: FailoverStrategy,
    pub(crate) fault_schedule: FaultSchedule,
    // ---- issue 3: modes, savepoints, state backends, debloating ----
    pub(crate) mode: crate::protocol::CheckpointingMode,
    pub(crate) unaligned: bool,
    pub(crate) backend_cfg: BackendConfig,
    /// Per subtask: when its pending `BackendWake` fires.
    pub(crate) backend_wake_at: Vec<Option<SimTime>>,
}

impl World {
    pub fn new(cfg: &WorldConfig, seed: u64, label: &str) -> World {
        let graph = JobGraph::build(&cfg.job);
        let n = &cfg.network;
        let set = Settings::new(cfg);
        // Validation bounds the fault specs, so a schedule always exists for a valid scenario.
        let fault_schedule = FaultSchedule::generate(&cfg.faults, set.end, &graph, seed)
            .expect("a validated scenario has a fault schedule");
        let net = Network::new(
            network_settings(cfg, &graph),
            &graph,
            RngStream::new(seed, StreamId::new(StreamKind::Network, 0)),
            n.debloat,
            &fault_schedule.windows,
        );
        let key_space: u64 = cfg
            .job
            .operators
            .iter()
            .filter_map(|o| o.source.as_ref())
            .map(|src| {
                src.keys
                    .as_ref()
                    .map(|k| k.count)
                    .unwrap_or(crate::vocab::DEFAULT_KEY_COUNT)
            })
            .max()
            .unwrap_or(1);
        let mode = cfg.coordinator.mode;
        let unaligned = cfg.coordinator.unaligned;
        let backend_cfg: BackendConfig = cfg.backend;
        let mut tasks = Vec::with_capacity(graph.subtasks.len());
        let mut sources = Vec::new();
        let mut sinks = Vec::new();
        // Keys and sizes are functions of (seed, record id) only: one shape, and one Zipf table,
        // per source operator, shared by its subtasks.
        let shapes: Vec<Option<Arc<RecordShape>>> = cfg
            .job
            .operators
            .iter()
            .map(|op| op.source.as_ref().map(|src| RecordShape::new(src, seed)))
            .collect();
        let end_ns = cfg.run.duration.value;
        for (i, st) in graph.subtasks.iter().enumerate() {
            let op = &cfg.job.operators[st.vertex.index()];
            let v = &graph.vertices[st.vertex.index()];
            let inputs = graph.inputs[i].len();
            let source = op.source.as_ref().map(|src| {
                sources.push(i as u32);
                SourceRuntime {
                    arrivals: ArrivalGen::until(
                        &src.rate,
                        RngStream::new(seed, StreamId::new(StreamKind::SourceArrivals, i as u32)),
                        end_ns,
                    ),
                    shape: Arc::clone(shapes[st.vertex.index()].as_ref().expect("a source has a shape")),
                    max_records: src.max_records,
                }
            });
            if op.kind == OperatorKind::Sink {
                sinks.push(i as u32);
            }
            tasks.push(Task {
                phase: TaskPhase::Idle,
                incarnation: 0,
                wake_gen: 0,
                batch: None,
                handler: (inputs > 0).then(|| InputHandler::for_config(inputs as u32, mode, unaligned)),
                coordinator: SubtaskCheckpointCoordinator::new(),
                sync_until: SimTime::ZERO,
                sync_checkpoint: None,
                resume_after_sync: false,
                deferred_triggers: Default::default(),
                checkpoints: Vec::new(),
                rng: RngStream::new(seed, StreamId::new(StreamKind::TaskService, i as u32)),
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
        let num_tasks = graph.subtasks.len() as u32;
        debug_assert_eq!(
            (cfg.coordinator.num_tasks_to_ack, cfg.coordinator.num_tasks_to_trigger),
            (num_tasks, sources.len() as u32),
            "the compiled coordinator counts the graph's tasks"
        );
        let coordinator = CheckpointCoordinator::new(cfg.coordinator.clone());
        let initial_arrivals = tasks
            .iter()
            .map(|t| t.source.as_ref().map(|s| s.arrivals.clone()))
            .collect();
        let names = graph
            .subtasks
            .iter()
            .map(|st| (graph.vertices[st.vertex.index()].name.clone(), st.index))
            .collect();
        let storage = CheckpointStorage::new(
            cfg.storage.profile.clone(),
            RngStream::new(seed, StreamId::new(StreamKind::Storage, 0)),
            crate::model::faults::UploadFailures::new(seed, fault_schedule.upload_failure_probability),
            fault_schedule.clone(),
        );
        let tms = graph.taskmanagers as usize;
        let warmup = set.warmup;
        let bounded_sources = cfg
            .job
            .operators
            .iter()
            .filter(|o| o.source.as_ref().is_some_and(|src| src.max_records.is_some()))
            .map(|o| o.parallelism)
            .sum();
        let endpoints = Endpoints::new(sources, sinks, initial_arrivals, bounded_sources);
        // The check counts each source's records where they end: at a sink, or in persisted
        // channel state. It applies when every record takes exactly one path to a sink: one
        // output edge per non-sink (a job whose last operator is no sink drops its records
        // there), none of them broadcast.
        let cut_check = mode == crate::protocol::CheckpointingMode::ExactlyOnce
            && graph.outputs.iter().enumerate().all(|(i, edges)| {
                let sink = graph.vertex_of(SubtaskId(i as u32)).kind == OperatorKind::Sink;
                (if sink { edges.is_empty() } else { edges.len() == 1 })
                    && edges
                        .iter()
                        .all(|e| e.partitioning != crate::vocab::Partitioning::Broadcast)
            });
        let checks = Checks::new(graph.channels.len(), cut_check);
        World {
            label: label.to_string(),
            seed,
            start_epoch_ms: cfg.run.start_epoch_ms,
            checkpoint_dir: cfg.run.checkpoint_dir.clone(),
            history_size: cfg.run.history_size,
            checkpoint_interval_ns: cfg.coordinator.interval_ns,
            set,
            queue: EventQueue::new(),
            net,
            tasks,
            rpc: Rpc::new(
                n.rpc_latency.clone(),
                cfg.trigger_latency.clone(),
                RngStream::new(seed, StreamId::new(StreamKind::Rpc, 0)),
            ),
            storage,
            backend: BackendModel::new(&backend_cfg),
            jm: JobManager::new(
                coordinator,
                RngStream::new(seed, StreamId::new(StreamKind::Coordinator, 0)),
                // A failover can follow any checkpoint failure past the tolerance, so keep
                // restore points whenever checkpointing is on.
                cfg.coordinator.interval_ns.is_some(),
                cfg.run.savepoint_times.clone(),
            ),
            stats: Statistics::new(CheckpointStatsTracker::new(names), warmup),
            endpoints,
            checks,
            trace: TraceHash::default(),
            baseline: vec![Baseline::default(); num_tasks as usize],
            record_log: None,
            snapshot_log: Vec::new(),
            planned_faults: Vec::new(),
            failover: FailoverLifecycle::new(cfg.restart.create().expect("validated restart strategy"), tms),
            recovery: cfg.recovery.clone(),
            restart_rng: RngStream::new(seed, StreamId::new(StreamKind::Restart, 0)),
            failover_strategy: FailoverStrategy::new(cfg.recovery.failover, &graph),
            fault_schedule,
            mode,
            unaligned,
            backend_cfg,
            backend_wake_at: vec![None; num_tasks as usize],
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
        self.checks.break_alignment();
        self.net.break_alignment();
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
        self.endpoints.committed()
    }

    /// Bounded jobs: end the run as soon as the job has finished.
    pub fn stop_when_finished(&mut self) {
        self.endpoints.stop_when_finished();
    }

    /// Bounded jobs: when every record had been processed by a sink (first time).
    pub fn finished_at(&self) -> Option<SimTime> {
        self.endpoints.finished_at()
    }

    pub fn now(&self) -> SimTime {
        self.queue.now()
    }

    fn start(&mut self) {
        self.schedule_planned_faults();
        for s in self.endpoints.sources().to_vec() {
            self.queue.schedule(SimTime::ZERO, Event::TaskWake { s, generation: 0 });
        }
        let out = self.jm.start_checkpoint_scheduler(SimTime::ZERO);
        self.apply_coordinator_actions(out);
        self.queue.schedule(SimTime(self.set.sample_period_ns), Event::Sample);
        for at in self.jm.savepoint_times().to_vec() {
            self.queue.schedule(at, Event::SavepointTrigger);
        }
        if let Some(d) = self.net.debloat() {
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
            if t > self.set.end || self.endpoints.run_over() {
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
            Event::Deliver { ch, inc } if inc == self.net.incarnation(ch) => self.on_deliver(now, ch),
            Event::Credit { ch, n, inc } if inc == self.net.incarnation(ch) => self.on_credit(now, ch, n),
            Event::Resume { ch, inc } if inc == self.net.incarnation(ch) => self.on_resume(now, ch),
            Event::Flush { .. } | Event::Deliver { .. } | Event::Credit { .. } | Event::Resume { .. } => {}
            Event::CoordTimer(timer) => {
                let out = self.jm.on_timer(now, timer);
                self.apply_coordinator_actions(out);
            }
            Event::TriggerArrive { s, barrier, inc } => {
                if inc == self.tasks[s as usize].incarnation && self.tasks[s as usize].phase != TaskPhase::Down {
                    self.on_trigger_arrive(now, s, barrier)
                }
            }
            Event::AckArrive { s, checkpoint } => self.on_ack_arrive(now, s, checkpoint),
            Event::DeclineArrive { checkpoint, reason } => {
                let out = self.jm.receive_decline(now, checkpoint, reason);
                self.apply_coordinator_actions(out);
            }
            Event::NotifyArrive {
                s,
                checkpoint,
                complete,
            } => self.on_notify_arrive(now, s, checkpoint, complete),
            Event::MetadataWritten { checkpoint } => {
                let out = self.jm.on_metadata_written(now, checkpoint);
                self.apply_coordinator_actions(out);
            }
            Event::StorageStart { req } => self.storage.on_start(now, req, &mut self.queue),
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
            Event::SavepointTrigger => {
                let out = self.jm.trigger_savepoint(now);
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
        self.stats.tracker()
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
                    let pipeline = self.rpc.trigger_pipeline_ns();
                    for s in self.endpoints.sources().to_vec() {
                        let at = now + pipeline + self.rpc.call_ns();
                        let inc = self.tasks[s as usize].incarnation;
                        self.queue.schedule(at, Event::TriggerArrive { s, barrier, inc });
                    }
                }
                CoordinatorAction::FinalizeCheckpoint { checkpoint } => {
                    let d = self.storage.metadata_write_ns();
                    self.queue.schedule(now + d, Event::MetadataWritten { checkpoint });
                }
                CoordinatorAction::NotifyCheckpointComplete { checkpoint } => {
                    self.broadcast_notify(now, checkpoint, true)
                }
                CoordinatorAction::NotifyCheckpointAborted { checkpoint } => {
                    self.broadcast_notify(now, checkpoint, false)
                }
                CoordinatorAction::DiscardCompleted { checkpoint } => self.stats.mark_discarded(checkpoint),
                CoordinatorAction::TriggerRequestFailed { reason, .. } => {
                    self.stats.count_failure(reason.as_str());
                }
                CoordinatorAction::Report(r) => {
                    use crate::protocol::coordinator::StatsReport;
                    match r {
                        StatsReport::Failed { checkpoint, reason, .. } => {
                            self.stats.count_failure(reason.as_str());
                            self.jm.discard_restore_point(checkpoint);
                        }
                        StatsReport::Completed { checkpoint, .. } => {
                            self.promote_snapshots(checkpoint);
                            self.checks.checkpoint_completed(checkpoint);
                        }
                        _ => {}
                    }
                    self.stats.report(r)
                }
                CoordinatorAction::FailJob { .. } => {
                    // Tolerable checkpoint failures exceeded: a global failover.
                    self.jm.note_failover_requested();
                    self.start_failure(
                        now,
                        crate::protocol::restart::FailureCause::CheckpointToleranceExceeded,
                        &[],
                        0,
                    );
                }
            }
        }
    }

    fn broadcast_notify(&mut self, now: SimTime, checkpoint: u64, complete: bool) {
        for s in 0..self.tasks.len() as u32 {
            let at = now + self.rpc.call_ns();
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
