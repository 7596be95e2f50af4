//! A run's checkpoint statistics in the shape of Flink's REST API, so that what reads Flink
//! (dashboards, scripts, an operator's tools) reads ckptsim:
//!
//! - `checkpoints.json` is `GET /jobs/:jobid/checkpoints`: `counts`, `summary`, `latest` and
//!   the `history` of every checkpoint, newest first;
//! - `checkpoint_details.json` holds, per checkpoint id, `details`
//!   (`GET /jobs/:jobid/checkpoints/details/:checkpointid`) and, per vertex id, `subtasks`
//!   (`…/details/:checkpointid/subtasks/:vertexid`), keyed as ckptsim's Flink harness stores
//!   real responses.
//!
//! Timestamps are epoch milliseconds from `simulation.start_epoch_ms`.

pub mod build;
pub mod dto;
pub mod ids;
pub mod stats;

pub use build::RestContext;

use crate::run::RunOutput;

/// The ids and places of a run: job id from scenario name and seed, vertex ids from the
/// operators, start time and checkpoint directory from the scenario.
pub fn context(out: &RunOutput) -> RestContext {
    let log = &out.checkpoint_log;
    RestContext {
        start_epoch_ms: log.start_epoch_ms,
        job_id: ids::job_id(&out.summary.scenario, out.summary.seed),
        vertex_ids: log
            .vertices
            .iter()
            .enumerate()
            .map(|(i, v)| ids::vertex_id(i, &v.name))
            .collect(),
        checkpoint_dir: log.checkpoint_dir.clone(),
    }
}

/// `GET /jobs/:jobid/checkpoints` for the run.
pub fn checkpoints(out: &RunOutput) -> dto::CheckpointingStatistics {
    build::checkpointing_statistics(&context(out), &out.checkpoint_log)
}

/// Every checkpoint's details and per-vertex subtask details for the run.
pub fn details(out: &RunOutput) -> dto::CheckpointDetailsFile {
    build::details_file(&context(out), &out.checkpoint_log)
}
