//! Buffer debloating in the world (FLIP-183, §1.9): every period each task measures the
//! throughput it consumed (idle time excluded), each of its input gates recalculates the buffer
//! size that makes its queued data take `target` to consume, and announces it upstream: the
//! producers of the gate's channels then finish their buffers at that size.

use super::{Event, World};
use crate::time::SimTime;

impl World {
    pub(crate) fn on_debloat_tick(&mut self, now: SimTime) {
        let Some(cfg) = self.debloat else {
            return;
        };
        for s in 0..self.tasks.len() {
            let Some(d) = self.debloaters[s].as_mut() else {
                continue;
            };
            let throughput = d.throughput.calculate_throughput(now);
            for g in 0..d.gates.len() {
                let in_use: u32 = self.graph.inputs[s]
                    .iter()
                    .filter(|ch| self.graph.channels[ch.index()].gate as usize == g)
                    .map(|ch| {
                        // Flink's `getBuffersInUseCount`: the buffers queued at the receiver plus
                        // the backlog the sender reported (a local channel counts its
                        // subpartition's queue), so the data on both ends takes `target`.
                        let c = &self.chans[ch.index()];
                        c.occupied + c.sender_backlog
                    })
                    .sum();
                let d = self.debloaters[s].as_mut().expect("checked");
                if let Some(size) = d.gates[g].recalculate_buffer_size(throughput, in_use) {
                    for i in 0..self.graph.inputs[s].len() {
                        let ch = self.graph.inputs[s][i].0;
                        if self.graph.channels[ch as usize].gate as usize == g {
                            self.chans[ch as usize].buffer_size = size;
                        }
                    }
                }
            }
        }
        self.queue.schedule(now + cfg.period_ns, Event::DebloatTick);
    }
}
