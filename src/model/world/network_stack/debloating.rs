//! Buffer debloating in the network stack (FLIP-183): each task's throughput meter and each
//! gate's `BufferDebloater`, which announce buffer sizes to the producers.

use super::*;

impl Network {
    // ---- debloating (FLIP-183) ----

    /// The task consumed `bytes` (its throughput meter runs).
    #[inline]
    pub fn note_consumed(&mut self, s: u32, now: SimTime, bytes: u64) {
        if let Some(d) = self.debloaters[s as usize].as_mut() {
            d.throughput.resume_measurement(now);
            d.throughput.incoming_data(bytes);
        }
    }

    /// The task went idle: idle time does not count against the throughput.
    #[inline]
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
                        // Flink's `getBuffersInUseCount`, so that the data on both ends takes
                        // `target`: a local channel counts its subpartition's queue, a remote one
                        // its received queue (`receivedBuffers`, events included) plus the
                        // backlog its sender reported. Neither counts the buffer the task is
                        // reading, which Flink has already taken out of the queue.
                        let c = &self.cons[ch.index()];
                        if c.local {
                            self.queued_in_subpartition(ch.0)
                        } else {
                            c.received.len(&self.bufs) as u32 + c.sender_backlog
                        }
                    })
                    .sum();
                let d = self.debloaters[s].as_mut().expect("checked");
                if let Some(size) = d.gates[gate].recalculate_buffer_size(throughput, in_use) {
                    for i in 0..g.inputs[s].len() {
                        let ch = g.inputs[s][i].0;
                        if g.channels[ch as usize].gate as usize == gate {
                            self.prod[ch as usize].buffer_size = size;
                        }
                    }
                }
            }
        }
    }
}
