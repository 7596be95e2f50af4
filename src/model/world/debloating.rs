//! Buffer debloating in the world (FLIP-183, §1.9): every period each task measures the
//! throughput it consumed (idle time excluded), each of its input gates recalculates the buffer
//! size that makes its queued data take `target` to consume, and announces it upstream: the
//! producers of the gate's channels then finish their buffers at that size (the network stack
//! does all of it; the world keeps the period).

use super::{Event, World};
use crate::time::SimTime;

impl World {
    pub(crate) fn on_debloat_tick(&mut self, now: SimTime) {
        let Some(cfg) = self.net.debloat() else {
            return;
        };
        self.net.debloat_tick(now, &self.graph);
        self.queue.schedule(now + cfg.period_ns, Event::DebloatTick);
    }
}
