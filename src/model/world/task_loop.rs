//! What a task does when it wakes: finish its batch and emit the results, then take the next
//! input (a buffer, a barrier, a marker) or, for a source, read the next records, unless its
//! output is full (back-pressure) or it is in a synchronous snapshot.

use super::World;
use super::cores::{CPU_QUANTUM_NS, Thread};
use super::network_stack::{OutputRoom, Taken};
use super::tasks::{SourceBatchPlan, UNSCHEDULED};
use crate::model::key_groups::key_to_subtask;
use crate::model::records::{Payload, Record};
use crate::model::task::{Batch, TaskPhase};
use crate::time::SimTime;
use crate::vocab::{DeliveryGuarantee, Partitioning};

/// How many records ahead of the one it processes the emit loop fetches the bitset words of
/// their keys (again: the batch's start fetched them once, maybe long before). A record's
/// processing takes longer than a miss, so a few records ahead suffice; more would crowd the
/// level-1 cache.
const KEYS_PREFETCHED_AHEAD: usize = 8;

impl World {
    pub(crate) fn task_step(&mut self, now: SimTime, s: u32) {
        // Awake: an input hand-off in progress is over (whichever wake-up came first).
        self.tasks.end_input_handoff(s);
        if self.tasks.phase(s) == TaskPhase::Finished {
            return;
        }
        if self.tasks.phase(s) == TaskPhase::SyncSnapshot {
            if !self.tasks.sync_phase_over(s, now) {
                return;
            }
            self.end_sync_phase(now, s);
            match self.tasks.phase(s) {
                // Its deferred finish ran at the end of the sync phase.
                TaskPhase::Finished => return,
                // A trigger deferred by the sync phase started the next checkpoint: the mailbox
                // runs it before any record, and the end of its sync phase wakes the task.
                TaskPhase::SyncSnapshot => return,
                _ => {}
            }
        }
        if self.tasks.phase(s) == TaskPhase::WaitingForOutput {
            self.tasks.stop_waiting_for_output(s, now);
        }
        loop {
            if let Some(end) = self.tasks.batch_end(s) {
                if end > now {
                    self.tasks.resume_processing(s);
                    self.wake_at(s, end);
                    return;
                }
                if self.tasks.batch_has_unscheduled_records(s) {
                    // The quantum is over, the input buffer is not: the next quantum.
                    self.emit_done_records(now, s);
                    self.schedule_quantum(now, s);
                    continue;
                }
                self.finish_batch(now, s);
            }
            if !self.net.output_available(s) {
                self.tasks.wait_for_output(s, now);
                return;
            }
            let started = if self.tasks.is_source(s) {
                self.start_source_batch(now, s)
            } else {
                self.take_input(now, s)
            };
            match started {
                Step::Batch => continue,
                Step::Event => {
                    if matches!(self.tasks.phase(s), TaskPhase::SyncSnapshot | TaskPhase::Finished) {
                        return; // the sync phase's end wakes the task; a finished one stays
                    }
                    continue;
                }
                Step::Nothing if self.tasks.is_source(s) && self.tasks.source_input_exhausted(s) => {
                    self.source_input_ended(now, s);
                    if self.tasks.phase(s) == TaskPhase::Finished {
                        return;
                    }
                    self.tasks.go_idle(s);
                    self.net.note_idle(s, now);
                    return;
                }
                Step::Nothing => {
                    self.tasks.go_idle(s);
                    // Idle time does not count against the throughput (FLIP-183).
                    self.net.note_idle(s, now);
                    return;
                }
            }
        }
    }

