//! The job graph expanded into subtasks and channels, with subtasks placed on TaskManagers.
//!
//! Placement follows Flink's default slot sharing: subtask i of every vertex shares slot i, and
//! slots fill TaskManagers in order, so slot i lives on TaskManager `i / slots_per_taskmanager`.
//! A channel is local when both ends share a TaskManager.
//!
//! A vertex is a task: one operator, or a chain of operators (Flink's `OperatorChain`, formed by
//! the compile step as `StreamingJobGraphGenerator` forms it) that runs on one thread with no
//! channel between its operators.

use crate::ids::{ChannelId, InputIndex, SubtaskId, VertexId};
use crate::model::source::SourceSpec;
use crate::sim::Dist;
use crate::sim::rng::Uniform01;
use crate::vocab::{DeliveryGuarantee, OperatorKind, Partitioning};

/// The job as the world runs it: its operators (upstream first) and the cluster they are
/// placed on.
#[derive(Clone, Debug)]
pub struct JobSpec {
    pub operators: Vec<OperatorSpec>,
    pub taskmanagers: u32,
    /// `taskmanager.numberOfTaskSlots`.
    pub slots_per_taskmanager: u32,
    /// Cores of each TaskManager (infinite: every thread has a core of its own).
    pub cores_per_taskmanager: f64,
    /// TaskManagers sharing one host's cores.
    pub taskmanagers_per_host: u32,
}

/// One task of the job: an operator, or a chain of operators run as one.
#[derive(Clone, Debug)]
pub struct OperatorSpec {
    /// Flink's vertex name: the chained operators' names joined by ` -> `.
    pub name: String,
    /// A chain ending in a sink is a sink; one starting at a source reads the source
    /// (`source` is set).
    pub kind: OperatorKind,
    pub parallelism: u32,
    pub inputs: Vec<InputSpec>,
    /// Sources (and only chains headed by one): what they read.
    pub source: Option<SourceSpec>,
    /// The chained operators, head first (one for an unchained operator).
    pub chain: Vec<ChainedOperator>,
    /// Size of the records the task emits (the last chained operator that sets one); `None`:
    /// the size of the input record.
    pub output_record_size: Option<Dist>,
    /// Keyed state per distinct key seen by a subtask, bytes (0: none), over the chained
    /// operators; an average over keys, so it may be fractional.
    pub state_bytes_per_key: f64,
    /// State present from the start, per subtask, over the chained operators.
    pub state_initial_bytes: u64,
    /// Sinks: what the sink promises after a failure.
    pub delivery_guarantee: DeliveryGuarantee,
    /// The asynchronous part runs the state snapshot only once the channel state is complete
    /// (the chain's operator ids put a channel-state holder first: `protocol::snapshot_order`).
    pub state_waits_for_channel_state: bool,
}

/// One operator of a task's chain, with what it costs per record.
#[derive(Clone, Debug)]
pub struct ChainedOperator {
    /// The operator's name in the scenario (faults and sweeps name it).
    pub name: String,
    /// Its position in the scenario's operator list: names its selectivity draws, so a record's
    /// outputs do not depend on whether the operator is chained.
    pub id: u32,
    /// CPU time to process one record.
    pub service_time: Dist,
    /// Time a record holds the task thread without a core.
    pub wait_time: Dist,
    /// Records out per record in (`model::selectivity`); 1 for sources and sinks.
    pub selectivity: f64,
    /// Fixed part of the synchronous snapshot phase.
    pub sync_time: Dist,
}

/// An input edge of an operator.
#[derive(Clone, Copy, Debug)]
pub struct InputSpec {
    /// Index of the upstream operator in [`JobSpec::operators`].
    pub from: usize,
    pub partitioning: Partitioning,
}

#[derive(Clone, Debug)]
pub struct Vertex {
    pub name: String,
    pub kind: OperatorKind,
    pub parallelism: u32,
    pub first_subtask: u32,
    /// Flink's default max parallelism: `roundUpToPowerOfTwo(1.5 * p)` within [128, 32768];
    /// key groups of a keyed (hash) input are spread over the subtasks by it.
    pub max_parallelism: u32,
    /// The chained operators, head first.
    pub chain: Vec<ChainedOperator>,
    pub output_record_size: Option<Dist>,
    pub state_bytes_per_key: f64,
    pub state_initial_bytes: u64,
    pub delivery_guarantee: DeliveryGuarantee,
    pub state_waits_for_channel_state: bool,
    /// `record_cost_ns(_, waits())` when it draws nothing (every operator's times constant):
    /// sources and sinks mostly, whose every record would otherwise go through the draw.
    pub constant_record_cost_ns: Option<(u64, u64)>,
}

impl Vertex {
    /// Some chained operator emits other than one record per record read.
    pub fn is_selective(&self) -> bool {
        self.chain.iter().any(|op| op.selectivity != 1.0)
    }

