//! `[cluster]`: TaskManagers, slots, cores, NIC and the JobManager RPC latencies.

use super::one;
use crate::sim::Dist;
use crate::sim::dist::{DurationDist, Rate};
use crate::time::NS_PER_MS;
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterCfg {
    pub taskmanagers: u32,
    /// `taskmanager.numberOfTaskSlots` (1).
    #[serde(default = "one")]
    pub slots_per_taskmanager: u32,
    /// One-way latency of an RPC between the JobManager and a TaskManager: the default of the
    /// three kinds below.
    #[serde(default = "default_rpc_latency")]
    pub rpc_latency: DurationDist,
    /// `triggerCheckpoint` (JobManager -> source task); absent: `rpc_latency`.
    #[serde(default)]
    pub trigger_rpc_latency: Option<DurationDist>,
    /// `acknowledgeCheckpoint` / `declineCheckpoint` (task -> JobManager); absent: `rpc_latency`.
    #[serde(default)]
    pub acknowledge_rpc_latency: Option<DurationDist>,
    /// `notifyCheckpointComplete` / `Aborted` (JobManager -> task); absent: `rpc_latency`.
    #[serde(default)]
    pub notify_rpc_latency: Option<DurationDist>,
    /// Cores of each TaskManager, shared by its task threads and asynchronous snapshot
    /// threads; absent: one per slot.
    #[serde(default)]
    pub cores_per_taskmanager: Option<f64>,
    /// TaskManagers per host (1): those of one host pool their cores (a MiniCluster runs every
    /// TaskManager on its host's cores).
    #[serde(default = "one")]
    pub taskmanagers_per_host: u32,
    /// Bandwidth of each TaskManager's network interface, which its checkpoint uploads,
    /// channel-state uploads and restore downloads share (on top of the storage's aggregate and
    /// per-request bandwidth); TaskManagers of one host pool theirs, as they pool their cores.
    /// Absent: unlimited (only the storage limits a transfer). Flink has no key for it: it is
    /// the machine's, not Flink's.
    #[serde(default)]
    pub nic_bandwidth: Option<Rate>,
}

impl ClusterCfg {
    /// Cores of each TaskManager: `cores_per_taskmanager`, or one per slot when absent (Flink's
    /// `taskmanager.cpu.cores` default).
    pub fn cores_per_taskmanager_or_slots(&self) -> f64 {
        self.cores_per_taskmanager.unwrap_or(self.slots_per_taskmanager as f64)
    }
}

/// Median 1 ms (a JobManager-TaskManager round of Pekko RPC on one network); the spread is
/// that of the trigger RPC as Flink 2.3 shows it in a source's start delay on the calibration
/// run `c04_empty` (measured 2026-12-03 after a 90 s warm-up: p50 2 ms, p90 6 ms over 50
/// checkpoints as Flink reports them, floored to whole ms, so 2.5 and 6.5 ms as durations and
/// sigma = ln(6.5 / 2.5) / 1.2816 = 0.75; read without the half millisecond they gave 0.86; the
/// first suite, after a 10 s warm-up, gave p50 3 and p90 7.6 ms, 0.73). A constant latency would trigger every source at the same
/// instant, so no alignment ever happened without backpressure.
pub const DEFAULT_RPC_LATENCY_SIGMA: f64 = 0.75;

fn default_rpc_latency() -> DurationDist {
    DurationDist::new(Dist::LogNormal {
        median: NS_PER_MS as f64,
        sigma: DEFAULT_RPC_LATENCY_SIGMA,
    })
}
