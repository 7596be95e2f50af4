//! The tasks' I/O counters (Flink's `TaskIOMetricGroup`): what each task read and wrote, how
//! long it was busy and back-pressured, and the warm-up baseline the run's statistics subtract.

use super::Tasks;
use crate::metrics::TaskStats;
use crate::model::graph::JobGraph;
use crate::model::records::Record;
use crate::sim::Dist;
use crate::time::SimTime;

/// A task's counters when the warm-up ended: the statistics count from there.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Baseline {
    pub busy_ns: u64,
    pub back_pressured_ns: u64,
    pub records_in: u64,
    pub records_out: u64,
    pub bytes_in: u64,
    pub slowed_by_snapshots_ns: u64,
    pub waiting_for_cores_ns: u64,
}

impl Tasks {
    /// Task `s` read `records` records of `bytes` bytes.
    #[inline]
    pub fn count_input(&mut self, s: u32, records: u64, bytes: u64) {
        let io = &mut self.tasks[s as usize].io;
        io.records_in += records;
        io.bytes_in += bytes;
    }

    /// Task `s` emits one record derived from `r`: counted as output, its size redrawn from
    /// the task's stream when the operator sets one (`output_record_size`).
    #[inline]
    pub fn count_output(&mut self, s: u32, r: Record, output_record_size: Option<&Dist>) -> Record {
        let t = &mut self.tasks[s as usize];
        t.io.records_out += 1;
        let mut out = r;
        if let Some(d) = output_record_size {
            out.bytes = (d.sample(&mut t.rng).max(1.0)) as u32;
        }
        out
    }

    /// Task `s`'s thread was slowed by `ns` because snapshot threads of its host held cores.
    #[inline]
    pub fn count_slowed_by_snapshots(&mut self, s: u32, ns: u64) {
        self.tasks[s as usize].io.slowed_by_snapshots_ns += ns;
    }

    /// Task `s`'s thread was runnable for `ns` without a core (its host's threads outnumbered
    /// its cores).
    #[inline]
    pub fn count_waiting_for_cores(&mut self, s: u32, ns: u64) {
        self.tasks[s as usize].io.waiting_for_cores_ns += ns;
    }

    /// Task `s` has an output buffer again at `now`: the back-pressured time ends.
    #[inline]
    pub fn end_back_pressure(&mut self, s: u32, now: SimTime) {
        let io = &mut self.tasks[s as usize].io;
        if let Some(since) = io.back_pressured_since.take() {
            io.back_pressured_ns += now.since(since);
        }
    }

    /// The warm-up ends at `now`: books the back-pressured time so far and remembers every
    /// counter, so that the statistics count from here.
    pub fn mark_warmup_end(&mut self, now: SimTime) {
        for (t, b) in self.tasks.iter_mut().zip(self.baseline.iter_mut()) {
            if let Some(since) = t.io.back_pressured_since {
                t.io.back_pressured_ns += now.since(since);
                t.io.back_pressured_since = Some(now);
            }
            *b = Baseline {
                busy_ns: t.io.busy_ns,
                back_pressured_ns: t.io.back_pressured_ns,
                records_in: t.io.records_in,
                records_out: t.io.records_out,
                bytes_in: t.io.bytes_in,
                slowed_by_snapshots_ns: t.io.slowed_by_snapshots_ns,
                waiting_for_cores_ns: t.io.waiting_for_cores_ns,
            };
        }
    }

    /// Flink's per-subtask metrics over the measured window (after warm-up, `window_s` long,
    /// ending at `end`), with the bytes each read, and its vertex.
    pub fn task_stats(&mut self, end: SimTime, window_s: f64, graph: &JobGraph) -> Vec<(usize, TaskStats, u64)> {
        let mut tasks = Vec::new();
        for (i, t) in self.tasks.iter_mut().enumerate() {
            if let Some(since) = t.io.back_pressured_since.take() {
                t.io.back_pressured_ns += end.since(since);
            }
            let b = self.baseline[i];
            // Busy time is booked when a batch starts; cap at the window for the last batch.
            let busy = ((t.io.busy_ns - b.busy_ns) as f64 / 1e6 / window_s).min(1000.0);
            let bp = ((t.io.back_pressured_ns - b.back_pressured_ns) as f64 / 1e6 / window_s).min(1000.0 - busy);
            let st = &graph.subtasks[i];
            tasks.push((
                st.vertex.index(),
                TaskStats {
                    task: graph.vertices[st.vertex.index()].name.clone(),
                    subtask_index: st.index,
                    records_in: t.io.records_in - b.records_in,
                    records_out: t.io.records_out - b.records_out,
                    back_pressured_time_ms_per_second: bp,
                    busy_time_ms_per_second: busy,
                    idle_time_ms_per_second: (1000.0 - busy - bp).max(0.0),
                    slowed_by_snapshots_ms_per_second: ((t.io.slowed_by_snapshots_ns - b.slowed_by_snapshots_ns)
                        as f64
                        / 1e6
                        / window_s)
                        .min(busy),
                    waiting_for_cores_ms_per_second: ((t.io.waiting_for_cores_ns - b.waiting_for_cores_ns) as f64
                        / 1e6
                        / window_s)
                        .min(busy),
                    // The network's metrics: the world's buffer metrics fill them in.
                    ..Default::default()
                },
                t.io.bytes_in - b.bytes_in,
            ));
        }
        tasks
    }
}
