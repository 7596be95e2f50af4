//! The engine: an event queue ordered by `(time, seq)`, seeded random streams, distributions and
//! the trace hash. Nothing here knows about Flink.

pub mod dist;
pub mod gamma;
pub mod queue;
pub mod rng;
pub mod trace;

pub use dist::Dist;
pub use queue::EventQueue;
pub use rng::{RngStream, StreamId};
pub use trace::TraceHash;
