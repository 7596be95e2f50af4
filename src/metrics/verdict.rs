//! The verdict of a run as `summary.json` carries it: one finding per question a planner asks
//! (does the job keep up, are checkpoints healthy, where does backpressure sit, how late is the
//! output, what does a failure cost), each a plain sentence with the figures behind it. This is
//! only its shape: the judging itself (thresholds, rules) is the verdict module's, which reads
//! the metrics and fills this shape in, so the metrics never name the module that judges them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How a finding reads at a glance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warning,
    Problem,
    /// Nothing to judge (no checkpoints, no sink with transactions): said, not graded.
    Info,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Warning => "WARNING",
            Status::Problem => "PROBLEM",
            Status::Info => "INFO",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// `throughput`, `checkpoints`, `rocksdb_sync`, `backpressure`, `cores`, `latency`, `failures`,
    /// `fast_path`.
    pub topic: String,
    pub status: Status,
    /// One or two plain sentences with the numbers in them.
    pub text: String,
    /// The numbers behind the sentence, by name with their unit last (`lag_end_ms`).
    pub figures: BTreeMap<String, f64>,
}
