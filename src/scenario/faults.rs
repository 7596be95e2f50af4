//! The scenario's `[faults]` section (what goes wrong and when): its validation, and the types
//! from `crate::fault_spec` re-exported under the scenario's name. `[restart]` and `[recovery]`
//! are in `scenario::restart`.
//!
//! ```toml
//! [[faults.task_crash]]
//! at = ["2min"]                       # fixed times ...
//! operator = "map"                    # ... of a random subtask of `map`
//!
//! [[faults.task_crash]]
//! mtbf = "6h"                         # a Poisson process ...
//! per = "task"                        # ... for every subtask (or one for the whole job)
//!
//! [[faults.taskmanager_loss]]
//! at = ["10min"]
//! taskmanager = 1
//! detection = "heartbeat"             # after heartbeat.timeout (50 s), or "connection_drop"
//!
//! [[faults.network_partition]]
//! start = "5min"
//! duration = "30s"
//! between = [0, 1]
//! fail_after = "20s"                  # optional: connections time out, consumers fail
//!
//! [[faults.connection_loss]]
//! at = ["7min"]                       # or mtbf = "2h"
//! between = [0, 1]                    # default: a uniformly drawn pair per loss
//!
//! # Every window (partitions, storage latency spikes, outages, throttling, stragglers) takes
//! # `start` (one window) or `mtbf` (windows starting as a Poisson process with that mean gap),
//! # plus its `duration`.
//!
//! [faults.storage]
//! upload_failure_probability = 0.01
//! latency_spikes = [{ start = "3min", duration = "1min", factor = 10 }]
//! outages = [{ start = "8min", duration = "2min" }]
//! throttling = [{ start = "12min", duration = "5min", factor = 0.25 }]
//!
//! [[faults.straggler]]
//! kind = "taskmanager"                # or "disk"
//! taskmanager = 0
//! start = "1min"
//! duration = "2min"
//! slowdown = 3.0
//!
//! [faults.jobmanager_failover]
//! at = ["20min"]
//! ```

use super::schema::Scenario;
/// `[faults]` as the file writes it, defined below the scenario and the model, which draws
/// its schedule from the same types.
pub use crate::fault_spec::{
    ConnectionLossCfg, FactorWindowCfg, FaultsCfg, JobManagerFailoverCfg, NetworkPartitionCfg, StorageFaultsCfg,
    StragglerCfg, TaskCrashCfg, TaskManagerLossCfg, WindowCfg,
};
use crate::sim::dist::Duration;
use crate::time::NS_PER_MS;
/// The vocabulary the file shares with the model, defined below both.
pub use crate::vocab::{LossDetection, MtbfScope, StragglerKind};

type Problem = (String, String);

fn fail<T>(path: impl Into<String>, msg: impl Into<String>) -> Result<T, Problem> {
    Err((path.into(), msg.into()))
}

/// A random process must not ask for more events than a run can hold.
pub const FAULT_EVENTS_MAX: f64 = 1_000_000.0;
/// Shortest MTBF accepted: below it a "failure" is no longer a rare event.
pub const MTBF_MIN_NS: f64 = NS_PER_MS as f64;

// ---------------------------------------------------------------------------------------------
// validation

