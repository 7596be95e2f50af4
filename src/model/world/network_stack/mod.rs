//! The network stack of the TaskManagers as one component: every channel (its producer-side
//! subpartition, the wire, its consumer-side input channel), the gates' floating buffers, the
//! TCP connections between TaskManagers, each producer's output pool (`ResultPartition`), each
//! consumer's queue of channels with data (`SingleInputGate`), buffer debloating, and the
//! records' buffers in flight.
//!
//! Its state is private. The world reaches it through methods that take the current time, the
//! job graph (the topology, read-only) and the event queue (to schedule `Deliver`, `Credit`,
//! `Resume` and `Flush`), and return what the tasks must hear of: a producer whose pool freed a
//! buffer, a barrier that left an output queue, what arrived on a channel. The network never
//! calls into a task; the world tells the task, in the order Flink's threads would.

mod channel_state;
mod debloating;
mod gauges;
mod output_room;
mod receive;
mod reset;
mod send;

pub(crate) use gauges::{BufferGauges, ReadCounters};
pub(crate) use output_room::OutputRoom;
use std::collections::VecDeque;

use super::Event;
use super::invariants::{Checks, records_in_channel};
use crate::ids::CheckpointId;
use crate::model::buffer_fifo::BufferPool;
use crate::model::config::NO_OUTPUT_FLUSHER;
use crate::model::debloat::{BufferDebloater, DebloatConfig, ThroughputCalculator};
use crate::model::faults::{Condition, FaultWindow};
use crate::model::graph::JobGraph;
use crate::model::network::{ChannelParts, ChannelRoute, ConsumerEnd, GatePool, ProducerEnd, WireEnd};
use crate::model::records::{EVENT_BYTES, NetBuffer, Payload, Record};
use crate::model::task::{ChannelSide, PersistedChannel};
use crate::protocol::CheckpointBarrier;
use crate::sim::{Dist, EventQueue, RngStream};
use crate::time::{NS_PER_S, SimTime, ns_from_f64};

/// Where the tasks' periodic timers tick after the job's start: the output flusher every
/// buffer timeout, `flush_ns` after it, and the buffer debloater every period, first
/// `debloat_ns` after it; each phase drawn once per run, uniform over its period. Flink starts
/// a task's `OutputFlusher` thread and its debloating timer as the task is set up, before it
/// runs, so where their ticks fall against the checkpoint triggers (which start once every task
/// runs) is a matter of deployment and start-up times. One phase for every task keeps the ticks
/// on one grid, which the event queue is built for. Without the phases the grids would start
/// with the job, and so would the first trigger with no minimum pause: every barrier of a run
/// would leave just as its channels are flushed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TimerPhases {
    pub flush_ns: u64,
    pub debloat_ns: u64,
}

impl TimerPhases {
    pub(crate) fn draw(buffer_timeout_ns: u64, debloat_period_ns: Option<u64>, mut rng: RngStream) -> Self {
        let mut uniform = |period: u64| ((rng.next_u64() as u128 * period as u128) >> 64) as u64;
        let flush_ns = match buffer_timeout_ns {
            0 | NO_OUTPUT_FLUSHER => 0,
            p => uniform(p),
        };
        // The first tick comes within a period: never at the start, which has nothing measured.
        let debloat_ns = debloat_period_ns.map_or(0, |p| p - uniform(p));
        TimerPhases { flush_ns, debloat_ns }
    }
}

/// The network's settings, resolved once from the configuration.
#[derive(Clone, Debug)]
pub(crate) struct NetworkSettings {
    pub segment_bytes: u32,
    pub exclusive_buffers: u32,
    pub floating_buffers_per_gate: u32,
    pub buffer_timeout_ns: u64,
    /// When the output flushers tick after the job's start (see [`TimerPhases`]).
    pub flush_phase_ns: u64,
    pub max_buffers_per_channel: u32,
    /// Pool size of each (subtask, output edge): `subpartitions * buffers-per-channel + floating`.
    pub pool_size: Vec<Vec<u32>>,
    pub local_latency: Dist,
    pub remote_latency: Dist,
    pub input_handoff_latency: Dist,
    pub remote_bandwidth_bytes_per_s: f64,
    /// Records per simulated record (the fast path's bundles; 1: the record-level model).
    pub records_per_bundle: u32,
}

