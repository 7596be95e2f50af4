//! Checkpoint duration without back-pressure is the slowest task's snapshot plus the RPCs and
//! the metadata write (the design note's `T_cp = T_save + T_ack`), and under back-pressure the
//! barrier waits for the bytes ahead of it to drain.

mod common;

use std::path::PathBuf;

use ckptsim::scenario::{Override, load_file};

/// scenarios/notes_worked_example.toml: 10 tasks, 1 s sync, 200 MB each uploaded at 100 MB/s
/// (10 x 100 MB/s = the 1 GB/s shared bandwidth), trigger and ack RPCs of 1 ms, a 10 ms
/// metadata write, no storage request latency.
#[test]
fn duration_without_backpressure_is_save_plus_write_plus_ack() {
    let loaded = load_file(&PathBuf::from("scenarios/notes_worked_example.toml")).unwrap();
    for (interval, share) in [("10s", 0.30), ("20s", 0.15)] {
        let sc = loaded
            .with_overrides(&[Override::parse(&format!("checkpoint.interval={interval}")).unwrap()])
            .unwrap();
        let out = ckptsim::run::run(&sc, 1);
        let completed: Vec<_> = out.checkpoints.iter().filter(|c| c.status == "COMPLETED").collect();
        assert!(completed.len() >= 5);
        // T_save = 1 s sync + 2 s upload; T_ack = 1 ms ack RPC; plus the 1 ms trigger RPC:
        // 3002 ms to the latest ack (Flink's end_to_end_duration), then the 10 ms metadata
        // write: 3012 ms to completion. The barrier also waits behind the records in flight
        // when it is injected: at most one buffer timeout (100 ms) of a source's records (100
        // at 1000/s) processed at 20 us each: 2 ms. So 3002..3004 ms, plus the local channel
        // latency (10 us).
        for c in &completed {
            let d = c.end_to_end_duration.unwrap();
            assert!((3002.0..=3004.1).contains(&d), "checkpoint {} took {d} ms", c.id);
            let metadata = c.metadata_write_duration.unwrap();
            assert!((metadata - 10.0).abs() < 1e-6, "metadata write {metadata} ms");
        }
        let frac = out.summary.checkpoint_time_fraction.unwrap();
        assert!(
            (frac - share).abs() < 0.002,
            "{interval}: checkpoints take {frac} of the time, the note says {share}"
        );
    }
}

/// source -> slow (forward) with the sources far faster than `slow`: every buffer between them
/// is full. Both run on one TaskManager, so the channel is local (`LocalInputChannel`): no
/// receiver buffers, only the producer's output pool of 1 x 2 + 8 = 10 buffers, so about 10
/// buffers are ahead of a new barrier, each drained in (segment / record size) x service time.
fn backpressured(segment: &str) -> ckptsim::run::RunOutput {
    let s = common::scenario(&format!(
        r#"
[pipeline]
operator_chaining = false  # one task per operator: the test reads each one's figures
[simulation]
duration = "40s"
[checkpoint]
interval = "2s"
[cluster]
taskmanagers = 1
slots_per_taskmanager = 1
[network]
segment_size = "{segment}"
[[operators]]
name = "source"
kind = "source"
parallelism = 1
rate = {{ process = "constant", records_per_second = 20000 }}
record_size = "100B"
[[operators]]
name = "slow"
kind = "operator"
parallelism = 1
inputs = [{{ from = "source", partitioning = "forward" }}]
service_time = "100us"
[[operators]]
name = "sink"
kind = "sink"
parallelism = 1
inputs = [{{ from = "slow", partitioning = "forward" }}]
"#
    ));
    ckptsim::run::run(&s, 1)
}

fn mean_start_delay_ms(out: &ckptsim::run::RunOutput, task: &str) -> f64 {
    let xs: Vec<f64> = out
        .subtasks
        .iter()
        .filter(|a| a.task == task && a.checkpoint_id > 2)
        .map(|a| a.start_delay)
        .collect();
    xs.iter().sum::<f64>() / xs.len() as f64
}

#[test]
fn aligned_start_delay_is_the_buffered_bytes_ahead_over_the_drain_rate() {
    let mut per_buffer_ratio = Vec::new();
    for (segment, bytes) in [("8KiB", 8192.0), ("16KiB", 16384.0), ("32KiB", 32768.0)] {
        let out = backpressured(segment);
        let delay = mean_start_delay_ms(&out, "slow");
        // Drain rate: 100 B per 100 us = 1 MB/s; one buffer drains in bytes / 1e6 s.
        let buffer_ms = bytes / 100.0 * 0.1;
        let buffers_ahead = delay / buffer_ms;
        // The pool's 10 buffers can be ahead; the one being processed is partly done and the
        // source's partly filled buffer counts in full: between 8.5 and 11.
        assert!(
            (8.5..=11.0).contains(&buffers_ahead),
            "{segment}: start delay {delay} ms = {buffers_ahead} buffers"
        );
        per_buffer_ratio.push(buffers_ahead);
    }
    // Proportional to the bytes ahead: the number of buffers ahead is the same whatever their size.
    let spread = per_buffer_ratio.iter().cloned().fold(f64::MIN, f64::max)
        - per_buffer_ratio.iter().cloned().fold(f64::MAX, f64::min);
    assert!(
        spread < 1.0,
        "buffers ahead vary with segment size: {per_buffer_ratio:?}"
    );
}

/// Two inputs: a heavy source whose channel is full, and a light one whose barrier arrives
/// early. Alignment (first to last barrier) is the time to drain the heavy channel.
#[test]
fn alignment_grows_with_the_bytes_buffered_on_the_late_channel() {
    let run = |segment: &str| {
        let s = common::scenario(&format!(
            r#"
[pipeline]
operator_chaining = false  # one task per operator: the test reads each one's figures
[simulation]
duration = "40s"
[checkpoint]
interval = "2s"
[cluster]
taskmanagers = 1
slots_per_taskmanager = 1
[network]
segment_size = "{segment}"
[[operators]]
name = "heavy"
kind = "source"
parallelism = 1
rate = {{ process = "constant", records_per_second = 20000 }}
record_size = "100B"
[[operators]]
name = "light"
kind = "source"
parallelism = 1
rate = {{ process = "constant", records_per_second = 100 }}
record_size = "100B"
[[operators]]
name = "join"
kind = "operator"
parallelism = 1
inputs = [{{ from = "heavy", partitioning = "forward" }}, {{ from = "light", partitioning = "forward" }}]
service_time = "100us"
[[operators]]
name = "sink"
kind = "sink"
parallelism = 1
inputs = [{{ from = "join", partitioning = "forward" }}]
"#
        ));
        let out = ckptsim::run::run(&s, 1);
        let xs: Vec<f64> = out
            .subtasks
            .iter()
            .filter(|a| a.task == "join" && a.checkpoint_id > 2)
            .map(|a| a.alignment_duration)
            .collect();
        xs.iter().sum::<f64>() / xs.len() as f64
    };
    let a8 = run("8KiB");
    let a32 = run("32KiB");
    // 8 KiB buffers drain in 8.192 ms; at most the heavy producer's pool (10 buffers, the
    // channel is local) is ahead of the heavy barrier, less what the join drains before it takes
    // the light barrier.
    assert!(
        (5.0 * 8.192..=11.0 * 8.192).contains(&a8),
        "alignment {a8} ms with 8 KiB buffers"
    );
    assert!(
        (a32 / a8 - 4.0).abs() < 0.4,
        "alignment should scale with the buffer size: {a8} -> {a32}"
    );
}
