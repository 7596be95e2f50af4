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

use std::collections::VecDeque;

use crate::model::buffer_fifo::{BufferFifo, BufferPool};
use crate::model::records::{NetBuffer, Record};
use crate::time::SimTime;

#[derive(Debug, Default)]
pub struct ChannelState {
    // ---- producer side ----
    /// Records of the buffer being filled (`BufferBuilder`).
    pub builder: Vec<Record>,
    pub builder_bytes: u32,
    /// Finished buffers waiting to be sent.
    pub queue: BufferFifo,
    /// Data buffers in `queue` (each holds one buffer of the producer's pool).
    pub queued_data: u32,
    /// Credits the sender holds.
    pub credit: u32,
    /// An aligned barrier was sent; nothing more until the consumer resumes consumption.
    pub blocked: bool,
    // ---- the wire ----
    /// Buffers on their way, with their delivery times.
    pub wire: BufferFifo,
    pub last_delivery: SimTime,
    // ---- consumer side ----
    pub received: BufferFifo,
    /// Buffers this channel owns at the receiver: exclusive plus borrowed floating ones.
    pub owned: u32,
    pub floating_held: u32,
    /// Data buffers received and not yet recycled.
    pub occupied: u32,
    /// Credits announced whose data has not arrived yet.
    pub announced_unused: u32,
    /// Backlog the sender reported with its latest buffer.
    pub sender_backlog: u32,
    /// Consumer-side bookkeeping of alignment (`ChannelState.blockChannel`).
    pub consumer_blocked: bool,
    /// Bumped when either end restarts: events of an earlier incarnation are stale.
    pub incarnation: u32,
    /// Both ends share a TaskManager (`LocalInputChannel`): no credit, no receiver buffers.
    pub local: bool,
    /// Local channels: data buffers of the producer's pool handed to the consumer (on the
    /// wire, received, or being read) and not yet recycled by it.
    pub lent: u32,
    /// The output flusher asked for the buffer being filled while its reader was still behind
    /// (`PipelinedSubpartition.flushRequested`): the reader takes it when it gets there.
    pub flush_requested: bool,
    // ---- issue 3 ----
    /// Producer: size at which a buffer is finished; 0 means the full segment. Set by the
    /// consumer's buffer debloater (FLIP-183).
    pub buffer_size: u32,
    /// Consumer: the unaligned checkpoint whose channel state this channel is writing
    /// (`ChannelStatePersister`): every data buffer arriving before the barrier is persisted.
    pub persisting: Option<crate::ids::CheckpointId>,
    /// Consumer: sequence numbers of delivered buffers (for barrier announcements).
    pub delivered_seq: u64,
    /// Consumer: buffers at the head of `received` that were restored from channel state
    /// (`RecoveredInputChannel`): read before anything new, and holding no credit.
    pub recovered_ahead: u32,
    /// Consumer: the barrier was sent aligned (its subpartition blocked itself) and then
    /// prioritized here: the subpartition is resumed when the checkpoint ends at this task
    /// (`unblockAllChannels`), as no `BlockChannel` covers it.
    pub resume_at_checkpoint_end: bool,
}

impl ChannelState {
    /// A remote channel starts with its exclusive buffers announced as credit
    /// (`RemoteInputChannel.setup`); a local one has neither (`LocalInputChannel`).
    pub fn new(exclusive: u32, local: bool) -> Self {
        let exclusive = if local { 0 } else { exclusive };
        ChannelState {
            owned: exclusive,
            credit: exclusive,
            announced_unused: exclusive,
            local,
            ..Default::default()
        }
    }

    /// Whether the head of the queue may be sent now (`pool`: the pool the channel's buffers are
    /// in, as for every method below).
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

    /// Data bytes received and queued ahead of the first barrier (what the channel state of an
    /// unaligned checkpoint starts with).
    pub fn received_data_bytes_before_barrier(&self, pool: &BufferPool) -> u64 {
        self.received_data_before_barrier(pool).map(|b| b.bytes as u64).sum()
    }

    /// Data buffers received and queued ahead of the first event.
    pub fn received_data_buffers_before_barrier(&self, pool: &BufferPool) -> u32 {
        self.received_data_before_barrier(pool).count() as u32
    }

    fn received_data_before_barrier<'a>(&self, pool: &'a BufferPool) -> impl Iterator<Item = &'a NetBuffer> {
        self.received.iter(pool).take_while(|b| b.is_data())
    }

    /// The records of the first `n` received buffers (data buffers only).
    pub fn received_head_records<'a>(&self, n: u32, pool: &'a BufferPool) -> impl Iterator<Item = &'a Record> {
        self.received
            .iter(pool)
            .take(n as usize)
            .filter_map(|b| match &b.payload {
                crate::model::records::Payload::Data(v) => Some(v.iter()),
                _ => None,
            })
            .flatten()
    }

    /// Bytes in finished buffers on the producer side, the wire and the consumer side.
    pub fn buffered_bytes(&self, pool: &BufferPool) -> u64 {
        self.queue
            .iter(pool)
            .chain(self.wire.iter(pool))
            .chain(self.received.iter(pool))
            .map(|b| b.bytes as u64)
            .sum()
    }
}

/// Floating buffers of one input gate, lent to channels whose sender has a backlog.
#[derive(Debug, Default)]
pub struct GatePool {
    pub available: u32,
    /// Channels waiting for a floating buffer, in request order.
    pub waiting: VecDeque<u32>,
}