/// Range and reference checks for `[faults]`, as (dotted field path, message).
pub fn validate_faults(s: &Scenario) -> Result<(), Problem> {
    let Some(f) = &s.faults else {
        return Ok(());
    };
    let run_ns = s.simulation.duration.value;
    let subtasks: u64 = s.operators.iter().map(|o| o.parallelism as u64).sum();
    for (i, c) in f.task_crash.iter().enumerate() {
        let p = |field: &str| format!("faults.task_crash[{i}].{field}");
        validate_arrivals(&c.at, c.mtbf.as_ref(), &p)?;
        let targets = match &c.operator {
            Some(name) => {
                let Some(op) = s.operators.iter().find(|o| &o.name == name) else {
                    return fail(p("operator"), format!("no operator named `{name}`"));
                };
                match c.subtask {
                    Some(idx) if idx >= op.parallelism => {
                        return fail(
                            p("subtask"),
                            format!(
                                "`{name}` has parallelism {}; subtasks are 0..{}",
                                op.parallelism, op.parallelism
                            ),
                        );
                    }
                    Some(_) => 1,
                    None => op.parallelism as u64,
                }
            }
            None if c.subtask.is_some() => return fail(p("subtask"), "needs `operator` to say whose subtask"),
            None => subtasks,
        };
        check_event_count(run_ns, c.mtbf.as_ref(), c.per, targets, &p)?;
    }
    let tms = s.cluster.taskmanagers;
    for (i, l) in f.taskmanager_loss.iter().enumerate() {
        let p = |field: &str| format!("faults.taskmanager_loss[{i}].{field}");
        validate_arrivals(&l.at, l.mtbf.as_ref(), &p)?;
        let targets = match l.taskmanager {
            Some(tm) if tm >= tms => return fail(p("taskmanager"), format!("the cluster has TaskManagers 0..{tms}")),
            Some(_) => 1,
            None => tms as u64,
        };
        check_event_count(run_ns, l.mtbf.as_ref(), l.per, targets, &p)?;
        if l.heartbeat_interval.value <= 0.0 {
            return fail(p("heartbeat_interval"), "must be > 0");
        }
        if l.heartbeat_timeout.value < l.heartbeat_interval.value {
            return fail(p("heartbeat_timeout"), "must be at least heartbeat_interval");
        }
    }
    for (i, n) in f.network_partition.iter().enumerate() {
        let p = |field: &str| format!("faults.network_partition[{i}].{field}");
        window(n.start.as_ref(), n.mtbf.as_ref(), &n.duration, run_ns, &p)?;
        let [a, b] = n.between;
        if a >= tms || b >= tms {
            return fail(p("between"), format!("the cluster has TaskManagers 0..{tms}"));
        }
        if a == b {
            return fail(p("between"), "names one TaskManager twice; a partition is between two");
        }
        if let Some(t) = &n.fail_after
            && t.value <= 0.0
        {
            return fail(p("fail_after"), "must be > 0");
        }
    }
    for (i, c) in f.connection_loss.iter().enumerate() {
        let p = |field: &str| format!("faults.connection_loss[{i}].{field}");
        validate_arrivals(&c.at, c.mtbf.as_ref(), &p)?;
        match c.between {
            Some([a, b]) if a >= tms || b >= tms => {
                return fail(p("between"), format!("the cluster has TaskManagers 0..{tms}"));
            }
            Some([a, b]) if a == b => {
                return fail(p("between"), "names one TaskManager twice; a connection is between two");
            }
            None if tms < 2 => return fail(p("between"), "needs at least two TaskManagers"),
            _ => {}
        }
        check_event_count(run_ns, c.mtbf.as_ref(), MtbfScope::Job, 1, &p)?;
    }
    if let Some(st) = &f.storage {
        validate_storage_faults(st, run_ns)?;
    }
    for (i, g) in f.straggler.iter().enumerate() {
        let p = |field: &str| format!("faults.straggler[{i}].{field}");
        window(g.start.as_ref(), g.mtbf.as_ref(), &g.duration, run_ns, &p)?;
        if g.taskmanager >= tms {
            return fail(p("taskmanager"), format!("the cluster has TaskManagers 0..{tms}"));
        }
        if !(g.slowdown.is_finite() && (1.0..=1e6).contains(&g.slowdown)) {
            return fail(p("slowdown"), "must be between 1 and 1e6");
        }
    }
    if let Some(j) = &f.jobmanager_failover {
        let p = |field: &str| format!("faults.jobmanager_failover.{field}");
        validate_arrivals(&j.at, j.mtbf.as_ref(), &p)?;
        check_event_count(run_ns, j.mtbf.as_ref(), MtbfScope::Job, 1, &p)?;
    }
    // Each spec is bounded on its own; their sum must fit the schedule too (it holds twice
    // this, so a random schedule of this expected size never overflows it).
    let total = total_events(f, run_ns, subtasks as f64, tms as f64);
    if total > FAULT_EVENTS_MAX {
        return fail(
            "faults",
            format!(
                "the fault specs together ask for about {total:.0} events; at most {FAULT_EVENTS_MAX} are supported"
            ),
        );
    }
    Ok(())
}

