//! What a panel shows, without drawing it: its series (lines with confidence bands, model
//! curves), vertical markers, axis labels and limits. The panel and its legend both read it.

use plotters::style::RGBColor;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct XY {
    pub x: f64,
    pub y: f64,
    /// Half-width of the 95 % confidence interval around `y`.
    pub ci: Option<f64>,
}

impl XY {
    pub fn new(x: f64, y: f64) -> Self {
        XY { x, y, ci: None }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stroke {
    Solid,
    /// Model curves and references, as opposed to measurements.
    Dashed,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub label: String,
    pub points: Vec<XY>,
    pub stroke: Stroke,
    /// Dots at the data points (measurements) or not (dense time series, curves).
    pub dots: bool,
    /// A fixed colour; `None` takes the palette colour of the series' position.
    pub color: Option<RGBColor>,
    /// What the quantity can physically be (durations and sizes >= 0, fractions <= 1): the
    /// confidence band is cut there, since a band below zero claims an impossible value.
    pub y_limits: (f64, f64),
}

/// No physical limit.
pub const UNBOUNDED: (f64, f64) = (f64::NEG_INFINITY, f64::INFINITY);

/// A band edge inside what the quantity can be.
pub(super) fn band_edge(y: f64, (lo, hi): (f64, f64)) -> f64 {
    y.max(lo).min(hi)
}

impl Series {
    pub fn measured(label: impl Into<String>, points: Vec<XY>) -> Self {
        Series {
            label: label.into(),
            points,
            stroke: Stroke::Solid,
            dots: true,
            color: None,

            y_limits: UNBOUNDED,
        }
    }
    pub fn line(label: impl Into<String>, points: Vec<XY>) -> Self {
        Series {
            label: label.into(),
            points,
            stroke: Stroke::Solid,
            dots: false,
            color: None,

            y_limits: UNBOUNDED,
        }
    }
    pub fn model(label: impl Into<String>, points: Vec<XY>, color: RGBColor) -> Self {
        Series {
            label: label.into(),
            points,
            stroke: Stroke::Dashed,
            dots: false,
            color: Some(color),

            y_limits: UNBOUNDED,
        }
    }
    /// The same series with its confidence band cut to `limits`.
    pub fn limited(self, limits: (f64, f64)) -> Self {
        Series {
            y_limits: limits,
            ..self
        }
    }
}

/// A vertical line across the panel (a failure, an optimum).
#[derive(Clone, Debug, PartialEq)]
pub struct VMarker {
    pub x: f64,
    pub label: String,
    pub color: RGBColor,
    /// Dashed for references (a model's optimum, a failure), solid for what was measured.
    pub stroke: Stroke,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Panel {
    pub title: Option<String>,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    pub markers: Vec<VMarker>,
    /// Names for x = 0, 1, 2, ... when the x values are categories, not quantities.
    pub x_categories: Option<Vec<String>>,
    /// Start the y axis at zero (durations, sizes, rates).
    pub y_from_zero: bool,
}
