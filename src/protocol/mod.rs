//! The checkpoint protocol as sans-IO state machines, named and structured after Flink's classes.
//!
//! Nothing here reads a clock, draws from a global RNG or performs I/O: time comes in as a
//! `SimTime` argument, randomness as `&mut impl rand::Rng`, and every effect (an RPC to send, a
//! timer to set, a statistic to record) is pushed into an outbox `Vec` that the caller drains.
//! The simulator (the `model` module) is one such caller; a real runtime could be another.
//!
//! | here | Flink |
//! |---|---|
//! | [`coordinator::CheckpointCoordinator`] | `CheckpointCoordinator` + `CheckpointRequestDecider` |
//! | [`checkpoint_store::CompletedCheckpointStore`] | `CompletedCheckpointStore` + the restore choice of `restoreLatestCheckpointedState` |
//! | [`failover::FailoverLifecycle`] | `DefaultScheduler` + `ExecutionFailureHandler`: a failure's detection, restart set, takeovers, backoff, redeploy |
//! | [`failure_manager::CheckpointFailureManager`] | `CheckpointFailureManager` |
//! | [`input_handler::barrier_handler::SingleCheckpointBarrierHandler`] | `SingleCheckpointBarrierHandler` (aligned, alternating and unaligned states) |
//! | [`input_handler::barrier_tracker::CheckpointBarrierTracker`] | `CheckpointBarrierTracker` (at-least-once) |
//! | [`input_handler::InputHandler`] | the handler `InputProcessorUtil` picks for a task |
//! | [`subtask::SubtaskCheckpointCoordinator`] | `SubtaskCheckpointCoordinatorImpl` |
//! | [`end_of_input::EndOfInput`] | `StreamTask`'s end of data, final checkpoint and finishing (FLIP-147) |
//! | [`async_checkpoint::AsyncCheckpointProgress`] | `AsyncCheckpointRunnable`: when a subtask acknowledges |
//! | [`restart::RestartBackoffTimeStrategy`] | `RestartBackoffTimeStrategy` (none, fixed-delay, exponential-delay, failure-rate) |
//! | [`two_phase_commit::TwoPhaseCommitSink`] | `TwoPhaseCommitSinkFunction` / Sink V2 `CommitterOperator` |

pub mod async_checkpoint;
pub mod checkpoint_store;
pub mod coordinator;
pub mod end_of_input;
pub mod failover;
#[cfg(test)]
mod failover_tests;
pub mod failure_manager;
pub mod input_handler;
pub mod restart;
pub mod snapshot_order;
pub mod subtask;
pub mod two_phase_commit;
pub mod types;

pub use types::*;
