//! The charts a sweep asks for (`[sweep.plot]`), as `sweep.json` carries them so that
//! `ckptsim plot` redraws a finished sweep without its scenario file. The sweep's `[sweep]`
//! parser fills it in; the charts read it.

use serde::{Deserialize, Serialize};

/// Which charts `ckptsim plot` draws for the sweep.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlotSpec {
    /// The parameter on the x axis; the other parameters' combinations are the series.
    pub x: Option<String>,
    /// Parameters whose values tell the series apart; empty means every parameter but `x`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub series: Vec<String>,
    /// Metrics (columns of runs.csv) to draw against `x`; empty means a default set.
    pub metrics: Vec<String>,
    pub mtbf_s: Option<f64>,
    pub checkpoint_cost_s: Option<f64>,
    pub overhead: Option<String>,
    pub lost_work: Option<String>,
}
