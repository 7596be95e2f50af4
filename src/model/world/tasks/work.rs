//! What a task's thread does with its batch: the completion time of each record, one CPU
//! quantum of an operator's input buffer at a time, or a source's records read in one go, at
//! the service times drawn from the task's own stream.

use super::Tasks;
use super::UNSCHEDULED;
use crate::model::config::next_flush_tick_ns;
use crate::model::graph::Vertex;
use crate::model::records::Record;
use crate::model::task::{Batch, TaskPhase};
use crate::model::world::ProcessedRecord;
use crate::time::SimTime;

/// How a source reads its next batch.
pub(crate) struct SourceBatchPlan {
    /// Records it reads at most.
    pub max_records: usize,
    /// The output flusher's period (0: none): the batch ends by the next flusher tick.
    pub buffer_timeout_ns: u64,
    /// When the flusher ticks after the job's start.
    pub flush_phase_ns: u64,
    /// The source has caught up once a record starts at most this long after it arrived (if
    /// it is watched for catching up).
    pub catch_up_ns: Option<u64>,
    /// Service-time factor: slowdown over the thread's share of the cores.
    pub stretch: f64,
}

/// The records a source read for a batch, each with its completion time.
pub(crate) struct SourceRecords {
    pub records: Vec<Record>,
    pub done_at_ns: Vec<u64>,
    /// When the last record is done.
    pub clock_ns: u64,
    /// CPU the thread runs for.
    pub runnable_ns: u64,
    /// Time the thread is busy (CPU and waiting).
    pub busy_ns: u64,
    /// When the source caught up with its input, if it did in this batch.
    pub caught_up_at: Option<SimTime>,
}

impl Tasks {
    /// Sets the completion times of the next records of task `s`'s operator batch, up to
    /// `quantum_cpu_ns` of CPU (at least one record;
    /// [`CPU_QUANTUM_NS`](crate::model::world::cores::CPU_QUANTUM_NS) but with a zero buffer
    /// timeout), each record's CPU part `stretch`ed;
    /// books the busy time and logs the records to `log` (tests). When the quantum ends, and
    /// the CPU it runs for.
    pub fn schedule_quantum(
        &mut self,
        s: u32,
        now: SimTime,
        vertex: &Vertex,
        stretch: f64,
        quantum_cpu_ns: u64,
        log: Option<&mut Vec<ProcessedRecord>>,
    ) -> (SimTime, u64) {
        let waits = vertex.waits();
        let constant = stretched_constant(vertex, stretch);
        let t = &mut self.tasks[s as usize];
        let b = t.batch.as_mut().expect("a batch in progress");
        let from = b.done_at_ns.partition_point(|d| *d != UNSCHEDULED);
        let mut clock = now.as_ns();
        let (mut runnable, mut cpu_ns) = (0, 0);
        let mut upto = from;
        while upto < b.records.len() {
            let (raw, cpu, wait_ns) = constant.unwrap_or_else(|| drawn_cost_ns(vertex, &mut t.rng, waits, stretch));
            cpu_ns += raw;
            runnable += cpu;
            clock += cpu + wait_ns;
            b.done_at_ns[upto] = clock;
            upto += 1;
            if cpu_ns >= quantum_cpu_ns {
                break;
            }
        }
        b.end = SimTime(clock);
        t.io.busy_ns += clock - now.as_ns();
        if let Some(log) = log {
            for (r, d) in b.records[from..upto].iter().zip(&b.done_at_ns[from..upto]) {
                log.push(ProcessedRecord {
                    subtask: s,
                    done: SimTime(*d),
                    record_id: r.id,
                    origin_ns: r.origin_ns,
                });
            }
        }
        (SimTime(clock), runnable)
    }

