//! Chart (d): two configurations against a rising parameter, one panel per metric; made for
//! aligned vs unaligned checkpoints under rising backpressure (checkpoint duration and persisted
//! in-flight data against the load), but any two series and any metrics fit.

use std::path::{Path, PathBuf};

use super::canvas::render_both;
use super::error::PlotError;
use super::panel::{Panel, PanelChart, Series, XY};

#[derive(Clone, Debug, PartialEq)]
pub struct ComparisonPanel {
    pub y_label: String,
    /// One list of points per configuration, in the order of `Comparison::labels`.
    pub series: [Vec<XY>; 2],
    /// What the metric can physically be; the confidence bands are cut there.
    pub y_limits: (f64, f64),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub title: String,
    pub x_label: String,
    pub labels: [String; 2],
    pub panels: Vec<ComparisonPanel>,
}

pub fn comparison_chart(c: &Comparison) -> PanelChart {
    PanelChart {
        title: c.title.clone(),
        panels: c
            .panels
            .iter()
            .map(|p| Panel {
                title: None,
                x_label: c.x_label.clone(),
                y_label: p.y_label.clone(),
                series: c
                    .labels
                    .iter()
                    .zip(&p.series)
                    .map(|(l, pts)| Series::measured(l.clone(), pts.clone()).limited(p.y_limits))
                    .collect(),
                markers: vec![],
                x_categories: None,
                y_from_zero: true,
            })
            .collect(),
    }
}

pub fn plot_comparison(c: &Comparison, base: &Path) -> Result<Vec<PathBuf>, PlotError> {
    render_both(&comparison_chart(c), base)
}
