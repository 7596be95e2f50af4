//! An unaligned barrier that reaches a consumer while its task thread is busy waits as a mail,
//! and the buffers it overtook stay at its channel's head until the mail runs; they are the
//! consumer's input channel state. If the barrier's producer dies meanwhile (its TaskManager
//! lost, noticed only at the heartbeat timeout) the channel is emptied, but the consumer lives
//! on and Flink keeps what it received until the consumer itself fails: the checkpoint must
//! still hold those buffers.
//!
//! The property test found the bug this pins (a TaskManager lost 9 ms after a trigger): the
//! consumer's mail persisted what was left at the head of the emptied channel, nothing, and a
//! completed checkpoint held 80 records fewer than its source's offset (the run-time
//! consistent-cut invariant). Here a map taking 50 ms a record receives from a source on the
//! TaskManager lost 30 ms after the trigger; before the fix 14 of seeds 1-30 broke the cut
//! (after it, the first checkpoint completes in half the seeds: in the others the source died
//! before acknowledging).

mod common;

const SCENARIO: &str = r#"
[simulation]
duration = "5s"
[checkpoint]
interval = "10s"
first_trigger_delay = "1s"
unaligned = true
[cluster]
taskmanagers = 2
slots_per_taskmanager = 1
rpc_latency = { dist = "uniform", min = "1ms", max = "30ms" }
[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = { process = "poisson", records_per_second = 200 }
keys = { count = 100 }
[[operators]]
name = "map"
kind = "operator"
parallelism = 1
inputs = [{ from = "source", partitioning = "rebalance" }]
service_time = "50ms"
state = { bytes_per_key = "64B" }
[[operators]]
name = "sink"
kind = "sink"
parallelism = 1
inputs = [{ from = "map", partitioning = "forward" }]
[[faults.taskmanager_loss]]
at = ["1030ms"]
taskmanager = 1
detection = "heartbeat"
heartbeat_timeout = "2s"
heartbeat_interval = "1s"
"#;

#[test]
fn a_pending_unaligned_barrier_keeps_what_it_overtook_when_its_producer_dies() {
    let s = common::scenario(SCENARIO);
    let mut completed = 0;
    for seed in 1..=20 {
        // A cut missing records panics inside the run (the consistent-cut invariant).
        let out = ckptsim::run::run(&s, seed);
        let first = &out.checkpoints[0];
        if first.status != "COMPLETED" {
            continue; // the lost source had not acknowledged yet
        }
        completed += 1;
        let map_persisted: u64 = out
            .subtasks
            .iter()
            .filter(|r| r.checkpoint_id == first.id && r.task.starts_with("map"))
            .map(|r| r.persisted_data)
            .sum();
        assert!(map_persisted > 0, "seed {seed}: the map persisted no channel state");
    }
    // 10 of seeds 1-20 complete their first checkpoint; at least 5 keep the test meaningful.
    assert!(completed >= 5, "only {completed} of 20 first checkpoints completed");
}
