//! An unaligned barrier reaches the consumer's task thread through its mailbox: the priority
//! event completes the input gate's priority future, whose callback mails the task
//! (`CheckpointedInputGate` -> `processPriorityEvents`). So the consumer starts the checkpoint
//! one input hand-off after the barrier arrived, not at once (Flink's maps trail their sources
//! by 1-2 ms in the fidelity runs f06 and f07), and reads nothing of that channel meanwhile:
//! the barrier is at its head. Every run checks the consistent cut, so a held channel whose
//! buffers were persisted twice, or read past its barrier, fails the runs below.

mod common;

use ckptsim::run::RunOutput;

/// 1 source -> hash -> 2 slow sinks (backpressure), unaligned checkpoints, a constant trigger
/// RPC, two TaskManagers of one slot: sink 0 shares the source's slot (a local channel), sink 1
/// is on the other TaskManager (a remote one); `handoff` the consumers' input hand-off.
fn job(handoff: &str) -> String {
    format!(
        r#"
[simulation]
duration = "30s"
warmup = "5s"
[checkpoint]
interval = "1s"
unaligned = true
[cluster]
taskmanagers = 2
slots_per_taskmanager = 1
rpc_latency = "1ms"
[network]
input_handoff_latency = "{handoff}"
[[operators]]
name = "source"
kind = "source"
parallelism = 1
rate = {{ process = "constant", records_per_second = 6000 }}
record_size = "128B"
keys = {{ count = 1000 }}
[[operators]]
name = "sink"
kind = "sink"
parallelism = 2
inputs = [{{ from = "source", partitioning = "hash" }}]
service_time = "500us"
"#
    )
}

fn run(handoff: &str) -> RunOutput {
    ckptsim::run::run(&common::scenario(&job(handoff)), 5)
}

/// Median over checkpoints of sink `index`'s start delay less the source's, ms.
fn trail_ms(o: &RunOutput, index: u32) -> f64 {
    let start = |task: &str, index: u32, id: u64| {
        o.subtasks
            .iter()
            .find(|r| r.task.starts_with(task) && r.index == index && r.checkpoint_id == id)
            .map(|r| r.start_delay)
    };
    let mut trails: Vec<f64> = o
        .checkpoints
        .iter()
        .filter(|c| c.status == "COMPLETED")
        .filter_map(|c| Some(start("sink", index, c.id)? - start("source", 0, c.id)?))
        .collect();
    assert!(trails.len() > 20, "{} completed checkpoints", trails.len());
    trails.sort_by(f64::total_cmp);
    trails[trails.len() / 2]
}

#[test]
fn the_consumer_starts_an_unaligned_checkpoint_one_handoff_after_the_barrier_arrives() {
    let (at_once, mailed) = (run("0ms"), run("3ms"));
    // Sink 0 reads a local channel (the barrier is handed over in the subpartition), sink 1 a
    // remote one (the default 100 us of wire).
    for (index, wire_ms) in [(0, 0.0), (1, 0.1)] {
        let (now, later) = (trail_ms(&at_once, index), trail_ms(&mailed, index));
        println!("sink {index}: trails the source by {now:.3} ms at once, {later:.3} ms with a 3 ms hand-off");
        // With no hand-off the barrier is handled on arrival: the trail is the wire.
        assert!(
            (now - wire_ms).abs() < 0.05,
            "sink {index}: trail {now:.3} ms without a hand-off"
        );
        // With one, the mail adds exactly it.
        assert!(
            (later - now - 3.0).abs() < 0.05,
            "sink {index}: trail {later:.3} ms with a 3 ms hand-off against {now:.3} without"
        );
    }
}
