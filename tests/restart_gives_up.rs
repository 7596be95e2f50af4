//! When the restart strategy refuses a restart, Flink's `ExecutionFailureHandler` returns an
//! unrecoverable `FailureHandlingResult` and the `DefaultScheduler` fails the job: it goes to
//! FAILING, every task is cancelled (not just the failover region), and the job ends FAILED.
//! Nothing of it runs afterwards, so the run stops simulating it.

mod common;

/// Four independent pipelines (forward edges: four failover regions), a failure-rate strategy
/// that tolerates one failure per minute, and two crashes of pipeline 0.
const FOUR_PIPELINES: &str = r#"
[simulation]
duration = "30s"
[checkpoint]
interval = "2s"
[cluster]
taskmanagers = 2
slots_per_taskmanager = 4
[restart]
strategy = "failure-rate"
max_failures_per_interval = 1
failure_rate_interval = "1min"
delay = "1s"
[recovery]
failover = "region"
[[faults.task_crash]]
at = ["5s", "10s"]
operator = "source"
subtask = 0
[[operators]]
name = "source"
kind = "source"
parallelism = 4
rate = { process = "constant", records_per_second = 1000 }
[[operators]]
name = "sink"
kind = "sink"
parallelism = 4
inputs = [{ from = "source", partitioning = "forward" }]
service_time = "50us"
"#;

#[test]
fn a_failure_rate_strategy_that_gives_up_fails_the_whole_job_and_the_run_stops() {
    let out = ckptsim::run::run(&common::scenario(FOUR_PIPELINES), 1);
    assert_eq!(out.failures.len(), 2, "{:?}", out.failures);
    assert!(!out.failures[0].job_failed, "the first failure is tolerated");
    let last = &out.failures[1];
    assert!(last.job_failed, "the second within a minute is not");
    assert_eq!(out.summary.job_status, "FAILED");
    // It fails when the JobManager handles the second failure: once the task has reported it.
    let failed_s = out.summary.job_failed_s.expect("the job failed");
    let handled_s = 10.0 + ckptsim::scenario::restart::TASK_FAILURE_REPORT_DELAY_MS / 1000.0;
    assert!((failed_s - handled_s).abs() < 1e-9, "failed at {failed_s} s");
    // Every pipeline stopped: no sink output after the job failed (a timeline sample at 11 s
    // and later would show the three surviving pipelines still processing).
    let after: Vec<_> = out.timeline.iter().filter(|t| t.time_s > failed_s).collect();
    assert!(
        after.iter().all(|t| t.sink_records_per_second == 0.0),
        "sinks still processing after the job failed: {after:?}"
    );
    // The run stops simulating the job: no checkpoint is triggered after it failed.
    assert!(
        out.checkpoints.iter().all(|c| c.trigger_timestamp <= failed_s * 1e3),
        "checkpoints after the job failed"
    );
    let text = ckptsim::summary_table::render_summary(&out);
    assert!(text.contains("job FAILED at 10.0 s"), "{text}");
}
