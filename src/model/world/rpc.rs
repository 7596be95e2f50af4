//! The RPC service between the JobManager and the TaskManagers, as one component: the latency
//! of each kind of call, as Flink's checkpoint statistics show them apart, and of the trigger
//! pipeline before the first trigger. Each kind draws from its own stream, so one kind's
//! latency never shifts another's draws.
//!
//! Acknowledgements and declines reach one thread: the JobMaster handles every RPC on its main
//! thread (`ExecutionGraphHandler.processCheckpointCoordinatorMessage` asserts it, then passes
//! the message to the I/O executor, where `receiveAcknowledgeMessage` stamps the subtask's
//! acknowledgement time). An idle main thread wakes for the first message after a hand-off
//! (`acknowledge_rpc_latency`); a message that arrives while that wake-up is pending is handled
//! in the same run. So several subtasks that finish close together are acknowledged in the
//! same instant, and the last one waits for no hand-off of its own: in Flink 2.3 half of the
//! acknowledgements of a two-subtask checkpoint share their millisecond with another (c04,
//! f02), and the subtask that finished last waits 0.1-0.5 ms on average where the first waits
//! about 1 (tests/fidelity/probes/README.md).

use crate::model::config::RpcConfig;
use crate::sim::rng::StreamKind;
use crate::sim::{RngStream, StreamId};
use crate::time::SimTime;

pub(crate) struct Rpc {
    cfg: RpcConfig,
    trigger_rng: RngStream,
    acknowledge_rng: RngStream,
    notify_rng: RngStream,
    pipeline_rng: RngStream,
    /// When the JobMaster's main thread wakes for the acknowledgements waiting for it, if a
    /// wake-up is pending.
    acknowledge_wake_at: Option<SimTime>,
}

impl Rpc {
    pub fn new(cfg: RpcConfig, seed: u64) -> Self {
        let s = |i| RngStream::new(seed, StreamId::new(StreamKind::Rpc, i));
        Rpc {
            cfg,
            trigger_rng: s(0),
            acknowledge_rng: s(1),
            notify_rng: s(2),
            pipeline_rng: s(3),
            acknowledge_wake_at: None,
        }
    }

    /// `TaskExecutorGateway.triggerCheckpoint`: JobManager -> a source task.
    pub fn trigger_ns(&mut self) -> u64 {
        self.cfg.trigger.sample_u64(&mut self.trigger_rng)
    }

    /// `CheckpointCoordinatorGateway.acknowledgeCheckpoint` (and `declineCheckpoint`): sent by a
    /// task at `now`, handled by the JobMaster's main thread at the returned instant: the
    /// pending wake-up if there is one, else `now` plus a hand-off drawn for a new one.
    pub fn acknowledge_handled_at(&mut self, now: SimTime) -> SimTime {
        if let Some(at) = self.acknowledge_wake_at.filter(|&at| at >= now) {
            return at;
        }
        let at = now + self.cfg.acknowledge.sample_u64(&mut self.acknowledge_rng);
        self.acknowledge_wake_at = Some(at);
        at
    }

    /// `notifyCheckpointComplete` / `notifyCheckpointAborted`: JobManager -> a task.
    pub fn notify_ns(&mut self) -> u64 {
        self.cfg.notify.sample_u64(&mut self.notify_rng)
    }

    /// The coordinator's work between deciding to trigger and sending the trigger calls.
    pub fn trigger_pipeline_ns(&mut self) -> u64 {
        self.cfg.trigger_pipeline.sample_u64(&mut self.pipeline_rng)
    }
}
