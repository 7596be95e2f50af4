//! Who persists the in-flight data of an unaligned checkpoint on a local channel
//! (`LocalInputChannel`, `PipelinedSubpartition.addPriorityEvent`, `ChannelStatePersister`): the
//! priority barrier overtakes the buffers still in the producer's subpartition, and the
//! PRODUCER writes them as its output channel state; the consumer persists only what it had
//! already taken (the rest of the buffer it is reading, and what it reads from a channel whose
//! barrier is still to come). On a remote channel the received buffers are the consumer's, and it
//! persists them. Same job, same backpressure, on one TaskManager and on two. An aligned
//! checkpoint that times out goes the same way: the producer's output timer
//! (`PipelinedSubpartition.alignedBarrierTimeout`) finds the barrier in the subpartition even
//! when the local consumer has it in view already, behind data it has not read.

mod common;

use ckptsim::metrics::SubtaskRecord;
use ckptsim::run::RunOutput;

const SEGMENT: f64 = 32768.0;

/// 2 sources -> hash -> 2 slow sinks, unaligned checkpoints; `taskmanagers` 1 (all four channels
/// local) or 2 (one slot each: two local and two remote channels).
fn job(taskmanagers: u32) -> String {
    job_with(taskmanagers, "")
}

/// The job with `checkpoint` lines added (an aligned-checkpoint timeout).
fn job_with(taskmanagers: u32, checkpoint: &str) -> String {
    format!(
        r#"
[simulation]
duration = "30s"
warmup = "5s"
[checkpoint]
interval = "1s"
unaligned = true
{checkpoint}
[cluster]
taskmanagers = {taskmanagers}
slots_per_taskmanager = {slots}
[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = {{ process = "constant", records_per_second = 8000 }}
record_size = "128B"
keys = {{ count = 1000 }}
[[operators]]
name = "sink"
kind = "sink"
parallelism = 2
inputs = [{{ from = "source", partitioning = "hash" }}]
service_time = "1ms"
"#,
        slots = 2 / taskmanagers
    )
}

fn run(taskmanagers: u32) -> RunOutput {
    ckptsim::run::run(&common::scenario(&job(taskmanagers)), 11)
}

/// Mean persisted bytes per subtask acknowledgement of the operator.
fn persisted_per_subtask(o: &RunOutput, task: &str) -> f64 {
    let rows: Vec<&SubtaskRecord> = o.subtasks.iter().filter(|r| r.task == task).collect();
    assert!(rows.len() > 20, "{} acknowledgements of {task}", rows.len());
    rows.iter().map(|r| r.persisted_data as f64).sum::<f64>() / rows.len() as f64
}

#[test]
fn a_local_consumer_persists_only_what_it_had_taken_while_the_producer_persists_its_queued_output() {
    let local = run(1);
    let consumer = persisted_per_subtask(&local, "sink: Writer");
    let producer = persisted_per_subtask(&local, "source");
    // The consumer: at most about the buffer it was reading.
    assert!(
        consumer <= SEGMENT,
        "local consumer persisted {consumer:.0} B per checkpoint"
    );
    // The producer: its subpartitions' queued buffers, several per checkpoint under backpressure.
    assert!(
        producer >= 4.0 * SEGMENT,
        "local producer persisted {producer:.0} B per checkpoint"
    );
}

/// With a 30 ms aligned-checkpoint timeout every checkpoint times out (the sinks drain a
/// buffer in about 250 ms): on all-local channels the producers persist what is ahead of the
/// barrier and the consumers, as unaligned, at most the buffer they were reading. Before the
/// output timer looked past the buffers the consumer had in view, the consumer persisted each
/// buffer it read until the aligned barrier came in order: several segments per checkpoint.
#[test]
fn a_timed_out_aligned_barrier_on_a_local_channel_leaves_the_data_ahead_to_the_producer() {
    let timeout = r#"aligned_checkpoint_timeout = "30ms""#;
    let o = ckptsim::run::run(&common::scenario(&job_with(1, timeout)), 11);
    let consumer = persisted_per_subtask(&o, "sink: Writer");
    let producer = persisted_per_subtask(&o, "source");
    assert!(
        consumer <= SEGMENT,
        "local consumer persisted {consumer:.0} B per timed-out checkpoint"
    );
    assert!(
        producer >= 4.0 * SEGMENT,
        "local producer persisted {producer:.0} B per timed-out checkpoint"
    );
}

#[test]
fn a_remote_consumer_persists_the_buffers_it_received_far_more_than_a_local_one() {
    let local = persisted_per_subtask(&run(1), "sink: Writer");
    let remote = persisted_per_subtask(&run(2), "sink: Writer");
    // A remote channel's consumer holds up to its exclusive and floating buffers ahead of the
    // barrier; a local one none.
    assert!(remote >= 3.0 * SEGMENT, "remote consumer persisted {remote:.0} B");
    assert!(
        remote >= 5.0 * local.max(1.0),
        "remote {remote:.0} B vs local {local:.0} B"
    );
}
