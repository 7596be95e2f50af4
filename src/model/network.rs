//! Network channels with Flink's credit-based flow control.
//!
//! Producer side (`ResultSubpartition`): a buffer being filled, a FIFO of finished buffers, the
//! credits announced by the receiver, and the `isBlocked` flag an aligned barrier sets. A data
//! buffer leaves only against a credit; events (barriers, markers) need none. On the wire,
//! buffers keep FIFO order and their delivery times are monotone, so only the head of each
//! channel is ever in the event queue. Consumer side (`RemoteInputChannel`): received buffers,
//! exclusive buffers plus floating ones borrowed from the gate while the sender reports a backlog.

use std::collections::VecDeque;

use crate::model::records::{NetBuffer, Record};
use crate::time::SimTime;

#[derive(Debug, Default)]
pub struct ChannelState {
    // ---- producer side ----
    /// Records of the buffer being filled (`BufferBuilder`).
    pub builder: Vec<Record>,
    pub builder_bytes: u32,
    /// Finished buffers waiting to be sent.
    pub queue: VecDeque<NetBuffer>,
    /// Data buffers in `queue` (each holds one buffer of the producer's pool).
    pub queued_data: u32,
    /// Credits the sender holds.
    pub credit: u32,
    /// An aligned barrier was sent; nothing more until the consumer resumes consumption.
    pub blocked: bool,
    // ---- the wire ----
    pub wire: VecDeque<(SimTime, NetBuffer)>,
    pub last_delivery: SimTime,
    // ---- consumer side ----
    pub received: VecDeque<NetBuffer>,
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
    pub fn new(exclusive: u32) -> Self {
        ChannelState {
            owned: exclusive,
            credit: exclusive,
            announced_unused: exclusive,
            ..Default::default()
        }
    }

    /// Whether the head of the queue may be sent now.
    pub fn can_send_head(&self) -> bool {
        if self.blocked {
            return false;
        }
        match self.queue.front() {
            None => false,
            Some(b) => !b.is_data() || self.credit > 0,
        }
    }

    /// Data bytes received and queued ahead of the first barrier (what the channel state of an
    /// unaligned checkpoint starts with).
    pub fn received_data_bytes_before_barrier(&self) -> u64 {
        self.received_data_before_barrier().map(|b| b.bytes as u64).sum()
    }

    /// Data buffers received and queued ahead of the first event.
    pub fn received_data_buffers_before_barrier(&self) -> u32 {
        self.received_data_before_barrier().count() as u32
    }

    fn received_data_before_barrier(&self) -> impl Iterator<Item = &NetBuffer> {
        self.received.iter().take_while(|b| b.is_data())
    }

    /// The records of the first `n` received buffers (data buffers only).
    pub fn received_head_records(&self, n: u32) -> impl Iterator<Item = &Record> {
        self.received
            .iter()
            .take(n as usize)
            .filter_map(|b| match &b.payload {
                crate::model::records::Payload::Data(v) => Some(v.iter()),
                _ => None,
            })
            .flatten()
    }

    /// Bytes in finished buffers on the producer side, the wire and the consumer side.
    pub fn buffered_bytes(&self) -> u64 {
        self.queue
            .iter()
            .chain(self.wire.iter().map(|(_, b)| b))
            .chain(self.received.iter())
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
