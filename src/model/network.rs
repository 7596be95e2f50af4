//! Network channels with Flink's credit-based flow control.
//!
//! Producer side (`ResultSubpartition`): a buffer being filled, a FIFO of finished buffers, the
//! credits announced by the receiver, and the `isBlocked` flag an aligned barrier sets. A data
//! buffer leaves only against a credit; events (barriers, markers) need none. On the wire,
//! buffers keep FIFO order and their delivery times are monotone, so only the head of each
//! channel is ever in the event queue. Consumer side (`RemoteInputChannel`): received buffers,
//! exclusive buffers plus floating ones borrowed from the gate while the sender reports a backlog.
//!
//! A channel whose two ends share a TaskManager is Flink's `LocalInputChannel`: the consumer
//! reads the producer's subpartition (`PipelinedSubpartitionView`) directly. It has no credit and
//! no buffers of its own at the receiver; a data buffer stays one of the producer's pool until the
//! consumer recycles it. Here its buffers still pass `wire` (the local hand-over latency) and
//! `received`, but both are the producer's subpartition: they hold the producer's buffers
//! (`lent`), and an unaligned barrier overtaking them makes them the producer's output state.
//!
//! Each end of a channel is its own record, in its own table: a send touches the producer end
//! (and the wire), a delivery, a read or a recycle the consumer end. With hash shuffles a job has
//! p² channels and a buffer event lands on one of them at random, so the state it reads is
//! nearly always out of cache; each end fits one cache line (`align(64)`), so each side pays one
//! miss per channel rather than the two or three a record of both ends spanned. For the same
//! reason each end keeps its own copy of what it needs of the job graph's channel (the subtask
//! at its end, where the consumer reads it, the TaskManager connection) and of the channel's
//! incarnation: a send, a delivery or a recycle then reads no other per-channel table.

use std::collections::VecDeque;

use crate::ids::CheckpointId;
use crate::model::buffer_fifo::{BufferFifo, BufferPool};
use crate::model::records::{NetBuffer, Payload, Record};
use crate::time::SimTime;

/// The producer end of a channel (`ResultSubpartition`).
#[derive(Debug, Default)]
#[repr(align(64))]
pub struct ProducerEnd {
    /// Records of the buffer being filled (`BufferBuilder`).
    pub builder: Vec<Record>,
    /// Finished buffers waiting to be sent.
    pub queue: BufferFifo,
    pub builder_bytes: u32,
    /// Data buffers in `queue` (each holds one buffer of the producer's pool).
    pub queued_data: u32,
    /// Credits the sender holds.
    pub credit: u32,
    /// Local channels: data buffers of the producer's pool handed to the consumer (on the
    /// wire, received, or being read) and not yet recycled by it.
    pub lent: u32,
    /// Size at which a buffer is finished; 0 means the full segment. Set by the consumer's
    /// buffer debloater (FLIP-183).
    pub buffer_size: u32,
    /// The producing subtask (the job graph's `Channel::producer`).
    pub producer: u32,
    /// The channel's incarnation, bumped when either end restarts (kept at every end).
    pub incarnation: u32,
    /// An aligned barrier was sent; nothing more until the consumer resumes consumption.
    pub blocked: bool,
    /// Both ends share a TaskManager (`LocalInputChannel`): no credit, no receiver buffers.
    pub local: bool,
    /// The output flusher asked for the buffer being filled while its reader was still behind
    /// (`PipelinedSubpartition.flushRequested`): the reader takes it when it gets there.
    pub flush_requested: bool,
}

/// The wire of a channel: buffers on their way, with their delivery times. Half a cache line
/// (`align(32)`), so that no wire straddles two.
#[derive(Debug, Default)]
#[repr(align(32))]
pub struct WireEnd {
    pub wire: BufferFifo,
    /// The latest delivery time given to a buffer (deliveries keep FIFO order).
    pub last_delivery: SimTime,
    /// The channel's incarnation (as at its ends).
    pub incarnation: u32,
    /// The TaskManager connection the channel's buffers take (the job graph's
    /// `Channel::connection`: `producer's TaskManager * TaskManagers + consumer's`).
    pub connection: u32,
    /// The ends are on different TaskManagers.
    pub remote: bool,
}

