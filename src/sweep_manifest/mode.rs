//! How a sweep combines its parameters' values into points, as `sweep.json` records it.

use serde::{Deserialize, Serialize};

/// Which parameter values make a point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The cartesian product of all parameters' values.
    Grid,
    /// The i-th values of all parameters together; all lists have the same length.
    Zip,
}
