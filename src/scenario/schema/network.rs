//! `[network]`: Flink's network stack (`taskmanager.network.*`, buffer timeout, debloating).

use super::{dur, dur_dist};
use crate::sim::Dist;
use crate::sim::dist::{Bytes, Duration, DurationDist, Rate};
use crate::time::{NS_PER_MS, NS_PER_S, NS_PER_US};
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkCfg {
    /// `taskmanager.memory.segment-size` (32 KiB): the network buffer size.
    #[serde(default = "default_segment")]
    pub segment_size: Bytes,
    /// `taskmanager.network.memory.buffers-per-channel` (2): exclusive credits per input channel.
    #[serde(default = "two")]
    pub buffers_per_channel: u32,
    /// `taskmanager.network.memory.floating-buffers-per-gate` (8).
    #[serde(default = "eight")]
    pub floating_buffers_per_gate: u32,
    /// `taskmanager.network.memory.max-buffers-per-channel` (10): cap per output subpartition.
    #[serde(default = "ten")]
    pub max_buffers_per_channel: u32,
    /// `execution.buffer-timeout` (100 ms); 0 flushes after every record.
    #[serde(default = "default_buffer_timeout")]
    pub buffer_timeout: Duration,
    /// `execution.buffer-timeout.enabled` (true): false runs no output flusher, so a buffer
    /// leaves only when it is full or ahead of an event (a barrier, the end of data).
    #[serde(default = "super::yes")]
    pub buffer_timeout_enabled: bool,
    /// Latency of a channel whose two ends share a TaskManager.
    #[serde(default = "default_local_latency")]
    pub local_latency: DurationDist,
    /// Latency of a channel between TaskManagers.
    #[serde(default = "default_remote_latency")]
    pub remote_latency: DurationDist,
    /// The consumer's hand-off: from a buffer or event reaching an input channel that had
    /// nothing pending to the consumer's task thread reading it (Flink: the channel's
    /// `notifyChannelNonEmpty` completes the input gate's availability future, whose callback
    /// puts a mail that resumes the task's suspended default action). A buffer that arrives
    /// while an earlier one on its channel is still being handed off goes with it. Default:
    /// measured on real Flink 2.3, the calibration runs c01, c02, c04 and c05 of
    /// `tests/fidelity/` (the map's start delay minus its source's, per checkpoint, on a
    /// local channel; `cargo test --release --test fidelity -- --nocapture` prints it).
    #[serde(default = "default_input_handoff_latency")]
    pub input_handoff_latency: DurationDist,
    /// Bandwidth of the connection between two TaskManagers, shared by all channels on it
    /// (Flink multiplexes them over one TCP connection).
    #[serde(default = "default_remote_bandwidth")]
    pub remote_bandwidth: Rate,
    /// Buffer debloating (FLIP-183), off by default.
    #[serde(default)]
    pub debloat: DebloatCfg,
}

/// `taskmanager.network.memory.buffer-debloat.*` and the segment-size bounds it uses.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DebloatCfg {
    /// `…buffer-debloat.enabled` (false).
    #[serde(default)]
    pub enabled: bool,
    /// `…buffer-debloat.target` (1 s): the time in-flight data should take to consume.
    #[serde(default = "default_debloat_target")]
    pub target: Duration,
    /// `…buffer-debloat.period` (200 ms): how often the buffer size is recalculated.
    #[serde(default = "default_debloat_period")]
    pub period: Duration,
    /// `…buffer-debloat.samples` (20): the moving average's window.
    #[serde(default = "default_debloat_samples")]
    pub samples: u32,
    /// `…buffer-debloat.threshold-percentages` (25): smaller changes are not announced.
    #[serde(default = "default_debloat_threshold")]
    pub threshold_percentages: u32,
    /// `taskmanager.memory.min-segment-size` (256 B).
    #[serde(default = "default_min_segment")]
    pub min_segment_size: Bytes,
    /// `taskmanager.memory.starting-segment-size` (1024 B): buffer size before the first
    /// announcement.
    #[serde(default = "default_starting_segment")]
    pub starting_segment_size: Bytes,
}

fn default_debloat_target() -> Duration {
    dur(NS_PER_S)
}
fn default_debloat_period() -> Duration {
    dur(200 * NS_PER_MS)
}
fn default_debloat_samples() -> u32 {
    20
}
fn default_debloat_threshold() -> u32 {
    25
}
fn default_min_segment() -> Bytes {
    Bytes::new(256.0)
}
fn default_starting_segment() -> Bytes {
    Bytes::new(1024.0)
}

impl Default for DebloatCfg {
    fn default() -> Self {
        DebloatCfg {
            enabled: false,
            target: default_debloat_target(),
            period: default_debloat_period(),
            samples: default_debloat_samples(),
            threshold_percentages: default_debloat_threshold(),
            min_segment_size: default_min_segment(),
            starting_segment_size: default_starting_segment(),
        }
    }
}

fn default_segment() -> Bytes {
    Bytes::new(32.0 * 1024.0)
}
fn two() -> u32 {
    2
}
fn eight() -> u32 {
    8
}
fn ten() -> u32 {
    10
}
fn default_buffer_timeout() -> Duration {
    dur(100 * NS_PER_MS)
}
fn default_local_latency() -> DurationDist {
    dur_dist(10 * NS_PER_US)
}
fn default_remote_latency() -> DurationDist {
    dur_dist(100 * NS_PER_US)
}
/// The consumer's hand-off as measured on real Flink 2.3 (`tests/fidelity/` calibration runs
/// c01, c02, c04, c05, measured 2026-12-03 after a 90 s warm-up). The first suite (2026-12-01, a
/// 10 s warm-up, in the git history of tests/fidelity/real) had a longer tail from the JIT
/// compiler: p25 1, p75 2, p90 3, max 15 ms.
pub const DEFAULT_INPUT_HANDOFF_PERCENTILES_MS: [(f64, f64); 7] = [
    (0.0, 0.0),
    (0.1, 0.0),
    (0.25, 0.0),
    (0.5, 1.0),
    (0.75, 1.0),
    (0.9, 2.0),
    (1.0, 10.0),
];
fn default_input_handoff_latency() -> DurationDist {
    DurationDist::new(Dist::Percentiles(
        DEFAULT_INPUT_HANDOFF_PERCENTILES_MS
            .iter()
            .map(|&(q, ms)| (q, ms * NS_PER_MS as f64))
            .collect(),
    ))
}
fn default_remote_bandwidth() -> Rate {
    Rate::new(1.25e9)
}

impl Default for NetworkCfg {
    fn default() -> Self {
        NetworkCfg {
            segment_size: default_segment(),
            buffers_per_channel: 2,
            floating_buffers_per_gate: 8,
            max_buffers_per_channel: 10,
            buffer_timeout: default_buffer_timeout(),
            buffer_timeout_enabled: true,
            local_latency: default_local_latency(),
            remote_latency: default_remote_latency(),
            input_handoff_latency: default_input_handoff_latency(),
            remote_bandwidth: default_remote_bandwidth(),
            debloat: DebloatCfg::default(),
        }
    }
}