    /// Takes the next buffer from the input channels, in the order they became available.
    fn take_input(&mut self, now: SimTime, s: u32) -> Step {
        let Some(Taken {
            input,
            ch,
            buffer: buf,
            recovered,
            persist,
        }) = self.net.take_input(s, &self.graph)
        else {
            return Step::Nothing;
        };
        if self.net.local_flush_requested(ch) {
            // A local consumer that read everything else reaches the flushed buffer being filled.
            self.try_send(now, ch);
        }
        match buf.payload {
            Payload::Data(records) => {
                if let Some(id) = persist {
                    self.persist_taken(s, ch, id, buf.bytes, &records);
                }
                self.checks.records_delivered(ch, records.len() as u64);
                self.start_operator_batch(now, s, ch, buf.bytes, records, recovered);
                Step::Batch
            }
            Payload::Barrier(barrier) => {
                if barrier.options.is_timeoutable() && !self.graph.channels[ch as usize].remote {
                    // Read from a local channel, the barrier leaves its producer's subpartition
                    // only now: its producer's acknowledgement may have waited for it.
                    let producer = self.graph.channels[ch as usize].producer.0;
                    self.output_barrier_left(now, producer, barrier.id);
                }
                self.on_barrier(now, s, input, barrier);
                Step::Event
            }
            Payload::Cancel(id) => {
                self.on_cancel_marker(now, s, input, id);
                Step::Event
            }
            Payload::EndOfData => {
                self.on_end_of_data(now, s, input);
                Step::Event
            }
            Payload::EndOfPartition => {
                self.on_end_of_partition(now, s, input);
                Step::Event
            }
        }
    }

    fn start_operator_batch(
        &mut self,
        now: SimTime,
        s: u32,
        ch: u32,
        bytes: u32,
        records: Vec<Record>,
        recovered: bool,
    ) {
        self.tasks.count_input(s, records.len() as u64, bytes as u64);
        self.net.note_consumed(s, now, bytes as u64);
        // The keys' bitset words are read when the records are emitted, at the end of the
        // quantum: fetching them now hides the cache miss each would cost then.
        self.keys.prefetch(s, records.iter().map(|r| r.key));
        // Completion times are set one CPU quantum at a time (`schedule_quantum`).
        let mut done_at_ns = self.tasks.take_times();
        done_at_ns.resize(records.len(), UNSCHEDULED);
        self.tasks.start_batch(
            s,
            Batch {
                records,
                done_at_ns,
                next: 0,
                input_channel: Some(ch),
                end: now,
                recovered,
                not_before_ns: now.as_ns(),
            },
        );
        self.schedule_quantum(now, s);
    }

    /// Sets the completion times of the next records of the operator batch in progress, up to
    /// `CPU_QUANTUM_NS` of CPU (at least one record), at the share of the cores the task
    /// thread gets now: the scheduler re-evaluates the share at each quantum.
    ///
    /// A quantum's records are emitted when it ends. With a zero buffer timeout (Flink flushes
    /// after every record) each record is a quantum of its own, as a source's batch is one
    /// record then: what a task emits leaves at the record's own completion, not with the
    /// records processed after it.
    fn schedule_quantum(&mut self, now: SimTime, s: u32) {
        let si = s as usize;
        let v = self.graph.subtasks[si].vertex.index();
        // A record's CPU part runs at the thread's share of the host's cores; its waiting part
        // holds the thread without a core.
        let (share, share_without_snapshots) = self.cpu_shares(s, now);
        let stretch = self.slowdown(s, now) / share;
        let vertex = &self.graph.vertices[v];
        let quantum_cpu_ns = if self.set.buffer_timeout_ns == 0 {
            0
        } else {
            CPU_QUANTUM_NS
        };
        let (end, runnable) =
            self.tasks
                .schedule_quantum(s, now, vertex, stretch, quantum_cpu_ns, self.record_log.as_mut());
        self.tasks
            .count_slowed_by_snapshots(s, slowed_by_snapshots_ns(runnable, share, share_without_snapshots));
        self.tasks
            .count_waiting_for_cores(s, waiting_for_cores_ns(runnable, share));
        self.claim_cpu(s, now, end, runnable);
    }

