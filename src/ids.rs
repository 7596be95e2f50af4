//! Identifiers shared by the protocol and the simulated world. Plain indices into `Vec`s, so that
//! iteration order is always the order of creation (determinism) and lookups are O(1).

/// Checkpoint ids count up from 1, as Flink's `CheckpointIDCounter` does.
pub type CheckpointId = u64;

/// A job vertex (one operator of the job graph).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VertexId(pub u32);

/// One parallel instance of a vertex, numbered globally across the whole job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SubtaskId(pub u32);

/// One network channel (producer subpartition to consumer input channel), numbered globally.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChannelId(pub u32);

/// Position of a channel among one task's input channels (what Flink calls `InputChannelInfo`
/// flattened over all input gates of the task).
pub type InputIndex = u32;

impl SubtaskId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}
impl ChannelId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}
impl VertexId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}
