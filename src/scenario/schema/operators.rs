//! `[[operators]]`: the job graph's operators, their inputs, rates, keys and state.

use super::{
    ArrivalProcess, ChainingStrategy, DeliveryGuarantee, KeyDistribution, OperatorKind, Partitioning, SourceConnector,
};
use super::{dur_dist, zero_dist};
use crate::sim::dist::{Bytes, BytesDist, DurationDist};
use crate::time::NS_PER_US;
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputCfg {
    pub from: String,
    pub partitioning: Partitioning,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateCfg {
    pub process: ArrivalProcess,
    /// Per source subtask.
    pub records_per_second: f64,
    pub on: Option<DurationDist>,
    pub off: Option<DurationDist>,
    /// The rate over time: a factor on `records_per_second` (steps, ramps, a daily curve, or
    /// points from a CSV file); constant when absent.
    #[serde(default)]
    pub profile: Option<super::RateProfileCfg>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeysCfg {
    pub count: u64,
    #[serde(default = "default_key_dist")]
    pub distribution: KeyDistribution,
    /// Zipf exponent s (weight of key k is 1/k^s).
    #[serde(default = "default_zipf")]
    pub exponent: f64,
}

fn default_key_dist() -> KeyDistribution {
    KeyDistribution::Uniform
}
fn default_zipf() -> f64 {
    1.0
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateCfg {
    /// Keyed state per distinct key seen by the subtask.
    #[serde(default)]
    pub bytes_per_key: Option<Bytes>,
    /// State present from the start, per subtask (operator state, or a pre-loaded keyed state).
    #[serde(default)]
    pub initial: Option<Bytes>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorCfg {
    pub name: String,
    /// Flink's `uid("...")`: its operator id is a hash of it, and the ids set the order in
    /// which a chained task finalizes its operators' snapshots (`protocol::snapshot_order`).
    /// A sink's is its writer's. Absent: Flink hashes the graph instead, and that order is
    /// not modelled.
    #[serde(default)]
    pub uid: Option<String>,
    pub kind: OperatorKind,
    pub parallelism: u32,
    #[serde(default)]
    pub inputs: Vec<InputCfg>,
    /// Sources: what the source reads: a log (default) or a rate-limited generator.
    #[serde(default)]
    pub connector: Option<SourceConnector>,
    /// Sources: arrival process of the external input (a generator: its rate limit).
    pub rate: Option<RateCfg>,
    /// Sources: size of each record.
    pub record_size: Option<BytesDist>,
    /// Sources: the key space of the records.
    pub keys: Option<KeysCfg>,
    /// Sources: stop after this many records per subtask (bounded input).
    pub max_records: Option<u64>,
    /// CPU time to process one record (for a source: to read and emit it). Default 1 us.
    #[serde(default = "default_service")]
    pub service_time: DurationDist,
    /// Time a record holds the task thread without a core (I/O, a remote call, a sleep), on
    /// top of `service_time`. Default 0.
    #[serde(default = "zero_dist")]
    pub wait_time: DurationDist,
    /// Size of the records this operator emits; default: the size of the input record.
    pub output_record_size: Option<BytesDist>,
    /// Records out per record in: below 1 a filter or window aggregation, above 1 a flatMap.
    #[serde(default = "one_f64")]
    pub selectivity: f64,
    #[serde(default)]
    pub state: StateCfg,
    /// Fixed part of the synchronous snapshot phase (operator `snapshotState`, timers), on top
    /// of the state backend's. Default 0: the backend's model alone.
    #[serde(default = "zero_dist")]
    pub sync_time: DurationDist,
    /// `disableChaining()` / `startNewChain()`; absent: chained where Flink would chain it.
    #[serde(default)]
    pub chaining: Option<ChainingStrategy>,
    /// Sinks: what the sink promises after a failure (Flink's `DeliveryGuarantee`); absent:
    /// exactly-once, a two-phase-commit sink.
    #[serde(default)]
    pub delivery_guarantee: Option<DeliveryGuarantee>,
}

fn one_f64() -> f64 {
    1.0
}

fn default_service() -> DurationDist {
    dur_dist(NS_PER_US)
}
