//! A vertex's rates per subtask (records, bytes, busy and backpressured time), from its
//! per-second meters, or from its counters when it ran for less than the meters average over.

use super::super::ImportError;
use super::super::rest_model::{self as rest, VertexMetrics};

/// Flink's per-second meters (`numRecordsOutPerSecond`, ...) average over the last 60 s and
/// are updated every 5 s: a subtask running for less than this shows a rate diluted by the
/// time before it started, so its counters over its running time are used instead.
const METER_WINDOW_MS: f64 = 65_000.0;

/// A vertex's rates per subtask, and where they came from.
pub(super) struct Rates {
    pub in_per_s: f64,
    pub out_per_s: f64,
    pub bytes_out_per_s: f64,
    pub busy_ms_per_s: f64,
    pub backpressured_ms_per_s: f64,
    /// `(records in, records out, bytes out, busy, backpressured)`: the REST source of each.
    pub source: [String; 5],
}

pub(super) fn rates(
    j: &str,
    vid: &str,
    det: &rest::VertexDetails,
    metrics: Option<VertexMetrics>,
) -> Result<Rates, ImportError> {
    match metrics.filter(|_| det.running_ms_min >= METER_WINDOW_MS) {
        Some(m) => from_meters(j, vid, &m),
        None => Ok(from_counters(j, vid, det)),
    }
}

fn from_meters(j: &str, vid: &str, m: &VertexMetrics) -> Result<Rates, ImportError> {
    let src = |name: &str| {
        format!(
            "/jobs/{j}/vertices/{vid}/subtasks/metrics {name} avg, median of {} samples",
            m.files.len()
        )
    };
    Ok(Rates {
        in_per_s: m.median_avg("numRecordsInPerSecond")?,
        out_per_s: m.median_avg("numRecordsOutPerSecond")?,
        bytes_out_per_s: m.median_avg("numBytesOutPerSecond")?,
        busy_ms_per_s: m.median_avg("busyTimeMsPerSecond")?,
        backpressured_ms_per_s: m.median_avg("backPressuredTimeMsPerSecond").unwrap_or(0.0),
        source: [
            src("numRecordsInPerSecond"),
            src("numRecordsOutPerSecond"),
            src("numBytesOutPerSecond"),
            src("busyTimeMsPerSecond"),
            src("backPressuredTimeMsPerSecond"),
        ],
    })
}

fn from_counters(j: &str, vid: &str, det: &rest::VertexDetails) -> Rates {
    let s = det.running_ms / 1000.0;
    let why = format!(
        "its subtasks ran {:.0} s, less than the 60 s the per-second meters average over",
        det.running_ms_min / 1000.0
    );
    let src = |field: &str| {
        format!(
            "/jobs/{j}/vertices/{vid} subtasks[].metrics.{field} / status-duration.RUNNING, summed over subtasks ({why})"
        )
    };
    Rates {
        in_per_s: det.read_records / s,
        out_per_s: det.write_records / s,
        bytes_out_per_s: det.write_bytes / s,
        busy_ms_per_s: det.busy_ms / s,
        backpressured_ms_per_s: det.backpressured_ms / s,
        source: [
            src("read-records"),
            src("write-records"),
            src("write-bytes"),
            src("accumulated-busy-time"),
            src("accumulated-backpressured-time"),
        ],
    }
}
