//! The engine: an event queue ordered by `(time, seq)`, seeded random streams, distributions,
//! the trace hash and a prefetch hint. Nothing here knows about Flink.

pub mod dist;
pub mod gamma;
mod prefetch;
pub mod queue;
pub mod rng;
pub mod trace;

pub use dist::Dist;
pub(crate) use prefetch::prefetch;
pub use queue::EventQueue;
pub use rng::{RngStream, StreamId};
pub use trace::TraceHash;