    /// Reads up to one buffer's worth of source records: each starts when it has arrived and
    /// the previous one is done. The batch stops at the next output flush so that the flusher
    /// never waits on records read late.
    fn start_source_batch(&mut self, now: SimTime, s: u32) -> Step {
        let si = s as usize;
        let v = self.graph.subtasks[si].vertex.index();
        let timeout = self.set.buffer_timeout_ns;
        let max_n = self.source_batch_limit(s);
        let records = self.tasks.take_source_records();
        let (share, share_without_snapshots) = self.cpu_shares(s, now);
        // A source batch is one quantum: its records share one share of the cores. (Ending
        // it after 1 ms of CPU would also check back-pressure more often than once per buffer,
        // which the network model is calibrated on.)
        let plan = SourceBatchPlan {
            max_records: max_n,
            buffer_timeout_ns: timeout,
            flush_phase_ns: self.set.flush_phase_ns,
            catch_up_ns: self.endpoints.catch_up_threshold_ns(s),
            stretch: self.slowdown(s, now) / share,
        };
        // Flink's source stops after the record that leaves its output unavailable.
        let mut room = self.output_room(s, v, max_n);
        let has_room = |read: &[Record]| room.as_mut().is_none_or(|room| room.write_last(read));
        let read = self
            .tasks
            .read_source_records(s, now, &plan, &self.graph.vertices[v], records, has_room);
        if read.records.is_empty() {
            self.tasks.give_back_source_records(read.records);
            self.tasks.give_back_times(read.done_at_ns);
            return Step::Nothing;
        }
        self.claim_cpu(s, now, SimTime(read.clock_ns), read.runnable_ns);
        let slowed = slowed_by_snapshots_ns(read.runnable_ns, share, share_without_snapshots);
        self.tasks
            .count_waiting_for_cores(s, waiting_for_cores_ns(read.runnable_ns, share));
        if let Some(at) = self.tasks.start_source_batch(s, now, read, slowed) {
            self.endpoints.caught_up(s);
            self.note_source_caught_up(at, s);
        }
        Step::Batch
    }

    /// The room in source `s`'s output pool, when a batch of up to `max_records` could run
    /// out of it: its records go out on one forward or hash edge (`OneEdge`), one each (no
    /// chained operator filters or multiplies them). Otherwise `None`, and the batch is checked
    /// as a whole; a batch of one record is checked before it anyway.
    fn output_room(&self, s: u32, v: usize, max_records: usize) -> Option<OutputRoom> {
        if max_records <= 1 || self.graph.vertices[v].is_selective() {
            return None;
        }
        let edge = OneEdge::of(&self.graph, s, v)?;
        let channels = self.graph.outputs[s as usize][0].channels.len() as u32;
        Some(self.net.output_room(s, edge.first_channel, channels, edge.hash))
    }

    /// Records a source reads per batch: about one output buffer's worth (one record with a zero
    /// buffer timeout), so back-pressure is checked at least once per buffer filled; debloated
    /// outputs finish smaller buffers, so about one of those.
    fn source_batch_limit(&self, s: u32) -> usize {
        if self.set.buffer_timeout_ns == 0 {
            return 1;
        }
        let mut max_n = self.set.source_batch_max;
        if self.net.debloat().is_some()
            && let Some(b) = self.net.smallest_output_buffer(s, &self.graph)
        {
            max_n = max_n.min(((b as f64 / self.set.batch_record_bytes).ceil() as usize).max(1));
        }
        max_n
    }