/// The consumer end of a channel (`RemoteInputChannel`, or `LocalInputChannel`).
#[derive(Debug, Default)]
#[repr(align(64))]
pub struct ConsumerEnd {
    pub received: BufferFifo,
    /// Sequence numbers of delivered buffers (for barrier announcements).
    pub delivered_seq: u64,
    /// The unaligned checkpoint whose channel state this channel is writing
    /// (`ChannelStatePersister`): every data buffer arriving before the barrier is persisted.
    pub persisting: MaybeCheckpoint,
    /// Buffers this channel owns at the receiver: exclusive plus borrowed floating ones.
    pub owned: u32,
    pub floating_held: u32,
    /// Data buffers received and not yet recycled.
    pub occupied: u32,
    /// Credits announced whose data has not arrived yet.
    pub announced_unused: u32,
    /// Backlog the sender reported with its latest buffer.
    pub sender_backlog: u32,
    /// Buffers at the head of `received` that were restored from channel state
    /// (`RecoveredInputChannel`): read before anything new, and holding no credit.
    pub recovered_ahead: u32,
    /// The consuming subtask and the channel's position among its inputs (the job graph's
    /// `Channel::consumer` and `Channel::input_index`).
    pub consumer: u32,
    pub input_index: u32,
    /// The channel's incarnation (as at the producer end).
    pub incarnation: u32,
    /// Bookkeeping of alignment (`ChannelState.blockChannel`).
    pub consumer_blocked: bool,
    /// Priority barriers at the channel's head waiting for the task thread: nothing of the
    /// channel is read before them, whatever the alignment does meanwhile (a local channel's
    /// `getNextBuffer` polls priority events first).
    pub priority_holds: u8,
    /// Both ends share a TaskManager (as [`ProducerEnd::local`], kept at each end so that
    /// neither reads the other's line for it).
    pub local: bool,
    /// The barrier was sent aligned (its subpartition blocked itself) and then prioritized
    /// here: the subpartition is resumed when the checkpoint ends at this task
    /// (`unblockAllChannels`), as no `BlockChannel` covers it.
    pub resume_at_checkpoint_end: bool,
}

// Each end is one cache line, and a wire half of one, as the module's layout promises.
const _: () = assert!(std::mem::size_of::<ProducerEnd>() == 64);
const _: () = assert!(std::mem::size_of::<ConsumerEnd>() == 64);
const _: () = assert!(std::mem::size_of::<WireEnd>() == 32);

/// An optional checkpoint id in 8 bytes, where `Option` takes 16 (the consumer end has no room
/// for those): no checkpoint id ever reaches `u64::MAX`, which stands for none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaybeCheckpoint(u64);

impl MaybeCheckpoint {
    pub const NONE: MaybeCheckpoint = MaybeCheckpoint(u64::MAX);

    pub fn some(id: CheckpointId) -> Self {
        assert_ne!(id, u64::MAX, "checkpoint ids stay below u64::MAX");
        MaybeCheckpoint(id)
    }

    #[inline]
    pub fn get(self) -> Option<CheckpointId> {
        (self.0 != u64::MAX).then_some(self.0)
    }
}

impl Default for MaybeCheckpoint {
    fn default() -> Self {
        MaybeCheckpoint::NONE
    }
}

/// Where a channel runs, as its ends keep it (copied from the job graph's `Channel`).
#[derive(Clone, Copy, Debug)]
pub struct ChannelRoute {
    pub producer: u32,
    pub consumer: u32,
    pub input_index: u32,
    pub connection: u32,
    pub remote: bool,
}

impl ProducerEnd {
    /// The size this channel's buffers are finished at: the one its consumer announced when
    /// debloating set one, else the segment size.
    #[inline]
    pub fn buffer_bytes(&self, segment_bytes: u32) -> u32 {
        if self.buffer_size == 0 {
            segment_bytes
        } else {
            self.buffer_size
        }
    }

    /// A remote channel starts with its exclusive buffers announced as credit
    /// (`RemoteInputChannel.setup`); a local one has none (`LocalInputChannel`).
    pub fn new(exclusive: u32, route: &ChannelRoute, incarnation: u32) -> Self {
        let local = !route.remote;
        ProducerEnd {
            credit: if local { 0 } else { exclusive },
            local,
            producer: route.producer,
            incarnation,
            ..Default::default()
        }
    }

    /// Whether the head of the queue may be sent now (`pool`: the pool the channel's buffers are
    /// in, as for every method below).
    #[inline]
    pub fn can_send_head(&self, pool: &BufferPool) -> bool {
        if self.blocked {
            return false;
        }
        match self.queue.front(pool) {
            None => false,
            // A local consumer reads the subpartition itself: no credit needed.
            Some(b) => !b.is_data() || self.local || self.credit > 0,
        }
    }

    /// Buffers of the producer's pool the channel holds: queued data, a non-empty builder, and
    /// on a local channel the buffers its consumer has not recycled yet.
    #[inline]
    pub fn usage(&self) -> u32 {
        self.queued_data + self.lent + (!self.builder.is_empty()) as u32
    }
}

impl ConsumerEnd {
    /// A remote channel owns its exclusive buffers, all announced as credit; a local one owns no
    /// buffers (`LocalInputChannel`).
    pub fn new(exclusive: u32, route: &ChannelRoute, incarnation: u32) -> Self {
        let local = !route.remote;
        let exclusive = if local { 0 } else { exclusive };
        ConsumerEnd {
            owned: exclusive,
            announced_unused: exclusive,
            local,
            consumer: route.consumer,
            input_index: route.input_index,
            incarnation,
            ..Default::default()
        }
    }

