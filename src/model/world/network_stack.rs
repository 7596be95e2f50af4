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

use std::collections::VecDeque;

use super::Event;
use super::invariants::{Checks, records_in_channel};
use crate::ids::CheckpointId;
use crate::model::debloat::{BufferDebloater, DebloatConfig, ThroughputCalculator};
use crate::model::faults::{Condition, FaultWindow};
use crate::model::graph::JobGraph;
use crate::model::network::{ChannelState, GatePool};
use crate::model::records::{EVENT_BYTES, NetBuffer, Payload, Record};
use crate::model::task::{ChannelSide, PersistedChannel};
use crate::protocol::CheckpointBarrier;
use crate::sim::{Dist, EventQueue, RngStream};
use crate::time::{NS_PER_S, SimTime, ns_from_f64};

/// The network's settings, resolved once from the configuration.
#[derive(Clone, Debug)]
pub(crate) struct NetworkSettings {
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
    /// The output flusher is armed.
    flush_armed: bool,
}

/// A consumer's input gate: the input channels with readable buffers, in the order they
/// became available (`SingleInputGate.inputChannelsWithData`).
#[derive(Clone, Debug, Default)]
struct InputQueue {
    avail: VecDeque<u32>,
    in_avail: Vec<bool>,
}

/// Buffer debloating of one task: one throughput meter, one debloater per input gate.
#[derive(Clone, Debug)]
struct TaskDebloat {
    throughput: ThroughputCalculator,
    gates: Vec<BufferDebloater>,
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
}

pub(crate) struct Network {
    set: NetworkSettings,
    chans: Vec<ChannelState>,
    gate_pools: Vec<Vec<GatePool>>,
    /// Per pair of TaskManagers: when their connection is free to serialize the next buffer.
    connection_free_at: Vec<SimTime>,
    rng: RngStream,
    outputs: Vec<OutputPool>,
    inputs: Vec<InputQueue>,
    debloat: Option<DebloatConfig>,
    debloaters: Vec<Option<TaskDebloat>>,
    /// Record vectors to reuse, so that buffers do not allocate.
    vec_pool: Vec<Vec<Record>>,
    /// Bytes in network buffers (queued, on the wire, received, or being processed).
    in_flight_bytes: u64,
    /// The scenario's network partitions (fault windows).
    partitions: Vec<FaultWindow>,
    /// Negative control: an aligned barrier blocks no subpartition (tests only).
    alignment_broken: bool,
}

impl Network {
    pub fn new(
        set: NetworkSettings,
        g: &JobGraph,
        rng: RngStream,
        debloat: Option<DebloatConfig>,
        windows: &[FaultWindow],
    ) -> Self {
        let outputs = (0..g.subtasks.len())
            .map(|i| {
                let edges = g.outputs[i].len();
                OutputPool {
                    used: vec![0; edges],
                    channels_at_cap: vec![0; edges],
                    round_robin: (0..edges)
                        .map(|e| g.subtasks[i].index % g.outputs[i][e].channels.len() as u32)
                        .collect(),
                    flush_armed: false,
                }
            })
            .collect();
        let inputs = (0..g.subtasks.len())
            .map(|i| InputQueue {
                avail: VecDeque::new(),
                in_avail: vec![false; g.inputs[i].len()],
            })
            .collect();
        let gate_pools = g
            .gates
            .iter()
            .map(|n| {
                (0..*n)
                    .map(|_| GatePool {
                        available: set.floating_buffers_per_gate,
                        waiting: Default::default(),
                    })
                    .collect()
            })
            .collect();
        let debloaters = g
            .gates
            .iter()
            .map(|n| {
                debloat.filter(|_| *n > 0).map(|cfg| TaskDebloat {
                    throughput: ThroughputCalculator::new(SimTime::ZERO),
                    gates: (0..*n).map(|_| BufferDebloater::new(cfg)).collect(),
                })
            })
            .collect();
        let tms = g.taskmanagers as usize;
        Network {
            chans: g
                .channels
                .iter()
                .map(|_| ChannelState::new(set.exclusive_buffers))
                .collect(),
            gate_pools,
            connection_free_at: vec![SimTime::ZERO; tms * tms],
            rng,
            outputs,
            inputs,
            debloat,
            debloaters,
            vec_pool: Vec::new(),
            in_flight_bytes: 0,
            partitions: windows
                .iter()
                .filter(|w| matches!(w.condition, Condition::NetworkPartition { .. }))
                .copied()
                .collect(),
            alignment_broken: false,
            set,
        }
    }

    // ---- reading ----

    pub fn channels(&self) -> &[ChannelState] {
        &self.chans
    }

