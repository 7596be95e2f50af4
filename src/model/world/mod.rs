//! The simulated world: an event loop that routes each event to the component it is for.
//!
//! One `World` is one run. It processes events in `(time, seq)` order until the simulated
//! duration is over, single-threaded, drawing randomness only from seeded streams, so a run is
//! a pure function of (configuration, seed). The configuration ([`WorldConfig`]) is compiled
//! from a scenario by the `compile` module.
//!
//! ## Components
//!
//! Each owns its state (private fields) and is reached through a few methods that take the
//! current time (and the event queue, to schedule its own events) and return what the others
//! must hear of; none reads another's fields:
//!
//! | component | owns | Flink |
//! |---|---|---|
//! | `Tasks` (`tasks/`) | every subtask's runtime state: phase and incarnation, the batch in progress, the barrier handler and subtask checkpoint coordinator, the checkpoints in progress, channel state and deferred mailbox work, state backend, end of input, I/O counters and warm-up baseline, wake-up generations | `StreamTask`, `SubtaskCheckpointCoordinatorImpl`, `AsyncCheckpointRunnable`, `CheckpointedInputGate`, `TaskIOMetricGroup` |
//! | `Network` (`network_stack.rs`) | channels, credits, gate buffers, output pools, connections, debloating, buffers in flight | the TaskManagers' shuffle environment: `ResultPartition`, `PipelinedSubpartition`, `RemoteInputChannel`, `SingleInputGate`, `BufferDebloater` |
//! | `CheckpointStorage` | request table, request latency, shared bandwidth, storage faults, upload failures | the checkpoint storage (`FsCheckpointStorage` streams) |
//! | `JobManager` | the `CheckpointCoordinator`, restore points (`protocol::checkpoint_store`), savepoints | `CheckpointCoordinator`, `CompletedCheckpointStore` |
//! | `FailoverLifecycle` (`protocol::failover`) and `Redeployment` | failures, takeovers, restart strategy; failover strategy, deployment, restore rates | `DefaultScheduler`, `ExecutionFailureHandler`, `RestartBackoffTimeStrategy` |
//! | `Rpc` | RPC latencies | the Pekko RPC service |
//! | `Cores` (`cores.rs`) | each host's cores and the quanta of CPU work in progress on them | the TaskManagers' CPUs, shared by task threads and snapshot threads |
//! | `Endpoints` | the sources' input logs and catch-up, the sinks' external transaction log, the end of bounded input | Kafka-like sources, the transactional sink's external system |
//! | `FaultInjector` | the fault schedule and planned failures | (the environment) |
//! | `Statistics` | the `CheckpointStatsTracker`, latency histograms, failure reasons, timeline | `CheckpointStatsTracker`, job metrics |
//! | `Checks` | run-time invariants and the negative controls that must trip them | (the test harness) |
//!
//! The world's task-side files say what a task does that involves the others, asking the
//! `Tasks` component by name and carrying out what it returns: the task loop
//! (`task_loop.rs`: batches, CPU quanta on the cores, records out to the network), the subtask
//! side of the protocol (`checkpointing.rs`, `channel_state.rs`, `backends.rs`,
//! `end_of_input.rs`: barriers out, uploads to storage, acknowledgements) and recovery
//! (`recovery.rs`, `task_reset.rs`, `restore_point.rs`). `network.rs` is the glue between the
//! network and the tasks: what a send or a delivery means for a task, in the order Flink's
//! threads see it. None of them reads a task's fields: a task's state is private to `tasks/`.

mod backends;
mod buffer_metrics;
mod build;
mod channel_state;
mod channel_state_writers;
mod checkpoint_storage;
mod checkpointing;
mod cores;
mod debloating;
mod end_of_input;
mod endpoints;
mod events;
mod fault_injector;
mod invariants;
mod job_status;
mod jobmanager;
mod liveness;
mod network;
mod network_stack;
mod observers;
mod recovery;
mod redeployment;
mod restore_point;
mod rocksdb_flush_threads;
mod rpc;
pub(crate) mod seen_keys;
mod sink_records;
mod statistics;
mod stats;
mod task_loop;
mod task_reset;
mod tasks;

pub use crate::model::config::RecoverySettings;
use checkpoint_storage::CheckpointStorage;
use endpoints::Endpoints;
pub use events::Event;
use fault_injector::FaultInjector;
use invariants::Checks;
use jobmanager::JobManager;
use network_stack::{Network, NetworkSettings, TimerPhases};
use redeployment::Redeployment;
use rpc::Rpc;
use statistics::Statistics;
use tasks::Tasks;

