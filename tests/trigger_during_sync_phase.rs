//! A trigger RPC that reaches a source during the synchronous phase of the checkpoint before it
//! waits in the mailbox (`StreamTask.triggerCheckpointAsync` is a mailbox action) and runs when
//! that phase ends, before the next record: the second checkpoint's own synchronous phase
//! starts at once and ends on time, and both complete.
//!
//! The property test found the bug this pins (a savepoint triggered 27 ms after a periodic
//! checkpoint, its RPC overtaking at one source): the task resumed its records over the second
//! sync phase, which then never ended, so the savepoint never completed and the bounded job
//! never finished. Here a 50 ms operator sync phase makes the overlap certain whatever the seed.

mod common;

const SCENARIO: &str = r#"
[simulation]
duration = "10s"
[checkpoint]
interval = "2s"
first_trigger_delay = "500ms"
savepoint_times = ["510ms"]
[cluster]
taskmanagers = 1
slots_per_taskmanager = 2
rpc_latency = "1ms"
[[operators]]
name = "source"
kind = "source"
parallelism = 1
rate = { process = "poisson", records_per_second = 1000 }
max_records = 2000
sync_time = "50ms"
[[operators]]
name = "sink"
kind = "sink"
parallelism = 1
inputs = [{ from = "source", partitioning = "rebalance" }]
"#;

#[test]
fn a_trigger_deferred_by_a_sync_phase_runs_when_it_ends_and_both_complete() {
    let s = common::scenario(SCENARIO);
    for seed in 1..=5 {
        let out = ckptsim::run::run(&s, seed);
        let first = &out.checkpoints[0];
        let savepoint = &out.checkpoints[1];
        assert_eq!(
            (first.checkpoint_type.as_str(), savepoint.checkpoint_type.as_str()),
            ("CHECKPOINT", "SAVEPOINT"),
            "seed {seed}"
        );
        // The savepoint's RPC (1 ms) reaches the source inside the checkpoint's sync phase, as
        // the run measured it (start delay, then 50 ms): the overlap this test is about.
        let first_sync_end = first.trigger_timestamp + first.max_start_delay + first.max_sync_duration;
        assert!(
            savepoint.trigger_timestamp + 1.0 < first_sync_end,
            "seed {seed}: the savepoint's RPC came at {} ms, after the sync phase ({first_sync_end} ms)",
            savepoint.trigger_timestamp + 1.0
        );
        for c in [first, savepoint] {
            assert_eq!(c.status, "COMPLETED", "seed {seed}: checkpoint {} {:?}", c.id, c);
            // Each has its own 50 ms sync phase at the source.
            assert!(
                (c.max_sync_duration - 50.0).abs() < 1e-6,
                "seed {seed}: checkpoint {} sync {} ms",
                c.id,
                c.max_sync_duration
            );
        }
        // The savepoint waited for the checkpoint's sync phase at the source: it starts about
        // 40 ms after its RPC arrived, then takes its own 50 ms.
        assert!(
            savepoint.max_start_delay > 35.0,
            "seed {seed}: savepoint start delay {} ms",
            savepoint.max_start_delay
        );
        assert!(
            out.summary.job_finished_s.is_some(),
            "seed {seed}: the bounded job does not finish"
        );
    }
}
