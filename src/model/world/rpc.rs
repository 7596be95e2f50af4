//! The RPC service between the JobManager and the TaskManagers, as one component: the latency
//! of each kind of call, as Flink's checkpoint statistics show them apart, and of the trigger
//! pipeline before the first trigger. Each kind draws from its own stream, so one kind's
//! latency never shifts another's draws.

use crate::model::config::RpcConfig;
use crate::sim::rng::StreamKind;
use crate::sim::{RngStream, StreamId};

pub(crate) struct Rpc {
    cfg: RpcConfig,
    trigger_rng: RngStream,
    acknowledge_rng: RngStream,
    notify_rng: RngStream,
    pipeline_rng: RngStream,
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
        }
    }

    /// `TaskExecutorGateway.triggerCheckpoint`: JobManager -> a source task.
    pub fn trigger_ns(&mut self) -> u64 {
        self.cfg.trigger.sample_u64(&mut self.trigger_rng)
    }

    /// `CheckpointCoordinatorGateway.acknowledgeCheckpoint` (and `declineCheckpoint`): a task ->
    /// the JobManager.
    pub fn acknowledge_ns(&mut self) -> u64 {
        self.cfg.acknowledge.sample_u64(&mut self.acknowledge_rng)
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