    /// Emits every record of the batch done by `now`; recycles the input buffer once all are.
    pub(crate) fn emit_done_records(&mut self, now: SimTime, s: u32) {
        let Some(mut batch) = self.tasks.take_batch(s) else {
            return;
        };
        let from = batch.next;
        let upto = batch.done_at_ns[from..].partition_point(|d| *d <= now.as_ns()) + from;
        if upto > from {
            // What every record of the task takes the same path through, looked up once.
            let v = self.graph.subtasks[s as usize].vertex.index();
            let path = RecordPath {
                v,
                selective: self.graph.vertices[v].is_selective(),
                sink: self.tasks.is_sink(s),
                one_edge: OneEdge::of(&self.graph, s, v),
                keyed: self.keys.tracks(s),
            };
            let records = &batch.records[from..upto];
            let key = |r: &Record| r.key;
            if path.keyed {
                self.keys
                    .prefetch(s, records.iter().take(KEYS_PREFETCHED_AHEAD).map(key));
            }
            for (i, (r, done_ns)) in records.iter().zip(&batch.done_at_ns[from..upto]).enumerate() {
                if path.keyed {
                    self.keys.prefetch(s, records.get(i + KEYS_PREFETCHED_AHEAD).map(key));
                }
                self.process_record(now, s, path, *r, *done_ns);
            }
        }
        batch.next = upto;
        self.tasks.put_batch(s, batch);
    }

    fn finish_batch(&mut self, now: SimTime, s: u32) {
        // What the recycling of the input buffer and the next take read first, cache misses at
        // high parallelism: fetched now, the records emitted below hide them.
        if let Some(ch) = self.tasks.batch_input_channel(s) {
            self.net.prefetch_recycle(ch);
        }
        self.net.prefetch_next_take_head(s);
        self.emit_done_records(now, s);
        let batch = self.tasks.take_batch(s).expect("finishing a batch");
        debug_assert_eq!(batch.next, batch.records.len());
        let Batch {
            records,
            done_at_ns,
            input_channel,
            recovered,
            ..
        } = batch;
        self.tasks.give_back_times(done_at_ns);
        match input_channel {
            Some(ch) if !recovered => {
                let bytes = records.iter().map(|r| r.bytes).sum();
                self.recycle(now, ch, bytes, records);
            }
            Some(_) => {
                // Restored channel state: no credit to return.
                self.net
                    .drop_in_flight(records.iter().map(|r| r.bytes as u64).sum::<u64>());
                self.net.give_back_vec(records);
            }
            None => self.tasks.give_back_source_records(records),
        }
        if self.tasks.has_pending_state_writes(s) {
            self.flush_state_changes(now, s);
        }
    }

    /// The effect of one processed record: state, statistics, and its output records. In a
    /// chain, the record passes the chained operators in turn: each copy keeps the record's id,
    /// so the copies the task emits (or its sink writes) are the product of each operator's.
    #[inline]
    fn process_record(&mut self, now: SimTime, s: u32, path: RecordPath, r: Record, done_ns: u64) {
        let v = path.v;
        if path.keyed
            && let Some(newest) = self.keys.see(s, r.key)
        {
            // Each record updates its key's state: about `bytes_per_key` written.
            let vertices = &self.graph.vertices;
            self.tasks
                .note_state_written(s, newest, || vertices[v].state_bytes_per_key);
        }
        let copies = if path.selective {
            self.copies_through_chain(v, r.id)
        } else {
            1
        };
        if path.sink {
            for _ in 0..copies {
                self.write_to_sink(s, r, done_ns);
            }
            return;
        }
        if let Some(edge) = path.one_edge {
            for _ in 0..copies {
                self.emit_on_one_edge(now, s, edge, r, done_ns);
            }
            return;
        }
        for _ in 0..copies {
            self.emit_output(now, s, v, r, done_ns);
        }
    }

    /// [`World::emit_output`] for a task with [`OneEdge`]: the same record on the same channel,
    /// without looking the edge up again for every record.
    #[inline]
    fn emit_on_one_edge(&mut self, now: SimTime, s: u32, edge: OneEdge, r: Record, done_ns: u64) {
        let out = self.tasks.count_output(s, r, None);
        let ch = match edge.hash {
            None => edge.first_channel,
            Some((max_parallelism, parallelism)) => {
                edge.first_channel + key_to_subtask(out.key, max_parallelism, parallelism)
            }
        };
        self.write_record(now, s, ch, out, done_ns);
    }

