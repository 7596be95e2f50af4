//! What the consumer side hands to channel-state persistence: the buffers an unaligned barrier
//! overtook, `StartPersisting` / `StopPersisting`, and announced barriers moved to the head
//! (`ChannelStatePersister`).

use super::*;
use crate::model::network::MaybeCheckpoint;

impl Network {
    // ---- unaligned barriers at the consumer (channel state) ----

    /// An unaligned barrier arrived: how many data buffers it overtook in the received queue,
    /// unless the channel already persists them (`StartPersisting`). Either way the channel's
    /// share of the checkpoint ends with the barrier's arrival
    /// (`ChannelStatePersister.checkForBarrier`).
    pub fn priority_barrier_arrived(&mut self, ch: u32, checkpoint: CheckpointId) -> u32 {
        let c = &mut self.cons[ch as usize];
        if c.persisting.get() == Some(checkpoint) {
            c.persisting = MaybeCheckpoint::NONE;
            0
        } else if c.local {
            // `LocalInputChannel`: what the consumer has not taken is still the producer's
            // subpartition, persisted by the producer as output state.
            0
        } else {
            c.received_data_buffers_before_barrier(checkpoint, &self.bufs)
        }
    }

    /// A priority barrier was put into a local channel's subpartition: the consumer sees it at
    /// its next poll, before any buffer (`LocalInputChannel.getNextBuffer` polls priority events
    /// first), so it is handed over at once rather than over the wire.
    pub fn priority_event_local(&mut self, ch: u32) {
        self.cons[ch as usize].delivered_seq += 1;
    }

    /// The first `n` received data buffers of a channel (events between them passed over): bytes,
    /// and records when `with_records`.
    pub fn received_head(&self, ch: u32, n: u32, with_records: bool) -> (u64, Vec<Record>) {
        let c = &self.cons[ch as usize];
        let head = || c.received.iter(&self.bufs).filter(|b| b.is_data()).take(n as usize);
        let bytes = head().map(|b| b.bytes as u64).sum();
        let records = if with_records { data_records(head()) } else { Vec::new() };
        (bytes, records)
    }

    /// `StartPersisting`: the channel's data ahead of its barrier and not yet consumed is
    /// channel state, the queued buffers now and each one arriving until `StopPersisting`.
    /// Returns what is queued now.
    pub fn start_persisting(&mut self, ch: u32, checkpoint: CheckpointId, with_records: bool) -> (u64, Vec<Record>) {
        let c = &mut self.cons[ch as usize];
        c.persisting = MaybeCheckpoint::some(checkpoint);
        if c.local {
            // `LocalInputChannel.checkpointStarted`: nothing is queued at the consumer; it persists
            // each buffer as it reads it (`take_input`) until the barrier.
            return (0, Vec::new());
        }
        let queued = c.received_data_bytes_before_barrier(checkpoint, &self.bufs);
        let records = if with_records {
            data_records(c.received_data_before_barrier(checkpoint, &self.bufs))
        } else {
            Vec::new()
        };
        (queued, records)
    }

    pub fn stop_persisting(&mut self, ch: u32) {
        self.cons[ch as usize].persisting = MaybeCheckpoint::NONE;
    }

    /// A data buffer just arrived on a channel: if it persists for a checkpoint, that one, with
    /// the buffer's records when `with_records`.
    pub fn persisting_arrival(&self, ch: u32, with_records: bool) -> Option<(CheckpointId, Vec<Record>)> {
        let c = &self.cons[ch as usize];
        if c.local {
            return None; // persisted when read
        }
        let id = c.persisting.get()?;
        let records = if with_records {
            data_records(c.received.back(&self.bufs).into_iter())
        } else {
            Vec::new()
        };
        Some((id, records))
    }

    /// Output-side alignment timer on a local channel whose barrier the consumer has not read
    /// yet: what `received` holds is still the producer's subpartition (`LocalInputChannel`
    /// reads `PipelinedSubpartition` directly), so `alignedBarrierTimeout` finds the barrier
    /// there and the producer persists the data ahead of it as output state. Takes the barrier
    /// of `checkpoint` out with that data (bytes, and records when `with_records`); the
    /// producer blocked the subpartition when it handed the barrier over aligned, so it is
    /// resumed when the checkpoint ends at the consumer.
    pub fn take_received_barrier(
        &mut self,
        ch: u32,
        checkpoint: CheckpointId,
        with_records: bool,
        g: &JobGraph,
    ) -> Option<(CheckpointBarrier, u64, Vec<Record>)> {
        let c = &mut self.cons[ch as usize];
        if !c.local {
            return None;
        }
        let pos = c
            .received
            .iter(&self.bufs)
            .position(|b| matches!(b.payload, Payload::Barrier(x) if x.id == checkpoint))?;
        let Some(&Payload::Barrier(barrier)) = c.received.iter(&self.bufs).nth(pos).map(|b| &b.payload) else {
            unreachable!("found a barrier");
        };
        if !barrier.options.is_timeoutable() {
            return None;
        }
        let (bytes, records) = {
            let ahead = c.received.iter(&self.bufs).take(pos);
            let bytes: u64 = ahead.clone().filter(|b| b.is_data()).map(|b| b.bytes as u64).sum();
            (bytes, if with_records { data_records(ahead) } else { Vec::new() })
        };
        c.received.remove(&mut self.bufs, pos);
        c.resume_at_checkpoint_end = true;
        if c.received.is_empty() {
            let info = &g.channels[ch as usize];
            self.unlist_input(info.consumer.0, info.input_index);
        }
        Some((barrier, bytes, records))
    }

    /// `PrioritizeAnnouncedBarrier` (`InputChannel.convertToPriorityEvent`): on a remote
    /// channel the barrier still queued in the received buffers moves to the head; the producer
    /// blocked its subpartition when it sent it aligned, and is resumed when the checkpoint ends.
    /// On a local channel nothing happens: only `RemoteInputChannel` overrides the method
    /// (`InputChannel`'s is empty, flink-dist 2.3), so the consumer keeps persisting what it
    /// reads until the barrier comes in order, unless the producer's output timer moves it first
    /// ([`Network::take_received_barrier`]).
    pub fn take_announced_barrier(&mut self, s: u32, input: u32, g: &JobGraph) -> Option<CheckpointBarrier> {
        let ch = g.inputs[s as usize][input as usize].0;
        let c = &mut self.cons[ch as usize];
        if c.local {
            return None;
        }
        let pos = c
            .received
            .iter(&self.bufs)
            .position(|b| matches!(b.payload, Payload::Barrier(_)))?;
        let buf = c.received.remove(&mut self.bufs, pos)?;
        let Payload::Barrier(barrier) = buf.payload else {
            unreachable!("found a barrier");
        };
        c.resume_at_checkpoint_end = true;
        if c.received.is_empty() {
            self.unlist_input(s, input);
        }
        Some(barrier)
    }
}