    /// Source `s` reads its next records into `records` (empty): each starts when it has
    /// arrived and the previous one is done, and the batch stops at the next output flush so
    /// that the flusher never waits on records read late, or after a record for which
    /// `output_has_room` says no (its output would be unavailable after it; it is given the
    /// batch's records so far, the new one last).
    pub fn read_source_records(
        &mut self,
        s: u32,
        now: SimTime,
        plan: &SourceBatchPlan,
        vertex: &Vertex,
        mut records: Vec<Record>,
        mut output_has_room: impl FnMut(&[Record]) -> bool,
    ) -> SourceRecords {
        let (max_n, timeout, phase, catch_up, stretch) = (
            plan.max_records,
            plan.buffer_timeout_ns,
            plan.flush_phase_ns,
            plan.catch_up_ns,
            plan.stretch,
        );
        let mut done_at_ns = self.take_times();
        done_at_ns.reserve(max_n);
        let mut clock = now.as_ns();
        let mut horizon = u64::MAX;
        let mut busy = 0;
        let waits = vertex.waits();
        let constant = stretched_constant(vertex, stretch);
        let mut runnable = 0;
        let t = &mut self.tasks[s as usize];
        let src = t.source.as_mut().expect("source task");
        src.batch_start = src.reader.mark();
        let mut caught_up_at = None;
        while records.len() < max_n {
            if src.max_records.is_some_and(|m| src.reader.offset() >= m) {
                break;
            }
            let start = src.reader.next_read_ns(clock);
            if start >= horizon {
                break; // the next batch: this one must end by the flusher tick
            }
            if records.is_empty() && timeout > 0 {
                horizon = next_flush_tick_ns(start, timeout, phase);
            }
            let (offset, arrival) = src.reader.read(clock);
            if let Some(threshold) = catch_up
                && caught_up_at.is_none()
                && start - arrival <= threshold
            {
                caught_up_at = Some(SimTime(start));
            }
            let (_, cpu, wait_ns) = constant.unwrap_or_else(|| drawn_cost_ns(vertex, &mut t.rng, waits, stretch));
            let service = cpu + wait_ns;
            runnable += cpu;
            busy += service;
            clock = start + service;
            let r = src.shape.make(s, offset, arrival);
            records.push(r);
            done_at_ns.push(clock);
            if !output_has_room(&records) {
                break;
            }
        }
        SourceRecords {
            records,
            done_at_ns,
            clock_ns: clock,
            runnable_ns: runnable,
            busy_ns: busy,
            caught_up_at,
        }
    }

    /// Source `s` starts working through the records it `read` at `now`: they count as input,
    /// its thread is busy (`slowed_by_snapshots_ns` of it because of snapshot threads). When
    /// it caught up with its input, if it did.
    pub fn start_source_batch(
        &mut self,
        s: u32,
        now: SimTime,
        read: SourceRecords,
        slowed_by_snapshots_ns: u64,
    ) -> Option<SimTime> {
        let t = &mut self.tasks[s as usize];
        let records = read.records;
        t.io.busy_ns += read.busy_ns;
        t.io.slowed_by_snapshots_ns += slowed_by_snapshots_ns;
        t.io.records_in += records.len() as u64;
        t.io.bytes_in += records.iter().map(|r| r.bytes as u64).sum::<u64>();
        t.batch = Some(Batch {
            records,
            done_at_ns: read.done_at_ns,
            next: 0,
            input_channel: None,
            end: SimTime(read.clock_ns),
            recovered: false,
            not_before_ns: now.as_ns(),
        });
        t.phase = TaskPhase::Processing;
        read.caught_up_at
    }
}

/// A record's `(CPU, CPU stretched, waiting)` ns when the vertex draws nothing for it (sources'
/// and sinks' constant service times): the same for every record of a quantum or batch, so
/// worked out once rather than per record.
#[inline]
fn stretched_constant(vertex: &Vertex, stretch: f64) -> Option<(u64, u64, u64)> {
    vertex
        .constant_record_cost_ns
        .map(|(raw, wait_ns)| (raw, stretched(raw, stretch), wait_ns))
}

/// A record's `(CPU, CPU stretched, waiting)` ns drawn from the vertex's distributions.
#[inline]
fn drawn_cost_ns(vertex: &Vertex, rng: &mut crate::sim::RngStream, waits: bool, stretch: f64) -> (u64, u64, u64) {
    let (raw, wait_ns) = vertex.record_cost_ns(rng, waits);
    (raw, stretched(raw, stretch), wait_ns)
}

/// `raw` ns of CPU at `stretch` times its length (the thread's slow-down over its share of the
/// cores), truncated to whole ns.
#[inline]
fn stretched(raw: u64, stretch: f64) -> u64 {
    (raw as f64 * stretch) as u64
}
