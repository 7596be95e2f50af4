//! Are the TaskManagers' cores what limits the job? A task thread that is busy most of the
//! time, and spends a good part of it runnable without a core (its host's task and snapshot
//! threads outnumber its cores), would do more with more cores, and not with more parallelism
//! on the same cores: more subtasks only add threads to share them.

use super::thresholds::{CORE_WAIT_SHARE, HEADROOM_WARNING};
use super::{JobShape, finding};
use crate::metrics::{Finding, RunSummary, Status, TaskStats};

/// The cores a job's TaskManagers have, as the scenario gives them.
#[derive(Clone, Copy, Debug)]
pub struct CoreShape {
    /// `taskmanager.cpu.cores` (default: one per slot).
    pub cores_per_taskmanager: f64,
    pub slots_per_taskmanager: u32,
    /// TaskManagers that pool their cores on one host (a MiniCluster: all of them).
    pub taskmanagers_per_host: u32,
}

/// The subtasks the cores limit: busy enough that their spare throughput is under
/// [`HEADROOM_WARNING`], and waiting for a core at least [`CORE_WAIT_SHARE`] of that time.
pub fn limited(s: &RunSummary) -> impl Iterator<Item = &TaskStats> {
    let near_capacity = 1.0 / (1.0 + HEADROOM_WARNING);
    s.job
        .tasks
        .iter()
        .filter(move |t| t.busy_time_ms_per_second / 1000.0 >= near_capacity)
        .filter(|t| t.waiting_for_cores_ms_per_second >= CORE_WAIT_SHARE * t.busy_time_ms_per_second)
}

pub fn judge(s: &RunSummary, job: &JobShape) -> Option<Finding> {
    // The one that waits longest.
    let t = limited(s).max_by(|a, b| {
        a.waiting_for_cores_ms_per_second
            .total_cmp(&b.waiting_for_cores_ms_per_second)
    })?;
    let c = job.cores;
    let busy = t.busy_time_ms_per_second / 1000.0;
    let wait_share = t.waiting_for_cores_ms_per_second / t.busy_time_ms_per_second;
    let host = if c.taskmanagers_per_host > 1 {
        format!(", {} TaskManagers to a host pooling them", c.taskmanagers_per_host)
    } else {
        String::new()
    };
    Some(finding(
        "cores",
        Status::Warning,
        format!(
            "The TaskManagers' cores limit the job: `{} #{}` is busy {:.0} % of the time, {:.0} % of it runnable \
             without a core while other threads of its host held them (taskmanager.cpu.cores: {} for {} slots{host}). \
             With a core whenever it is runnable it would do {:.2}x the work: more cores per TaskManager, or the job \
             spread over more TaskManagers, give it that; more parallelism on the same cores would only add threads \
             to share them. (Against a real Flink on a CPU-bound host, row f14 of README's \"Fidelity\", ckptsim's \
             snapshot phases came out shorter than Flink's and its throughput 0.25-1.08 of Flink's by the host's \
             boot: a rate-limited generator source's CPU per record there depends on whether the scheduler keeps \
             its two threads on one core.)",
            t.task,
            t.subtask_index,
            busy * 100.0,
            wait_share * 100.0,
            c.cores_per_taskmanager,
            c.slots_per_taskmanager,
            1.0 / (1.0 - wait_share.min(0.99)),
        ),
        &[
            ("cores_limited_busy_ratio", busy),
            ("cores_limited_wait_share", wait_share),
            ("cores_per_taskmanager", c.cores_per_taskmanager),
        ],
    ))
}
