//! Chart (e): the job over time from `timeline.csv`: source and sink throughput, the sources' lag
//! behind their input and the data in network buffers, with a vertical marker at each failure, so
//! that downtime, replay and catch-up after a failure can be read off.

use std::path::{Path, PathBuf};

use super::canvas::render_both;
use super::error::PlotError;
use super::panel::{Panel, PanelChart, Series, VMarker, XY};
use super::style::FAILED;
use crate::metrics::TimelineSample;

pub fn recovery_chart(title: &str, samples: &[TimelineSample], failure_times_s: &[f64]) -> PanelChart {
    let line = |f: &dyn Fn(&TimelineSample) -> f64| samples.iter().map(|s| XY::new(s.time_s, f(s))).collect::<Vec<_>>();
    let markers: Vec<VMarker> = failure_times_s
        .iter()
        .map(|&x| VMarker {
            x,
            label: "failure".into(),
            color: FAILED,
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

pub fn plot_recovery_timeline(
    title: &str,
    samples: &[TimelineSample],
    failure_times_s: &[f64],
    base: &Path,
) -> Result<Vec<PathBuf>, PlotError> {
    render_both(&recovery_chart(title, samples, failure_times_s), base)
}
