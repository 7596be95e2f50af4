//! The coordinator's timing rules, end to end: timeout, min-pause, max-concurrent, and spacing
//! when checkpoints take longer than the interval (Flink docs `large_state_tuning.md`
//! "Tuning Checkpointing"; validation-theory.md §1.2).

mod common;

fn job(checkpoint: &str, upload_bandwidth: &str) -> String {
    format!(
        r#"
[simulation]
duration = "60s"
[checkpoint]
{checkpoint}
[cluster]
taskmanagers = 1
slots_per_taskmanager = 2
rpc_latency = "1ms"
[storage]
profile = "hdfs"
request_latency = "0ms"
metadata_latency = "5ms"
bandwidth = "{upload_bandwidth}"
[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = {{ process = "poisson", records_per_second = 1000 }}
[[operators]]
name = "op"
kind = "operator"
parallelism = 2
inputs = [{{ from = "source", partitioning = "hash" }}]
service_time = "10us"
state = {{ initial = "100MB" }}
[[operators]]
name = "sink"
kind = "sink"
parallelism = 2
inputs = [{{ from = "op", partitioning = "forward" }}]
"#
    )
}

#[test]
fn a_checkpoint_that_outlives_its_timeout_expires() {
    // 2 x 100 MB at 100 MB/s takes 2 s; the timeout is 500 ms.
    let s = common::scenario(&job(
        "interval = \"3s\"\ntimeout = \"500ms\"\ntolerable_failed = 100",
        "100MB/s",
    ));
    let out = ckptsim::run::run(&s, 1);
    assert!(out.checkpoints.len() >= 10);
    for c in &out.checkpoints {
        assert_eq!(c.status, "FAILED", "checkpoint {}", c.id);
        assert_eq!(c.failure_reason.as_deref(), Some("CHECKPOINT_EXPIRED"));
        assert!(
            (c.failure_timestamp.unwrap() - c.trigger_timestamp - 500.0).abs() < 1e-6,
            "expires exactly at the timeout"
        );
    }
}

#[test]
fn expired_checkpoints_beyond_the_tolerance_request_a_failover() {
    let s = common::scenario(&job(
        "interval = \"3s\"\ntimeout = \"500ms\"\ntolerable_failed = 2",
        "100MB/s",
    ));
    let out = ckptsim::run::run(&s, 1);
    let key = out
        .summary
        .failure_reasons
        .keys()
        .find(|k| k.starts_with("EXCEEDED_CHECKPOINT_TOLERABLE_FAILURE"));
    assert!(key.is_some(), "{:?}", out.summary.failure_reasons);
}

#[test]
fn slow_checkpoints_are_spaced_by_duration_plus_min_pause() {
    // Each checkpoint takes ~2 s (2 x 100 MB at 100 MB/s); the interval is 500 ms; min-pause 700 ms.
    let s = common::scenario(&job("interval = \"500ms\"\nmin_pause = \"700ms\"", "100MB/s"));
    let out = ckptsim::run::run(&s, 1);
    let done: Vec<_> = out.checkpoints.iter().filter(|c| c.status == "COMPLETED").collect();
    assert!(done.len() >= 10);
    for w in done.windows(2) {
        let completed =
            w[0].trigger_timestamp + w[0].end_to_end_duration.unwrap() + w[0].metadata_write_duration.unwrap_or(0.0);
        let gap = w[1].trigger_timestamp - completed;
        // The next trigger fires exactly when the pause since the last completion is over.
        assert!(
            (gap - 700.0).abs() < 1e-6,
            "checkpoint {} triggered {gap} ms after {} completed",
            w[1].id,
            w[0].id
        );
    }
    // So the spacing is duration + min-pause (validation-theory.md §1.2), not the interval.
    let spacing = (done.last().unwrap().trigger_timestamp - done[0].trigger_timestamp) / (done.len() - 1) as f64;
    let mean_d = done.iter().map(|c| c.end_to_end_duration.unwrap()).sum::<f64>() / done.len() as f64;
    assert!(
        (spacing - (mean_d + 700.0)).abs() < 0.05 * mean_d,
        "spacing {spacing} vs D + p = {}",
        mean_d + 700.0
    );
}

#[test]
fn max_concurrent_bounds_the_checkpoints_in_flight() {
    for max in [1u32, 2] {
        let s = common::scenario(&job(
            &format!("interval = \"500ms\"\nmax_concurrent = {max}"),
            "100MB/s",
        ));
        let out = ckptsim::run::run(&s, 1);
        let spans: Vec<(f64, f64)> = out
            .checkpoints
            .iter()
            .filter_map(|c| {
                c.end_to_end_duration.map(|d| {
                    let metadata = c.metadata_write_duration.unwrap_or(0.0);
                    (c.trigger_timestamp, c.trigger_timestamp + d + metadata)
                })
            })
            .collect();
        let mut peak = 0;
        for (t, _) in &spans {
            // Half-open spans; 1 ns of slack for the ms conversion (a checkpoint may complete at
            // the very instant the next one is triggered).
            let in_flight = spans.iter().filter(|(a, b)| *a <= *t && *t < *b - 1e-6).count();
            peak = peak.max(in_flight);
        }
        assert_eq!(peak, max as usize, "max_concurrent = {max}");
    }
}

#[test]
fn with_min_pause_zero_a_slow_checkpoint_is_followed_at_once() {
    let s = common::scenario(&job("interval = \"500ms\"", "100MB/s"));
    let out = ckptsim::run::run(&s, 1);
    let done: Vec<_> = out.checkpoints.iter().filter(|c| c.status == "COMPLETED").collect();
    for w in done.windows(2) {
        let completed =
            w[0].trigger_timestamp + w[0].end_to_end_duration.unwrap() + w[0].metadata_write_duration.unwrap_or(0.0);
        assert!(
            (w[1].trigger_timestamp - completed).abs() < 1e-6,
            "queued request runs on completion"
        );
    }
}

/// `CheckpointFailureManager.checkFailureAgainstCounter` calls `clearCount()` before it fails
/// the job over: the failover it triggers starts the count afresh, so a job whose checkpoints
/// always expire fails over once per `tolerable + 1` counted failures, not on every failure
/// after the first `tolerable + 1`.
#[test]
fn the_failover_for_exceeded_tolerable_failures_clears_the_failure_count() {
    // Every checkpoint takes ~2 s (2 x 100 MB at 100 MB/s) and expires after 1.5 s.
    let text = job(
        "interval = \"1s\"\ntimeout = \"1500ms\"\ntolerable_failed = 2",
        "100MB/s",
    )
    .replace("duration = \"60s\"", "duration = \"30s\"");
    let out = ckptsim::run::run(&common::scenario(&text), 1);
    let failovers: Vec<_> = out
        .failures
        .iter()
        .filter(|f| f.cause == "CHECKPOINT_TOLERANCE_EXCEEDED")
        .collect();
    // Between two failovers at least tolerable + 1 = 3 checkpoints expired.
    for w in failovers.windows(2) {
        let expired = out
            .checkpoints
            .iter()
            .filter(|c| c.failure_reason.as_deref() == Some("CHECKPOINT_EXPIRED"))
            .filter(|c| {
                let t = c.failure_timestamp.unwrap();
                t > w[0].failure_timestamp && t <= w[1].failure_timestamp
            })
            .count();
        assert!(
            expired >= 3,
            "only {expired} checkpoints expired between the failovers at {} ms and {} ms",
            w[0].failure_timestamp,
            w[1].failure_timestamp
        );
    }
    let n = failovers.len();
    eprintln!("failovers in 30 s: {n}");
    assert!(n >= 1, "the tolerance is still exceeded");
}

/// Flink's checkpoint history shows each checkpoint from trigger to completion or failure; the
/// time a job spends checkpointing is the union of those spans. With checkpoints (~2 s) far
/// longer than the interval (500 ms) and two allowed at once, "mean duration over the
/// interval" read 400 %: the fraction must be of time, at most 100 %.
#[test]
fn checkpoint_time_fraction_is_the_share_of_run_time_with_a_checkpoint_in_progress() {
    let s = common::scenario(&job("interval = \"500ms\"\nmax_concurrent = 2", "100MB/s"));
    let out = ckptsim::run::run(&s, 1);
    let frac = out.summary.checkpoint_time_fraction.expect("checkpointing is on");
    let end_ms = out.summary.simulated_seconds * 1e3;
    let mut spans: Vec<(f64, f64)> = out
        .checkpoints
        .iter()
        .map(|c| {
            let done = c
                .failure_timestamp
                .or(c
                    .end_to_end_duration
                    .filter(|_| c.status == "COMPLETED")
                    .map(|d| c.trigger_timestamp + d + c.metadata_write_duration.unwrap_or(0.0)))
                .unwrap_or(end_ms);
            (c.trigger_timestamp, done.min(end_ms))
        })
        .collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut covered = 0.0;
    let mut cur: Option<(f64, f64)> = None;
    for (a, b) in spans {
        cur = match cur {
            Some((ca, cb)) if a <= cb => Some((ca, cb.max(b))),
            Some((ca, cb)) => {
                covered += cb - ca;
                Some((a, b))
            }
            None => Some((a, b)),
        };
    }
    covered += cur.map_or(0.0, |(a, b)| b - a);
    eprintln!("checkpoint_time_fraction {frac}");
    assert!(frac <= 1.0, "a fraction of time: {frac}");
    assert!((frac - covered / end_ms).abs() < 1e-6, "{frac} vs {}", covered / end_ms);
    assert!(frac > 0.9, "checkpoints run back to back: {frac}");
}
