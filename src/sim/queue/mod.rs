//! The pending-event set.
//!
//! Ordering contract: events are processed in increasing `(time, seq)` order, where `seq` is a
//! counter assigned when the event is *scheduled*. Two events at the same instant therefore run
//! in the order they were scheduled.
//!
//! Layout: the events of one instant wait in a FIFO list, appended as they are scheduled (so in
//! `seq` order), and a binary heap orders the lists, not the events. At high parallelism every
//! producer's output flusher fires on the same grid, so hundreds of thousands of buffer
//! deliveries and credits wait for a few thousand distinct instants (the reference job at
//! p = 512: at most 2,491 instants against 226 k events). A heap of instants stays small enough
//! for the cache, and an event is written once and read once instead of being sifted through
//! some 18 levels of a heap of 64-byte entries. The lists' nodes share one pool
//! (`node_pool.rs`); an instant's list is found through a small table of recent instants
//! (`recent_instants.rs`). When that table has forgotten an instant, its next event starts a
//! second list for it; the heap orders the two by the `seq` of their first events, so they are
//! drained in the order they were filled.
//!
//! Events scheduled for the current instant go to a FIFO of their own (a ring buffer: no node to
//! link, and in a tandem queue most events are such), drained after every list of that instant
//! still in the heap (their events were scheduled earlier); that changes speed, never order.

mod node_pool;
mod recent_instants;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use crate::time::SimTime;
use node_pool::{NIL, NodePool};
use recent_instants::RecentInstants;

/// A list of a pending instant, in the heap: the instant, the `seq` of the list's first event
/// (orders two lists of one instant; no two lists share it), and that event's node.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct PendingList {
    time: SimTime,
    seq: u64,
    head: u32,
}

/// Error for an attempt to schedule an event before the current time.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("event scheduled in the past: at {at:?}, now {now:?}")]
pub struct ScheduledInPast {
    pub at: SimTime,
    pub now: SimTime,
}

