//! Records and network buffers. Records travel inside buffers (Flink's unit of transfer);
//! the event queue only ever sees buffers.

use crate::ids::CheckpointId;
use crate::protocol::CheckpointBarrier;

/// One record. `id` identifies it across replays: (source subtask << 40) | offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record {
    pub id: u64,
    /// Arrival time at the source (ns), for end-to-end latency.
    pub origin_ns: u64,
    pub key: u32,
    pub bytes: u32,
}

pub const OFFSET_BITS: u32 = 40;

pub fn record_id(source_subtask: u32, offset: u64) -> u64 {
    ((source_subtask as u64) << OFFSET_BITS) | offset
}

/// What a network buffer carries.
#[derive(Debug)]
pub enum Payload {
    Data(Vec<Record>),
    /// An aligned barrier: FIFO behind the data, blocks the subpartition once sent.
    Barrier(CheckpointBarrier),
    /// `CancelCheckpointMarker`.
    Cancel(CheckpointId),
    /// `EndOfData`: the producer's data ended (its last records are ahead of it).
    EndOfData,
    /// `EndOfPartitionEvent`: the producer finished; the channel carries nothing more.
    EndOfPartition,
}

/// Size on the wire of an event buffer (barrier or marker).
pub const EVENT_BYTES: u32 = 64;

#[derive(Debug)]
pub struct NetBuffer {
    pub payload: Payload,
    pub bytes: u32,
    /// Buffers queued behind this one when it was sent (Flink sends the backlog with each
    /// buffer so the receiver can ask for floating buffers).
    pub backlog: u32,
}

impl NetBuffer {
    pub fn is_data(&self) -> bool {
        matches!(self.payload, Payload::Data(_))
    }
}