use crate::ids::SubtaskId;
use crate::metrics::CheckpointStatsTracker;
use crate::metrics::RunOutput;
use crate::model::backend::{BackendConfig, StateBackend};
use crate::model::config::WorldConfig;
use crate::model::faults::FaultSchedule;
use crate::model::graph::JobGraph;
use crate::protocol::coordinator::{CoordinatorAction, CoordinatorTimer};
use crate::protocol::failover::FailoverLifecycle;
use crate::sim::rng::StreamKind;
use crate::sim::{EventQueue, RngStream, StreamId, TraceHash};
use crate::time::{NS_PER_S, SimTime};

/// How often [`World::run_reporting`] reports: at every thousandth of the simulated duration (3.6
/// simulated seconds of an hour, one or two CPU seconds of the scale issue's production hour).
pub const PROGRESS_SLICES: u64 = 1000;

/// Settings the event loop reads on its hot path, resolved once from the configuration.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub buffer_timeout_ns: u64,
    /// When the output flushers tick after the job's start (see [`TimerPhases`]).
    pub flush_phase_ns: u64,
    /// When the buffer debloater first ticks.
    pub debloat_first_tick_ns: u64,
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
    fn new(cfg: &WorldConfig, phases: TimerPhases) -> Settings {
        let n = &cfg.network;
        let mean_record = cfg
            .job
            .operators
            .iter()
            .filter_map(|o| o.source.as_ref()?.record_size.as_ref().map(|d| d.mean()))
            // A bundle of the fast path weighs its records: the cap is per record.
            .fold(
                crate::vocab::DEFAULT_RECORD_BYTES * cfg.run.records_per_bundle.max(1) as f64,
                f64::min,
            )
            .max(1.0);
        Settings {
            buffer_timeout_ns: n.buffer_timeout_ns,
            flush_phase_ns: phases.flush_ns,
            debloat_first_tick_ns: phases.debloat_ns,
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
fn network_settings(cfg: &WorldConfig, graph: &JobGraph, flush_phase_ns: u64) -> NetworkSettings {
    let n = &cfg.network;
    NetworkSettings {
        segment_bytes: n.segment_bytes as u32,
        records_per_bundle: cfg.run.records_per_bundle.max(1),
        exclusive_buffers: n.buffers_per_channel,
        floating_buffers_per_gate: n.floating_buffers_per_gate,
        buffer_timeout_ns: n.buffer_timeout_ns,
        flush_phase_ns,
        max_buffers_per_channel: n.max_buffers_per_channel,
        // Per (subtask, output edge), Flink's `getMinMaxNetworkBuffersPerResultPartition`: a
        // pipelined partition of n subpartitions gets at least n + 1 buffers and at most
        // `n * buffers-per-channel + floating-per-gate` (2n + 8 with the defaults), and takes the
        // most when network memory is ample, which the model assumes. The cap per subpartition
        // (`max_buffers_per_channel`, 10) and the overdraft buffers
        // (`MAX_OVERDRAFT_BUFFERS_PER_GATE`) are the network stack's.
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
        input_handoff_latency: n.input_handoff_latency.clone(),
        remote_bandwidth_bytes_per_s: n.remote_bandwidth_bytes_per_s,
    }
}

/// A storage upload in flight.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StorageRequest {
    pub subtask: u32,
    pub checkpoint: u64,
    pub bytes: u64,
    pub started: bool,
    pub cancelled: bool,
    /// Its bytes are through and the file is being forced to the device.
    pub syncing: bool,
    /// A restore download for the subtask's incarnation, rather than a checkpoint upload.
    pub download_for: Option<u32>,
}

impl StorageRequest {
    /// An upload of `bytes` by subtask `subtask` for `checkpoint` (0: not for one checkpoint).
    pub(crate) fn upload(subtask: u32, checkpoint: u64, bytes: u64) -> Self {
        StorageRequest {
            subtask,
            checkpoint,
            bytes,
            started: false,
            cancelled: false,
            syncing: false,
            download_for: None,
        }
    }

    /// A restore download of `bytes` for incarnation `incarnation` of subtask `subtask`.
    pub(crate) fn download(subtask: u32, bytes: u64, incarnation: u32) -> Self {
        StorageRequest {
            download_for: Some(incarnation),
            ..StorageRequest::upload(subtask, 0, bytes)
        }
    }
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
    /// A write to a shared channel-state writer's file.
    ChannelStateFile { writer: u32 },
    /// The close (and sync) of a shared channel-state writer's file.
    ChannelStateFileClose { writer: u32 },
    /// A changelog (DSTL) background upload of log batch `seq`.
    Changelog { seq: u64 },
    /// A changelog materialization's upload.
    Materialization { id: u64 },
}

/// What names and places a run in its output: the scenario's label and seed, and for exports
/// in Flink's shape the epoch milliseconds of time zero, the checkpoint location, the history
/// size and the checkpoint interval.
pub(crate) struct RunInfo {
    pub label: String,
    pub seed: u64,
    pub start_epoch_ms: u64,
    pub checkpoint_dir: String,
    pub history_size: u32,
    pub checkpoint_interval_ns: Option<u64>,
    /// Records per simulated record (`simulation.records_per_bundle`): counts are reported in
    /// records.
    pub records_per_bundle: u64,
}

impl RunInfo {
    fn new(cfg: &WorldConfig, seed: u64, label: &str) -> Self {
        RunInfo {
            label: label.to_string(),
            seed,
            start_epoch_ms: cfg.run.start_epoch_ms,
            checkpoint_dir: cfg.run.checkpoint_dir.clone(),
            history_size: cfg.run.history_size,
            checkpoint_interval_ns: cfg.coordinator.interval_ns,
            records_per_bundle: cfg.run.records_per_bundle.max(1) as u64,
        }
    }
}

pub struct World {
    pub(crate) run: RunInfo,
    pub(crate) set: Settings,
    pub(crate) graph: JobGraph,
    pub(crate) queue: EventQueue<Event>,
    pub(crate) net: Network,
    pub(crate) tasks: Tasks,
    /// The keys each stateful subtask has seen (its keyed state's entries).
    pub(crate) keys: seen_keys::SeenKeys,
    pub(crate) rpc: Rpc,
    pub(crate) storage: CheckpointStorage,
    /// The TaskManagers' shared channel-state writers (unaligned checkpoints).
    pub(crate) channel_state_writers: channel_state_writers::ChannelStateWriters,
    /// The hosts' cores, shared by task and snapshot threads.
    pub(crate) cores: cores::Cores,
    /// RocksDB's flush threads, shared by the stateful subtasks of a TaskManager.
    pub(crate) rocksdb_flush: rocksdb_flush_threads::RocksDbFlushThreads,
    pub(crate) jm: JobManager,
    pub(crate) stats: Statistics,
    /// Flink's network metrics of every task (buffer gauges, buffers read).
    pub(crate) buffer_metrics: buffer_metrics::BufferMetrics,
    pub(crate) endpoints: Endpoints,
    pub(crate) checks: Checks,
    /// The liveness invariant's marks (checked at every sample).
    pub(crate) liveness: liveness::Liveness,
    pub(crate) trace: TraceHash,
    /// Set by tests: every record a task processes, for protocol checks.
    pub(crate) record_log: Option<Vec<ProcessedRecord>>,
    /// Set by tests: when each subtask took each snapshot, and a source's offset then.
    pub(crate) snapshot_log: Vec<SnapshotTaken>,
    // ---- failures and recovery ----
    pub(crate) faults: FaultInjector,
    pub(crate) failover: FailoverLifecycle,
    pub(crate) redeployment: Redeployment,
    // ---- issue 3: modes, savepoints, state backends, debloating ----
    pub(crate) mode: crate::protocol::CheckpointingMode,
    pub(crate) unaligned: bool,
    pub(crate) backend_cfg: BackendConfig,
}

impl World {
    pub fn new(cfg: &WorldConfig, seed: u64, label: &str) -> World {
        let graph = JobGraph::build(&cfg.job);
        let stream = |kind, index| RngStream::new(seed, StreamId::new(kind, index));
        let n = &cfg.network;
        let debloat_period_ns = n.debloat.as_ref().map(|d| d.period_ns);
        let phases = TimerPhases::draw(n.buffer_timeout_ns, debloat_period_ns, stream(StreamKind::Network, 1));
        let set = Settings::new(cfg, phases);
        // Validation bounds the fault specs, so a schedule always exists for a valid scenario.
        let fault_schedule = FaultSchedule::generate(&cfg.faults, set.end, &graph, seed)
            .expect("a validated scenario has a fault schedule");
        let net = Network::new(
            network_settings(cfg, &graph, phases.flush_ns),
            &graph,
            stream(StreamKind::Network, 0),
            n.debloat,
            &fault_schedule.windows,
        );
        let built = build::build_tasks(cfg, &graph, seed);
        debug_assert_eq!(
            (cfg.coordinator.num_tasks_to_ack, cfg.coordinator.num_tasks_to_trigger),
            (built.tasks.len() as u32, built.sources.len() as u32),
            "the compiled coordinator counts the graph's tasks"
        );
        let storage = build::checkpoint_storage(cfg, &graph, seed, &fault_schedule);
        let tms = graph.taskmanagers as usize;
        let cut_check = build::cut_check_applies(cfg.coordinator.mode, &graph);
        let sink_records = if cut_check {
            sink_records::SinkRecordCounts::new(&graph, seed, built.source_bounds.clone())
        } else {
            None
        };
        World {
            channel_state_writers: build::channel_state_writers(cfg, &graph, built.tasks.len()),
            run: RunInfo::new(cfg, seed, label),
            queue: EventQueue::new(),
            net,
            rpc: Rpc::new(cfg.rpc.clone(), seed),
            storage,
            cores: cores::Cores::new(
                graph.taskmanagers,
                cfg.job.cores_per_taskmanager,
                cfg.job.taskmanagers_per_host,
            ),
            rocksdb_flush: rocksdb_flush_threads::RocksDbFlushThreads::new(
                graph.taskmanagers,
                cfg.backend.background_jobs,
            ),
            jm: build::job_manager(cfg, seed),
            stats: Statistics::new(CheckpointStatsTracker::new(build::subtask_names(&graph)), set.warmup),
            buffer_metrics: Default::default(),
            endpoints: build::endpoints(cfg, &built),
            liveness: Default::default(),
            checks: Checks::new(graph.channels.len(), cut_check, sink_records),
            trace: TraceHash::default(),
            record_log: None,
            snapshot_log: Vec::new(),
            faults: FaultInjector::new(fault_schedule),
            failover: FailoverLifecycle::new(cfg.restart.create().expect("validated restart strategy"), tms),
            redeployment: Redeployment::new(cfg.recovery.clone(), &graph, stream(StreamKind::Restart, 0)),
            mode: cfg.coordinator.mode,
            unaligned: cfg.coordinator.unaligned,
            backend_cfg: cfg.backend,
            keys: seen_keys::SeenKeys::new(
                &graph,
                built.key_space,
                cfg.run.records_per_bundle,
                cfg.coordinator.interval_ns.is_some(),
                cfg.backend.kind == crate::vocab::StateBackendKind::Rocksdb,
            ),
            tasks: Tasks::new(built.tasks),
            set,
            graph,
        }
    }

    pub fn now(&self) -> SimTime {
        self.queue.now()
    }

    fn start(&mut self) {
        self.schedule_planned_faults();
        for s in self.endpoints.sources().to_vec() {
            self.queue.schedule(SimTime::ZERO, Event::TaskWake { s, generation: 0 });
        }
        let out = self.jm.start_job(SimTime::ZERO);
        self.apply_coordinator_actions(out);
        self.queue.schedule(SimTime(self.set.sample_period_ns), Event::Sample);
        for at in self.jm.savepoint_times().to_vec() {
            self.queue.schedule(at, Event::SavepointTrigger);
        }
        if let Some(d) = self.net.debloat() {
            debug_assert!(self.set.debloat_first_tick_ns <= d.period_ns);
            self.queue
                .schedule(SimTime(self.set.debloat_first_tick_ns), Event::DebloatTick);
        }
        for s in self.tasks.subtasks() {
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

    /// As [`World::run`], handing `progress` the simulated clock at each thousandth of the
    /// duration ([`PROGRESS_SLICES`]; a long run's progress bar). The run pauses between two
    /// events to report, so it is the same event for event.
    pub fn run_reporting(mut self, mut progress: impl FnMut(SimTime)) -> RunOutput {
        self.start();
        let slice_ns = (self.set.end.as_ns() / PROGRESS_SLICES).max(1);
        let mut until = SimTime(slice_ns);
        while self.run_events_until(until, |_| {}) {
            progress(until);
            until = SimTime(until.as_ns().saturating_add(slice_ns));
        }
        self.finish()
    }

    /// Runs to the end, keeping the world for inspection (tests).
    pub fn run_to_end(&mut self) {
        self.run_to_end_observing(|_| {});
    }

    /// Runs to the end, handing the world to `each_event` after every event (tests that check a
    /// property at every step).
    pub fn run_to_end_observing(&mut self, each_event: impl FnMut(&World)) {
        self.start();
        self.run_events_until(SimTime::MAX, each_event);
    }

    /// Processes the events due by `until`, handing the world to `each_event` after each. True
    /// when it stopped at `until` with the run not over; false at the run's end.
    fn run_events_until(&mut self, until: SimTime, mut each_event: impl FnMut(&World)) -> bool {
        while let Some(t) = self.queue.peek_time() {
            if t > self.set.end
                || self.endpoints.run_over()
                || self.jm.job_failed_at().is_some()
                || self.jm.job_finished_at().is_some()
            {
                return false;
            }
            if t > until {
                return true;
            }
            let (now, ev) = self.queue.pop().expect("peeked");
            if let Some(&next) = self.queue.peek_next_in_list() {
                self.prefetch_for(next);
            }
            let (kind, component) = ev.trace_key();
            self.trace.fold_event(now.as_ns(), kind, component);
            self.dispatch(now, ev);
            each_event(self);
        }
        false
    }

    /// Routes an event to the component it is for.
    fn dispatch(&mut self, now: SimTime, ev: Event) {
        match ev {
            Event::Flush { .. } | Event::Deliver { .. } | Event::Credit { .. } | Event::Resume { .. } => {
                self.dispatch_network(now, ev)
            }
            Event::TaskWake { .. }
            | Event::TriggerArrive { .. }
            | Event::NotifyArrive { .. }
            | Event::AlignmentTimer { .. }
            | Event::OutputAlignmentTimer { .. }
            | Event::BackendWake { .. }
            | Event::SnapshotChunk { .. }
            | Event::PriorityMail { .. }
            | Event::Restored { .. } => self.dispatch_task(now, ev),
            Event::CoordTimer(_)
            | Event::AckArrive { .. }
            | Event::DeclineArrive { .. }
            | Event::MetadataWritten { .. }
            | Event::SavepointTrigger
            | Event::FailureDetected { .. }
            | Event::Restart { .. } => self.dispatch_jobmanager(now, ev),
            Event::StorageStart { req } => self.storage.on_start(now, req, &mut self.queue),
            Event::StorageTick { generation } => self.on_storage_tick(now, generation),
            Event::StorageSynced { req } => self.on_storage_synced(now, req),
            Event::Fault { index } => self.on_fault(now, index),
            Event::FaultWindow { .. } => self.on_fault_window(now),
            Event::Sample => self.on_sample(now),
            Event::WarmupEnd => self.on_warmup_end(now),
            Event::DebloatTick => self.on_debloat_tick(now),
        }
    }

    /// Events of the network stack; those for a channel or task restarted since are stale.
    fn dispatch_network(&mut self, now: SimTime, ev: Event) {
        match ev {
            Event::Flush { s, inc } if inc == self.tasks.incarnation(s) => self.on_flush(now, s),
            Event::Deliver { ch, inc } if self.net.delivery_is_current(ch, inc) => self.on_deliver(now, ch),
            Event::Credit { ch, n, inc } if self.net.producer_event_is_current(ch, inc) => self.on_credit(now, ch, n),
            Event::Resume { ch, inc } if self.net.producer_event_is_current(ch, inc) => self.on_resume(now, ch),
            _ => {}
        }
    }

    /// Events for a task: its loop, RPCs reaching it, its timers, its backend, its restore.
    fn dispatch_task(&mut self, now: SimTime, ev: Event) {
        match ev {
            Event::TaskWake { s, generation } if self.tasks.wake_is_current(s, generation) => self.task_step(now, s),
            Event::TriggerArrive { s, barrier, inc } if self.tasks.is_running(s, inc) => {
                self.on_trigger_arrive(now, s, barrier)
            }
            Event::NotifyArrive {
                s,
                checkpoint,
                complete,
            } => self.on_notify_arrive(now, s, checkpoint, complete),
            Event::AlignmentTimer { s, checkpoint, inc } if self.tasks.is_running(s, inc) => {
                self.on_alignment_timer(now, s, checkpoint)
            }
            Event::OutputAlignmentTimer { s, checkpoint, inc } if self.tasks.is_running(s, inc) => {
                self.on_output_alignment_timer(now, s, checkpoint)
            }
            Event::BackendWake { s, inc } if self.tasks.is_running(s, inc) => self.on_backend_wake(now, s),
            Event::PriorityMail {
                s,
                input,
                checkpoint,
                inc,
            } if self.tasks.is_running(s, inc) => self.on_priority_mail(now, s, input, checkpoint),
            Event::SnapshotChunk { s, checkpoint, inc } if self.tasks.is_running(s, inc) => {
                self.on_snapshot_chunk(now, s, checkpoint)
            }
            Event::Restored { s, inc } if inc == self.tasks.incarnation(s) => self.on_restored(now, s),
            _ => {}
        }
    }

    /// Events for the JobManager: the coordinator's timers and RPCs, savepoints, failovers.
    fn dispatch_jobmanager(&mut self, now: SimTime, ev: Event) {
        let out = match ev {
            Event::CoordTimer(timer) => self.jm.on_timer(now, timer),
            Event::AckArrive { s, checkpoint } => return self.on_ack_arrive(now, s, checkpoint),
            Event::DeclineArrive { checkpoint, reason } => self.jm.receive_decline(now, checkpoint, reason),
            Event::MetadataWritten { checkpoint } => self.jm.on_metadata_written(now, checkpoint),
            Event::SavepointTrigger if self.tasks.any_down() => {
                return self.refuse_savepoint_while_tasks_are_down();
            }
            Event::SavepointTrigger => self.jm.trigger_savepoint(now),
            Event::FailureDetected { failure } => return self.on_failure_detected(now, failure),
            Event::Restart { failure } => return self.on_restart(now, failure),
            _ => return,
        };
        self.apply_coordinator_actions(out);
    }

    /// Schedules a wake-up of task `s` at `at`, superseding any earlier one.
    pub(crate) fn wake_at(&mut self, s: u32, at: SimTime) {
        let generation = self.tasks.next_wake_generation(s);
        self.queue.schedule(at, Event::TaskWake { s, generation });
    }

    pub fn graph(&self) -> &JobGraph {
        &self.graph
    }

    pub fn tracker(&self) -> &CheckpointStatsTracker {
        self.stats.tracker()
    }

    /// Subtask `s`'s keyed state backend, if it is stateful.
    pub fn subtask_backend(&self, s: SubtaskId) -> Option<&StateBackend> {
        self.tasks.backend(s.0)
    }

    /// Coordinator actions become events (RPCs with latency), statistics and counters.
    pub(crate) fn apply_coordinator_actions(&mut self, actions: Vec<CoordinatorAction>) {
        let now = self.queue.now();
        for a in actions {
            match a {
                // A periodic trigger at the run's last instant (one a whole number of intervals
                // from the start, when the duration is too) could not start before the end.
                CoordinatorAction::SetTimer {
                    at,
                    timer: CoordinatorTimer::Periodic { .. },
                } if at >= self.set.end => {}
                CoordinatorAction::SetTimer { at, timer } => self.queue.schedule(at, Event::CoordTimer(timer)),
                CoordinatorAction::TriggerTasks { barrier } => {
                    self.jm.plan_finished_tasks(barrier.id, self.tasks.count());
                    let pipeline = self.rpc.trigger_pipeline_ns();
                    let mut last = now;
                    for s in self.tasks_to_trigger() {
                        let at = now + pipeline + self.rpc.trigger_ns();
                        last = last.max(at);
                        let inc = self.tasks.incarnation(s);
                        self.queue.schedule(at, Event::TriggerArrive { s, barrier, inc });
                    }
                    self.jm.trigger_rpcs_sent(last);
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
                CoordinatorAction::DiscardCompleted { checkpoint } => {
                    self.stats.mark_discarded(checkpoint);
                    self.jm.discard_checkpoint(checkpoint);
                }
                CoordinatorAction::TriggerRequestFailed { reason, .. } => {
                    self.stats.count_failure(reason.as_str());
                }
                CoordinatorAction::Report(r) => {
                    use crate::protocol::coordinator::StatsReport;
                    match r {
                        StatsReport::Failed { checkpoint, reason, .. } => {
                            self.stats.count_failure(reason.as_str());
                            self.jm.discard_restore_point(checkpoint);
                            self.jm.discard_checkpoint(checkpoint);
                        }
                        StatsReport::Completed { checkpoint, .. } if self.jm.is_completed_savepoint(checkpoint) => {
                            self.complete_savepoint_snapshot(checkpoint);
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
        for s in self.tasks.subtasks() {
            let at = now + self.rpc.notify_ns();
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
