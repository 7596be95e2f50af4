//! The files `ckptsim run` writes into its output directory.
//!
//! ```text
//! DIR/checkpoints.csv          one row per checkpoint, as Flink's checkpoint history
//! DIR/subtasks.csv             one row per subtask acknowledgement
//! DIR/timeline.csv             the job's rates, input lag and in-flight bytes over time
//! DIR/failures.csv             one row per failure and its recovery
//! DIR/summary.json             counts, statistics, the verdict
//! DIR/checkpoints.json         Flink's REST response: GET /jobs/:jobid/checkpoints
//! DIR/checkpoint_details.json  Flink's REST responses of every checkpoint's details
//! DIR/report.html              the page (see `super::REPORT_HTML`)
//! DIR/plots/                   charts (see `super::PLOTS_DIR`)
//! ```

use super::REPORT_HTML;

pub const CHECKPOINTS_CSV: &str = "checkpoints.csv";
pub const SUBTASKS_CSV: &str = "subtasks.csv";
pub const SUMMARY_JSON: &str = "summary.json";
pub const TIMELINE_CSV: &str = "timeline.csv";
pub const FAILURES_CSV: &str = "failures.csv";
/// Beside the CSVs, in the shape of Flink's REST API.
pub const CHECKPOINTS_JSON: &str = "checkpoints.json";
pub const CHECKPOINT_DETAILS_JSON: &str = "checkpoint_details.json";

/// The files of a run directory (its charts are under `plots/`).
pub const RUN_FILES: [&str; 8] = [
    CHECKPOINTS_CSV,
    SUBTASKS_CSV,
    SUMMARY_JSON,
    TIMELINE_CSV,
    FAILURES_CSV,
    CHECKPOINTS_JSON,
    CHECKPOINT_DETAILS_JSON,
    REPORT_HTML,
];
