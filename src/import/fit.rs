//! The statistics the importer fits: means, medians and percentiles (linear interpolation between
//! closest ranks, as the harness's `summarize.py` and numpy compute Flink's side) and a
//! least-squares line.

/// The `q`-quantile of the finite values, linearly interpolated; `None` when there are none.
pub fn percentile(values: &[f64], q: f64) -> Option<f64> {
    let mut xs: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if xs.is_empty() {
        return None;
    }
    xs.sort_by(f64::total_cmp);
    let pos = (xs.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(xs.len() - 1);
    Some(xs[lo] + (xs[hi] - xs[lo]) * (pos - lo as f64))
}

pub fn median(values: &[f64]) -> Option<f64> {
    percentile(values, 0.5)
}

/// For a checkpoint's sizes, which saw-tooth on RocksDB, where a median is one of the levels:
/// the calibration report's mean, so that the job's figure and the run's are one statistic.
pub use crate::metrics::calibration::mean;

/// The quantiles an empirical distribution is written through.
pub const QUANTILES: [f64; 7] = [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0];

/// `(quantile, value)` points of the values at [`QUANTILES`]; `None` when there are none.
pub fn empirical(values: &[f64]) -> Option<Vec<(f64, f64)>> {
    QUANTILES
        .iter()
        .map(|&q| percentile(values, q).map(|v| (q, v)))
        .collect()
}

/// `y = intercept + slope * x` fitted by least squares.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Line {
    pub intercept: f64,
    pub slope: f64,
    pub points: usize,
    /// The slope's standard error (residual spread over the x spread); 0 with two points.
    pub slope_std_error: f64,
}

impl Line {
    /// Whether the data tell the slope from zero: it is at least twice its standard error
    /// (a two-sided t test at about 95 % for the 30 or so points an import fits on). Below
    /// that the x values spread too little against the noise in y, and the line's split
    /// between intercept and slope is noise: an import whose channel-state files all held
    /// 0.56-0.66 MB gave an intercept of -151 ms.
    pub fn slope_is_determined(&self) -> bool {
        self.slope > 2.0 * self.slope_std_error
    }
}

/// The least-squares line through `(x, y)` points; `None` with fewer than two points or when
/// the x values do not spread (every x within 1 % of their mean: no slope can be told).
pub fn least_squares(points: &[(f64, f64)]) -> Option<Line> {
    let pts: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    let n = pts.len() as f64;
    if pts.len() < 2 {
        return None;
    }
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let spread = (sxx / n).sqrt();
    if spread.is_nan() || spread <= 0.01 * mx.abs() || sxx <= 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let slope_std_error = if pts.len() > 2 {
        let rss: f64 = pts.iter().map(|(x, y)| (y - intercept - slope * x).powi(2)).sum();
        (rss / (n - 2.0) / sxx).sqrt()
    } else {
        0.0
    };
    Some(Line {
        intercept,
        slope,
        points: pts.len(),
        slope_std_error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_interpolates_between_ranks_as_numpy() {
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 0.5), Some(2.5));
        assert_eq!(percentile(&[3.0, 1.0, 2.0], 0.5), Some(2.0));
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.9), Some(4.6));
        assert_eq!(median(&[f64::NAN, 7.0]), Some(7.0));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn least_squares_recovers_a_line_with_noise_that_cancels() {
        // async = 2 ms + bytes / 100 MB/s, with +-0.5 ms noise that cancels at each size.
        let pts: Vec<(f64, f64)> = (0..10)
            .map(|i| {
                let x = 1e5 * (i / 2) as f64;
                let noise = if i % 2 == 0 { 0.5 } else { -0.5 };
                (x, 2.0 + x / 1e5 + noise)
            })
            .collect();
        let l = least_squares(&pts).expect("spread");
        assert!((l.slope - 1e-5).abs() < 1e-12, "{l:?}");
        assert!((l.intercept - 2.0).abs() < 1e-9, "{l:?}");
        assert_eq!(l.points, 10);
    }

    #[test]
    fn a_slope_lost_in_the_noise_is_not_determined() {
        // async = 2 ms + bytes / 100 MB/s with +-0.5 ms of noise, sizes from `x0` in steps.
        let line = |x0: f64, step: f64| -> Vec<(f64, f64)> {
            (0..10)
                .map(|i| {
                    let x = x0 + step * (i / 2) as f64;
                    let noise = if i % 3 == 0 { 0.5 } else { -0.5 };
                    (x, 2.0 + x / 1e5 + noise)
                })
                .collect()
        };
        // Sizes spread 100x narrower than the test above: the noise swamps the 0.04 ms the
        // sizes explain.
        let l = least_squares(&line(1e5, 1e3)).expect("spread over 1 %");
        assert!(!l.slope_is_determined(), "{l:?}");
        // Negative control: the same line and noise over the wide spread of the test above.
        assert!(least_squares(&line(0.0, 1e5)).unwrap().slope_is_determined());
    }

    #[test]
    fn least_squares_refuses_x_without_spread() {
        assert_eq!(least_squares(&[(100.0, 1.0), (100.5, 9.0), (99.8, 4.0)]), None);
        assert_eq!(least_squares(&[(1.0, 1.0)]), None);
    }

    #[test]
    fn empirical_points_run_from_min_to_max() {
        let pts = empirical(&[5.0, 1.0, 3.0]).unwrap();
        assert_eq!(pts.first(), Some(&(0.0, 1.0)));
        assert_eq!(pts.last(), Some(&(1.0, 5.0)));
        assert_eq!(pts[3], (0.5, 3.0));
    }
}