    /// Records the chained operators of vertex `v` make of record `id`.
    fn copies_through_chain(&self, v: usize, id: u64) -> u32 {
        let mut copies = 1;
        for op in &self.graph.vertices[v].chain {
            if op.selectivity == 1.0 {
                continue;
            }
            let mut n = crate::model::selectivity::outputs_of(self.run.seed, op.id, id, op.selectivity);
            if n == 0 && self.is_last_of_bounded_source(id) {
                // Flink ends a bounded input with an end-of-partition event whatever the filters
                // drop; the model marks the end by the last record reaching a sink, so that record
                // passes every filter.
                n = 1;
            }
            copies *= n;
        }
        copies
    }

    /// A sink writes one record, as its delivery guarantee says: into its open transaction
    /// (exactly-once: visible on commit), straight to the external system (at-least-once), or
    /// nowhere (a discarding sink).
    fn write_to_sink(&mut self, s: u32, r: Record, done_ns: u64) {
        match self.tasks.sink_write(s, r) {
            DeliveryGuarantee::ExactlyOnce => {}
            DeliveryGuarantee::AtLeastOnce => {
                self.endpoints.write_visible(r.id);
                self.stats.record_visible(SimTime(done_ns), [r.origin_ns]);
            }
            DeliveryGuarantee::None => {}
        }
        // Zero once every bounded source's last record was seen, and for unbounded jobs.
        if self.endpoints.bounded_input_open() {
            self.note_last_record(r.id, done_ns);
        }
        self.stats.record_processed(done_ns, r.origin_ns);
    }

    /// Emits one record derived from `r` (its size redrawn when the operator sets one) on every
    /// output edge.
    #[inline]
    fn emit_output(&mut self, now: SimTime, s: u32, v: usize, r: Record, done_ns: u64) {
        let si = s as usize;
        let out = self
            .tasks
            .count_output(s, r, self.graph.vertices[v].output_record_size.as_ref());
        for e in 0..self.graph.outputs[si].len() {
            let edge = &self.graph.outputs[si][e];
            match edge.partitioning {
                Partitioning::Forward => {
                    let ch = edge.channels[0].0;
                    self.write_record(now, s, ch, out, done_ns);
                }
                Partitioning::Hash => {
                    let idx = key_to_subtask(out.key, edge.consumer_max_parallelism, edge.consumer_parallelism);
                    let ch = edge.channels[idx as usize].0;
                    self.write_record(now, s, ch, out, done_ns);
                }
                Partitioning::Rebalance => {
                    let n = edge.channels.len() as u32;
                    let ch = edge.channels[self.net.next_round_robin(s, e, n)].0;
                    self.write_record(now, s, ch, out, done_ns);
                }
                Partitioning::Broadcast => {
                    for i in 0..edge.channels.len() {
                        let ch = self.graph.outputs[si][e].channels[i].0;
                        self.write_record(now, s, ch, out, done_ns);
                    }
                }
            }
        }
    }

    /// Bytes of keyed and initial state the subtask holds now.
    pub(crate) fn state_bytes(&self, s: u32) -> u64 {
        let v = self.graph.vertex_of(crate::ids::SubtaskId(s));
        // Whole bytes: a key's bytes are an average, and exact below 2^53 in all.
        v.state_initial_bytes + (self.keys.distinct(s) as f64 * v.state_bytes_per_key).round() as u64
    }
}

impl World {
    /// Record `id` is the last one of a bounded source.
    fn is_last_of_bounded_source(&self, id: u64) -> bool {
        let src = (id >> crate::model::records::OFFSET_BITS) as u32;
        let offset = id & ((1u64 << crate::model::records::OFFSET_BITS) - 1);
        self.tasks.source_max_records(src).is_some_and(|max| offset + 1 == max)
    }

