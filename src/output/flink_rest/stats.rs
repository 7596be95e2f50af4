//! Flink's `StatsSummary` and `StatsSummaryDto`: minimum, maximum and average as integers
//! (the average is the integer division `sum / count`), percentiles as doubles.
//!
//! The job-level summary keeps a histogram over the last 10,000 values and reads percentiles
//! with Apache Commons Math's `Percentile` in its default (legacy) estimation; the per-vertex
//! summaries of the subtask details keep no histogram, so Flink reports their percentiles as
//! the string `"NaN"`, as it does for a histogram without values.

use serde::{Serialize, Serializer};

/// `CompletedCheckpointStatsSummary`'s histogram window.
pub const HISTOGRAM_WINDOW: usize = 10_000;

/// A percentile as Flink's REST API writes it: a double, or `"NaN"` when it has none.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Percentile {
    Value(f64),
    NaN,
}

impl Serialize for Percentile {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Percentile::Value(v) if v.is_finite() => s.serialize_f64(*v),
            _ => s.serialize_str("NaN"),
        }
    }
}

/// `StatsSummaryDto`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct StatsSummaryDto {
    pub min: i64,
    pub max: i64,
    pub avg: i64,
    pub p50: Percentile,
    pub p90: Percentile,
    pub p95: Percentile,
    pub p99: Percentile,
    pub p999: Percentile,
}

impl StatsSummaryDto {
    /// The all-zero summary Flink sends for `alignment_buffered`, a statistic it no longer
    /// measures (percentiles 0.0, not NaN).
    pub fn zeros() -> Self {
        let z = Percentile::Value(0.0);
        StatsSummaryDto {
            min: 0,
            max: 0,
            avg: 0,
            p50: z,
            p90: z,
            p95: z,
            p99: z,
            p999: z,
        }
    }

    /// A summary with a histogram over the last `HISTOGRAM_WINDOW` values (the job level).
    pub fn with_histogram(values: &[i64]) -> Self {
        let mut s = Self::without_histogram(values);
        let kept: Vec<i64> = values.iter().copied().filter(|v| *v >= 0).collect();
        let window = &kept[kept.len().saturating_sub(HISTOGRAM_WINDOW)..];
        let mut sorted: Vec<f64> = window.iter().map(|v| *v as f64).collect();
        sorted.sort_by(|a, b| a.total_cmp(b));
        let q = |p: f64| match legacy_percentile(&sorted, p) {
            Some(v) => Percentile::Value(v),
            None => Percentile::NaN,
        };
        s.p50 = q(0.5);
        s.p90 = q(0.9);
        s.p95 = q(0.95);
        s.p99 = q(0.99);
        s.p999 = q(0.999);
        s
    }

    /// A summary without histogram (the per-vertex subtask summaries): percentiles are NaN.
    /// Negative values are ignored, as `StatsSummary.add` ignores them.
    pub fn without_histogram(values: &[i64]) -> Self {
        let kept: Vec<i64> = values.iter().copied().filter(|v| *v >= 0).collect();
        let (min, max, avg) = if kept.is_empty() {
            (0, 0, 0)
        } else {
            let sum: i128 = kept.iter().map(|v| *v as i128).sum();
            (
                *kept.iter().min().expect("non-empty"),
                *kept.iter().max().expect("non-empty"),
                (sum / kept.len() as i128) as i64,
            )
        };
        StatsSummaryDto {
            min,
            max,
            avg,
            p50: Percentile::NaN,
            p90: Percentile::NaN,
            p95: Percentile::NaN,
            p99: Percentile::NaN,
            p999: Percentile::NaN,
        }
    }
}

/// Commons Math's legacy estimate of quantile `p` (in (0, 1]) of sorted values: position
/// `p (n + 1)`, clamped to the first and last value, linear between neighbours. `None` when
/// there are no values.
pub fn legacy_percentile(sorted: &[f64], p: f64) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        1 => Some(sorted[0]),
        _ => {
            let pos = p * (n as f64 + 1.0);
            if pos < 1.0 {
                return Some(sorted[0]);
            }
            if pos >= n as f64 {
                return Some(sorted[n - 1]);
            }
            let lower_pos = pos.floor();
            let i = lower_pos as usize;
            let (lower, upper) = (sorted[i - 1], sorted[i]);
            Some(lower + (pos - lower_pos) * (upper - lower))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The end-to-end durations of a real Flink 2.3 run (c01_heap_bytes.r1) and the summary
    /// Flink's REST API reported for them.
    #[test]
    fn percentiles_match_a_summary_flink_reported() {
        let durations = [
            138, 127, 130, 137, 136, 122, 142, 132, 143, 138, 164, 139, 157, 139, 142, 128, 125, 141, 102, 123, 121,
            111, 109, 127, 97, 107, 105, 121, 110, 112, 87, 110, 91, 89, 89, 104, 76, 71, 103, 108, 72, 104, 98, 91,
            68, 81, 68, 63, 531,
        ];
        let s = StatsSummaryDto::with_histogram(&durations);
        assert_eq!((s.min, s.max), (63, 531));
        assert_eq!(s.avg, 121);
        assert_eq!(s.p50, Percentile::Value(111.0));
        assert_eq!(s.p90, Percentile::Value(142.0));
        assert_eq!(s.p95, Percentile::Value(160.5));
        assert_eq!(s.p99, Percentile::Value(531.0));
        assert_eq!(s.p999, Percentile::Value(531.0));
    }

    #[test]
    fn no_values_give_zeros_and_nan() {
        let s = StatsSummaryDto::with_histogram(&[]);
        assert_eq!((s.min, s.max, s.avg), (0, 0, 0));
        assert_eq!(serde_json::to_string(&s.p50).unwrap(), "\"NaN\"");
        assert_eq!(serde_json::to_string(&Percentile::Value(2.5)).unwrap(), "2.5");
    }
}
