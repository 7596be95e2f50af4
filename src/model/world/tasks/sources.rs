//! What the tasks know of their sources: how far each is behind its input, and where a bounded
//! one ends.

use super::Tasks;
use crate::time::SimTime;

impl Tasks {
    /// Records source `s` reads at most (a bounded source), if it is one.
    #[inline]
    pub fn source_max_records(&self, s: u32) -> Option<u64> {
        self.tasks[s as usize].source.as_ref().and_then(|src| src.max_records)
    }

    #[inline]
    pub fn is_source(&self, s: u32) -> bool {
        self.tasks[s as usize].source.is_some()
    }

    #[inline]
    pub fn is_sink(&self, s: u32) -> bool {
        self.tasks[s as usize].sink.is_some()
    }

    /// How far source `s` is behind its input at `now`: now minus the arrival of the oldest
    /// record it has not yet emitted.
    pub fn source_lag_ns(&self, s: u32, now: SimTime) -> u64 {
        let t = &self.tasks[s as usize];
        let src = t.source.as_ref().expect("source");
        if src.max_records.is_some_and(|m| src.reader.offset() >= m) && t.batch.is_none() {
            return 0;
        }
        if src.reader.is_generator() {
            return 0; // it makes each record when it reads it: throttled, never behind
        }
        let oldest = match (&t.batch, src.reader.next_arrival_ns()) {
            (Some(b), _) if b.next < b.records.len() => b.records[b.next].origin_ns,
            (_, Some(arrival)) => arrival,
            (_, None) => return 0,
        };
        now.as_ns().saturating_sub(oldest)
    }
}
