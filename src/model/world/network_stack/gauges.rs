//! Flink's buffer gauges of one task, read at an instant as Flink's metric reporter reads them:
//! `Shuffle.Netty.Output.Buffers.outPoolUsage`, `outputQueueLength` and
//! `Shuffle.Netty.Input.Buffers.inPoolUsage`. They say how full a task's queues are, the figures a
//! Flink user reads to see where backpressure sits; the fidelity suite holds the model's queues to
//! Flink's with them.

use super::*;

/// One task's buffer gauges at an instant.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct BufferGauges {
    /// Buffers of the task's output pools in use over their sizes (`OutputBufferPoolUsageGauge`:
    /// used buffers summed over the result partitions, over their pool sizes summed; overdraft
    /// buffers are not the pool's); 0 without outputs, as Flink reports it.
    pub out_pool_usage: f64,
    /// Buffers and events queued in the task's subpartitions (`ResultPartitionMetrics`: each
    /// `PipelinedSubpartition`'s queue, the buffer being filled included). A local channel's
    /// consumer reads the subpartition itself, so what it has not taken yet is still queued
    /// there.
    pub output_queue_length: u32,
    /// Input buffers holding data over the input gates' pools (`CreditBasedInputBuffersUsageGauge`:
    /// used buffers summed over the gates, over their pool sizes summed); only remote channels
    /// hold buffers of the gate. 0 without inputs.
    pub in_pool_usage: f64,
}

/// Data buffers a task read, and their bytes, from local and from remote channels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ReadCounters {
    pub buffers_in_local: u64,
    pub bytes_in_local: u64,
    pub buffers_in_remote: u64,
    pub bytes_in_remote: u64,
}

impl ReadCounters {
    #[inline]
    pub fn count(&mut self, local: bool, bytes: u32) {
        if local {
            self.buffers_in_local += 1;
            self.bytes_in_local += bytes as u64;
        } else {
            self.buffers_in_remote += 1;
            self.bytes_in_remote += bytes as u64;
        }
    }
}

impl Network {
    /// What subtask `s` has read so far.
    pub fn read_counters(&self, s: u32) -> ReadCounters {
        self.inputs[s as usize].read
    }

    /// Buffers and events in channel `ch`'s subpartition
    /// (`PipelinedSubpartition.getNumberOfQueuedBuffers`): its finished ones and the one being
    /// filled; a local channel's consumer reads the subpartition itself, so what is on its
    /// hand-over or not taken yet is still there. The buffer a task is reading is not: Flink has
    /// taken it out of the queue.
    pub(super) fn queued_in_subpartition(&self, ch: u32) -> u32 {
        let i = ch as usize;
        let (p, w, c) = (&self.prod[i], &self.wires[i], &self.cons[i]);
        let mut n = p.queue.len(&self.bufs) + (!p.builder.is_empty()) as usize;
        if p.local {
            n += w.wire.len(&self.bufs) + c.received.len(&self.bufs);
        }
        n as u32
    }

    /// Subtask `s`'s buffer gauges now.
    pub fn buffer_gauges(&self, s: u32, g: &JobGraph) -> BufferGauges {
        let si = s as usize;
        let o = &self.outputs[si];
        // Buffers beyond a pool's size are overdraft buffers, which Flink counts apart
        // (`numberOfRequestedOverdraftMemorySegments`), not as used buffers of the pool.
        let sizes = &self.set.pool_size[si];
        let used: u32 = o.used.iter().zip(sizes).map(|(u, size)| (*u).min(*size)).sum();
        let size: u32 = sizes.iter().sum();
        let queued: u32 = g.outputs[si]
            .iter()
            .flat_map(|e| e.channels.iter())
            .map(|ch| self.queued_in_subpartition(ch.0))
            .sum();
        let mut in_used = 0;
        let mut in_size = self.set.floating_buffers_per_gate * self.gate_pools[si].len() as u32;
        for ch in g.inputs[si].iter() {
            let c = &self.cons[ch.index()];
            if !c.local {
                in_size += self.set.exclusive_buffers;
                in_used += c.occupied;
            }
        }
        BufferGauges {
            out_pool_usage: ratio(used, size),
            output_queue_length: queued,
            in_pool_usage: ratio(in_used, in_size),
        }
    }
}

fn ratio(used: u32, size: u32) -> f64 {
    if size == 0 { 0.0 } else { used as f64 / size as f64 }
}