pub struct EventQueue<E> {
    nodes: NodePool<E>,
    /// The lists of the instants not yet drained, earliest `(time, seq)` on top.
    pending: BinaryHeap<Reverse<PendingList>>,
    /// The last node of recently started lists, for the next event of their instant.
    recent: RecentInstants,
    /// The rest of the list being drained (an instant's list from the heap), `NIL` when none.
    draining: u32,
    /// Events scheduled at `now` after it became the current instant.
    at_now: VecDeque<E>,
    len: usize,
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
        Self::with_recent_slots_log2(recent_instants::SLOTS_LOG2)
    }

    fn with_recent_slots_log2(slots_log2: u32) -> Self {
        EventQueue {
            nodes: NodePool::new(),
            pending: BinaryHeap::with_capacity(1024),
            recent: RecentInstants::new(slots_log2),
            draining: NIL,
            at_now: VecDeque::with_capacity(256),
            len: 0,
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
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
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
        self.len += 1;
        if at == self.now {
            self.at_now.push_back(event);
            return Ok(());
        }
        let slot = self.recent.slot(at);
        if slot.0 == at {
            slot.1 = self.nodes.push_after(slot.1, event);
        } else {
            let head = self.nodes.alloc(event);
            self.pending.push(Reverse(PendingList { time: at, seq, head }));
            *slot = (at, head);
        }
        Ok(())
    }

    /// Time of the next event, if any.
    pub fn peek_time(&self) -> Option<SimTime> {
        if self.draining != NIL || !self.at_now.is_empty() {
            return Some(self.now);
        }
        self.pending.peek().map(|Reverse(l)| l.time)
    }

    /// The event after the one `pop` last returned, when both belong to the instant's list being
    /// drained (a hint for prefetching what it will touch; `None` tells nothing about order).
    #[inline]
    pub fn peek_next_in_list(&self) -> Option<&E> {
        if self.draining == NIL {
            return None;
        }
        self.nodes.event(self.draining)
    }

    /// Removes the next event and advances the clock to its time.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let event = if self.draining != NIL || self.start_next_list() {
            let (event, next) = self.nodes.release(self.draining);
            self.draining = next;
            event
        } else {
            self.at_now.pop_front()?
        };
        self.len -= 1;
        self.processed += 1;
        Some((self.now, event))
    }

    /// Starts draining the heap's first list if it comes before the events scheduled at `now`:
    /// a list of `now` (its events were scheduled earlier), or the next instant's when nothing
    /// is left at `now`. The clock moves to the list's instant.
    fn start_next_list(&mut self) -> bool {
        let due = match self.pending.peek() {
            Some(Reverse(first)) => first.time == self.now || self.at_now.is_empty(),
            None => false,
        };
        if due {
            let Reverse(first) = self.pending.pop().expect("peeked");
            debug_assert!(first.time >= self.now, "time went backwards");
            self.now = first.time;
            self.draining = first.head;
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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

    /// Two slots: instants evict each other from the table, so one instant gets several lists.
    #[test]
    fn an_instant_split_over_lists_keeps_scheduling_order() {
        let mut q = EventQueue::with_recent_slots_log2(1);
        let times: Vec<u64> = (0..40).map(|i| 100 + i % 7).collect();
        for (i, &t) in times.iter().enumerate() {
            q.schedule(SimTime(t), i);
        }
        assert!(q.pending.len() > 7, "the table missed, so some instant has two lists");
        let mut expected: Vec<(SimTime, usize)> = times.iter().map(|&t| SimTime(t)).zip(0..).collect();
        expected.sort();
        let mut got = Vec::new();
        while let Some((t, i)) = q.pop() {
            if i == 3 {
                // Joins the current instant after its every list.
                q.schedule(t, 1000);
                expected.insert(expected.iter().rposition(|e| e.0 == t).unwrap() + 1, (t, 1000));
            }
            got.push((t, i));
        }
        assert_eq!(got, expected);
        assert!(q.is_empty());
    }

    #[derive(Clone, Debug)]
    enum Op {
        /// Schedule this far after the current instant (0: at it).
        Schedule(u64),
        /// Try to schedule this far before the current instant.
        SchedulePast(u64),
        Pop,
    }

    fn ops() -> impl Strategy<Value = Vec<Op>> {
        let op = prop_oneof![
            // Few distinct delays, so instants are often shared; 0 is the current instant.
            4 => (0u64..6).prop_map(Op::Schedule),
            1 => (0u64..1000).prop_map(Op::Schedule),
            1 => (1u64..5).prop_map(Op::SchedulePast),
            4 => Just(Op::Pop),
        ];
        proptest::collection::vec(op, 0..400)
    }

    /// The contract itself: a plain heap of `(time, seq)` and a clock.
    #[derive(Default)]
    struct Reference {
        heap: BinaryHeap<Reverse<(SimTime, u64, u32)>>,
        now: SimTime,
        seq: u64,
        processed: u64,
    }

    impl Reference {
        fn try_schedule(&mut self, at: SimTime, id: u32) -> Result<(), ScheduledInPast> {
            if at < self.now {
                return Err(ScheduledInPast { at, now: self.now });
            }
            self.heap.push(Reverse((at, self.seq, id)));
            self.seq += 1;
            Ok(())
        }

        fn pop(&mut self) -> Option<(SimTime, u32)> {
            let Reverse((t, _, id)) = self.heap.pop()?;
            self.now = t;
            self.processed += 1;
            Some((t, id))
        }
    }

    fn agrees_with_reference(slots_log2: u32, ops: &[Op]) -> Result<(), TestCaseError> {
        let mut q = EventQueue::with_recent_slots_log2(slots_log2);
        let mut r = Reference::default();
        // What `peek_next_in_list` promised after the last pop: the next pop's event, whatever
        // is scheduled in between.
        let mut promised: Option<u32> = None;
        for (id, op) in (0u32..).zip(ops) {
            match *op {
                Op::Schedule(d) => {
                    let at = SimTime(r.now.0 + d);
                    prop_assert_eq!(q.try_schedule(at, id), r.try_schedule(at, id));
                }
                Op::SchedulePast(d) => {
                    let at = SimTime(r.now.0.saturating_sub(d));
                    prop_assert_eq!(q.try_schedule(at, id), r.try_schedule(at, id));
                }
                Op::Pop => {
                    let popped = q.pop();
                    prop_assert_eq!(popped, r.pop());
                    if let Some(p) = promised {
                        prop_assert_eq!(popped.map(|(_, e)| e), Some(p));
                    }
                    promised = q.peek_next_in_list().copied();
                }
            }
            prop_assert_eq!(q.peek_time(), r.heap.peek().map(|Reverse(e)| e.0));
            prop_assert_eq!((q.len(), q.now(), q.processed()), (r.heap.len(), r.now, r.processed));
        }
        while let Some(e) = r.pop() {
            prop_assert_eq!(q.pop(), Some(e));
        }
        prop_assert_eq!(q.pop(), None);
        prop_assert!(q.is_empty());
        Ok(())
    }

    proptest! {
        #[test]
        fn pops_in_time_then_scheduling_order(ops in ops()) {
            agrees_with_reference(recent_instants::SLOTS_LOG2, &ops)?;
        }

        /// With two slots nearly every instant is split over lists.
        #[test]
        fn pops_in_order_when_the_table_misses(ops in ops()) {
            agrees_with_reference(1, &ops)?;
        }
    }
}
