//! Building the world's tasks and the components that depend on them from the compiled
//! configuration: each subtask's runtime (input handler, service stream, keyed state, source or
//! sink), which subtasks are sources and sinks, and whether completed checkpoints can be checked
//! as consistent cuts.

use crate::protocol::end_of_input::EndOfInput;
use std::sync::Arc;

use super::channel_state_writers::ChannelStateWriters;
use super::checkpoint_storage::CheckpointStorage;
use super::endpoints::Endpoints;
use super::jobmanager::JobManager;
use super::tasks::Task;
use crate::ids::SubtaskId;
use crate::model::backend::{BackendConfig, StateBackend};
use crate::model::config::WorldConfig;
use crate::model::faults::FaultSchedule;
use crate::model::graph::JobGraph;
use crate::model::record_shape::RecordShape;
use crate::model::source::SourceReader;
use crate::model::task::SourceRuntime;
use crate::protocol::coordinator::CheckpointCoordinator;
use crate::protocol::input_handler::InputHandler;
use crate::sim::rng::StreamKind;
use crate::sim::{RngStream, StreamId};
use crate::vocab::{DeliveryGuarantee, OperatorKind};

/// Every subtask's runtime, and which are sources and sinks.
pub(super) struct BuiltTasks {
    pub tasks: Vec<Task>,
    /// Keys any source draws from: the size of a keyed operator's seen-keys bitset.
    pub key_space: u64,
    pub sources: Vec<u32>,
    pub sinks: Vec<u32>,
    /// Per subtask: a source's reader at offset 0 (to restart from when no checkpoint
    /// completed), and the records a bounded source reads.
    pub initial_readers: Vec<Option<SourceReader>>,
    pub source_bounds: Vec<Option<u64>>,
}

pub(super) fn build_tasks(cfg: &WorldConfig, graph: &JobGraph, seed: u64) -> BuiltTasks {
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
    let ctx = TaskContext {
        mode: cfg.coordinator.mode,
        unaligned: cfg.coordinator.unaligned,
        checkpointing: cfg.coordinator.interval_ns.is_some(),
        backend: cfg.backend,
        seed,
        keep_record_ids: cfg.run.keep_committed_output,
    };
    let mut tasks = Vec::with_capacity(graph.subtasks.len());
    let mut sources = Vec::new();
    let mut sinks = Vec::new();
    let mut initial_readers = Vec::with_capacity(graph.subtasks.len());
    let mut source_bounds = Vec::with_capacity(graph.subtasks.len());
    // Keys and sizes are functions of (seed, record id) only: one shape, and one Zipf table,
    // per source operator, shared by its subtasks.
    let shapes: Vec<Option<Arc<RecordShape>>> = cfg
        .job
        .operators
        .iter()
        .enumerate()
        .map(|(v, op)| {
            op.source.as_ref().map(|src| {
                let subtasks = graph.subtasks.iter().enumerate();
                let of_op = subtasks.filter(|(_, st)| st.vertex.index() == v);
                RecordShape::new(src, seed, op.parallelism, of_op.map(|(id, st)| (id as u32, st.index)))
            })
        })
        .collect();
    let end_ns = cfg.run.duration.value;
    for (i, st) in graph.subtasks.iter().enumerate() {
        let op = &cfg.job.operators[st.vertex.index()];
        let v = &graph.vertices[st.vertex.index()];
        let source = op.source.as_ref().map(|src| {
            sources.push(i as u32);
            let reader = SourceReader::new(
                src,
                RngStream::new(seed, StreamId::new(StreamKind::SourceArrivals, i as u32)),
                end_ns,
            );
            SourceRuntime {
                batch_start: reader.mark(),
                reader,
                shape: Arc::clone(shapes[st.vertex.index()].as_ref().expect("a source has a shape")),
                max_records: src.max_records,
            }
        });
        initial_readers.push(source.as_ref().map(|s| s.reader.clone()));
        source_bounds.push(source.as_ref().and_then(|s| s.max_records));
        // A task whose output goes nowhere (the last operator of a job without a sink) ends
        // its records as a discarding sink would: counted where they end, kept nowhere.
        let end = ends_records(op.kind, graph, i);
        if end.is_some() {
            sinks.push(i as u32);
        }
        tasks.push(new_task(i as u32, end, v, graph, &ctx, source));
    }
    BuiltTasks {
        tasks,
        key_space,
        sources,
        sinks,
        initial_readers,
        source_bounds,
    }
}

/// The sources' and sinks' ends of the job: each source's generator at offset 0 (to restart
/// from when no checkpoint completed) and how many bounded sources must finish.
pub(super) fn endpoints(cfg: &WorldConfig, built: &BuiltTasks) -> Endpoints {
    let initial_readers = built.initial_readers.clone();
    let bounded_sources = cfg
        .job
        .operators
        .iter()
        .filter(|o| o.source.as_ref().is_some_and(|src| src.max_records.is_some()))
        .map(|o| o.parallelism)
        .sum();
    Endpoints::new(
        built.sources.clone(),
        built.sinks.clone(),
        initial_readers,
        bounded_sources,
        cfg.run.keep_committed_output,
    )
}