    /// Bounded jobs: a sink processed record `id` at `done_ns`.
    fn note_last_record(&mut self, id: u64, done_ns: u64) {
        let src = (id >> crate::model::records::OFFSET_BITS) as u32;
        let offset = id & ((1u64 << crate::model::records::OFFSET_BITS) - 1);
        let max = self.tasks.source_max_records(src);
        self.endpoints.note_record_at_sink(src, offset, max, done_ns);
    }

    /// The share of a core subtask `s`'s task thread gets for a batch starting now, and the
    /// share it would get without the host's asynchronous snapshot threads.
    fn cpu_shares(&mut self, s: u32, now: SimTime) -> (f64, f64) {
        let tm = self.graph.subtasks[s as usize].taskmanager;
        self.cores.shares(tm, Thread::Task(s), now)
    }

    /// Subtask `s`'s task thread works on its batch until `until`, runnable for `runnable_ns`.
    fn claim_cpu(&mut self, s: u32, now: SimTime, until: SimTime, runnable_ns: u64) {
        let tm = self.graph.subtasks[s as usize].taskmanager;
        self.cores.claim(tm, Thread::Task(s), now, until, runnable_ns);
    }

    /// Service-time factor of a straggling TaskManager (1 when none is slow).
    fn slowdown(&self, s: u32, now: SimTime) -> f64 {
        self.faults
            .service_slowdown(self.graph.subtasks[s as usize].taskmanager, now)
    }
}

/// How much longer `runnable_ns` of CPU work took at `share` of a core than at the share the
/// thread would have had without snapshot threads: `runnable (1 - share / without)`.
fn slowed_by_snapshots_ns(runnable_ns: u64, share: f64, share_without_snapshots: f64) -> u64 {
    if share >= share_without_snapshots {
        return 0;
    }
    (runnable_ns as f64 * (1.0 - share / share_without_snapshots)) as u64
}

/// Of `runnable_ns` a thread was runnable at `share` of a core, the time it had none:
/// `runnable (1 - share)`.
fn waiting_for_cores_ns(runnable_ns: u64, share: f64) -> u64 {
    if share >= 1.0 {
        return 0;
    }
    (runnable_ns as f64 * (1.0 - share)) as u64
}

/// What a task's records have in common on their way through it: its vertex, whether a chained
/// operator filters or multiplies them, whether it is a sink, whether it keeps keyed state.
#[derive(Clone, Copy)]
struct RecordPath {
    v: usize,
    selective: bool,
    sink: bool,
    one_edge: Option<OneEdge>,
    /// The task keeps keyed state: only then are its records' keys looked up (or fetched
    /// ahead) in the seen-keys bitsets.
    keyed: bool,
}

/// A task's only output edge, when a record's way out is just that: forward or hash
/// partitioned, and no output record size to draw. Most tasks of a pipeline have one.
#[derive(Clone, Copy)]
struct OneEdge {
    /// The channel to the consumer of index 0: an edge's channels have consecutive ids in
    /// the order of its consumers ([`OutputEdge::channels`](crate::model::graph::OutputEdge)).
    first_channel: u32,
    /// A hash edge's consumer max parallelism and parallelism; `None` for a forward edge.
    hash: Option<(u32, u32)>,
}

impl OneEdge {
    fn of(g: &crate::model::graph::JobGraph, s: u32, v: usize) -> Option<OneEdge> {
        if g.vertices[v].output_record_size.is_some() {
            return None;
        }
        let [edge] = g.outputs[s as usize].as_slice() else {
            return None;
        };
        let first_channel = edge.channels[0].0;
        let hash = match edge.partitioning {
            Partitioning::Forward => None,
            Partitioning::Hash => Some((edge.consumer_max_parallelism, edge.consumer_parallelism)),
            Partitioning::Rebalance | Partitioning::Broadcast => return None,
        };
        Some(OneEdge { first_channel, hash })
    }
}

pub(crate) enum Step {
    /// A batch started (or a source read records).
    Batch,
    /// An event buffer (barrier, marker) was handled.
    Event,
    /// Nothing to do.
    Nothing,
}
