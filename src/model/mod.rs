//! The simulated world that drives the protocol: the job graph expanded into subtasks and
//! channels, sources, network channels with credit-based flow control, checkpoint storage, and
//! the event loop (`world`).

pub mod arrival_log;
pub mod backend;
pub mod buffer_fifo;
pub mod checker;
pub mod config;
pub mod debloat;
pub mod external_log;
pub mod faults;
pub mod graph;
pub mod key_groups;
pub mod network;
pub mod rate_limiter;
pub mod record_shape;
pub mod records;
pub mod regions;
pub mod selectivity;
pub mod source;
pub mod storage;
pub mod task;
pub mod world;
