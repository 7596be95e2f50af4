//! Bounded jobs finish (FLIP-147, "checkpoints after tasks finish", on by default since Flink
//! 1.15): a source whose input is exhausted ends its data, every task waits for a final
//! checkpoint that commits its last two-phase-commit transaction, finished tasks are neither
//! triggered nor waited for by later checkpoints, and the job is FINISHED once every task is;
//! the run ends there.

mod common;

use ckptsim::model::world::World;

/// Two sources with different bounds: `early` ends at about 1 s, `late` at about 3 s.
fn scenario(faults: &str) -> String {
    format!(
        r#"
[simulation]
duration = "30s"
[checkpoint]
interval = "500ms"
[cluster]
taskmanagers = 1
slots_per_taskmanager = 2
[restart]
strategy = "fixed-delay"
attempts = 10
delay = "200ms"
[recovery]
failover = "full"
[[operators]]
name = "early"
kind = "source"
parallelism = 1
rate = {{ process = "constant", records_per_second = 1000 }}
max_records = 1000
[[operators]]
name = "late"
kind = "source"
parallelism = 1
rate = {{ process = "constant", records_per_second = 1000 }}
max_records = 3000
[[operators]]
name = "map"
kind = "operator"
parallelism = 2
inputs = [{{ from = "early", partitioning = "rebalance" }}, {{ from = "late", partitioning = "rebalance" }}]
service_time = "50us"
state = {{ bytes_per_key = "64B" }}
[[operators]]
name = "sink"
kind = "sink"
parallelism = 1
inputs = [{{ from = "map", partitioning = "rebalance" }}]
service_time = "20us"
{faults}
"#
    )
}

fn run(faults: &str, seed: u64) -> (Vec<u64>, ckptsim::run::RunOutput) {
    let s = common::scenario(&scenario(faults));
    let mut w = World::new(&common::world_config_keeping_output(&s), seed, "bounded");
    w.run_to_end();
    let committed = w.committed_output().expect("kept").to_vec();
    (committed, w.finish())
}

#[test]
fn a_bounded_job_finishes_after_its_final_checkpoint_committed_every_record() {
    let (committed, out) = run("", 3);
    assert_eq!(out.summary.job_status, "FINISHED");
    let finished_s = out.summary.job_finished_s.expect("the job finished");
    // The input ends at 3 s; the final checkpoint is the first one after that (every 500 ms).
    assert!((3.0..4.5).contains(&finished_s), "finished at {finished_s} s");
    assert_eq!(
        committed.len(),
        4000,
        "the final checkpoint commits the last transaction"
    );
    assert!(
        out.checkpoints.iter().all(|c| c.trigger_timestamp <= finished_s * 1e3),
        "checkpoints after the job finished"
    );
    let text = ckptsim::summary_table::render_summary(&out);
    assert!(text.contains("job FINISHED at"), "{text}");
}

/// `calculateAfterTasksFinished`: between the end of `early` (about 1 s) and that of `late`,
/// checkpoints complete without `early`'s acknowledgement: it finished, and is neither
/// triggered nor waited for.
#[test]
fn checkpoints_complete_without_the_tasks_that_finished() {
    let (_, out) = run("", 3);
    let early_acks: Vec<u64> = out
        .subtasks
        .iter()
        .filter(|s| s.task == "early")
        .map(|s| s.checkpoint_id)
        .collect();
    let without_early: Vec<u64> = out
        .checkpoints
        .iter()
        .filter(|c| c.status == "COMPLETED" && !early_acks.contains(&c.id))
        .map(|c| c.id)
        .collect();
    assert!(
        without_early.len() >= 2,
        "completed checkpoints without the finished source: {without_early:?}"
    );
}

/// A failure after `early` finished: a full failover restores the latest checkpoint, in which
/// `early` had finished, so it is deployed as finished and replays nothing; `late` resumes,
/// and the job still finishes with every record committed once.
#[test]
fn a_task_that_had_finished_is_restored_as_finished_and_the_output_stays_exactly_once() {
    let crash = "[[faults.task_crash]]\nat = [\"2s\"]\noperator = \"late\"\nsubtask = 0\n";
    let (expected, _) = run("", 3);
    let (actual, out) = run(crash, 3);
    assert_eq!(out.failures.len(), 1);
    assert_eq!(out.summary.job_status, "FINISHED");
    let v = ckptsim::model::checker::check_exactly_once_complete(&expected, &actual);
    assert!(v.is_empty(), "{} violations, first {:?}", v.len(), v.first());
    let early = out.summary.job.tasks.iter().find(|t| t.task == "early").expect("early");
    assert_eq!(early.records_out, 1000, "the finished source replayed records");
}