/// A producer's output side (`ResultPartition` with its `RecordWriter`).
#[derive(Clone, Debug, Default)]
struct OutputPool {
    /// Per output edge: buffers of the pool its channels hold, and how many channels are at
    /// their cap (`maxBuffersPerChannel`).
    used: Vec<u32>,
    channels_at_cap: Vec<u32>,
    /// Per output edge: the next channel of a rebalance.
    round_robin: Vec<u32>,
    /// Per output edge: its first channel (a producer's channel ids grow with its output edges,
    /// so the edge of a channel is found here rather than in the job graph's channel table).
    first_channel: Vec<u32>,
    /// The output flusher is armed.
    flush_armed: bool,
    /// Channels whose buffer being filled got its first record since the flusher last ran (some
    /// may have been finished or reset since, some listed twice): the flusher visits these,
    /// not every subpartition, so its work follows the channels that hold data rather than the
    /// producer's fan-out (p channels per hash edge).
    filling: Vec<u32>,
}

/// A consumer's input gate: the input channels with readable buffers, in the order they
/// became available (`SingleInputGate.inputChannelsWithData`).
#[derive(Clone, Debug, Default)]
struct InputQueue {
    /// (input index, channel) of each available input: the channel is kept beside its index so
    /// that taking an input reads no table of the job graph, and so that the channels next in
    /// line can be prefetched.
    avail: VecDeque<(u32, u32)>,
    in_avail: Vec<bool>,
    /// Data buffers and their bytes read from local and from remote channels (Flink's
    /// `numBuffersInLocal`, `numBuffersInRemote`, `numBytesInLocal`, `numBytesInRemote`).
    read: ReadCounters,
}

/// Buffer debloating of one task: one throughput meter, one debloater per input gate.
#[derive(Clone, Debug)]
struct TaskDebloat {
    throughput: ThroughputCalculator,
    gates: Vec<BufferDebloater>,
}

/// Overdraft buffers of an output pool (`LocalBufferPool.maxOverdraftBuffersPerGate`): buffers
/// beyond the pool's size that a record already being written may take when the pool is
/// exhausted (`requestOverdraftMemorySegmentFromGlobal`, only once `numberOfRequestedMemorySegments`
/// reached the pool's size); availability never counts them. 20 as issue 11 states Flink 2.3
/// fixes it (not checked against 2.3's source here; Flink 1.x configured it with
/// `taskmanager.network.memory.max-overdraft-buffers-per-gate`). The model checks availability per
/// batch rather than per record and hands out no buffer explicitly as overdraft: the constant is
/// the bound the tests hold a local edge's in-flight data to.
pub(crate) const MAX_OVERDRAFT_BUFFERS_PER_GATE: u32 = 20;

impl Network {
    /// A consumer's input hand-off (`network.input_handoff_latency`), drawn from the network's
    /// stream.
    pub fn sample_input_handoff_ns(&mut self) -> u64 {
        self.set.input_handoff_latency.sample_u64(&mut self.rng)
    }

    /// The hand-off of an idle consumer woken `now` by buffers of `producer`: one draw per
    /// producer and instant, shared by every consumer it wakes then. In Flink 2.3 the two maps
    /// of one TaskManager start a checkpoint within about 0.4 ms of each other (a run of c04's
    /// job at parallelism 2, `tests/fidelity/probes/README.md`), while each trails the
    /// earliest source by about 0.9 ms: the hand-off is mostly common to the consumers of one
    /// emission. Drawn per consumer, the maps started 1.4-1.75 ms apart.
    pub fn input_handoff_ns_from(&mut self, producer: u32, now: SimTime) -> u64 {
        if let Some((at, ns)) = self.handoff_drawn[producer as usize]
            && at == now
        {
            return ns;
        }
        let ns = self.sample_input_handoff_ns();
        self.handoff_drawn[producer as usize] = Some((now, ns));
        ns
    }

