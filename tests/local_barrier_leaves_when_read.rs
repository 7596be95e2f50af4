//! On a local channel the barrier stays in its producer's subpartition until the consumer reads
//! it (`LocalInputChannel` polls the subpartition view itself). With an aligned checkpoint
//! timeout (FLINK-27251) the producer's acknowledgement waits for its barrier to leave its
//! outputs, because its output alignment timer may still move the barrier ahead of the
//! buffers before it, which then are the producer's output channel state.
//!
//! The property test found the bug this pins: the producer acknowledged as soon as the barrier
//! was handed to the local consumer's queue; its output timer then moved the barrier ahead of
//! data the consumer had not read, and that data went into no checkpoint (a completed
//! checkpoint one record short of its source's offset; restored, a lost record). Here a map
//! three times slower than its source keeps the barrier well behind the timer on a local
//! channel, every checkpoint, and each subtask writes its own channel-state file
//! (`max_subtasks_per_channel_state_file = 1`): in a shared file the source's acknowledgement
//! would wait for the map's part, and so for the barrier, whatever the bug.

mod common;

const SCENARIO: &str = r#"
[simulation]
duration = "6s"
[checkpoint]
interval = "1s"
unaligned = true
aligned_checkpoint_timeout = "30ms"
max_subtasks_per_channel_state_file = 1
[cluster]
taskmanagers = 1
slots_per_taskmanager = 3
[pipeline]
operator_chaining = false
[[operators]]
name = "source"
kind = "source"
parallelism = 1
rate = { process = "poisson", records_per_second = 1500 }
keys = { count = 200 }
[[operators]]
name = "map"
kind = "operator"
parallelism = 1
inputs = [{ from = "source", partitioning = "rebalance" }]
service_time = { dist = "exponential", mean = "2ms" }
state = { bytes_per_key = "64B" }
[[operators]]
name = "sink"
kind = "sink"
parallelism = 1
inputs = [{ from = "map", partitioning = "rebalance" }]
"#;

#[test]
fn a_timed_out_barrier_on_a_local_channel_takes_its_overtaken_buffers_into_the_producers_checkpoint() {
    let s = common::scenario(SCENARIO);
    for seed in 1..=3 {
        // A cut missing records panics inside the run (the consistent-cut invariant).
        let out = ckptsim::run::run(&s, seed);
        // The first checkpoint is triggered as the job starts, on empty channels.
        let completed: Vec<_> = out
            .checkpoints
            .iter()
            .filter(|c| c.status == "COMPLETED" && c.id > 1)
            .collect();
        assert!(completed.len() >= 4, "seed {seed}: {} completed", completed.len());
        let source_persisted: Vec<u64> = out
            .subtasks
            .iter()
            .filter(|r| r.task == "source" && completed.iter().any(|c| c.id == r.checkpoint_id))
            .map(|r| r.persisted_data)
            .collect();
        // Every checkpoint timed out at the source's output: its barrier overtook buffers the
        // map had not read, and the source's checkpoint holds them.
        assert!(
            !source_persisted.is_empty() && source_persisted.iter().all(|b| *b > 0),
            "seed {seed}: the source's persisted data per checkpoint {source_persisted:?}"
        );
    }
}

/// A forward edge is pointwise, so its barrier is forced aligned (`withUnalignedUnsupported`)
/// and never times out: handed to the local consumer it holds nothing, whether or not the
/// consumer has read it. The first version of the fix above waited for any barrier in the
/// consumer's queue while only a timeoutable one tells its producer when read, and the
/// property test found the source waiting forever for a forced-aligned barrier (no checkpoint
/// completed after it, and the bounded job never finished).
#[test]
fn a_barrier_forced_aligned_on_a_local_forward_edge_holds_no_acknowledgement() {
    let forward = SCENARIO
        .replace(
            "inputs = [{ from = \"source\", partitioning = \"rebalance\" }]",
            "inputs = [{ from = \"source\", partitioning = \"forward\" }]",
        )
        .replace("duration = \"6s\"", "duration = \"12s\"");
    assert_ne!(forward, SCENARIO);
    let s = common::scenario(&forward);
    for seed in 1..=3 {
        let out = ckptsim::run::run(&s, seed);
        // Aligned under backpressure, each checkpoint takes about 2 s here (all the data
        // ahead of the barrier); without the fix the first one never completes.
        let completed = out.checkpoints.iter().filter(|c| c.status == "COMPLETED").count();
        assert!(completed >= 2, "seed {seed}: {completed} completed");
    }
}