/// Expected number of scheduled events of all specs (a window is two: its begin and end).
fn total_events(f: &FaultsCfg, run_ns: f64, subtasks: f64, tms: f64) -> f64 {
    let count = |at: usize, mtbf: Option<&Duration>, processes: f64| {
        at as f64 + mtbf.map_or(0.0, |m| run_ns / m.value.max(1.0) * processes)
    };
    let scope = |per: MtbfScope, targets: f64| if per == MtbfScope::Task { targets } else { 1.0 };
    let windows = |start: Option<&Duration>, mtbf: Option<&Duration>| 2.0 * count(start.is_some() as usize, mtbf, 1.0);
    let mut total = 0.0;
    for c in &f.task_crash {
        total += count(c.at.len(), c.mtbf.as_ref(), scope(c.per, subtasks));
    }
    for l in &f.taskmanager_loss {
        total += count(l.at.len(), l.mtbf.as_ref(), scope(l.per, tms));
    }
    for c in &f.connection_loss {
        total += count(c.at.len(), c.mtbf.as_ref(), 1.0);
    }
    if let Some(j) = &f.jobmanager_failover {
        total += count(j.at.len(), j.mtbf.as_ref(), 1.0);
    }
    for n in &f.network_partition {
        total += windows(n.start.as_ref(), n.mtbf.as_ref());
    }
    for g in &f.straggler {
        total += windows(g.start.as_ref(), g.mtbf.as_ref());
    }
    if let Some(st) = &f.storage {
        for w in st.latency_spikes.iter().chain(&st.throttling) {
            total += windows(w.start.as_ref(), w.mtbf.as_ref());
        }
        for w in &st.outages {
            total += windows(w.start.as_ref(), w.mtbf.as_ref());
        }
    }
    total
}

fn validate_storage_faults(st: &StorageFaultsCfg, run_ns: f64) -> Result<(), Problem> {
    let p = |field: String| format!("faults.storage.{field}");
    if !(0.0..=1.0).contains(&st.upload_failure_probability) {
        return fail(p("upload_failure_probability".into()), "must be between 0 and 1");
    }
    for (i, w) in st.latency_spikes.iter().enumerate() {
        let q = |f: &str| p(format!("latency_spikes[{i}].{f}"));
        window(w.start.as_ref(), w.mtbf.as_ref(), &w.duration, run_ns, &q)?;
        if !(w.factor.is_finite() && (1.0..=1e6).contains(&w.factor)) {
            return fail(q("factor"), "must be between 1 and 1e6 (a latency multiplier)");
        }
    }
    for (i, w) in st.outages.iter().enumerate() {
        let q = |f: &str| p(format!("outages[{i}].{f}"));
        window(w.start.as_ref(), w.mtbf.as_ref(), &w.duration, run_ns, &q)?;
    }
    for (i, w) in st.throttling.iter().enumerate() {
        let q = |f: &str| p(format!("throttling[{i}].{f}"));
        window(w.start.as_ref(), w.mtbf.as_ref(), &w.duration, run_ns, &q)?;
        if !(w.factor.is_finite() && w.factor > 0.0 && w.factor <= 1.0) {
            return fail(q("factor"), "must be in (0, 1] (a bandwidth multiplier)");
        }
    }
    Ok(())
}

/// A fault window: one at `start`, or a Poisson process of them with mean gap `mtbf`.
fn window(
    start: Option<&Duration>,
    mtbf: Option<&Duration>,
    duration: &Duration,
    run_ns: f64,
    p: &dyn Fn(&str) -> String,
) -> Result<(), Problem> {
    match (start, mtbf) {
        (None, None) => {
            return fail(
                p("start"),
                "give a start (`start = \"5min\"`) or a random process (`mtbf = \"6h\"`)",
            );
        }
        (Some(_), Some(_)) => return fail(p("mtbf"), "give `start` or `mtbf`, not both"),
        (None, Some(m)) if m.value < MTBF_MIN_NS => return fail(p("mtbf"), "must be at least 1ms"),
        _ => {}
    }
    check_event_count(run_ns, mtbf, MtbfScope::Job, 1, p)?;
    if duration.value < 1.0 {
        return fail(p("duration"), "must be > 0");
    }
    Ok(())
}

