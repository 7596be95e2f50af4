//! The checks fault specs share: arrivals given, an MTBF in range, a window's start or MTBF,
//! TaskManager and operator references that exist. Each names the field it refuses, so a spec's
//! `check` is a list of calls and its messages read the same for every fault type.

use super::{MtbfScope, Problem, SpecPath};
use crate::sim::dist::Duration;
use crate::time::NS_PER_MS;

/// A random process must not ask for more events than a run can hold.
pub const FAULT_EVENTS_MAX: f64 = 1_000_000.0;
/// Shortest MTBF accepted: below it a "failure" is no longer a rare event.
pub const MTBF_MIN_NS: f64 = NS_PER_MS as f64;

pub fn fail<T>(path: impl Into<String>, msg: impl Into<String>) -> Result<T, Problem> {
    Err((path.into(), msg.into()))
}

/// Failures at fixed times `at`, or as a Poisson process with mean gap `mtbf`, or both.
pub fn arrivals(at: &[Duration], mtbf: Option<&Duration>, p: &SpecPath) -> Result<(), Problem> {
    if at.is_empty() && mtbf.is_none() {
        return fail(
            p.field("at"),
            "give fixed times (`at = [\"5min\"]`) or a random process (`mtbf = \"6h\"`)",
        );
    }
    if at.len() as f64 > FAULT_EVENTS_MAX {
        return fail(p.field("at"), format!("at most {FAULT_EVENTS_MAX} times"));
    }
    if let Some(m) = mtbf
        && m.value < MTBF_MIN_NS
    {
        return fail(p.field("mtbf"), "must be at least 1ms");
    }
    Ok(())
}

/// A fault window: one at `start`, or a Poisson process of them with mean gap `mtbf`.
pub fn window(
    start: Option<&Duration>,
    mtbf: Option<&Duration>,
    duration: &Duration,
    run_ns: f64,
    p: &SpecPath,
) -> Result<(), Problem> {
    match (start, mtbf) {
        (None, None) => {
            return fail(
                p.field("start"),
                "give a start (`start = \"5min\"`) or a random process (`mtbf = \"6h\"`)",
            );
        }
        (Some(_), Some(_)) => return fail(p.field("mtbf"), "give `start` or `mtbf`, not both"),
        (None, Some(m)) if m.value < MTBF_MIN_NS => return fail(p.field("mtbf"), "must be at least 1ms"),
        _ => {}
    }
    event_count(run_ns, mtbf, MtbfScope::Job, 1, p)?;
    if duration.value < 1.0 {
        return fail(p.field("duration"), "must be > 0");
    }
    Ok(())
}

/// Bounds the schedule: the expected number of random events of `targets` processes (one for
/// the job's MTBF) must fit.
pub fn event_count(
    run_ns: f64,
    mtbf: Option<&Duration>,
    per: MtbfScope,
    targets: u64,
    p: &SpecPath,
) -> Result<(), Problem> {
    let Some(m) = mtbf else {
        return Ok(());
    };
    let expected = super::expected(run_ns, 0, Some(m), super::processes(per, targets.max(1)));
    if expected > FAULT_EVENTS_MAX {
        return fail(
            p.field("mtbf"),
            format!("asks for about {expected:.0} failures in the run; at most {FAULT_EVENTS_MAX} are supported"),
        );
    }
    Ok(())
}

/// TaskManager `tm` exists in a cluster of `tms`.
pub fn taskmanager(tm: u32, tms: u32, p: &SpecPath, field: &str) -> Result<(), Problem> {
    if tm >= tms {
        return fail(p.field(field), format!("the cluster has TaskManagers 0..{tms}"));
    }
    Ok(())
}

/// Two distinct TaskManagers of a cluster of `tms`; `what` is between them (`a partition`).
pub fn taskmanager_pair([a, b]: [u32; 2], tms: u32, p: &SpecPath, what: &str) -> Result<(), Problem> {
    taskmanager(a.max(b), tms, p, "between")?;
    if a == b {
        return fail(
            p.field("between"),
            format!("names one TaskManager twice; {what} is between two"),
        );
    }
    Ok(())
}

/// An optional duration that, when given, is positive.
pub fn positive(d: Option<&Duration>, p: &SpecPath, field: &str) -> Result<(), Problem> {
    match d {
        Some(d) if d.value <= 0.0 => fail(p.field(field), "must be > 0"),
        _ => Ok(()),
    }
}

/// A finite number in `lo..=hi` (a multiplier); `msg` says why when it is not.
pub fn between(x: f64, lo: f64, hi: f64, p: &SpecPath, field: &str, msg: &str) -> Result<(), Problem> {
    if !(x.is_finite() && (lo..=hi).contains(&x)) {
        return fail(p.field(field), msg);
    }
    Ok(())
}

/// The subtasks a task fault may hit: `operator`'s (exactly `subtask` when given), or every
/// subtask of the job. `operators` are (name, parallelism).
pub fn subtask_targets(
    operator: Option<&str>,
    subtask: Option<u32>,
    operators: &[(&str, u32)],
    p: &SpecPath,
) -> Result<u64, Problem> {
    let Some(name) = operator else {
        if subtask.is_some() {
            return fail(p.field("subtask"), "needs `operator` to say whose subtask");
        }
        return Ok(operators.iter().map(|(_, parallelism)| *parallelism as u64).sum());
    };
    let Some(&(_, parallelism)) = operators.iter().find(|(n, _)| *n == name) else {
        return fail(p.field("operator"), format!("no operator named `{name}`"));
    };
    match subtask {
        Some(idx) if idx >= parallelism => fail(
            p.field("subtask"),
            format!("`{name}` has parallelism {parallelism}; subtasks are 0..{parallelism}"),
        ),
        Some(_) => Ok(1),
        None => Ok(parallelism as u64),
    }
}