    /// Whether the task runs the scenario operator `name`.
    pub fn runs_operator(&self, name: &str) -> bool {
        self.chain.iter().any(|op| op.name == name)
    }

    /// Some chained operator holds the thread without a core (a waiting time to draw).
    pub fn waits(&self) -> bool {
        self.chain.iter().any(|op| !op.wait_time.is_zero())
    }

    /// CPU and waiting time (ns) of one input record through the chain: each operator's draw,
    /// weighted by the records of this input that reach it (the product of the selectivities
    /// before it, the mean of its draws; one draw per operator keeps a record's cost bounded
    /// whatever a flatMap emits). An unchained operator draws exactly as it always did.
    #[inline]
    pub fn record_cost_ns(&self, u: &mut impl Uniform01, waits: bool) -> (u64, u64) {
        if let [op] = self.chain.as_slice() {
            let cpu = op.service_time.sample_u64(u);
            let wait = if waits { op.wait_time.sample_u64(u) } else { 0 };
            return (cpu, wait);
        }
        let (mut cpu, mut wait, mut reach) = (0.0, 0.0, 1.0);
        for op in &self.chain {
            cpu += reach * op.service_time.sample(u);
            if waits {
                wait += reach * op.wait_time.sample(u);
            }
            reach *= op.selectivity;
        }
        (crate::time::ns_from_f64(cpu), crate::time::ns_from_f64(wait))
    }

    /// [`Vertex::record_cost_ns`] when no operator of the chain draws anything for it (constant
    /// service and waiting times): the same pair for every record. `None` when some operator
    /// draws. Worked out once, into [`Vertex::constant_record_cost_ns`].
    fn record_cost_if_constant_ns(&self) -> Option<(u64, u64)> {
        let waits = self.waits();
        let constant = |d: &Dist| matches!(d, Dist::Constant(_));
        let draws = self
            .chain
            .iter()
            .any(|op| !constant(&op.service_time) || (waits && !constant(&op.wait_time)));
        (!draws).then(|| self.record_cost_ns(&mut DrawsNothing, waits))
    }

    /// The operators' part of the synchronous snapshot phase: each chained operator snapshots
    /// in turn (`OperatorChain.snapshotState`).
    pub fn sync_time_ns(&self, u: &mut impl Uniform01) -> u64 {
        self.chain.iter().map(|op| op.sync_time.sample_u64(u)).sum()
    }
}

#[derive(Clone, Debug)]
pub struct Subtask {
    pub vertex: VertexId,
    pub index: u32,
    pub taskmanager: u32,
}

#[derive(Clone, Debug)]
pub struct Channel {
    pub producer: SubtaskId,
    pub consumer: SubtaskId,
    /// Position among the consumer's input channels.
    pub input_index: InputIndex,
    /// The consumer's input gate (one per input edge), which owns the floating buffers.
    pub gate: u32,
    /// Index of the producer's output edge (result partition) this channel belongs to.
    pub output_edge: u32,
    pub remote: bool,
    /// TaskManager pair connection (`src * n + dst`), shared by all channels between them.
    pub connection: u32,
}

/// One output edge of a subtask: a result partition with one subpartition per consumer.
#[derive(Clone, Debug)]
pub struct OutputEdge {
    pub partitioning: Partitioning,
    /// Indexed by consumer subtask index (forward edges have exactly one); consecutive ids, as
    /// `connect` numbers them, so the channel to consumer `i` is the first one's id plus `i`.
    pub channels: Vec<ChannelId>,
    pub consumer_max_parallelism: u32,
    pub consumer_parallelism: u32,
}

#[derive(Clone, Debug)]
pub struct JobGraph {
    pub vertices: Vec<Vertex>,
    pub subtasks: Vec<Subtask>,
    pub channels: Vec<Channel>,
    pub outputs: Vec<Vec<OutputEdge>>,
    pub inputs: Vec<Vec<ChannelId>>,
    /// Number of input gates per subtask.
    pub gates: Vec<u32>,
    pub taskmanagers: u32,
}

/// Every operator's vertex and its subtasks, in operator order, each subtask in the slot its
/// index gives (`slots_per_taskmanager` per TaskManager).
fn place_subtasks(s: &JobSpec) -> (Vec<Vertex>, Vec<Subtask>) {
    let slots = s.slots_per_taskmanager;
    let mut vertices = Vec::new();
    let mut subtasks = Vec::new();
    for op in &s.operators {
        let first = subtasks.len() as u32;
        let v = VertexId(vertices.len() as u32);
        for i in 0..op.parallelism {
            subtasks.push(Subtask {
                vertex: v,
                index: i,
                taskmanager: i / slots,
            });
        }
        let mut vertex = Vertex {
            name: op.name.clone(),
            kind: op.kind,
            parallelism: op.parallelism,
            first_subtask: first,
            max_parallelism: default_max_parallelism(op.parallelism),
            chain: op.chain.clone(),
            output_record_size: op.output_record_size.clone(),
            state_bytes_per_key: op.state_bytes_per_key,
            state_initial_bytes: op.state_initial_bytes,
            delivery_guarantee: op.delivery_guarantee,
            state_waits_for_channel_state: op.state_waits_for_channel_state,
            constant_record_cost_ns: None,
        };
        vertex.constant_record_cost_ns = vertex.record_cost_if_constant_ns();
        vertices.push(vertex);
    }
    (vertices, subtasks)
}