fn validate_arrivals(at: &[Duration], mtbf: Option<&Duration>, p: &dyn Fn(&str) -> String) -> Result<(), Problem> {
    if at.is_empty() && mtbf.is_none() {
        return fail(
            p("at"),
            "give fixed times (`at = [\"5min\"]`) or a random process (`mtbf = \"6h\"`)",
        );
    }
    if at.len() as f64 > FAULT_EVENTS_MAX {
        return fail(p("at"), format!("at most {FAULT_EVENTS_MAX} times"));
    }
    if let Some(m) = mtbf
        && m.value < MTBF_MIN_NS
    {
        return fail(p("mtbf"), "must be at least 1ms");
    }
    Ok(())
}

/// Bounds the schedule: the expected number of random events must fit.
fn check_event_count(
    run_ns: f64,
    mtbf: Option<&Duration>,
    per: MtbfScope,
    targets: u64,
    p: &dyn Fn(&str) -> String,
) -> Result<(), Problem> {
    let Some(m) = mtbf else {
        return Ok(());
    };
    let processes = if per == MtbfScope::Task { targets.max(1) } else { 1 } as f64;
    let expected = run_ns / m.value * processes;
    if expected > FAULT_EVENTS_MAX {
        return fail(
            p("mtbf"),
            format!("asks for about {expected:.0} failures in the run; at most {FAULT_EVENTS_MAX} are supported"),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::scenario::parse_str;

    const BASE: &str = "[simulation]\nduration = \"1h\"\n[checkpoint]\ninterval = \"10s\"\n[cluster]\ntaskmanagers = 2\nslots_per_taskmanager = 2\n[[operators]]\nname = \"src\"\nkind = \"source\"\nparallelism = 2\nrate = { process = \"constant\", records_per_second = 10 }\n[[operators]]\nname = \"sink\"\nkind = \"sink\"\nparallelism = 2\ninputs = [{ from = \"src\", partitioning = \"hash\" }]\n";

    /// Parsed without `validate` (which calls `validate_faults` once wired), then checked here.
    fn scenario(extra: &str) -> Result<crate::scenario::Scenario, String> {
        toml::from_str(&format!("{BASE}{extra}")).map_err(|e: toml::de::Error| e.to_string())
    }

    fn err(extra: &str) -> (String, String) {
        let s = scenario(extra).expect("parses");
        // `[restart]` and `[recovery]` are validated in `scenario::restart`, before `[faults]`.
        crate::scenario::restart::validate_restart_and_recovery(&s)
            .and_then(|()| super::validate_faults(&s))
            .expect_err("should be rejected")
    }

    #[test]
    fn a_full_faults_section_parses() {
        let text = format!(
            "{BASE}{}",
            r#"
[restart]
strategy = "failure-rate"
max_failures_per_interval = 3
failure_rate_interval = "5min"
delay = "10s"
[recovery]
failover = "full"
local = true
[[faults.task_crash]]
at = ["2min", "3min"]
operator = "sink"
subtask = 1
[[faults.task_crash]]
mtbf = "6h"
per = "task"
[[faults.taskmanager_loss]]
at = ["10min"]
taskmanager = 1
detection = "connection_drop"
[[faults.network_partition]]
start = "5min"
duration = "30s"
between = [0, 1]
[faults.storage]
upload_failure_probability = 0.01
latency_spikes = [{ start = "3min", duration = "1min", factor = 10 }]
outages = [{ start = "8min", duration = "2min" }]
throttling = [{ start = "12min", duration = "5min", factor = 0.25 }]
[[faults.straggler]]
kind = "disk"
taskmanager = 0
start = "1min"
duration = "2min"
slowdown = 3.0
[faults.jobmanager_failover]
at = ["20min"]
"#
        );
        let s: crate::scenario::Scenario = toml::from_str(&text).unwrap();
        super::validate_faults(&s).unwrap();
        let f = s.faults.as_ref().unwrap();
        assert_eq!(f.task_crash.len(), 2);
        assert_eq!(s.recovery.failover, crate::vocab::FailoverStrategyKind::Full);
        assert_eq!(
            crate::scenario::restart::effective_restart_strategy(&s),
            crate::protocol::restart::RestartStrategyConfig::FailureRate {
                max_failures_per_interval: 3,
                failure_rate_interval_ns: 300 * crate::time::NS_PER_S,
                delay_ns: 10 * crate::time::NS_PER_S,
            }
        );
    }

    #[test]
    fn defaults_follow_flink() {
        let s = parse_str(BASE, "t.toml").unwrap().scenario;
        assert!(s.faults.is_none());
        assert_eq!(
            crate::scenario::restart::effective_restart_strategy(&s),
            crate::protocol::restart::RestartStrategyConfig::exponential_delay_default()
        );
        assert_eq!(s.recovery.failover, crate::vocab::FailoverStrategyKind::Region);
        let no_ckpt = parse_str(&BASE.replace("interval = \"10s\"", ""), "t.toml")
            .unwrap()
            .scenario;
        assert_eq!(
            crate::scenario::restart::effective_restart_strategy(&no_ckpt),
            crate::protocol::restart::RestartStrategyConfig::NoRestart
        );
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (
                "[restart]\nstrategy = \"fixed-delay\"\njitter_factor = 0.2\n",
                "restart.jitter_factor",
            ),
            (
                "[restart]\nstrategy = \"exponential-delay\"\nbackoff_multiplier = 0.5\n",
                "restart.backoff_multiplier",
            ),
            (
                "[[faults.task_crash]]\noperator = \"nope\"\nat = [\"1s\"]\n",
                "faults.task_crash[0].operator",
            ),
            (
                "[[faults.task_crash]]\noperator = \"sink\"\nsubtask = 2\nat = [\"1s\"]\n",
                "faults.task_crash[0].subtask",
            ),
            (
                "[[faults.task_crash]]\noperator = \"sink\"\n",
                "faults.task_crash[0].at",
            ),
            (
                "[[faults.taskmanager_loss]]\nmtbf = \"1ms\"\nper = \"task\"\n",
                "faults.taskmanager_loss[0].mtbf",
            ),
            (
                "[[faults.network_partition]]\nstart = \"1s\"\nduration = \"1s\"\nbetween = [1, 1]\n",
                "faults.network_partition[0].between",
            ),
            (
                "[[faults.network_partition]]\nstart = \"1s\"\nduration = \"1s\"\nbetween = [0, 1]\nfail_after = \"0s\"\n",
                "faults.network_partition[0].fail_after",
            ),
            (
                "[[faults.connection_loss]]\nat = [\"1s\"]\nbetween = [0, 2]\n",
                "faults.connection_loss[0].between",
            ),
            (
                "[[faults.connection_loss]]\nbetween = [0, 1]\n",
                "faults.connection_loss[0].at",
            ),
            (
                "[faults.storage]\noutages = [{ start = \"1s\", mtbf = \"1h\", duration = \"1s\" }]\n",
                "faults.storage.outages[0].mtbf",
            ),
            (
                "[[faults.straggler]]\nkind = \"disk\"\ntaskmanager = 0\nduration = \"1s\"\nslowdown = 2\n",
                "faults.straggler[0].start",
            ),
            (
                "[faults.storage]\nthrottling = [{ start = \"1s\", duration = \"1s\", factor = 2 }]\n",
                "faults.storage.throttling[0].factor",
            ),
            (
                "[faults.storage]\nupload_failure_probability = 1.5\n",
                "faults.storage.upload_failure_probability",
            ),
            (
                "[[faults.straggler]]\nkind = \"taskmanager\"\ntaskmanager = 5\nstart = \"1s\"\nduration = \"1s\"\nslowdown = 2\n",
                "faults.straggler[0].taskmanager",
            ),
        ];
        for (extra, field) in cases {
            let (f, msg) = err(extra);
            assert_eq!(f, field, "{msg}");
        }
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let msg = scenario("[[faults.task_crash]]\nat = [\"1s\"]\nmtbff = \"1h\"\n")
            .err()
            .unwrap();
        assert!(msg.contains("mtbff"), "{msg}");
        let msg = scenario("[restart]\nstrategy = \"sometimes\"\n").err().unwrap();
        assert!(msg.contains("sometimes"), "{msg}");
        // Through the loader, a serde error names file, line and field.
        let e = parse_str(&format!("{BASE}[recovery]\nfailover = \"partial\"\n"), "t.toml")
            .err()
            .unwrap();
        assert!(e.to_string().starts_with("t.toml:"), "{e}");
    }
}
