//! Unaligned channel state written as Flink 1.17+ writes it (`ChannelStateWriteRequestExecutorFactory`,
//! `ChannelStateCheckpointWriter.tryFinishResult`): the subtasks of a job on one TaskManager
//! share channel-state writers, at most
//! `execution.checkpointing.unaligned.max-subtasks-per-channel-state-file` (5) per writer, each
//! writer puts a checkpoint's channel state of all its subtasks into one file, and a subtask's
//! channel state is complete only when that file is closed. So every subtask of a writer ends
//! its asynchronous phase at the same instant, the file's close.

mod common;

use std::collections::BTreeMap;

use ckptsim::run::RunOutput;

/// 3 sources -> hash -> 3 slow sinks on one TaskManager: 6 subtasks, deployed sources first.
/// Acknowledgements take no time, so a subtask's acknowledgement is the end of its async phase.
fn run(max_per_file: Option<u32>) -> RunOutput {
    let max = max_per_file.map_or(String::new(), |m| {
        format!("max_subtasks_per_channel_state_file = {m}\n")
    });
    let text = format!(
        r#"
[simulation]
duration = "20s"
warmup = "5s"
[checkpoint]
interval = "1s"
unaligned = true
{max}
[cluster]
taskmanagers = 1
slots_per_taskmanager = 3
rpc_latency = "0ms"
[[operators]]
name = "source"
kind = "source"
parallelism = 3
rate = {{ process = "constant", records_per_second = 6000 }}
record_size = "128B"
keys = {{ count = 1000 }}
[[operators]]
name = "sink"
kind = "sink"
parallelism = 3
inputs = [{{ from = "source", partitioning = "hash" }}]
service_time = "1ms"
"#
    );
    ckptsim::run::run(&common::scenario(&text), 3)
}

/// Per checkpoint, each subtask's acknowledgement time (ms), keyed by (task, index).
fn acks(o: &RunOutput) -> BTreeMap<u64, BTreeMap<(String, u32), f64>> {
    let mut by: BTreeMap<u64, BTreeMap<(String, u32), f64>> = BTreeMap::new();
    for r in &o.subtasks {
        by.entry(r.checkpoint_id)
            .or_default()
            .insert((r.task.clone(), r.index), r.ack_timestamp);
    }
    by.retain(|_, m| m.len() == 6);
    assert!(by.len() >= 10, "{} checkpoints with all six acknowledgements", by.len());
    by
}

/// Checkpoints in which the given subtasks all acknowledged at the same instant.
fn together(o: &RunOutput, members: &[(&str, u32)]) -> (usize, usize) {
    let by = acks(o);
    let n = by
        .values()
        .filter(|m| {
            let t: Vec<f64> = members.iter().map(|(task, i)| m[&(task.to_string(), *i)]).collect();
            t.iter().all(|x| (x - t[0]).abs() < 1e-6)
        })
        .count();
    (n, by.len())
}

const FIRST_WRITER: [(&str, u32); 5] = [
    ("source", 0),
    ("source", 1),
    ("source", 2),
    ("sink: Writer", 0),
    ("sink: Writer", 1),
];

#[test]
fn six_subtasks_with_five_per_file_end_their_async_phase_with_their_writers_file() {
    let o = run(None); // Flink's default: 5
    let (n, all) = together(&o, &FIRST_WRITER);
    assert_eq!(
        n, all,
        "the first writer's five subtasks acknowledge together in every checkpoint"
    );
    // The sixth has a writer of its own: it does not wait for the others' file.
    let mut sixth = FIRST_WRITER.to_vec();
    sixth.push(("sink: Writer", 2));
    let (n6, all6) = together(&o, &sixth);
    assert!(
        n6 < all6 / 2,
        "sink 2 acknowledged with the first writer's file in {n6} of {all6}"
    );
}

/// Negative control: one subtask per file (each its own writer), the same subtasks no longer
/// end together, so the check above can fail.
#[test]
fn with_one_subtask_per_file_the_same_subtasks_end_apart() {
    let o = run(Some(1));
    let (n, all) = together(&o, &FIRST_WRITER);
    assert!(n < all / 2, "{n} of {all} checkpoints still ended together");
}

/// Aligned checkpoints with a timeout (FLIP-182) also use the shared writers: a subtask's part of
/// the file is complete once its timeoutable barriers have left its output queues. A checkpoint
/// that completes aligned, well inside the timeout, must not wait for the timeout to fire (a
/// barrier leaving its output queue completes the subtask's part). Before that was wired, every
/// such checkpoint of `backpressure_timeout.toml` took the whole 1 s timeout (1001-1004 ms,
/// against 270-470 ms aligned).
#[test]
fn an_aligned_checkpoint_with_a_timeout_does_not_wait_for_the_timeout_to_close_its_file() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/backpressure_timeout.toml"
    ))
    .unwrap();
    let out = ckptsim::run::run(&common::scenario(&text), 1);
    let aligned: Vec<f64> = out
        .checkpoints
        .iter()
        .filter(|c| c.status == "COMPLETED" && c.persisted_data == 0)
        .filter_map(|c| c.end_to_end_duration)
        .collect();
    assert!(aligned.len() >= 10, "{} checkpoints completed aligned", aligned.len());
    let max = aligned.iter().cloned().fold(0.0, f64::max);
    println!(
        "{} aligned completions, longest {max:.1} ms (timeout 1000 ms)",
        aligned.len()
    );
    assert!(
        max < 900.0,
        "an aligned completion took {max} ms: it waited for the 1 s timeout"
    );
}
