//! Flink's network metrics of every task over the measured window, as one component: the buffer
//! gauges (`outPoolUsage`, `outputQueueLength`, `inPoolUsage`) averaged over the timeline's
//! samples after the warm-up, as a metric reporter polling them would see them, and the buffers
//! and bytes each task read from local and from remote channels (`numBuffersInLocal`, ...).
//!
//! Its state is private: the world hands it each sample's gauges and the read counters at the
//! warm-up's end, and at the end it writes the means and rates into the tasks' statistics.

use super::network_stack::{BufferGauges, ReadCounters};
use crate::metrics::TaskStats;
use crate::time::SimTime;

#[derive(Default)]
pub(crate) struct BufferMetrics {
    /// Per subtask: the gauges summed over the samples taken after the warm-up.
    sums: Vec<GaugeSums>,
    samples: u64,
    /// Per subtask: what it had read when the warm-up ended.
    read_at_warmup: Vec<ReadCounters>,
}

#[derive(Clone, Copy, Default)]
struct GaugeSums {
    out_pool_usage: f64,
    output_queue_length: f64,
    in_pool_usage: f64,
}

impl BufferMetrics {
    /// One sample of every subtask's gauges, in subtask order, taken `now`; samples before
    /// `warmup` do not count.
    pub fn sample(&mut self, now: SimTime, warmup: SimTime, gauges: impl ExactSizeIterator<Item = BufferGauges>) {
        if now < warmup {
            return;
        }
        if self.sums.is_empty() {
            self.sums = vec![GaugeSums::default(); gauges.len()];
        }
        for (sum, g) in self.sums.iter_mut().zip(gauges) {
            sum.out_pool_usage += g.out_pool_usage;
            sum.output_queue_length += g.output_queue_length as f64;
            sum.in_pool_usage += g.in_pool_usage;
        }
        self.samples += 1;
    }

    /// The warm-up ended: what each subtask had read by then, in subtask order.
    pub fn mark_warmup_end(&mut self, read: impl Iterator<Item = ReadCounters>) {
        self.read_at_warmup = read.collect();
    }

    /// Writes subtask `s`'s means and rates over the window (`window_s` long, ending with
    /// `read`, what it had read by then) into its statistics. No sample after the warm-up (a
    /// window shorter than a sample period) leaves the gauges at 0.
    pub fn fill(&self, s: usize, window_s: f64, read: ReadCounters, t: &mut TaskStats) {
        if let Some(sum) = self.sums.get(s).filter(|_| self.samples > 0) {
            let n = self.samples as f64;
            t.out_pool_usage = sum.out_pool_usage / n;
            t.output_queue_length = sum.output_queue_length / n;
            t.in_pool_usage = sum.in_pool_usage / n;
        }
        let base = self.read_at_warmup.get(s).copied().unwrap_or_default();
        let rate = |now: u64, then: u64| {
            if window_s > 0.0 {
                (now - then) as f64 / window_s
            } else {
                0.0
            }
        };
        t.buffers_in_local_per_second = rate(read.buffers_in_local, base.buffers_in_local);
        t.bytes_in_local_per_second = rate(read.bytes_in_local, base.bytes_in_local);
        t.buffers_in_remote_per_second = rate(read.buffers_in_remote, base.buffers_in_remote);
        t.bytes_in_remote_per_second = rate(read.bytes_in_remote, base.bytes_in_remote);
    }
}
