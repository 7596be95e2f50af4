//! Vectors of finished batches kept for the next ones, so that a batch does not allocate: its
//! completion times, and a source's records. At most one batch per subtask is in progress, so
//! neither pool holds more vectors than there are subtasks. Likewise the actions a barrier
//! handler returns for one barrier (a checkpoint at parallelism 512 delivers half a million
//! barriers); a vector is in use only while the world carries its actions out (actions that
//! reach another barrier take a second one), so the pool holds about one.
//!
//! A source's records have a pool of their own, not the network's (whose vectors become the
//! buffers being filled): a source reads up to a buffer's worth per batch, and its vectors,
//! grown to that, would otherwise end up holding a record or two each in the buffers of a job
//! whose many channels each fill only a little per flush.

use super::Tasks;
use crate::model::records::Record;
use crate::protocol::input_handler::barrier_handler::BarrierHandlerAction;

#[derive(Debug, Default)]
pub(super) struct BatchVectors {
    times: Vec<Vec<u64>>,
    source_records: Vec<Vec<Record>>,
    handler_actions: Vec<Vec<BarrierHandlerAction>>,
}

impl Tasks {
    /// An empty vector for a batch's completion times.
    #[inline]
    pub fn take_times(&mut self) -> Vec<u64> {
        take(&mut self.spare.times)
    }

    /// A finished batch's completion times, to reuse.
    #[inline]
    pub fn give_back_times(&mut self, v: Vec<u64>) {
        give_back(&mut self.spare.times, v);
    }

    /// An empty vector for the records a source reads.
    #[inline]
    pub fn take_source_records(&mut self) -> Vec<Record> {
        take(&mut self.spare.source_records)
    }

    /// A finished source batch's records vector, to reuse.
    #[inline]
    pub fn give_back_source_records(&mut self, v: Vec<Record>) {
        give_back(&mut self.spare.source_records, v);
    }

    /// An empty vector for the actions of a barrier handler.
    #[inline]
    pub(super) fn take_handler_actions(&mut self) -> Vec<BarrierHandlerAction> {
        take(&mut self.spare.handler_actions)
    }

    /// Actions carried out, their vector to reuse.
    #[inline]
    pub fn give_back_handler_actions(&mut self, v: Vec<BarrierHandlerAction>) {
        give_back(&mut self.spare.handler_actions, v);
    }
}

#[inline]
fn take<T>(spare: &mut Vec<Vec<T>>) -> Vec<T> {
    spare.pop().unwrap_or_default()
}

/// Keeps `v`, emptied, unless it never allocated.
#[inline]
fn give_back<T>(spare: &mut Vec<Vec<T>>, mut v: Vec<T>) {
    if v.capacity() > 0 {
        v.clear();
        spare.push(v);
    }
}