    /// The job's records one simulated record stands for (the fast path's bundles; 1: the
    /// record-level model).
    pub fn records_per_bundle(&self) -> u32 {
        self.set.records_per_bundle
    }
}

/// What a send did that the tasks must hear of.
#[derive(Clone, Copy, Debug, Default)]
#[must_use = "the producer may wait for a buffer or an acknowledgement"]
pub(crate) struct Sent {
    /// The producer whose pool got a buffer back (it may be waiting for one).
    pub freed_producer: Option<u32>,
    /// A barrier (producer, checkpoint) left an output queue.
    pub barrier: Option<(u32, CheckpointId)>,
}

/// What arrived at the consumer end of a channel.
pub(crate) enum Arrival {
    /// A data buffer (already in the received queue), with the sender's backlog.
    Data { bytes: u32, backlog: u32 },
    /// An aligned or at-least-once barrier, queued behind `behind_data` data; `seq` numbers
    /// the deliveries on the channel.
    Barrier {
        barrier: CheckpointBarrier,
        behind_data: bool,
        seq: u64,
    },
    /// An unaligned barrier: a priority event, handled between records, not queued.
    PriorityBarrier(CheckpointBarrier),
    /// A cancellation marker (queued).
    Marker,
    /// A negative control swallowed the buffer.
    Lost,
}

/// A buffer the consumer takes from its input.
pub(crate) struct Taken {
    pub input: u32,
    pub ch: u32,
    pub buffer: NetBuffer,
    /// Restored channel state: processed before anything new, holding no credit.
    pub recovered: bool,
    /// A local channel persisting for this checkpoint: the buffer, read now, is channel state
    /// (`ChannelStatePersister.maybePersist` in `LocalInputChannel.getNextBuffer`).
    pub persist: Option<CheckpointId>,
}

pub(crate) struct Network {
    set: NetworkSettings,
    /// Per channel, each in its own table so that a side reads only its own cache line: the
    /// producer ends, the wires, the consumer ends. Each keeps the channel's incarnation, bumped
    /// when either end restarts: events of an earlier incarnation are stale.
    prod: Vec<ProducerEnd>,
    wires: Vec<WireEnd>,
    cons: Vec<ConsumerEnd>,
    /// The buffers queued in every channel (send queues, wires, received queues).
    bufs: BufferPool,
    gate_pools: Vec<Vec<GatePool>>,
    /// Per channel: it is in its gate's `waiting` queue (so that a channel asking again is found
    /// without scanning a queue that can hold every channel of the gate).
    waiting_for_floating: Vec<bool>,
    /// Per pair of TaskManagers: when their connection is free to serialize the next buffer.
    connection_free_at: Vec<SimTime>,
    /// TaskManagers (a connection's index is `from * taskmanagers + to`).
    taskmanagers: u32,
    rng: RngStream,
    outputs: Vec<OutputPool>,
    inputs: Vec<InputQueue>,
    debloat: Option<DebloatConfig>,
    debloaters: Vec<Option<TaskDebloat>>,
    /// Record vectors to reuse, so that buffers do not allocate. Not capped in number: with
    /// hash shuffles nearly every one of the p² channels fills a buffer per flush, far more
    /// vectors than any fixed cap a small job would want, and vectors dropped at such a cap come
    /// back as fresh ones that grow record by record. It never holds more vectors than were in
    /// use at once; only their sizes could creep up (a vector keeps the largest capacity it ever
    /// grew to), so one much larger than what it held goes back to the allocator instead
    /// ([`Network::give_back_vec`]).
    vec_pool: Vec<Vec<Record>>,
    /// Per producer subtask: the instant and the input hand-off last drawn for consumers its
    /// buffers woke (`input_handoff_ns_from`).
    handoff_drawn: Vec<Option<(SimTime, u64)>>,
    /// Bytes in network buffers (queued, on the wire, received, or being processed).
    in_flight_bytes: u64,
    /// The fast path only (empty record by record): per channel, when its buffer being filled
    /// started to fill (the previous one left), for [`send::fill_wait_deficit_ns`].
    bundle_buffer_started_ns: Vec<u64>,
    /// The scenario's network partitions (fault windows).
    partitions: Vec<FaultWindow>,
    /// Negative control: an aligned barrier blocks no subpartition (tests only).
    alignment_broken: bool,
    /// Negative control: the floating-buffer target lacks the initial credit (tests only).
    floating_without_initial_credit: bool,
    /// Negative control: local channels give their buffers back to the producer's pool when
    /// sent, not when recycled (tests only).
    local_freed_at_send: bool,
    /// Negative control: an aligned barrier reports the data queued behind it as backlog, and
    /// receivers ignore the backlog of events (tests only).
    event_backlog_ignored: bool,
    /// Negative control: with a zero buffer timeout every record finishes its buffer, even
    /// behind a queue its reader has not reached (tests only).
    every_record_finished: bool,
}

