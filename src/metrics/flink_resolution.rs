//! The resolution of Flink's per-subtask checkpoint durations.
//!
//! Flink 2.3 keeps a subtask's start delay and alignment duration as `nanos / 1_000_000`
//! (`PendingCheckpoint.acknowledgeTask`, `SubtaskCheckpointCoordinatorImpl`) and its sync and
//! async durations as `(System.nanoTime() - start) / 1_000_000` (`AsyncCheckpointRunnable`): a
//! long division, so its REST API and checkpoint history show each of them floored to a whole
//! millisecond. A checkpoint's end-to-end duration is the difference of two millisecond
//! wall-clock timestamps instead, so it carries no such bias.
//!
//! Two consequences, both handled here so that every reader treats them alike:
//! - a simulated figure compared with Flink's must be floored the same way first
//!   ([`as_flink_reports_ms`]), or it reads about half a millisecond high;
//! - a floored figure used as a duration (to calibrate a latency from it) is estimated by the
//!   middle of its millisecond ([`unfloored_estimate_ms`]): the unbiased estimate when the part
//!   below the millisecond is spread evenly, as it is for durations that vary by more than one.

/// The estimate of a duration Flink reported floored: the middle of its millisecond, ms.
pub const FLOORED_MIDPOINT_MS: f64 = 0.5;

/// A per-subtask duration as Flink's REST API reports it: floored to a whole ms.
pub fn as_flink_reports_ms(ms: f64) -> f64 {
    ms.floor()
}

/// The estimate of the duration behind a per-subtask figure Flink reported floored, ms.
pub fn unfloored_estimate_ms(reported_ms: f64) -> f64 {
    reported_ms + FLOORED_MIDPOINT_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flooring_then_the_midpoint_is_unbiased_for_evenly_spread_durations() {
        // Durations spread evenly over 2-6 ms: the mean of the estimates equals the true mean,
        // where the floored figures alone read half a millisecond low.
        let xs: Vec<f64> = (0..4000).map(|i| 2.0 + i as f64 / 1000.0).collect();
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let floored: Vec<f64> = xs.iter().map(|&x| as_flink_reports_ms(x)).collect();
        let estimated: Vec<f64> = floored.iter().map(|&x| unfloored_estimate_ms(x)).collect();
        assert!((mean(&xs) - mean(&floored) - 0.5).abs() < 1e-3);
        assert!((mean(&estimated) - mean(&xs)).abs() < 1e-3);
    }

    #[test]
    fn whole_milliseconds_stay_and_fractions_go() {
        assert_eq!(as_flink_reports_ms(3.0), 3.0);
        assert_eq!(as_flink_reports_ms(3.999), 3.0);
        assert_eq!(as_flink_reports_ms(0.2), 0.0);
    }
}
