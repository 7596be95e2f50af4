//! JobManager failover (Flink HA): the TaskManagers lose their JobManager and fail the job's
//! tasks at once (`TaskExecutor.disconnectJobManager`); once a new leader is elected its
//! JobMaster recovers the job and restores the latest checkpoint of the completed-checkpoint
//! store (kept in the HA services, so it survives the old leader). Nothing processes during the
//! election.

mod common;

const JOB: &str = r#"
[pipeline]
operator_chaining = false  # one task per operator: the test reads each one's figures
[simulation]
duration = "60s"
[checkpoint]
interval = "5s"
[cluster]
taskmanagers = 2
slots_per_taskmanager = 2
[faults.jobmanager_failover]
at = ["20s"]
leader_election_time = "15s"
[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = { process = "poisson", records_per_second = 1000 }
[[operators]]
name = "op"
kind = "operator"
parallelism = 2
inputs = [{ from = "source", partitioning = "hash" }]
service_time = "50us"
state = { initial = "10MB" }
[[operators]]
name = "sink"
kind = "sink"
parallelism = 2
inputs = [{ from = "op", partitioning = "forward" }]
"#;

#[test]
fn jobmanager_failover_fails_every_task_and_restores_from_the_checkpoint_store_after_the_election() {
    let out = ckptsim::run::run(&common::scenario(JOB), 1);
    assert_eq!(out.failures.len(), 1, "{:?}", out.failures);
    let f = &out.failures[0];
    assert_eq!(f.cause, "JOB_MANAGER_FAILOVER");
    assert_eq!(f.tasks_restarted, 6, "every task");
    // Restored: the latest checkpoint completed before the failover.
    let latest = out
        .checkpoints
        .iter()
        .filter(|c| c.status == "COMPLETED")
        .filter(|c| {
            c.trigger_timestamp + c.end_to_end_duration.unwrap() + c.metadata_write_duration.unwrap_or(0.0) <= 20_000.0
        })
        .map(|c| c.id)
        .max();
    assert!(latest.is_some());
    assert_eq!(f.restored_checkpoint, latest);
    // Down for the election at least (before: the tasks ran on and downtime was the restart's).
    let downtime = f.downtime.expect("running again");
    assert!(downtime >= 15_000.0, "downtime {downtime} ms");
    // No sink output during the election (samples at 22 s .. 34 s cover whole seconds in it).
    let during: Vec<_> = out
        .timeline
        .iter()
        .filter(|t| t.time_s >= 22.0 && t.time_s <= 34.0)
        .map(|t| t.sink_records_per_second)
        .collect();
    assert!(!during.is_empty());
    assert!(
        during.iter().all(|r| *r == 0.0),
        "sinks processed during the election: {during:?}"
    );
    // And the job runs again afterwards.
    assert!(
        out.timeline
            .iter()
            .any(|t| t.time_s > 40.0 && t.sink_records_per_second > 0.0)
    );
}
