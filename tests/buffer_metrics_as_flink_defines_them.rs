//! Flink's network metrics of a task as the run reports them (`job.tasks` in `summary.json`):
//! `outPoolUsage`, `outputQueueLength` and `inPoolUsage` averaged over the samples after the
//! warm-up, and the buffers and bytes read from local and from remote channels per second.
//!
//! Held to their definitions on one back-pressured job, run on one TaskManager (every channel
//! local) and on two (the hash edge has local and remote channels), and on the same job with
//! room to spare:
//! - a back-pressured source's output pool is nearly full, an idle one's nearly empty, and its
//!   queue holds at least the buffers in use of its own pool;
//! - local channels hold no input buffers (Flink's `inPoolUsage` is 0 with local channels
//!   only), remote ones do, and only as many as the gate has (at most 1);
//! - the bytes read from local and from remote channels add up to the bytes the task read
//!   (`OperatorStats::bytes_per_second`), and each buffer holds at most a 32 KiB segment.

mod common;

use ckptsim::metrics::{OperatorStats, TaskStats};

/// The network tests' job with a 10 s warm-up: each source offered `rate` records a second, the
/// sinks drain 2000 in all.
fn job(taskmanagers: u32, rate: u32) -> String {
    common::two_sources_hash_to_two_sinks(taskmanagers, rate, "30s", "10s", "2s")
}

struct Run {
    tasks: Vec<TaskStats>,
    operators: Vec<OperatorStats>,
}

fn run(taskmanagers: u32, rate: u32) -> Run {
    let out = ckptsim::run::run(&common::scenario(&job(taskmanagers, rate)), 3);
    Run {
        tasks: out.summary.job.tasks,
        operators: out.summary.job.operators,
    }
}

fn of<'a>(r: &'a Run, task: &str) -> Vec<&'a TaskStats> {
    r.tasks.iter().filter(|t| t.task.starts_with(task)).collect()
}

/// Bytes read from local and remote channels add up to what the sinks read, in whole buffers.
fn reads_add_up(r: &Run) {
    let sink = r.operators.iter().find(|o| o.name.starts_with("sink")).expect("sink");
    let read: f64 = of(r, "sink")
        .iter()
        .map(|t| t.bytes_in_local_per_second + t.bytes_in_remote_per_second)
        .sum();
    assert!(
        (read - sink.bytes_per_second).abs() <= 0.01 * sink.bytes_per_second,
        "read {read} B/s from channels, {} B/s in all",
        sink.bytes_per_second
    );
    for t in of(r, "sink") {
        for (buffers, bytes) in [
            (t.buffers_in_local_per_second, t.bytes_in_local_per_second),
            (t.buffers_in_remote_per_second, t.bytes_in_remote_per_second),
        ] {
            assert!(bytes <= buffers * 32768.0 + 1e-6, "{bytes} B/s in {buffers} buffers/s");
        }
    }
}

#[test]
fn local_channels_fill_the_senders_pool_and_hold_no_input_buffers() {
    let r = run(1, 4000);
    for t in of(&r, "source") {
        assert!(
            t.out_pool_usage >= 0.8,
            "back-pressured source's outPoolUsage {}",
            t.out_pool_usage
        );
        assert!(
            t.output_queue_length >= t.out_pool_usage * 4.0,
            "outputQueueLength {} below the buffers in use",
            t.output_queue_length
        );
    }
    for t in of(&r, "sink") {
        assert_eq!(t.in_pool_usage, 0.0, "local channels hold no input buffers");
        assert_eq!(t.buffers_in_remote_per_second, 0.0);
        assert!(t.buffers_in_local_per_second > 0.0);
    }
    reads_add_up(&r);
}

#[test]
fn remote_channels_hold_input_buffers() {
    let r = run(2, 4000);
    for t in of(&r, "source") {
        assert!(
            t.out_pool_usage >= 0.8,
            "back-pressured source's outPoolUsage {}",
            t.out_pool_usage
        );
    }
    for t in of(&r, "sink") {
        assert!(
            (0.2..=1.0).contains(&t.in_pool_usage),
            "a back-pressured remote reader's inPoolUsage {}",
            t.in_pool_usage
        );
        assert!(t.buffers_in_local_per_second > 0.0 && t.buffers_in_remote_per_second > 0.0);
    }
    let sink = r.operators.iter().find(|o| o.name.starts_with("sink")).expect("sink");
    let mean = of(&r, "sink").iter().map(|t| t.in_pool_usage).sum::<f64>() / 2.0;
    assert!(
        (sink.in_pool_usage - mean).abs() < 1e-12,
        "the operator's is its subtasks' mean"
    );
    reads_add_up(&r);
}

/// A source with room holds about one buffer being filled per subpartition, 2 of its pool's 12
/// (0.17; the run reads 0.167), and a sink that keeps up about none: 0.3 lies between that and
/// a back-pressured pool (0.8 and above, the tests above).
#[test]
fn a_job_with_room_to_spare_keeps_its_pools_nearly_empty() {
    let r = run(2, 400);
    for t in of(&r, "source") {
        assert!(
            t.out_pool_usage < 0.3,
            "idle source's outPoolUsage {}",
            t.out_pool_usage
        );
    }
    for t in of(&r, "sink") {
        assert!(t.in_pool_usage < 0.3, "idle sink's inPoolUsage {}", t.in_pool_usage);
    }
    reads_add_up(&r);
}
