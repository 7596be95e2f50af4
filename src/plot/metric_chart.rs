//! Chart (b): one metric against a swept parameter, one line per series (a combination of the
//! other swept parameters), each with its 95 % confidence band over replications.

use std::path::{Path, PathBuf};

use super::canvas::render_both;
use super::error::PlotError;
use super::panel::{Panel, PanelChart, Series};

#[derive(Clone, Debug, PartialEq)]
pub struct MetricChart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    /// Names of x = 0, 1, ... when the swept values are not quantities (`hdfs`, `s3`).
    pub x_categories: Option<Vec<String>>,
}

pub fn metric_chart(c: &MetricChart) -> PanelChart {
    PanelChart {
        title: c.title.clone(),
        panels: vec![Panel {
            title: None,
            x_label: c.x_label.clone(),
            y_label: c.y_label.clone(),
            series: c.series.clone(),
            markers: vec![],
            x_categories: c.x_categories.clone(),
            y_from_zero: false,
        }],
    }
}

pub fn plot_metric(c: &MetricChart, base: &Path) -> Result<Vec<PathBuf>, PlotError> {
    render_both(&metric_chart(c), base)
}
