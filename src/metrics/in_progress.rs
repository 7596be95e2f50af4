//! `checkpoint_time_fraction`: the share of the run with at least one checkpoint in progress.
//!
//! Computed from each checkpoint's span, trigger to completion or failure (to the end of the run
//! for one still in progress), merged so that concurrent checkpoints count once: the figure is a
//! fraction of time and never exceeds 1, however long checkpoints outlast the interval.

/// Length of the union of the half-open spans `[start, end)` clipped to `[0, run_end)`, over
/// `run_end`. `None` for a run of zero length.
pub fn time_fraction_in_progress(spans: impl IntoIterator<Item = (u64, u64)>, run_end_ns: u64) -> Option<f64> {
    if run_end_ns == 0 {
        return None;
    }
    let mut spans: Vec<(u64, u64)> = spans
        .into_iter()
        .map(|(a, b)| (a.min(run_end_ns), b.min(run_end_ns)))
        .filter(|(a, b)| a < b)
        .collect();
    spans.sort_unstable();
    let mut covered = 0u64;
    let mut current: Option<(u64, u64)> = None;
    for (a, b) in spans {
        match current {
            Some((ca, cb)) if a <= cb => current = Some((ca, cb.max(b))),
            Some((ca, cb)) => {
                covered += cb - ca;
                current = Some((a, b));
            }
            None => current = Some((a, b)),
        }
    }
    if let Some((ca, cb)) = current {
        covered += cb - ca;
    }
    Some(covered as f64 / run_end_ns as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_checkpoints_count_once_and_the_fraction_stays_at_most_one() {
        // Three checkpoints of 5 s triggered every 2 s over a 10 s run: [0,5) [2,7) [4,9).
        let f = time_fraction_in_progress([(0, 5), (2, 7), (4, 9)], 10).unwrap();
        assert_eq!(f, 0.9);
        // One still in progress at the end is clipped to the run.
        assert_eq!(time_fraction_in_progress([(8, 30)], 10), Some(0.2));
        assert_eq!(time_fraction_in_progress([(0, 1), (5, 6)], 10), Some(0.2));
        assert_eq!(time_fraction_in_progress([], 10), Some(0.0));
        assert_eq!(time_fraction_in_progress([], 0), None);
    }
}
