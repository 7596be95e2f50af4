//! The tasks, as one component: every subtask's runtime state ([`Task`]: its phase and
//! incarnation, the batch it works on, its barrier handler and subtask checkpoint coordinator,
//! its checkpoints in progress, its state backend, its source or sink, its I/O counters).
//!
//! The state is private: the world asks and tells the tasks through the methods below, named
//! for what they mean. What a task does that needs another component (sending, storage,
//! cores) stays with the world, which passes the component in or routes what the tasks return.

mod backends;
mod barriers;
mod channel_state;
mod checkpoints;
mod end_of_input;
mod io;
mod phases;
mod reuse;
mod runtime;
mod sources;
mod wakeups;
mod work;

use std::ops::Range;

use crate::model::task::TaskPhase;
use crate::time::SimTime;
use io::Baseline;
pub(crate) use phases::UNSCHEDULED;
pub(crate) use runtime::Task;
pub(crate) use work::SourceBatchPlan;

/// The subtasks' runtime state, indexed by subtask.
#[derive(Debug)]
pub(crate) struct Tasks {
    tasks: Vec<Task>,
    /// Per subtask: its counters when the warm-up ended.
    baseline: Vec<Baseline>,
    /// Per subtask: when its pending `BackendWake` fires.
    backend_wake_at: Vec<Option<SimTime>>,
    /// Vectors of finished batches, to reuse.
    spare: reuse::BatchVectors,
}

impl Tasks {
    #[inline]
    pub fn new(tasks: Vec<Task>) -> Tasks {
        let n = tasks.len();
        Tasks {
            tasks,
            baseline: vec![Baseline::default(); n],
            backend_wake_at: vec![None; n],
            spare: Default::default(),
        }
    }

    /// Every subtask, in subtask order.
    #[inline]
    pub fn subtasks(&self) -> Range<u32> {
        0..self.tasks.len() as u32
    }

    #[inline]
    pub fn count(&self) -> usize {
        self.tasks.len()
    }

    /// Bumped at every restart: events of an earlier incarnation are stale.
    #[inline]
    pub fn incarnation(&self, s: u32) -> u32 {
        self.tasks[s as usize].incarnation
    }

    #[inline]
    pub fn phase(&self, s: u32) -> TaskPhase {
        self.tasks[s as usize].phase
    }

    /// Whether task `s` still runs as incarnation `inc` (else an event for it is stale).
    #[inline]
    pub fn is_running(&self, s: u32, inc: u32) -> bool {
        let t = &self.tasks[s as usize];
        inc == t.incarnation && t.phase != TaskPhase::Down
    }

    #[inline]
    pub fn is_finished(&self, s: u32) -> bool {
        self.tasks[s as usize].phase == TaskPhase::Finished
    }

    #[inline]
    pub fn is_down(&self, s: u32) -> bool {
        self.tasks[s as usize].phase == TaskPhase::Down
    }

    /// Some task is failed, cancelled or restoring.
    #[inline]
    pub fn any_down(&self) -> bool {
        self.tasks.iter().any(|t| t.phase == TaskPhase::Down)
    }

    #[inline]
    pub fn all_finished(&self) -> bool {
        self.tasks.iter().all(|t| t.phase == TaskPhase::Finished)
    }

    /// A new generation for task `s`'s wake-up event: any earlier one is stale from now on.
    #[inline]
    pub fn next_wake_generation(&mut self, s: u32) -> u32 {
        let t = &mut self.tasks[s as usize];
        t.wake_gen = t.wake_gen.wrapping_add(1);
        t.wake_gen
    }

    /// Whether a wake-up of `generation` is task `s`'s latest (else it was superseded).
    #[inline]
    pub fn wake_is_current(&self, s: u32, generation: u32) -> bool {
        self.tasks[s as usize].wake_gen == generation
    }

    /// Whether task `s`'s acknowledgement of checkpoint `id` waits for its barrier to leave
    /// an output.
    #[inline]
    pub fn awaits_output_barrier(&self, s: u32, id: crate::ids::CheckpointId) -> bool {
        self.tasks[s as usize].waiting_output_barrier == Some(id)
    }

    /// Records read and written by every task since the start, and how far into its batch each
    /// task is by `now` (records finished, emitted or not): the liveness invariant's mark. It
    /// only has to change while the job makes progress. A task seconds per record moves
    /// through its batch one record at a time, and a sink chained into it counts no records
    /// out; without the batch's progress a 5 s service time read as a stall.
    pub fn records_processed(&self, now: SimTime) -> u64 {
        self.tasks
            .iter()
            .map(|t| {
                let in_batch = t.batch.as_ref().map_or(0, |b| {
                    b.next as u64 + b.done_at_ns[b.next..].partition_point(|&d| d <= now.as_ns()) as u64
                });
                t.io.records_in + t.io.records_out + in_batch
            })
            .sum()
    }

    #[inline]
    pub fn records_in(&self, s: u32) -> u64 {
        self.tasks[s as usize].io.records_in
    }

    #[inline]
    pub fn records_out(&self, s: u32) -> u64 {
        self.tasks[s as usize].io.records_out
    }

    /// Bytes of the input buffers tasks are reading that came from producer `s` over
    /// `producer_of` (a buffer is held whole until recycled; restored ones hold no credit).
    pub fn input_bytes_being_read_from(&self, s: u32, producer_of: impl Fn(u32) -> u32) -> u64 {
        let mut bytes = 0u64;
        for t in &self.tasks {
            if let Some(b) = t.batch.as_ref()
                && !b.recovered
                && let Some(ch) = b.input_channel
                && producer_of(ch) == s
            {
                bytes += b.records.iter().map(|r| r.bytes as u64).sum::<u64>();
            }
        }
        bytes
    }
}