    /// Data bytes received and queued ahead of `checkpoint`'s barrier (what the channel state of
    /// an unaligned checkpoint starts with).
    pub fn received_data_bytes_before_barrier(&self, checkpoint: CheckpointId, pool: &BufferPool) -> u64 {
        self.received_data_before_barrier(checkpoint, pool)
            .map(|b| b.bytes as u64)
            .sum()
    }

    /// Data buffers received and queued ahead of `checkpoint`'s barrier.
    pub fn received_data_buffers_before_barrier(&self, checkpoint: CheckpointId, pool: &BufferPool) -> u32 {
        self.received_data_before_barrier(checkpoint, pool).count() as u32
    }

    /// `RemoteInputChannel.getInflightBuffersUnsafe`: every data buffer ahead of the barrier of
    /// `checkpoint` (or of a newer one). Events on the way are passed over, not ended at: a
    /// cancellation marker or an older checkpoint's barrier still queued here has data behind
    /// it that is in flight for this checkpoint too.
    pub fn received_data_before_barrier<'a>(
        &self,
        checkpoint: CheckpointId,
        pool: &'a BufferPool,
    ) -> impl Iterator<Item = &'a NetBuffer> {
        self.received
            .iter(pool)
            .take_while(move |b| !matches!(&b.payload, Payload::Barrier(x) if x.id >= checkpoint))
            .filter(|b| b.is_data())
    }
}

impl WireEnd {
    pub fn new(route: &ChannelRoute, incarnation: u32) -> Self {
        WireEnd {
            incarnation,
            connection: route.connection,
            remote: route.remote,
            ..Default::default()
        }
    }
}

/// One channel's two ends and its wire, borrowed together for reading.
#[derive(Clone, Copy, Debug)]
pub struct ChannelParts<'a> {
    pub producer: &'a ProducerEnd,
    pub wire: &'a WireEnd,
    pub consumer: &'a ConsumerEnd,
}

impl ChannelParts<'_> {
    /// The finished buffers on the producer side, the wire and the consumer side, in that order.
    pub fn buffers<'a>(&self, pool: &'a BufferPool) -> impl Iterator<Item = &'a NetBuffer> {
        self.producer
            .queue
            .iter(pool)
            .chain(self.wire.wire.iter(pool))
            .chain(self.consumer.received.iter(pool))
    }

    /// Bytes in finished buffers on the producer side, the wire and the consumer side.
    pub fn buffered_bytes(&self, pool: &BufferPool) -> u64 {
        self.buffers(pool).map(|b| b.bytes as u64).sum()
    }
}

/// Floating buffers of one input gate, lent to channels whose sender has a backlog.
#[derive(Debug, Default)]
pub struct GatePool {
    pub available: u32,
    /// The gate's first input channel (a gate's inputs are consecutive).
    pub first_input: u32,
    /// Channels waiting for a floating buffer, in request order.
    pub waiting: VecDeque<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{CheckpointBarrier, CheckpointOptions, CheckpointType};

    fn data(id: u64) -> NetBuffer {
        let record = Record {
            id,
            origin_ns: 0,
            key: 0,
            bytes: 100,
        };
        NetBuffer {
            payload: Payload::Data(vec![record]),
            bytes: 100,
            backlog: 0,
        }
    }

    fn event(payload: Payload) -> NetBuffer {
        NetBuffer {
            payload,
            bytes: 0,
            backlog: 0,
        }
    }

    fn barrier(id: CheckpointId) -> Payload {
        Payload::Barrier(CheckpointBarrier {
            id,
            timestamp: SimTime::ZERO,
            options: CheckpointOptions::aligned_no_timeout(CheckpointType::Checkpoint),
        })
    }

    /// `getInflightBuffersUnsafe` passes over a cancellation marker and an older checkpoint's
    /// barrier still queued (the data behind them is in flight for this checkpoint too) and
    /// ends at this checkpoint's barrier. Ending at the first event lost the records behind a
    /// stale cancellation marker (the property test, seed 177).
    #[test]
    fn the_in_flight_data_of_a_checkpoint_runs_past_stale_events_to_its_barrier() {
        let mut pool = BufferPool::default();
        let mut c = ConsumerEnd::default();
        for b in [
            data(1),
            event(Payload::Cancel(6)),
            data(2),
            event(barrier(6)),
            data(3),
            event(barrier(8)),
            data(4),
        ] {
            c.received.push_back(&mut pool, b);
        }
        assert_eq!(c.received_data_buffers_before_barrier(8, &pool), 3);
        assert_eq!(c.received_data_bytes_before_barrier(8, &pool), 300);
        // An older checkpoint's own barrier still ends its share.
        assert_eq!(c.received_data_buffers_before_barrier(6, &pool), 2);
    }
}