/// The channels, output edges, inputs and gates of a graph being built, per subtask.
struct Wiring {
    channels: Vec<Channel>,
    outputs: Vec<Vec<OutputEdge>>,
    inputs: Vec<Vec<ChannelId>>,
    gates: Vec<u32>,
}

impl Wiring {
    fn new(n: usize) -> Wiring {
        Wiring {
            channels: Vec::new(),
            outputs: vec![Vec::new(); n],
            inputs: vec![Vec::new(); n],
            gates: vec![0u32; n],
        }
    }

    /// Connects every subtask of `prod` to the subtasks of `cons` it feeds by `partitioning`
    /// (one to one for forward, all to all otherwise): a new gate at each consumer, a new
    /// output edge at each producer.
    fn connect(&mut self, prod: &Vertex, cons: &Vertex, partitioning: Partitioning, subtasks: &[Subtask], tms: u32) {
        for c in 0..cons.parallelism {
            let cs = SubtaskId(cons.first_subtask + c);
            self.gates[cs.index()] += 1;
        }
        for p in 0..prod.parallelism {
            let ps = SubtaskId(prod.first_subtask + p);
            let edge_index = self.outputs[ps.index()].len() as u32;
            let targets: Vec<u32> = match partitioning {
                Partitioning::Forward => vec![p],
                _ => (0..cons.parallelism).collect(),
            };
            let mut edge_channels = Vec::with_capacity(targets.len());
            for c in targets {
                let cs = SubtaskId(cons.first_subtask + c);
                let id = ChannelId(self.channels.len() as u32);
                let tm_p = subtasks[ps.index()].taskmanager;
                let tm_c = subtasks[cs.index()].taskmanager;
                self.channels.push(Channel {
                    producer: ps,
                    consumer: cs,
                    input_index: self.inputs[cs.index()].len() as u32,
                    gate: self.gates[cs.index()] - 1,
                    output_edge: edge_index,
                    remote: tm_p != tm_c,
                    connection: tm_p * tms + tm_c,
                });
                self.inputs[cs.index()].push(id);
                edge_channels.push(id);
            }
            self.outputs[ps.index()].push(OutputEdge {
                partitioning,
                channels: edge_channels,
                consumer_max_parallelism: cons.max_parallelism,
                consumer_parallelism: cons.parallelism,
            });
        }
    }
}

pub fn default_max_parallelism(p: u32) -> u32 {
    let target = (p as u64 * 3).div_ceil(2).max(1);
    (target.next_power_of_two() as u32).clamp(128, 32768)
}

impl JobGraph {
    pub fn build(s: &JobSpec) -> JobGraph {
        let (vertices, subtasks) = place_subtasks(s);
        let tms = s.taskmanagers;
        let mut w = Wiring::new(subtasks.len());
        for (ci, op) in s.operators.iter().enumerate() {
            let cons = &vertices[ci];
            for input in &op.inputs {
                let prod = vertices[input.from].clone();
                w.connect(&prod, cons, input.partitioning, &subtasks, tms);
            }
        }
        JobGraph {
            vertices,
            subtasks,
            channels: w.channels,
            outputs: w.outputs,
            inputs: w.inputs,
            gates: w.gates,
            taskmanagers: tms,
        }
    }

    pub fn vertex_of(&self, s: SubtaskId) -> &Vertex {
        &self.vertices[self.subtasks[s.index()].vertex.index()]
    }
}

/// The random stream of a cost made of constants only: it is never drawn from.
struct DrawsNothing;

impl Uniform01 for DrawsNothing {
    fn next_f64(&mut self) -> f64 {
        unreachable!("a constant distribution draws nothing")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::key_groups::key_to_subtask;

    #[test]
    fn max_parallelism_follows_flink_defaults() {
        assert_eq!(default_max_parallelism(1), 128);
        assert_eq!(default_max_parallelism(100), 256);
        assert_eq!(default_max_parallelism(32), 128);
    }

    #[test]
    fn key_groups_cover_every_subtask() {
        let mut seen = [false; 7];
        for k in 0..10_000 {
            seen[key_to_subtask(k, 128, 7) as usize] = true;
        }
        assert!(seen.iter().all(|s| *s));
    }
}
