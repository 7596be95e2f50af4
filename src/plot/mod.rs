//! Charts with plotters, as PNG and SVG: the checkpoint timeline of a run, metrics against swept
//! parameters with confidence bands, overhead against the interval with the Young/Daly optimum,
//! a two-configuration comparison, and the job timeline around failures.
//!
//! Text is laid out with DejaVu Sans embedded in the binary (no system fonts), so a chart is the
//! same bytes on every machine.

pub mod canvas;
pub mod catalog;
pub mod checkpoint_timeline;
pub mod comparison;
pub mod dirs;
pub mod error;
pub mod fonts;
pub mod grouping;
pub mod legend;
pub mod metric_chart;
pub mod panel;
pub mod panel_spec;
pub mod read;
pub mod recovery_timeline;
pub mod style;
pub mod sweep_dir;
pub mod young_daly;

pub use checkpoint_timeline::plot_checkpoint_timeline;
pub use comparison::{Comparison, ComparisonPanel, plot_comparison};
pub use dirs::{plot_dir, plot_dir_with, plot_run_dir, plot_run_dir_as};
pub use error::PlotError;
pub use fonts::register_fonts;
pub use metric_chart::{MetricChart, plot_metric};
pub use panel::{Series, Stroke, VMarker, XY};
pub use recovery_timeline::plot_recovery_timeline;
pub use sweep_dir::{PlotOptions, plot_sweep_dir, plot_sweep_dir_with};
pub use young_daly::{
    OverheadInput, OverheadSeries, fit_checkpoint_cost_s, plot_overhead_vs_interval, simulated_minimum,
    young_daly_optimum_s,
};
