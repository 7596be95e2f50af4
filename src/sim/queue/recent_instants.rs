//! Where the next event of a pending instant goes: a small direct-mapped table of the instants
//! most recently scheduled for, each with the last node of its list.
//!
//! Not a map of every pending instant: on the reference job at p = 512 a table of 256 slots
//! finds the list of 99 % of the events that join an instant already pending (a full map would
//! find all), with one load and no insertion or removal per instant; 63 % of the events there
//! start a new instant, which a map would insert and later remove. With a map (time to last
//! node, a multiplicative hash) instead, the job took more CPU in each of 5 interleaved rounds
//! (this table's CPU time 0.85-0.96 of the map's). A miss is harmless: the event starts another
//! list for its instant (see the queue's module docs).

use crate::time::SimTime;

/// log2 of the number of slots: 256 slots of 16 bytes, 4 KiB.
pub(super) const SLOTS_LOG2: u32 = 8;

/// An instant and the last node of its newest list.
pub(super) type Slot = (SimTime, u32);

/// One slot per instant hash. A slot naming an instant later than the current one names a list
/// still pending: a list leaves the pending set only when its instant becomes the current one,
/// and lists are looked up only for later instants.
pub(super) struct RecentInstants {
    slots: Vec<Slot>,
    shift: u32,
}

impl RecentInstants {
    pub(super) fn new(slots_log2: u32) -> Self {
        assert!((1..64).contains(&slots_log2), "between 2 and 2^63 slots");
        RecentInstants {
            // Instant zero is never later than the current one: an unused slot never matches.
            slots: vec![(SimTime::ZERO, 0); 1 << slots_log2],
            shift: 64 - slots_log2,
        }
    }

    /// The slot of `time` (Fibonacci hashing: the multiply spreads the low bits of a time into
    /// the top bits kept); it names `time`'s list only if its instant is `time`.
    pub(super) fn slot(&mut self, time: SimTime) -> &mut Slot {
        let i = time.0.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift;
        &mut self.slots[i as usize]
    }
}
