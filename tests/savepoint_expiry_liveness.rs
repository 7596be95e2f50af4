//! An aligned savepoint that expires while the job checkpoints unaligned must not stall the job.
//!
//! Flink aligns a savepoint even with unaligned checkpoints enabled. When it expires, the next
//! (unaligned) checkpoint's barriers overtake the data and reach a task before the savepoint's
//! barrier on a channel still full of data; that task drops the savepoint's alignment. The
//! savepoint's barrier, read later, is obsolete there, and `SingleCheckpointBarrierHandler`
//! resumes its channel (`resumeConsumption`): the producer's subpartition blocked itself when
//! it sent the barrier aligned, so without that resume it never sends again.

mod common;

/// Unaligned, back-pressured (the sources offer 2x what `slow` processes), deep buffers (about
/// 6 s of data ahead of a barrier), 5 s timeout, a savepoint at 20 s that expires at 25 s.
pub const STALL: &str = r#"
[simulation]
duration = "60s"
[checkpoint]
interval = "5s"
timeout = "5s"
tolerable_failed = 100
unaligned = true
savepoint_times = ["20s"]
[cluster]
taskmanagers = 2
slots_per_taskmanager = 2
[network]
buffers_per_channel = 16
floating_buffers_per_gate = 64
max_buffers_per_channel = 64
[storage]
profile = "hdfs"
[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = { process = "poisson", records_per_second = 2000 }
record_size = "1KB"
keys = { count = 1000 }
[[operators]]
name = "slow"
kind = "operator"
parallelism = 2
inputs = [{ from = "source", partitioning = "hash" }]
service_time = "2ms"
state = { initial = "10MB" }
[[operators]]
name = "sink"
kind = "sink"
parallelism = 2
inputs = [{ from = "slow", partitioning = "forward" }]
"#;

#[test]
fn an_obsolete_aligned_savepoint_barrier_resumes_its_channel_so_the_job_keeps_running() {
    let out = ckptsim::run::run(&common::scenario(STALL), 1);
    let savepoint = out
        .checkpoints
        .iter()
        .find(|c| c.checkpoint_type == "SAVEPOINT")
        .expect("a savepoint");
    assert_eq!(
        savepoint.failure_reason.as_deref(),
        Some("CHECKPOINT_EXPIRED"),
        "the scenario is the one where the savepoint expires"
    );
    // The sources keep reading to the end (before the fix: nothing from 27 s on).
    let stalled: Vec<_> = out
        .timeline
        .iter()
        .filter(|t| t.time_s >= 30.0 && t.source_records_per_second == 0.0)
        .map(|t| t.time_s)
        .collect();
    assert!(stalled.is_empty(), "sources read nothing at {stalled:?} s");
    // And once the obsolete savepoint barriers, ~6 s of data deep, have been read, the
    // checkpoints complete again (before: every one expired to the end of the run).
    let late: Vec<_> = out
        .checkpoints
        .iter()
        .filter(|c| c.trigger_timestamp > 35_000.0 && c.status != "IN_PROGRESS")
        .collect();
    assert!(late.len() >= 4);
    assert!(
        late.iter().all(|c| c.status == "COMPLETED"),
        "{:?}",
        late.iter().map(|c| (c.id, &c.status)).collect::<Vec<_>>()
    );
}
