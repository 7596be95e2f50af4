//! The verdict of a run: the questions a planner asks of it, answered in plain sentences with
//! the numbers behind them, before any table. Each topic has its own file and rules; the
//! thresholds are in [`thresholds`], each with its origin.
//!
//! A verdict is a function of the run's output and the job's shape ([`JobShape`], what the
//! scenario says about the job that the output does not repeat: timeout, warm-up, topology).

mod backpressure;
mod checkpoints;
mod cores;
mod failure_cost;
mod fast_path;
mod latency;
mod rocksdb_sync;
pub mod thresholds;
mod throughput;

pub use cores::CoreShape;
pub use failure_cost::Headroom;
pub use fast_path::BundleShape;

use crate::metrics::{Finding, RunOutput, Status};
use crate::scenario::{OperatorKind, Scenario};
use crate::units::human_ms;

/// What the verdict needs to know of the job beyond its output.
#[derive(Clone, Debug)]
pub struct JobShape {
    pub warmup_s: f64,
    pub interval_ms: Option<f64>,
    pub timeout_ms: f64,
    /// `aligned`, `unaligned`, `aligned with a 30000 ms timeout`, `at-least-once`.
    pub mode: String,
    /// Operators in file order with the names of their inputs.
    pub operators: Vec<(String, OperatorKind, Vec<String>)>,
    /// Restart strategy's first delay plus deployment, for the estimate of a failure's cost
    /// when the run had none (ms).
    pub restart_and_deploy_ms: f64,
    /// Rate-limited generator sources (`connector = "datagen"`): name and limit, records/s
    /// over all subtasks.
    pub generators: Vec<(String, f64)>,
    /// Sources that read a log (the default connector).
    pub log_sources: usize,
    /// The fast path's bundles, when the run uses them.
    pub bundles: Option<fast_path::BundleShape>,
    /// Some sink writes exactly-once (two-phase commit): its output is visible only when the
    /// checkpoint after it commits.
    pub exactly_once_sinks: bool,
    /// The TaskManagers' cores.
    pub cores: CoreShape,
    /// RocksDB instances on the busiest TaskManager (0 for the heap backend): one per stateful
    /// operator subtask, sources' operator state aside (Flink keeps it on the heap).
    pub rocksdb_instances_per_taskmanager: u32,
}

impl JobShape {
    pub fn of(s: &Scenario) -> JobShape {
        let c = &s.checkpoint;
        let mode = match (c.mode, c.unaligned, c.aligned_checkpoint_timeout.as_u64()) {
            (m, _, _) if !m.aligns_barriers() => m.name().to_string(),
            (_, false, _) => "aligned".to_string(),
            (_, true, 0) => "unaligned".to_string(),
            (_, true, t) => format!("aligned with a {:.0} ms timeout", t as f64 / 1e6),
        };
        let first_delay_ns = crate::scenario::restart::effective_restart_strategy(s).first_delay_ns();
        JobShape {
            warmup_s: s.simulation.warmup.as_u64() as f64 / 1e9,
            interval_ms: c.interval.as_ref().map(|i| i.as_u64() as f64 / 1e6),
            timeout_ms: c.timeout.as_u64() as f64 / 1e6,
            mode,
            // The tasks, as the statistics name them (chains under Flink's chained names).
            operators: crate::compile::chain::task_names(s),
            restart_and_deploy_ms: (first_delay_ns.unwrap_or(0) as f64 + s.recovery.deployment_time.dist.mean()) / 1e6,
            generators: s
                .operators
                .iter()
                .filter(|o| o.connector == Some(crate::vocab::SourceConnector::Datagen))
                .filter_map(|o| {
                    let r = o.rate.as_ref()?;
                    Some((o.name.clone(), r.records_per_second * o.parallelism as f64))
                })
                .collect(),
            log_sources: s
                .operators
                .iter()
                .filter(|o| o.kind == OperatorKind::Source)
                .filter(|o| o.connector.unwrap_or_default() == crate::vocab::SourceConnector::Log)
                .count(),
            bundles: fast_path::BundleShape::of(s),
            exactly_once_sinks: s.operators.iter().any(|o| {
                o.kind == OperatorKind::Sink
                    && o.delivery_guarantee.unwrap_or_default() == crate::vocab::DeliveryGuarantee::ExactlyOnce
            }),
            cores: CoreShape {
                cores_per_taskmanager: s.cluster.cores_per_taskmanager_or_slots(),
                slots_per_taskmanager: s.cluster.slots_per_taskmanager,
                taskmanagers_per_host: s.cluster.taskmanagers_per_host,
            },
            rocksdb_instances_per_taskmanager: rocksdb_instances_per_taskmanager(s),
        }
    }
}

/// RocksDB instances on the first TaskManager, the busiest: subtask `i` of every operator runs
/// in slot `i`, so TaskManager 0 holds the first `slots_per_taskmanager` subtasks of each.
fn rocksdb_instances_per_taskmanager(s: &Scenario) -> u32 {
    if s.state_backend.kind != crate::vocab::StateBackendKind::Rocksdb {
        return 0;
    }
    let slots = s.cluster.slots_per_taskmanager;
    s.operators
        .iter()
        .filter(|o| o.kind != OperatorKind::Source)
        .filter(|o| {
            o.state.bytes_per_key.is_some_and(|b| b.value > 0.0) || o.state.initial.is_some_and(|b| b.value > 0.0)
        })
        .map(|o| o.parallelism.min(slots))
        .sum()
}

/// Judges the run: one finding per topic, in the order a planner asks.
pub fn judge(out: &RunOutput, job: &JobShape) -> Vec<Finding> {
    let headroom = failure_cost::Headroom::of(&out.summary);
    [
        job.bundles.as_ref().map(fast_path::judge),
        Some(throughput::judge(out, job)),
        checkpoints::judge(out, job),
        rocksdb_sync::judge(&out.summary, job),
        Some(backpressure::judge(&out.summary, job)),
        cores::judge(&out.summary, job),
        latency::judge(&out.summary, job),
        Some(failure_cost::judge(out, job, &headroom)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The verdict as the terminal prints it: a status word and the sentence.
pub fn render(findings: &[Finding]) -> String {
    let mut t = String::from("verdict\n");
    for f in findings {
        t.push_str(&format!("  {:<8} {}\n", f.status.label(), f.text));
    }
    t
}

fn finding(topic: &str, status: Status, text: String, figures: &[(&str, f64)]) -> Finding {
    Finding {
        topic: topic.into(),
        status,
        text,
        figures: figures
            .iter()
            .filter(|(_, v)| v.is_finite())
            .map(|(k, v)| (k.to_string(), *v))
            .collect(),
    }
}

#[cfg(test)]
mod tests;
