//! The RPC service between the JobManager and the TaskManagers, as one component: the latency
//! of each call (`triggerCheckpoint`, `acknowledgeCheckpoint`, `declineCheckpoint`,
//! `notifyCheckpointComplete`/`Aborted`) and of the trigger pipeline before the first of them,
//! drawn from one stream.

use crate::sim::{Dist, RngStream};

pub(crate) struct Rpc {
    latency: Dist,
    trigger_latency: Dist,
    rng: RngStream,
}

impl Rpc {
    pub fn new(latency: Dist, trigger_latency: Dist, rng: RngStream) -> Self {
        Rpc {
            latency,
            trigger_latency,
            rng,
        }
    }

    /// How long one call takes to arrive.
    pub fn call_ns(&mut self) -> u64 {
        self.latency.sample_u64(&mut self.rng)
    }

    /// The coordinator's work between deciding to trigger and sending the trigger calls.
    pub fn trigger_pipeline_ns(&mut self) -> u64 {
        self.trigger_latency.sample_u64(&mut self.rng)
    }
}
