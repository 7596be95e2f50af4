//! Chart (e): the job over time from `timeline.csv`: source and sink throughput, the sources' lag
//! behind their input and the data in network buffers, with a vertical marker at each failure, so
//! that downtime, replay and catch-up after a failure can be read off.

use std::path::{Path, PathBuf};

use super::canvas::render_both;
use super::error::PlotError;
use super::panel::{Panel, PanelChart, Series, Stroke, VMarker, XY};
use super::style::FAILED;
use crate::metrics::TimelineSample;

pub fn recovery_chart(title: &str, samples: &[TimelineSample], failure_times_s: &[f64]) -> PanelChart {
    let line = |f: &dyn Fn(&TimelineSample) -> f64| {
        envelope(
            &samples.iter().map(|s| XY::new(s.time_s, f(s))).collect::<Vec<_>>(),
            MAX_POINTS,
        )
    };
    let markers: Vec<VMarker> = failure_times_s
        .iter()
        .map(|&x| VMarker {
            x,
            label: "failure".into(),
            color: FAILED,
            stroke: Stroke::Dashed,
        })
        .collect();
    let panel = |y_label: &str, series: Vec<Series>| Panel {
        title: None,
        x_label: "time (s)".into(),
        y_label: y_label.into(),
        series,
        markers: markers.clone(),
        x_categories: None,
        y_from_zero: true,
    };
    PanelChart {
        title: title.to_string(),
        panels: vec![
            panel(
                "records/s",
                vec![
                    Series::line("source records/s", line(&|s| s.source_records_per_second)),
                    Series::line("sink records/s", line(&|s| s.sink_records_per_second)),
                ],
            ),
            panel("input lag (ms)", vec![Series::line("", line(&|s| s.input_lag_ms))]),
            panel(
                "in flight (MB)",
                vec![Series::line("", line(&|s| s.in_flight_bytes as f64 / 1e6))],
            ),
        ],
    }
}

/// Points drawn per line at most: a simulated day has 86 400 samples, more than a chart has
/// pixels, and as many SVG path points would make a file of megabytes.
pub const MAX_POINTS: usize = 2000;

/// At most `max` points: the samples cut into equal runs, each drawn by its smallest and largest
/// value in time order, so that spikes (a failure's drop, a catch-up peak) survive. Unchanged
/// when short enough.
pub fn envelope(points: &[XY], max: usize) -> Vec<XY> {
    if points.len() <= max || max < 2 {
        return points.to_vec();
    }
    let buckets = max / 2;
    let mut out = Vec::with_capacity(buckets * 2);
    for b in 0..buckets {
        let run = &points[b * points.len() / buckets..(b + 1) * points.len() / buckets];
        let (Some(lo), Some(hi)) = (
            run.iter().min_by(|a, b| a.y.total_cmp(&b.y)),
            run.iter().max_by(|a, b| a.y.total_cmp(&b.y)),
        ) else {
            continue;
        };
        if lo.x <= hi.x {
            out.extend([*lo, *hi]);
        } else {
            out.extend([*hi, *lo]);
        }
    }
    out
}

pub fn plot_recovery_timeline(
    title: &str,
    samples: &[TimelineSample],
    failure_times_s: &[f64],
    base: &Path,
) -> Result<Vec<PathBuf>, PlotError> {
    render_both(&recovery_chart(title, samples, failure_times_s), base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_envelope_bounds_the_points_and_keeps_the_extremes() {
        let pts: Vec<XY> = (0..10_000)
            .map(|i| {
                XY::new(
                    i as f64,
                    if i == 7_777 {
                        -5.0
                    } else if i == 1_234 {
                        9.0
                    } else {
                        (i % 7) as f64
                    },
                )
            })
            .collect();
        let e = envelope(&pts, 100);
        assert_eq!(e.len(), 100);
        assert!(e.windows(2).all(|w| w[0].x <= w[1].x), "in time order");
        assert!(e.iter().any(|p| p.y == -5.0) && e.iter().any(|p| p.y == 9.0));
        assert_eq!(envelope(&pts[..50], 100).len(), 50);
    }
}
