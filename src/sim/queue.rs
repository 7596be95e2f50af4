//! The pending-event set.
//!
//! Ordering contract: events are processed in increasing `(time, seq)` order, where `seq` is a
//! counter assigned when the event is *scheduled*. Two events at the same instant therefore run
//! in the order they were scheduled. Events scheduled for the current instant go to a FIFO beside
//! the heap (no heap work for them); that changes speed, never order: every event already in the
//! heap for the current instant was scheduled earlier and so has a smaller `seq`, and is popped
//! first.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

use crate::time::SimTime;

struct Entry<E> {
    time: SimTime,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    // Reversed: BinaryHeap is a max-heap and we want the earliest (time, seq) on top.
    fn cmp(&self, other: &Self) -> Ordering {
        other.time.cmp(&self.time).then_with(|| other.seq.cmp(&self.seq))
    }
}

/// Error for an attempt to schedule an event before the current time.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("event scheduled in the past: at {at:?}, now {now:?}")]
pub struct ScheduledInPast {
    pub at: SimTime,
    pub now: SimTime,
}

pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    now_fifo: VecDeque<E>,
    now: SimTime,
    next_seq: u64,
    processed: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(1024),
            now_fifo: VecDeque::with_capacity(256),
            now: SimTime::ZERO,
            next_seq: 0,
            processed: 0,
        }
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Number of events popped so far.
    pub fn processed(&self) -> u64 {
        self.processed
    }

    pub fn len(&self) -> usize {
        self.heap.len() + self.now_fifo.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Schedules `event` at `at`. Scheduling in the past is a broken invariant of the model.
    pub fn schedule(&mut self, at: SimTime, event: E) {
        self.try_schedule(at, event)
            .expect("model scheduled an event in the past");
    }

    pub fn try_schedule(&mut self, at: SimTime, event: E) -> Result<(), ScheduledInPast> {
        if at < self.now {
            return Err(ScheduledInPast { at, now: self.now });
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        if at == self.now {
            self.now_fifo.push_back(event);
        } else {
            self.heap.push(Entry { time: at, seq, event });
        }
        Ok(())
    }

    /// Time of the next event, if any.
    pub fn peek_time(&self) -> Option<SimTime> {
        if !self.now_fifo.is_empty() {
            return Some(self.now);
        }
        self.heap.peek().map(|e| e.time)
    }

    /// Removes the next event and advances the clock to its time.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let heap_first = match self.heap.peek() {
            Some(top) => top.time == self.now || self.now_fifo.is_empty(),
            None => false,
        };
        let (time, event) = if heap_first {
            let e = self.heap.pop().expect("peeked");
            (e.time, e.event)
        } else {
            (self.now, self.now_fifo.pop_front()?)
        };
        debug_assert!(time >= self.now, "time went backwards");
        self.now = time;
        self.processed += 1;
        Some((time, event))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_instant_events_run_in_scheduling_order() {
        let mut q = EventQueue::new();
        q.schedule(SimTime(10), "a");
        q.schedule(SimTime(5), "b");
        q.schedule(SimTime(10), "c");
        assert_eq!(q.pop(), Some((SimTime(5), "b")));
        // Scheduled at the current instant (5): runs after everything already due at 5.
        q.schedule(SimTime(5), "d");
        q.schedule(SimTime(10), "e");
        assert_eq!(q.pop(), Some((SimTime(5), "d")));
        assert_eq!(q.pop(), Some((SimTime(10), "a")));
        q.schedule(SimTime(10), "f");
        assert_eq!(q.pop(), Some((SimTime(10), "c")));
        assert_eq!(q.pop(), Some((SimTime(10), "e")));
        assert_eq!(q.pop(), Some((SimTime(10), "f")));
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn scheduling_in_the_past_is_rejected() {
        let mut q = EventQueue::new();
        q.schedule(SimTime(10), 1);
        q.pop();
        assert_eq!(
            q.try_schedule(SimTime(9), 2),
            Err(ScheduledInPast {
                at: SimTime(9),
                now: SimTime(10)
            })
        );
    }
}