/// Each subtask's output pool: no buffer used, round-robin starting at its subtask index.
fn output_pools(g: &JobGraph) -> Vec<OutputPool> {
    (0..g.subtasks.len())
        .map(|i| {
            let edges = g.outputs[i].len();
            OutputPool {
                used: vec![0; edges],
                channels_at_cap: vec![0; edges],
                round_robin: (0..edges)
                    .map(|e| g.subtasks[i].index % g.outputs[i][e].channels.len() as u32)
                    .collect(),
                first_channel: g.outputs[i].iter().map(|e| e.channels[0].0).collect(),
                flush_armed: false,
                filling: Vec::new(),
            }
        })
        .collect()
}

/// Each input gate's floating buffers, all available.
fn gate_pools(g: &JobGraph, floating_buffers_per_gate: u32) -> Vec<Vec<GatePool>> {
    let mut pools: Vec<Vec<GatePool>> = g
        .gates
        .iter()
        .map(|n| {
            (0..*n)
                .map(|_| GatePool {
                    available: floating_buffers_per_gate,
                    waiting: Default::default(),
                    first_input: u32::MAX,
                })
                .collect()
        })
        .collect();
    for c in &g.channels {
        let p = &mut pools[c.consumer.index()][c.gate as usize];
        p.first_input = p.first_input.min(c.input_index);
    }
    pools
}

/// The output edge of a producer's pool that channel `ch` belongs to: the last one starting at
/// or before it.
#[inline]
fn edge_of(o: &OutputPool, ch: u32) -> usize {
    o.first_channel.partition_point(|first| *first <= ch) - 1
}

/// The input gate of a consumer that its input `input` belongs to: the last one starting at or
/// before it.
#[inline]
fn gate_of(gates: &[GatePool], input: u32) -> usize {
    gates.partition_point(|p| p.first_input <= input) - 1
}

/// A channel's route, as its ends keep it.
fn route(c: &crate::model::graph::Channel) -> ChannelRoute {
    ChannelRoute {
        producer: c.producer.0,
        consumer: c.consumer.0,
        input_index: c.input_index,
        connection: c.connection,
        remote: c.remote,
    }
}

/// Each subtask with inputs gets a buffer debloater per gate when debloating is on.
fn debloaters(g: &JobGraph, debloat: Option<DebloatConfig>) -> Vec<Option<TaskDebloat>> {
    g.gates
        .iter()
        .map(|n| {
            debloat.filter(|_| *n > 0).map(|cfg| TaskDebloat {
                throughput: ThroughputCalculator::new(SimTime::ZERO),
                gates: (0..*n).map(|_| BufferDebloater::new(cfg)).collect(),
            })
        })
        .collect()
}

