//! A bounded job without periodic checkpoints: its two-phase-commit sinks commit everything
//! they hold when their input ends, as Flink's `CommitterOperator.endInput` does when
//! checkpointing is disabled ("there will be no final checkpoint, all committables should be
//! committed here"). Before, a sink without checkpoints never committed, and a bounded job
//! finished with none of its output visible.

mod common;

use ckptsim::model::checker::check_exactly_once_complete;
use ckptsim::model::world::World;

/// Two sources of 1000 records each, hashed to a map and a sink; checkpointing off.
fn scenario(faults: &str) -> String {
    format!(
        r#"
[simulation]
duration = "10s"
[cluster]
taskmanagers = 1
slots_per_taskmanager = 2
[restart]
strategy = "fixed-delay"
attempts = 10
delay = "200ms"
[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = {{ process = "poisson", records_per_second = 1000 }}
max_records = 1000
[[operators]]
name = "map"
kind = "operator"
parallelism = 2
inputs = [{{ from = "source", partitioning = "hash" }}]
service_time = "100us"
[[operators]]
name = "sink"
kind = "sink"
parallelism = 2
inputs = [{{ from = "map", partitioning = "hash" }}]
{faults}"#
    )
}

fn committed(toml: &str) -> (Vec<u64>, ckptsim::run::RunOutput) {
    let s = common::scenario(toml);
    let mut w = World::new(&common::world_config_keeping_output(&s), 3, "no-checkpoints");
    w.run_to_end();
    assert!(w.job_finished_at().is_some(), "the bounded job did not finish");
    let out = w.committed_output().expect("kept").to_vec();
    (out, w.finish())
}

#[test]
fn the_end_of_input_commits_every_record() {
    let (out, run) = committed(&scenario(""));
    assert_eq!(run.checkpoints.len(), 0, "checkpointing is off");
    assert_eq!(out.len(), 2000, "every record committed at the end of input");
    let mut ids = out.clone();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 2000, "each once");
}

/// A crash before the end restarts the job from its sources' beginning; the attempt that
/// failed had committed nothing, so each record is still committed once.
#[test]
fn a_restart_from_the_beginning_commits_each_record_once() {
    let (expected, _) = committed(&scenario(""));
    let crash = "[[faults.task_crash]]\nat = [\"600ms\"]\noperator = \"map\"\nsubtask = 1\n";
    let (actual, run) = committed(&scenario(crash));
    assert_eq!(run.failures.len(), 1);
    let v = check_exactly_once_complete(&expected, &actual);
    assert!(v.is_empty(), "{} violations, first {:?}", v.len(), v.first());
}

/// What the run prints says so: no final checkpoint, and when a transactional sink's output
/// becomes visible without checkpoints.
#[test]
fn the_summary_does_not_speak_of_checkpoints_it_did_not_take() {
    let s = common::scenario(&scenario(""));
    let out = ckptsim::run::run(&s, 3);
    let text = ckptsim::summary_table::render_summary(&out);
    assert!(text.contains("job FINISHED at"), "{text}");
    assert!(!text.contains("final checkpoint"), "{text}");
    let latency = out
        .summary
        .verdict
        .iter()
        .find(|f| f.topic == "latency")
        .expect("a latency finding");
    assert!(
        latency
            .text
            .contains("with checkpointing off, a transactional sink's output becomes visible only when its input ends"),
        "{}",
        latency.text
    );
}
