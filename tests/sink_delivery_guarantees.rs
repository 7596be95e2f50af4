//! Sinks of Flink's three delivery guarantees (`DeliveryGuarantee`): exactly-once (two-phase
//! commit, the default), at-least-once (records visible as soon as written; a failover replays
//! what came after the restored checkpoint, so duplicates but no loss) and none (a
//! `DiscardingSink`: nothing kept). A job whose last operator is no sink ends its records there.

mod common;

use ckptsim::model::checker::{Violation, check_at_least_once_complete, check_exactly_once_complete};
use ckptsim::model::world::World;

/// A bounded keyed job: 2 sources of 2000 records each, a keyed map, a sink of `guarantee`;
/// two crashes when `faults`.
fn job(guarantee: &str, faults: bool) -> String {
    let mut t = format!(
        r#"
[simulation]
duration = "20s"
[checkpoint]
interval = "400ms"
[cluster]
taskmanagers = 2
slots_per_taskmanager = 2
[network]
buffer_timeout = "5ms"
[restart]
strategy = "fixed-delay"
attempts = 100
delay = "200ms"
[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = {{ process = "poisson", records_per_second = 1000 }}
max_records = 2000
keys = {{ count = 100 }}
[[operators]]
name = "map"
kind = "operator"
parallelism = 2
inputs = [{{ from = "source", partitioning = "hash" }}]
state = {{ bytes_per_key = "64B" }}
[[operators]]
name = "sink"
kind = "sink"
parallelism = 2
inputs = [{{ from = "map", partitioning = "rebalance" }}]
delivery_guarantee = "{guarantee}"
"#
    );
    if faults {
        t.push_str("[[faults.task_crash]]\nat = [\"900ms\"]\noperator = \"sink\"\nsubtask = 0\n");
        t.push_str("[[faults.task_crash]]\nat = [\"1700ms\"]\noperator = \"map\"\nsubtask = 1\n");
    }
    t
}

/// What the sinks made visible, and the run's failures; the run-time invariants (the cut
/// check included) must hold.
fn output(toml: &str) -> (Vec<u64>, usize) {
    let s = common::scenario(toml);
    let mut w = World::new(&common::world_config_keeping_output(&s), 9, "delivery");
    w.run_to_end();
    let v = w.invariant_violations();
    assert!(v.is_empty(), "{:?}", &v[..v.len().min(3)]);
    assert!(w.job_finished_at().is_some(), "the bounded job did not finish");
    let out = w.committed_output().expect("kept").to_vec();
    (out, w.finish().failures.len())
}

#[test]
fn an_at_least_once_sink_duplicates_but_never_loses_under_failures() {
    let (expected, _) = output(&job("at-least-once", false));
    assert_eq!(expected.len(), 4000, "the failure-free run writes every record once");
    let (actual, failures) = output(&job("at-least-once", true));
    assert!(failures >= 2, "{failures} failures");
    assert!(check_at_least_once_complete(&expected, &actual).is_empty());
    // Replayed records were visible before the failure: they are written twice.
    let exactly = check_exactly_once_complete(&expected, &actual);
    assert!(
        exactly.iter().any(|v| matches!(v, Violation::Duplicate { .. })),
        "no duplicate after two failovers"
    );
    // Negative control: a record missing from the output is caught.
    let mut lossy = actual.clone();
    let gone = expected[1234];
    lossy.retain(|r| *r != gone);
    assert!(
        check_at_least_once_complete(&expected, &lossy)
            .iter()
            .any(|v| matches!(v, Violation::Lost { record, .. } if *record == gone)),
        "a lost record went unnoticed"
    );
}

#[test]
fn an_exactly_once_sink_is_still_the_default_and_commits_each_record_once() {
    let default = job("exactly-once", true).replace("delivery_guarantee = \"exactly-once\"\n", "");
    let (expected, _) = output(&job("exactly-once", false));
    let (actual, failures) = output(&default);
    assert!(failures >= 2);
    assert!(check_exactly_once_complete(&expected, &actual).is_empty());
}

#[test]
fn a_discarding_sink_job_runs_checkpoints_and_keeps_nothing() {
    for faults in [false, true] {
        let s = common::scenario(&job("none", faults));
        let mut w = World::new(&common::world_config_keeping_output(&s), 9, "discard");
        w.run_to_end();
        assert!(w.invariant_violations().is_empty(), "{:?}", w.invariant_violations());
        assert!(w.job_finished_at().is_some(), "the bounded job finished");
        assert_eq!(w.committed_output().expect("kept"), &[] as &[u64]);
        let out = w.finish();
        assert!(out.summary.counts.completed >= 3, "{:?}", out.summary.counts);
        assert!(out.subtasks.iter().any(|r| r.task == "sink: Writer"));
    }
}

#[test]
fn delivery_guarantee_is_refused_on_an_operator_that_is_no_sink() {
    let text = job("none", false).replacen(
        "state = { bytes_per_key = \"64B\" }",
        "state = { bytes_per_key = \"64B\" }\ndelivery_guarantee = \"none\"",
        1,
    );
    let Err(err) = ckptsim::scenario::parse_str(&text, "bad.toml") else {
        panic!("a delivery guarantee on a map was accepted");
    };
    let err = err.to_string();
    assert!(err.contains("operators[1].delivery_guarantee"), "{err}");
}