impl Network {
    pub fn new(
        set: NetworkSettings,
        g: &JobGraph,
        rng: RngStream,
        debloat: Option<DebloatConfig>,
        windows: &[FaultWindow],
    ) -> Self {
        // The flusher visits a producer's channels in id order (`flush_fired`), which must be
        // the order of its output edges and subpartitions.
        for edges in &g.outputs {
            let ids = edges.iter().flat_map(|e| e.channels.iter().map(|c| c.0));
            assert!(
                ids.clone().zip(ids.skip(1)).all(|(a, b)| a < b),
                "a producer's channel ids grow with its output edges and subpartitions"
            );
        }
        let outputs = output_pools(g);
        let inputs = (0..g.subtasks.len())
            .map(|i| InputQueue {
                avail: VecDeque::new(),
                in_avail: vec![false; g.inputs[i].len()],
                read: ReadCounters::default(),
            })
            .collect();
        let gate_pools = gate_pools(g, set.floating_buffers_per_gate);
        let debloaters = debloaters(g, debloat);
        let tms = g.taskmanagers as usize;
        let exclusive = set.exclusive_buffers;
        let net = Network {
            prod: g
                .channels
                .iter()
                .map(|c| ProducerEnd::new(exclusive, &route(c), 0))
                .collect(),
            wires: g.channels.iter().map(|c| WireEnd::new(&route(c), 0)).collect(),
            cons: g
                .channels
                .iter()
                .map(|c| ConsumerEnd::new(exclusive, &route(c), 0))
                .collect(),
            bufs: BufferPool::default(),
            gate_pools,
            waiting_for_floating: vec![false; g.channels.len()],
            connection_free_at: vec![SimTime::ZERO; tms * tms],
            taskmanagers: g.taskmanagers,
            rng,
            outputs,
            inputs,
            debloat,
            debloaters,
            vec_pool: Vec::new(),
            handoff_drawn: vec![None; g.subtasks.len()],
            in_flight_bytes: 0,
            bundle_buffer_started_ns: if set.records_per_bundle > 1 {
                vec![0; g.channels.len()]
            } else {
                Vec::new()
            },
            partitions: windows
                .iter()
                .filter(|w| matches!(w.condition, Condition::NetworkPartition { .. }))
                .copied()
                .collect(),
            alignment_broken: false,
            floating_without_initial_credit: false,
            local_freed_at_send: false,
            event_backlog_ignored: false,
            every_record_finished: false,
            set,
        };
        // The ends find a channel's output edge and input gate from the first channel of each
        // edge and the first input of each gate: the graph must agree (an edge's channels and a
        // gate's inputs are consecutive, as `JobGraph::build` wires them).
        for (ch, c) in g.channels.iter().enumerate() {
            let edge = edge_of(&net.outputs[c.producer.index()], ch as u32);
            let gate = gate_of(&net.gate_pools[c.consumer.index()], c.input_index);
            assert_eq!((edge, gate), (c.output_edge as usize, c.gate as usize), "channel {ch}");
        }
        net
    }

    // ---- reading ----