/// Where subtask `i`'s records end, if they end there: a sink writes them as its delivery
/// guarantee says; a task with no output drops them, like a discarding sink.
fn ends_records(kind: OperatorKind, graph: &JobGraph, i: usize) -> Option<DeliveryGuarantee> {
    if kind == OperatorKind::Sink {
        Some(graph.vertex_of(SubtaskId(i as u32)).delivery_guarantee)
    } else if graph.outputs[i].is_empty() {
        Some(DeliveryGuarantee::None)
    } else {
        None
    }
}

/// (operator name, subtask index) of every subtask, as Flink's statistics name them.
pub(super) fn subtask_names(graph: &JobGraph) -> Vec<(String, u32)> {
    graph
        .subtasks
        .iter()
        .map(|st| (graph.vertices[st.vertex.index()].name.clone(), st.index))
        .collect()
}

/// The checkpoint storage: its latency profile, the hosts' NICs, its request stream, the
/// upload failures and storage faults of the fault schedule.
pub(super) fn checkpoint_storage(
    cfg: &WorldConfig,
    graph: &JobGraph,
    seed: u64,
    faults: &FaultSchedule,
) -> CheckpointStorage {
    let tm_of_subtask: Vec<u32> = graph.subtasks.iter().map(|st| st.taskmanager).collect();
    CheckpointStorage::new(
        cfg.storage.profile.clone(),
        crate::model::storage::Nics::new(
            cfg.storage.nic_bytes_per_s,
            &tm_of_subtask,
            cfg.job.taskmanagers,
            cfg.job.taskmanagers_per_host,
        ),
        RngStream::new(seed, StreamId::new(StreamKind::Storage, 0)),
        crate::model::faults::UploadFailures::new(seed, faults.upload_failure_probability),
        faults.clone(),
    )
}

/// The TaskManagers' shared channel-state writers (unaligned checkpoints; none otherwise).
pub(super) fn channel_state_writers(cfg: &WorldConfig, graph: &JobGraph, num_tasks: usize) -> ChannelStateWriters {
    if cfg.coordinator.unaligned {
        let tm_of: Vec<u32> = graph.subtasks.iter().map(|s| s.taskmanager).collect();
        ChannelStateWriters::new(
            &tm_of,
            cfg.storage.max_subtasks_per_channel_state_file,
            cfg.storage.inline_threshold_bytes,
        )
    } else {
        ChannelStateWriters::none(num_tasks)
    }
}

/// The JobManager: its checkpoint coordinator, its stream, and the savepoints to take.
pub(super) fn job_manager(cfg: &WorldConfig, seed: u64) -> JobManager {
    JobManager::new(
        CheckpointCoordinator::new(cfg.coordinator.clone()),
        RngStream::new(seed, StreamId::new(StreamKind::Coordinator, 0)),
        // A failover can follow any checkpoint failure past the tolerance, so keep restore
        // points whenever checkpointing is on.
        cfg.coordinator.interval_ns.is_some(),
        cfg.run.savepoint_times.clone(),
    )
}

/// The cut check counts each source's records where they end: at a sink or a task with no
/// output (the last operator of a job without a sink), or in persisted channel state. It
/// applies when every record takes exactly one path to its end: at most one output edge per
/// task, none of them broadcast, in exactly-once mode.
pub(super) fn cut_check_applies(mode: crate::protocol::CheckpointingMode, graph: &JobGraph) -> bool {
    mode.aligns_barriers()
        && graph.outputs.iter().all(|edges| {
            edges.len() <= 1
                && edges
                    .iter()
                    .all(|e| e.partitioning != crate::vocab::Partitioning::Broadcast)
        })
}

/// What every task's runtime is built with.
struct TaskContext {
    mode: crate::protocol::CheckpointingMode,
    unaligned: bool,
    /// Periodic checkpoints: a task waits for its final checkpoint before it finishes.
    checkpointing: bool,
    backend: BackendConfig,
    seed: u64,
    /// Sinks keep the ids of the records they write (`RunConfig::keep_committed_output`).
    keep_record_ids: bool,
}

/// Subtask `i`'s runtime, idle at time zero.
fn new_task(
    i: u32,
    sink: Option<DeliveryGuarantee>,
    v: &crate::model::graph::Vertex,
    graph: &JobGraph,
    ctx: &TaskContext,
    source: Option<SourceRuntime>,
) -> Task {
    let inputs = graph.inputs[i as usize].len();
    Task::new(
        (inputs > 0).then(|| InputHandler::for_config(inputs as u32, ctx.mode, ctx.unaligned)),
        RngStream::new(ctx.seed, StreamId::new(StreamKind::TaskService, i)),
        source,
        sink.map(|guarantee| crate::model::task::SinkRuntime {
            guarantee,
            txn: crate::protocol::two_phase_commit::TwoPhaseCommitSink::new(i, 0).with_record_ids(ctx.keep_record_ids),
            open_origins_ns: Default::default(),
            pending_origins_ns: Default::default(),
            commits: ctx.checkpointing,
            absorbed_per_source: vec![0; graph.subtasks.len()],
        }),
        (v.state_bytes_per_key > 0.0 || v.state_initial_bytes > 0).then(|| {
            if v.kind == OperatorKind::Source {
                StateBackend::operator_state(&ctx.backend, v.state_initial_bytes)
            } else {
                StateBackend::new(&ctx.backend, v.state_initial_bytes)
            }
        }),
        EndOfInput::new(inputs as u32, ctx.checkpointing),
    )
}