    pub fn in_flight_bytes(&self) -> u64 {
        self.in_flight_bytes
    }

    pub fn debloat(&self) -> Option<DebloatConfig> {
        self.debloat
    }

    /// The producer's pool has a buffer for every output edge, and no channel is at its cap.
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
            .map(|ch| self.chans[ch.index()].buffer_size)
            .filter(|b| *b > 0)
            .min()
    }

    /// Whether a barrier of `checkpoint` still waits in one of the task's output queues.
    pub fn barrier_queued_in_output(&self, s: u32, checkpoint: CheckpointId, g: &JobGraph) -> bool {
        g.outputs[s as usize].iter().any(|e| {
            e.channels.iter().any(|ch| {
                self.chans[ch.index()]
                    .queue
                    .iter()
                    .any(|b| matches!(b.payload, Payload::Barrier(x) if x.id == checkpoint))
            })
        })
    }

    /// Whether any output channel of the task has buffers queued (restored output state).
    pub fn has_queued_output(&self, ch: u32) -> bool {
        !self.chans[ch as usize].queue.is_empty()
    }

    /// The incarnation of a channel: events for an older one are stale.
    pub fn incarnation(&self, ch: u32) -> u32 {
        self.chans[ch as usize].incarnation
    }

    /// Negative control: aligned barriers no longer block their subpartition.
    pub fn break_alignment(&mut self) {
        self.alignment_broken = true;
    }

    // ---- record buffers ----

    pub fn take_vec(&mut self) -> Vec<Record> {
        self.vec_pool.pop().unwrap_or_default()
    }

    pub fn give_back_vec(&mut self, mut v: Vec<Record>) {
        if v.capacity() > 0 && self.vec_pool.len() < 4096 {
            v.clear();
            self.vec_pool.push(v);
        }
    }

    /// Bytes of a buffer being processed left the network (restored state, or a dead task's).
    pub fn drop_in_flight(&mut self, bytes: u64) {
        self.in_flight_bytes -= bytes;
    }

    // ---- producer side ----

    /// Buffers of the producer's pool a channel holds: queued data plus a non-empty builder.
    fn usage(&self, ch: u32) -> u32 {
        let c = &self.chans[ch as usize];
        c.queued_data + (!c.builder.is_empty()) as u32
    }

    /// Keeps the producer's pool counters in step with a change of one channel's usage.
    fn account_usage(&mut self, ch: u32, before: u32, after: u32, g: &JobGraph) {
        let info = &g.channels[ch as usize];
        let (s, e) = (info.producer.index(), info.output_edge as usize);
        let cap = self.set.max_buffers_per_channel;
        let o = &mut self.outputs[s];
        o.used[e] = o.used[e] + after - before;
        match (before >= cap, after >= cap) {
            (false, true) => o.channels_at_cap[e] += 1,
            (true, false) => o.channels_at_cap[e] -= 1,
            _ => {}
        }
    }

    /// The next channel of a rebalance on output edge `e` of producer `s`.
    pub fn next_round_robin(&mut self, s: u32, e: usize, channels: u32) -> usize {
        let rr = &mut self.outputs[s as usize].round_robin[e];
        let next = *rr as usize;
        *rr = (*rr + 1) % channels;
        next
    }

    /// Appends a record to a channel's buffer, finishing the buffer when full (or at once with
    /// a zero buffer timeout) and arming the output flusher otherwise. `written_ns` is when the
    /// task produced the record (a batch emits its records at its end, possibly later);
    /// `incarnation` is the producer's.
    #[allow(clippy::too_many_arguments)]
    pub fn write_record(
        &mut self,
        now: SimTime,
        s: u32,
        incarnation: u32,
        ch: u32,
        r: Record,
        written_ns: u64,
        g: &JobGraph,
        q: &mut EventQueue<Event>,
    ) -> Sent {
        let before = self.usage(ch);
        let c = &mut self.chans[ch as usize];
        if c.builder.capacity() == 0 {
            c.builder = self.vec_pool.pop().unwrap_or_default();
        }
        c.builder.push(r);
        c.builder_bytes += r.bytes;
        // A debloated channel finishes its buffers at the size its consumer announced.
        let size = if c.buffer_size == 0 {
            self.set.segment_bytes
        } else {
            c.buffer_size
        };
        let full = c.builder_bytes >= size;
        let after = self.usage(ch);
        if after != before {
            self.account_usage(ch, before, after, g);
        }
        if full || self.set.buffer_timeout_ns == 0 {
            return self.finish_builder(now, ch, g, q);
        }
        if !self.outputs[s as usize].flush_armed {
            self.outputs[s as usize].flush_armed = true;
            let p = self.set.buffer_timeout_ns;
            // The flusher runs on a fixed grid, as Flink's OutputFlusher thread does: the first
            // tick after the record was written, or now if that tick has passed meanwhile.
            let tick = SimTime((written_ns / p + 1) * p).max(now);
            q.schedule(tick, Event::Flush { s, inc: incarnation });
        }
        Sent::default()
    }

    /// The output flusher of producer `s` fired: it is no longer armed.
    pub fn flush_fired(&mut self, s: u32) {
        self.outputs[s as usize].flush_armed = false;
    }

    /// Moves the buffer being filled into the send queue.
    pub fn finish_builder(&mut self, now: SimTime, ch: u32, g: &JobGraph, q: &mut EventQueue<Event>) -> Sent {
        let c = &mut self.chans[ch as usize];
        if c.builder.is_empty() {
            return Sent::default();
        }
        let records = std::mem::take(&mut c.builder);
        let bytes = std::mem::take(&mut c.builder_bytes);
        c.queue.push_back(NetBuffer {
            payload: Payload::Data(records),
            bytes,
            backlog: 0,
        });
        c.queued_data += 1; // usage unchanged: the builder's buffer became a queued one
        self.in_flight_bytes += bytes as u64;
        self.try_send(now, ch, g, q)
    }

    /// Appends an event (barrier, cancellation marker) behind the data of a channel, whose
    /// builder the caller finished first.
    pub fn push_event(
        &mut self,
        now: SimTime,
        ch: u32,
        payload: Payload,
        g: &JobGraph,
        q: &mut EventQueue<Event>,
    ) -> Sent {
        self.chans[ch as usize].queue.push_back(NetBuffer {
            payload,
            bytes: EVENT_BYTES,
            backlog: 0,
        });
        self.try_send(now, ch, g, q)
    }

    /// Sends what the channel's credits and blocking allow.
    pub fn try_send(&mut self, now: SimTime, ch: u32, g: &JobGraph, q: &mut EventQueue<Event>) -> Sent {
        let mut freed = false;
        let mut barrier_sent = None;
        while self.chans[ch as usize].can_send_head() {
            let before = self.usage(ch);
            let c = &mut self.chans[ch as usize];
            let mut buf = c.queue.pop_front().expect("can_send_head");
            // PipelinedSubpartition: an aligned barrier blocks the subpartition once sent; an
            // unaligned or at-least-once barrier does not.
            let blocks = matches!(buf.payload, Payload::Barrier(b) if b.options.needs_alignment());
            if let Payload::Barrier(b) = buf.payload {
                barrier_sent = Some(b.id);
            }
            if buf.is_data() {
                c.credit -= 1;
                c.queued_data -= 1;
                freed = true;
            }
            buf.backlog = c.queued_data;
            let after = self.usage(ch);
            if after != before {
                self.account_usage(ch, before, after, g);
            }
            let at = self.delivery_time(now, ch, buf.bytes, g);
            let c = &mut self.chans[ch as usize];
            let was_empty = c.wire.is_empty();
            c.wire.push_back((at, buf));
            if was_empty {
                let inc = c.incarnation;
                q.schedule(at, Event::Deliver { ch, inc });
            }
            if blocks && !self.alignment_broken {
                // PipelinedSubpartition: after an aligned barrier, no more data until resumed.
                self.chans[ch as usize].blocked = true;
                break;
            }
        }
        let producer = g.channels[ch as usize].producer.0;
        Sent {
            freed_producer: freed.then_some(producer),
            barrier: barrier_sent.map(|id| (producer, id)),
        }
    }

    /// Delivery time: serialization on the TaskManager connection (remote only), then latency;
    /// never before the previous buffer on the channel (FIFO).
    fn delivery_time(&mut self, now: SimTime, ch: u32, bytes: u32, g: &JobGraph) -> SimTime {
        let info = &g.channels[ch as usize];
        let (tm_a, tm_b) = (
            g.subtasks[info.producer.index()].taskmanager,
            g.subtasks[info.consumer.index()].taskmanager,
        );
        let now = self.partition_lifted(now, tm_a, tm_b);
        let arrive = if info.remote {
            let free = &mut self.connection_free_at[info.connection as usize];
            let start = (*free).max(now);
            let tx = ns_from_f64(bytes as f64 / self.set.remote_bandwidth_bytes_per_s * NS_PER_S as f64);
            *free = start + tx;
            start + tx + self.set.remote_latency.sample_u64(&mut self.rng)
        } else {
            now + self.set.local_latency.sample_u64(&mut self.rng)
        };
        let c = &mut self.chans[ch as usize];
        let at = arrive.max(c.last_delivery);
        c.last_delivery = at;
        at
    }

    /// A network partition holds traffic between two TaskManagers until it heals (TCP
    /// retransmits). If it outlasts its `fail_after`, the schedule also breaks the connections
    /// then, and the readers fail (`Fault::ConnectionLost`).
    fn partition_lifted(&self, now: SimTime, a: u32, b: u32) -> SimTime {
        if a == b || self.partitions.is_empty() {
            return now;
        }
        let mut t = now;
        for w in &self.partitions {
            if let Condition::NetworkPartition { a: x, b: y } = w.condition
                && ((x, y) == (a, b) || (x, y) == (b, a))
                && w.start <= t
                && t < w.end
            {
                t = w.end;
            }
        }
        t
    }

    fn latency_to(&mut self, ch: u32, g: &JobGraph) -> u64 {
        if g.channels[ch as usize].remote {
            self.set.remote_latency.sample_u64(&mut self.rng)
        } else {
            self.set.local_latency.sample_u64(&mut self.rng)
        }
    }

    pub fn on_credit(&mut self, now: SimTime, ch: u32, n: u32, g: &JobGraph, q: &mut EventQueue<Event>) -> Sent {
        self.chans[ch as usize].credit += n;
        self.try_send(now, ch, g, q)
    }

    /// `resumeConsumption` reached the producer's subpartition.
    pub fn on_resume(&mut self, now: SimTime, ch: u32, g: &JobGraph, q: &mut EventQueue<Event>) -> Sent {
        self.chans[ch as usize].blocked = false;
        self.try_send(now, ch, g, q)
    }

    // ---- unaligned barriers at the producer ----

    /// The data buffers queued in a subpartition (the one being filled already finished), which
    /// an unaligned barrier put at the head overtakes: their bytes, and their records when
    /// `with_records`.
    pub fn queued_output(&self, ch: u32, with_records: bool) -> (u64, Vec<Record>) {
        let c = &self.chans[ch as usize];
        let bytes = c.queue.iter().filter(|b| b.is_data()).map(|b| b.bytes as u64).sum();
        let records = if with_records {
            data_records(c.queue.iter())
        } else {
            Vec::new()
        };
        (bytes, records)
    }

    /// `PipelinedSubpartition.add(priority event)`: an unaligned barrier goes to the head of the
    /// output queue (behind other priority events), then the channel sends.
    pub fn send_priority(
        &mut self,
        now: SimTime,
        ch: u32,
        barrier: CheckpointBarrier,
        g: &JobGraph,
        q: &mut EventQueue<Event>,
    ) -> Sent {
        let c = &mut self.chans[ch as usize];
        let pos = c
            .queue
            .iter()
            .position(|b| !matches!(b.payload, Payload::Barrier(x) if x.options.is_unaligned()))
            .unwrap_or(c.queue.len());
        c.queue.insert(
            pos,
            NetBuffer {
                payload: Payload::Barrier(barrier),
                bytes: EVENT_BYTES,
                backlog: 0,
            },
        );
        self.try_send(now, ch, g, q)
    }

    /// Output-side alignment timer on one subpartition: a timeoutable barrier of `checkpoint`
    /// still queued there is taken out, with the data ahead of it (bytes, and records when
    /// `with_records`); the caller sends it as an unaligned barrier.
    pub fn take_queued_barrier(
        &mut self,
        ch: u32,
        checkpoint: CheckpointId,
        with_records: bool,
    ) -> Option<(CheckpointBarrier, u64, Vec<Record>)> {
        let c = &mut self.chans[ch as usize];
        let pos = c
            .queue
            .iter()
            .position(|b| matches!(b.payload, Payload::Barrier(x) if x.id == checkpoint))?;
        let Payload::Barrier(b) = c.queue[pos].payload else {
            unreachable!("found a barrier");
        };
        if !b.options.is_timeoutable() {
            return None; // forced-aligned edges never time out
        }
        let ahead = || c.queue.iter().take(pos);
        let bytes = ahead().filter(|b| b.is_data()).map(|b| b.bytes as u64).sum();
        let records = if with_records {
            data_records(ahead())
        } else {
            Vec::new()
        };
        c.queue.remove(pos);
        Some((b, bytes, records))
    }

    // ---- consumer side ----

    /// The head buffer on a channel's wire reaches the consumer.
    pub fn deliver(&mut self, now: SimTime, ch: u32, checks: &mut Checks, q: &mut EventQueue<Event>) -> Arrival {
        let c = &mut self.chans[ch as usize];
        let (at, buf) = c.wire.pop_front().expect("a delivery event has a buffer");
        debug_assert_eq!(at, now);
        let is_data = buf.is_data();
        let backlog = buf.backlog;
        let bytes = buf.bytes;
        c.delivered_seq += 1;
        let seq = c.delivered_seq;
        if let Some((next, _)) = c.wire.front() {
            let next = *next;
            let inc = c.incarnation;
            q.schedule(next, Event::Deliver { ch, inc });
        }
        if is_data && checks.take_lost_buffer() {
            if let Payload::Data(v) = buf.payload {
                self.give_back_vec(v);
            }
            return Arrival::Lost;
        }
        match buf.payload {
            Payload::Barrier(b) if b.options.is_unaligned() => {
                // A priority event: it skips the received queue and is handled between records.
                Arrival::PriorityBarrier(b)
            }
            Payload::Barrier(barrier) => {
                let c = &mut self.chans[ch as usize];
                let behind_data = c.received.iter().any(|x| x.is_data());
                c.received.push_back(buf);
                Arrival::Barrier {
                    barrier,
                    behind_data,
                    seq,
                }
            }
            Payload::Cancel(_) => {
                self.chans[ch as usize].received.push_back(buf);
                Arrival::Marker
            }
            Payload::Data(_) => {
                self.chans[ch as usize].received.push_back(buf);
                Arrival::Data { bytes, backlog }
            }
        }
    }

    /// Receiver-side credit bookkeeping for an arrived data buffer; asks the gate for floating
    /// buffers while the sender reports a backlog the announced credit does not cover.
    pub fn on_data_received(&mut self, now: SimTime, ch: u32, backlog: u32, g: &JobGraph, q: &mut EventQueue<Event>) {
        let info = &g.channels[ch as usize];
        let (consumer, gate) = (info.consumer.index(), info.gate as usize);
        let c = &mut self.chans[ch as usize];
        c.announced_unused = c.announced_unused.saturating_sub(1);
        c.occupied += 1;
        c.sender_backlog = backlog;
        let need = backlog.saturating_sub(c.announced_unused);
        let pool = &mut self.gate_pools[consumer][gate];
        let mut granted = 0;
        for _ in 0..need {
            if pool.available == 0 {
                if !pool.waiting.contains(&ch) {
                    pool.waiting.push_back(ch);
                }
                break;
            }
            pool.available -= 1;
            granted += 1;
        }
        if granted > 0 {
            let c = &mut self.chans[ch as usize];
            c.owned += granted;
            c.floating_held += granted;
            c.announced_unused += granted;
            let at = now + self.latency_to(ch, g);
            let inc = self.chans[ch as usize].incarnation;
            q.schedule(at, Event::Credit { ch, n: granted, inc });
        }
    }

    /// The consumer finished with a data buffer: return it as credit, or hand a floating
    /// buffer back to the gate when the sender has no backlog.
    pub fn recycle(
        &mut self,
        now: SimTime,
        ch: u32,
        bytes: u32,
        records: Vec<Record>,
        g: &JobGraph,
        q: &mut EventQueue<Event>,
    ) {
        self.in_flight_bytes -= bytes as u64;
        self.give_back_vec(records);
        let info = &g.channels[ch as usize];
        let (consumer, gate) = (info.consumer.index(), info.gate as usize);
        let c = &mut self.chans[ch as usize];
        c.occupied -= 1;
        if c.floating_held > 0 && c.sender_backlog <= c.announced_unused {
            c.owned -= 1;
            c.floating_held -= 1;
            let pool = &mut self.gate_pools[consumer][gate];
            match pool.waiting.pop_front() {
                Some(other) => {
                    let o = &mut self.chans[other as usize];
                    o.owned += 1;
                    o.floating_held += 1;
                    o.announced_unused += 1;
                    let at = now + self.latency_to(other, g);
                    let inc = self.chans[other as usize].incarnation;
                    q.schedule(at, Event::Credit { ch: other, n: 1, inc });
                }
                None => pool.available += 1,
            }
        } else {
            c.announced_unused += 1;
            let at = now + self.latency_to(ch, g);
            let inc = self.chans[ch as usize].incarnation;
            q.schedule(at, Event::Credit { ch, n: 1, inc });
        }
    }

    /// Puts an input channel with readable buffers on the consumer's available list. Returns
    /// whether it has any (the consumer, if idle, wakes up).
    pub fn mark_input_available(&mut self, s: u32, input: u32, g: &JobGraph) -> bool {
        let ch = g.inputs[s as usize][input as usize].0;
        let c = &self.chans[ch as usize];
        if c.consumer_blocked || c.received.is_empty() {
            return false;
        }
        let q = &mut self.inputs[s as usize];
        if !q.in_avail[input as usize] {
            q.in_avail[input as usize] = true;
            q.avail.push_back(input);
        }
        true
    }

    /// Takes the next buffer from the input channels, in the order they became available.
    pub fn take_input(&mut self, s: u32, g: &JobGraph) -> Option<Taken> {
        let si = s as usize;
        let input = self.inputs[si].avail.pop_front()?;
        self.inputs[si].in_avail[input as usize] = false;
        let ch = g.inputs[si][input as usize].0;
        let c = &mut self.chans[ch as usize];
        debug_assert!(!c.consumer_blocked, "a blocked channel is never on the available list");
        let buffer = c.received.pop_front().expect("available channels have a buffer");
        let recovered = c.recovered_ahead > 0;
        if recovered {
            c.recovered_ahead -= 1;
        }
        if !c.received.is_empty() {
            self.inputs[si].in_avail[input as usize] = true;
            self.inputs[si].avail.push_back(input);
        }
        Some(Taken {
            input,
            ch,
            buffer,
            recovered,
        })
    }

    fn unlist_input(&mut self, s: u32, input: u32) {
        let q = &mut self.inputs[s as usize];
        if q.in_avail[input as usize] {
            q.in_avail[input as usize] = false;
            q.avail.retain(|i| *i != input);
        }
    }

    /// The barrier handler blocks an input channel (aligned checkpoints).
    pub fn block_input(&mut self, s: u32, input: u32, g: &JobGraph) {
        let ch = g.inputs[s as usize][input as usize].0;
        self.chans[ch as usize].consumer_blocked = true;
        self.unlist_input(s, input);
    }

    /// Consumer side of `resumeConsumption`: unblock and tell the producer. Returns whether the
    /// channel was blocked (its buffers are readable again).
    pub fn resume_input(&mut self, now: SimTime, s: u32, input: u32, g: &JobGraph, q: &mut EventQueue<Event>) -> bool {
        let ch = g.inputs[s as usize][input as usize].0;
        let c = &mut self.chans[ch as usize];
        if !c.consumer_blocked {
            return false;
        }
        c.consumer_blocked = false;
        self.send_resume(now, ch, g, q);
        true
    }

    /// Consumer side of `resumeConsumption` for an obsolete barrier: unblock (whether or not it
    /// was blocked here) and tell the producer.
    pub fn force_resume_input(&mut self, now: SimTime, s: u32, input: u32, g: &JobGraph, q: &mut EventQueue<Event>) {
        let ch = g.inputs[s as usize][input as usize].0;
        self.chans[ch as usize].consumer_blocked = false;
        self.send_resume(now, ch, g, q);
    }

    /// Whether the producer side of `ch` is blocked with no alignment at its consumer for it:
    /// no barrier on the wire or queued there, the consumer not blocking the channel, no
    /// prioritized barrier waiting for its checkpoint's end (the liveness invariant).
    pub fn blocked_without_alignment(&self, ch: u32) -> bool {
        let c = &self.chans[ch as usize];
        let barrier_ahead = c
            .wire
            .iter()
            .map(|(_, b)| b)
            .chain(c.received.iter())
            .any(|b| matches!(b.payload, Payload::Barrier(_)));
        c.blocked && !c.consumer_blocked && !c.resume_at_checkpoint_end && !barrier_ahead
    }

    /// `resumeConsumption` travels to the producer's subpartition.
    pub fn send_resume(&mut self, now: SimTime, ch: u32, g: &JobGraph, q: &mut EventQueue<Event>) {
        let at = now + self.latency_to(ch, g);
        let inc = self.chans[ch as usize].incarnation;
        q.schedule(at, Event::Resume { ch, inc });
    }

    /// The checkpoint ended at the consumer: whether this channel's producer waits for a
    /// resume because its aligned barrier was prioritized here.
    pub fn take_resume_at_checkpoint_end(&mut self, ch: u32) -> bool {
        std::mem::take(&mut self.chans[ch as usize].resume_at_checkpoint_end)
    }

    // ---- unaligned barriers at the consumer (channel state) ----

    /// An unaligned barrier arrived: how many data buffers it overtook in the received queue,
    /// unless the channel already persists them (`StartPersisting`). Either way the channel's
    /// share of the checkpoint ends with the barrier's arrival
    /// (`ChannelStatePersister.checkForBarrier`).
    pub fn priority_barrier_arrived(&mut self, ch: u32, checkpoint: CheckpointId) -> u32 {
        let c = &mut self.chans[ch as usize];
        if c.persisting == Some(checkpoint) {
            c.persisting = None;
            0
        } else {
            c.received_data_buffers_before_barrier()
        }
    }

    /// The first `n` received buffers of a channel: bytes, and records when `with_records`.
    pub fn received_head(&self, ch: u32, n: u32, with_records: bool) -> (u64, Vec<Record>) {
        let c = &self.chans[ch as usize];
        let bytes = c.received.iter().take(n as usize).map(|b| b.bytes as u64).sum();
        let records = if with_records {
            data_records(c.received.iter().take(n as usize))
        } else {
            Vec::new()
        };
        (bytes, records)
    }

    /// `StartPersisting`: the channel's data ahead of its barrier and not yet consumed is
    /// channel state, the queued buffers now and each one arriving until `StopPersisting`.
    /// Returns what is queued now.
    pub fn start_persisting(&mut self, ch: u32, checkpoint: CheckpointId, with_records: bool) -> (u64, Vec<Record>) {
        let c = &mut self.chans[ch as usize];
        c.persisting = Some(checkpoint);
        let queued = c.received_data_bytes_before_barrier();
        let records = if with_records {
            let n = c.received_data_buffers_before_barrier() as usize;
            data_records(c.received.iter().take(n))
        } else {
            Vec::new()
        };
        (queued, records)
    }

    pub fn stop_persisting(&mut self, ch: u32) {
        self.chans[ch as usize].persisting = None;
    }

    /// A data buffer just arrived on a channel: if it persists for a checkpoint, that one, with
    /// the buffer's records when `with_records`.
    pub fn persisting_arrival(&self, ch: u32, with_records: bool) -> Option<(CheckpointId, Vec<Record>)> {
        let c = &self.chans[ch as usize];
        let id = c.persisting?;
        let records = if with_records {
            data_records(c.received.back().into_iter())
        } else {
            Vec::new()
        };
        Some((id, records))
    }

    /// `PrioritizeAnnouncedBarrier`: the barrier still queued in the input channel moves to the
    /// head; the producer blocked its subpartition when it sent it aligned, and is resumed when
    /// the checkpoint ends. Returns the barrier.
    pub fn take_announced_barrier(&mut self, s: u32, input: u32, g: &JobGraph) -> Option<CheckpointBarrier> {
        let ch = g.inputs[s as usize][input as usize].0;
        let c = &mut self.chans[ch as usize];
        let pos = c
            .received
            .iter()
            .position(|b| matches!(b.payload, Payload::Barrier(_)))?;
        let buf = c.received.remove(pos)?;
        let Payload::Barrier(barrier) = buf.payload else {
            unreachable!("found a barrier");
        };
        c.resume_at_checkpoint_end = true;
        if c.received.is_empty() {
            self.unlist_input(s, input);
        }
        Some(barrier)
    }

    // ---- debloating (FLIP-183) ----

    /// The task consumed `bytes` (its throughput meter runs).
    pub fn note_consumed(&mut self, s: u32, now: SimTime, bytes: u64) {
        if let Some(d) = self.debloaters[s as usize].as_mut() {
            d.throughput.resume_measurement(now);
            d.throughput.incoming_data(bytes);
        }
    }

    /// The task went idle: idle time does not count against the throughput.
    pub fn note_idle(&mut self, s: u32, now: SimTime) {
        if let Some(d) = self.debloaters[s as usize].as_mut() {
            d.throughput.pause_measurement(now);
        }
    }

    /// Every input gate recalculates the buffer size that makes its queued data take the
    /// target time to consume, and announces it upstream: the producers of the gate's channels
    /// then finish their buffers at that size.
    pub fn debloat_tick(&mut self, now: SimTime, g: &JobGraph) {
        for s in 0..self.debloaters.len() {
            let Some(d) = self.debloaters[s].as_mut() else {
                continue;
            };
            let throughput = d.throughput.calculate_throughput(now);
            for gate in 0..d.gates.len() {
                let in_use: u32 = g.inputs[s]
                    .iter()
                    .filter(|ch| g.channels[ch.index()].gate as usize == gate)
                    .map(|ch| {
                        // Flink's `getBuffersInUseCount`: the buffers queued at the receiver plus
                        // the backlog the sender reported (a local channel counts its
                        // subpartition's queue), so the data on both ends takes `target`.
                        let c = &self.chans[ch.index()];
                        c.occupied + c.sender_backlog
                    })
                    .sum();
                let d = self.debloaters[s].as_mut().expect("checked");
                if let Some(size) = d.gates[gate].recalculate_buffer_size(throughput, in_use) {
                    for i in 0..g.inputs[s].len() {
                        let ch = g.inputs[s][i].0;
                        if g.channels[ch as usize].gate as usize == gate {
                            self.chans[ch as usize].buffer_size = size;
                        }
                    }
                }
            }
        }
    }

    // ---- failures and recovery ----

    /// A task died: its gate's floating buffers are back and no input is listed.
    pub fn reset_task(&mut self, s: u32) {
        self.outputs[s as usize].flush_armed = false;
        let q = &mut self.inputs[s as usize];
        q.avail.clear();
        q.in_avail.iter_mut().for_each(|a| *a = false);
    }

    /// Every channel touching a dead task loses everything in it: returns the records and the
    /// bytes they held. `producer_alive` tells whether the new channel's producer still runs
    /// (nobody grants credit for a dead consumer, so its producer backs up).
    pub fn reset_channel(&mut self, now: SimTime, ch: u32, producer_alive: bool, consumer_alive: bool) -> u64 {
        let old = std::mem::take(&mut self.chans[ch as usize]);
        let records = records_in_channel(&old);
        let mut bytes = 0u64;
        for b in old
            .queue
            .into_iter()
            .chain(old.wire.into_iter().map(|(_, b)| b))
            .chain(old.received)
        {
            if let Payload::Data(v) = b.payload {
                bytes += b.bytes as u64;
                self.give_back_vec(v);
            }
        }
        self.in_flight_bytes -= bytes;
        let mut fresh = ChannelState::new(self.set.exclusive_buffers);
        fresh.incarnation = old.incarnation + 1;
        fresh.last_delivery = now;
        if producer_alive && !consumer_alive {
            fresh.credit = 0;
        }
        self.chans[ch as usize] = fresh;
        records
    }

    /// A live consumer must not look for buffers in an emptied channel.
    pub fn unlist_channel(&mut self, ch: u32, g: &JobGraph) {
        let info = &g.channels[ch as usize];
        self.unlist_input(info.consumer.0, info.input_index);
    }

    /// A dead task's gates get all their floating buffers back.
    pub fn reset_gates(&mut self, s: u32) {
        for pool in self.gate_pools[s as usize].iter_mut() {
            pool.available = self.set.floating_buffers_per_gate;
            pool.waiting.clear();
        }
    }

    /// Recomputes a producer's pool counters from its channels (after channels were reset).
    pub fn recount_pool(&mut self, s: u32, g: &JobGraph) {
        let cap = self.set.max_buffers_per_channel;
        for e in 0..g.outputs[s as usize].len() {
            let (mut used, mut at_cap) = (0, 0);
            for ch in &g.outputs[s as usize][e].channels {
                let c = &self.chans[ch.index()];
                let u = c.queued_data + (!c.builder.is_empty()) as u32;
                used += u;
                at_cap += (u >= cap) as u32;
            }
            self.outputs[s as usize].used[e] = used;
            self.outputs[s as usize].channels_at_cap[e] = at_cap;
        }
    }

    /// Puts restored channel state back into its (freshly reset) channel, in buffers of at most
    /// a segment: input state at the head of the consumer's queue, read before anything new
    /// and holding no credit (`RecoveredInputChannel`); output state in the producer's
    /// subpartition, sent first once the producer runs.
    pub fn restore_channel(&mut self, p: &PersistedChannel, g: &JobGraph) {
        let segment = self.set.segment_bytes.max(1);
        let mut buffers = Vec::new();
        let mut records = self.vec_pool.pop().unwrap_or_default();
        let mut bytes = 0u32;
        for r in &p.records {
            records.push(*r);
            bytes += r.bytes;
            if bytes >= segment {
                buffers.push(data_buffer(std::mem::take(&mut records), std::mem::take(&mut bytes)));
            }
        }
        if !records.is_empty() {
            buffers.push(data_buffer(records, bytes));
        }
        self.in_flight_bytes += buffers.iter().map(|b| b.bytes as u64).sum::<u64>();
        let ch = p.channel as usize;
        let n = buffers.len() as u32;
        match p.side {
            ChannelSide::Input => {
                let c = &mut self.chans[ch];
                for b in buffers.into_iter().rev() {
                    c.received.push_front(b);
                }
                c.recovered_ahead += n;
                let info = &g.channels[ch];
                let (s, input) = (info.consumer.index(), info.input_index as usize);
                let q = &mut self.inputs[s];
                if n > 0 && !q.in_avail[input] {
                    q.in_avail[input] = true;
                    q.avail.push_back(input as u32);
                }
            }
            ChannelSide::Output => {
                let c = &mut self.chans[ch];
                for b in buffers.into_iter().rev() {
                    c.queue.push_front(b);
                }
                c.queued_data += n;
            }
        }
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