    /// Channel `ch`'s two ends and its wire.
    #[inline]
    pub fn channel(&self, ch: u32) -> ChannelParts<'_> {
        let i = ch as usize;
        ChannelParts {
            producer: &self.prod[i],
            wire: &self.wires[i],
            consumer: &self.cons[i],
        }
    }

    /// Every channel, in id order.
    pub fn all_channels(&self) -> impl Iterator<Item = ChannelParts<'_>> {
        (0..self.prod.len() as u32).map(|ch| self.channel(ch))
    }

    /// The consumer end of a channel.
    #[inline]
    pub fn consumer_end(&self, ch: u32) -> &ConsumerEnd {
        &self.cons[ch as usize]
    }

    /// The pool the channels' queued buffers are in (what their queues index).
    #[inline]
    pub fn buffer_pool(&self) -> &BufferPool {
        &self.bufs
    }

    #[inline]
    pub fn in_flight_bytes(&self) -> u64 {
        self.in_flight_bytes
    }

    #[inline]
    pub fn debloat(&self) -> Option<DebloatConfig> {
        self.debloat
    }

    /// The producer's pool has a buffer for every output edge, and no channel is at its cap
    /// (`LocalBufferPool.isAvailable`, checked by the task before it takes more input). The pool's
    /// overdraft buffers ([`MAX_OVERDRAFT_BUFFERS_PER_GATE`]) never count here: Flink hands them
    /// out only to a record already in progress, and here to the batch in progress (a source
    /// reads at most one buffer's worth, an operator one input buffer), whose output may take
    /// the pool past its size by about a buffer per subpartition.
    #[inline]
    pub fn output_available(&self, s: u32) -> bool {
        let o = &self.outputs[s as usize];
        o.used
            .iter()
            .zip(&self.set.pool_size[s as usize])
            .all(|(u, max)| u < max)
            && o.channels_at_cap.iter().all(|c| *c == 0)
    }

    /// The smallest buffer size a debloating consumer announced to the task's outputs.
    pub fn smallest_output_buffer(&self, s: u32, g: &JobGraph) -> Option<u32> {
        g.outputs[s as usize]
            .iter()
            .flat_map(|e| e.channels.iter())
            .map(|ch| self.prod[ch.index()].buffer_size)
            .filter(|b| *b > 0)
            .min()
    }

    /// Whether a timeoutable barrier of `checkpoint` still waits in one of the task's output
    /// subpartitions, where its output alignment timer can still move it (what it then
    /// overtakes is this task's output state). A local channel's barrier stays in its
    /// subpartition until the consumer reads it (`LocalInputChannel` polls the subpartition view
    /// itself), so its hand-over and its consumer's unread buffers count too. A barrier forced
    /// aligned (a pointwise edge) never times out and holds nothing.
    pub fn barrier_queued_in_output(&self, s: u32, checkpoint: CheckpointId, g: &JobGraph) -> bool {
        let is_it = |b: &NetBuffer| matches!(b.payload, Payload::Barrier(x) if x.id == checkpoint && x.options.is_timeoutable());
        g.outputs[s as usize].iter().any(|e| {
            e.channels.iter().any(|ch| {
                let i = ch.index();
                self.prod[i].queue.iter(&self.bufs).any(is_it)
                    || (self.prod[i].local
                        && (self.wires[i].wire.iter(&self.bufs).any(is_it)
                            || self.cons[i].received.iter(&self.bufs).any(is_it)))
            })
        })
    }

    /// Whether `ch` is a local channel whose buffer being filled was flushed while its reader
    /// was behind (`flush_requested`).
    #[inline]
    pub fn local_flush_requested(&self, ch: u32) -> bool {
        // The consumer end first: the consumer just read it, and most channels are remote.
        self.cons[ch as usize].local && self.prod[ch as usize].flush_requested
    }

    /// Whether any output channel of the task has buffers queued (restored output state).
    pub fn has_queued_output(&self, ch: u32) -> bool {
        !self.prod[ch as usize].queue.is_empty()
    }

    /// Bytes producer `s`'s output pools can hold at most: each edge's pool size plus its
    /// overdraft buffers, in full segments (the bound of a local edge's in-flight data).
    pub fn output_pools_bytes(&self, s: u32) -> u64 {
        self.set.pool_size[s as usize]
            .iter()
            .map(|n| (*n + MAX_OVERDRAFT_BUFFERS_PER_GATE) as u64 * self.set.segment_bytes as u64)
            .sum()
    }

    /// Floating buffers an input gate has left, and the channels waiting for one (tests).
    pub fn gate_floating(&self, s: u32, gate: u32) -> (u32, Vec<u32>) {
        let p = &self.gate_pools[s as usize][gate as usize];
        (p.available, p.waiting.iter().copied().collect())
    }

    /// Negative control: a local channel's buffer goes back to the producer's pool when sent,
    /// as if the consumer had copied it. Tests only.
    pub fn free_local_buffers_at_send(&mut self) {
        self.local_freed_at_send = true;
    }

    /// Negative control: remote channels ask for floating buffers up to the sender's backlog
    /// only, without Flink's `initialCredit` on top (the rule before issue 11). Tests only.
    pub fn floating_target_without_initial_credit(&mut self) {
        self.floating_without_initial_credit = true;
    }

    /// Negative control: an aligned barrier reports the data queued behind it as backlog and
    /// receivers ignore events' backlogs (the rule before this was modelled). Tests only.
    pub fn ignore_event_backlog(&mut self) {
        self.event_backlog_ignored = true;
    }

    /// Negative control: with a zero buffer timeout every record finishes its buffer, as
    /// before `flushAlways` was modelled as Flink's flush. Tests only.
    pub fn finish_every_record(&mut self) {
        self.every_record_finished = true;
    }

    /// Whether an aligned barrier waits in remote or local channel `ch`'s received queue (tests).
    pub fn aligned_barrier_received(&self, ch: u32) -> bool {
        self.cons[ch as usize]
            .received
            .iter(&self.bufs)
            .any(|b| matches!(b.payload, Payload::Barrier(x) if x.options.needs_alignment()))
    }

    /// Whether a `Deliver` of incarnation `inc` is current (read on the wire, which the
    /// delivery reads next).
    #[inline]
    pub fn delivery_is_current(&self, ch: u32, inc: u32) -> bool {
        self.wires[ch as usize].incarnation == inc
    }

    /// Starts fetching the wire and the consumer end of `ch`, which a delivery reads.
    #[inline]
    pub fn prefetch_delivery(&self, ch: u32) {
        crate::sim::prefetch(&self.wires[ch as usize]);
        crate::sim::prefetch(&self.cons[ch as usize]);
    }

    /// Starts fetching what recycling a buffer of `ch` reads beyond the channel's own end: a
    /// remote channel holding floating buffers may hand one to the first channel of its gate
    /// waiting for one ([`Network::recycle`]), whose end is a cache miss at high parallelism
    /// (hundreds of channels a gate). Called before the batch's records are emitted, which
    /// hides it. Changes speed only.
    #[inline]
    pub fn prefetch_recycle(&self, ch: u32) {
        let c = &self.cons[ch as usize];
        if c.local || c.floating_held == 0 {
            return;
        }
        let gates = &self.gate_pools[c.consumer as usize];
        if let Some(&waiting) = gates[gate_of(gates, c.input_index)].waiting.front() {
            crate::sim::prefetch(&self.cons[waiting as usize]);
        }
    }

    /// Starts fetching the producer end of `ch`, which a credit or a resumption reads.
    #[inline]
    pub fn prefetch_producer_end(&self, ch: u32) {
        crate::sim::prefetch(&self.prod[ch as usize]);
    }

    /// Whether a `Credit` or `Resume` of incarnation `inc` is current (read at the producer
    /// end, which it updates next).
    #[inline]
    pub fn producer_event_is_current(&self, ch: u32, inc: u32) -> bool {
        self.prod[ch as usize].incarnation == inc
    }

    /// The output edge of the producer that channel `ch` belongs to.
    #[inline]
    fn output_edge(&self, ch: u32) -> usize {
        edge_of(&self.outputs[self.prod[ch as usize].producer as usize], ch)
    }

    /// The input gate of the consumer that channel `ch` belongs to.
    #[inline]
    fn input_gate(&self, ch: u32) -> usize {
        let c = &self.cons[ch as usize];
        gate_of(&self.gate_pools[c.consumer as usize], c.input_index)
    }

    /// Negative control: aligned barriers no longer block their subpartition.
    pub fn break_alignment(&mut self) {
        self.alignment_broken = true;
    }

    // ---- record buffers ----

    /// Keeps a vector of records for reuse, unless it is more than four times the size of what
    /// it held (and more than 16 records): the pool then follows the buffer sizes the job uses.
    #[inline]
    pub fn give_back_vec(&mut self, mut v: Vec<Record>) {
        if v.capacity() > 0 && v.capacity() <= 4 * v.len().max(4) {
            v.clear();
            self.vec_pool.push(v);
        }
    }

    /// Bytes of a buffer being processed left the network (restored state, or a dead task's).
    pub fn drop_in_flight(&mut self, bytes: u64) {
        self.in_flight_bytes -= bytes;
    }
}

fn data_buffer(records: Vec<Record>, bytes: u32) -> NetBuffer {
    NetBuffer {
        payload: Payload::Data(records),
        bytes,
        backlog: 0,
    }
}

/// Copies of the records in the data buffers among `buffers`, in order.
pub(crate) fn data_records<'a>(buffers: impl Iterator<Item = &'a NetBuffer>) -> Vec<Record> {
    let mut out = Vec::new();
    for b in buffers {
        if let Payload::Data(v) = &b.payload {
            out.extend_from_slice(v);
        }
    }
    out
}
