//! The checkpoint protocol's RPCs as Flink's statistics show them: `triggerCheckpoint`
//! (JobManager -> each source task: a source's start delay), `acknowledgeCheckpoint` (task ->
//! JobManager: a subtask's end-to-end duration beyond its own phases) and
//! `notifyCheckpointComplete` (JobManager -> each task: a two-phase-commit sink's commit), each
//! with its own latency, `cluster.rpc_latency` the shared default, jittered.

mod common;

use ckptsim::run::RunOutput;

/// Four sources hashing into four maps and a sink, lightly loaded (no backpressure).
fn job(cluster_extra: &str) -> RunOutput {
    let s = common::scenario(&format!(
        r#"
[simulation]
duration = "12s"
warmup = "2s"
[checkpoint]
interval = "500ms"
[cluster]
taskmanagers = 2
slots_per_taskmanager = 2
{cluster_extra}
[[operators]]
name = "source"
kind = "source"
parallelism = 4
rate = {{ process = "constant", records_per_second = 2000 }}
record_size = "100B"
[[operators]]
name = "map"
kind = "operator"
parallelism = 4
inputs = [{{ from = "source", partitioning = "hash" }}]
service_time = "5us"
[[operators]]
name = "sink"
kind = "sink"
parallelism = 4
inputs = [{{ from = "map", partitioning = "forward" }}]
"#
    ));
    ckptsim::run::run(&s, 7)
}

fn acks<'a>(out: &'a RunOutput, task: &'a str) -> impl Iterator<Item = &'a ckptsim::metrics::SubtaskRecord> + 'a {
    out.subtasks
        .iter()
        .filter(move |a| a.task == task && a.checkpoint_id > 4)
}

/// Checkpoints whose four source subtasks did not all receive the trigger at the same instant.
fn checkpoints_with_spread_triggers(out: &RunOutput) -> (usize, usize) {
    let mut by_checkpoint = std::collections::BTreeMap::<u64, Vec<f64>>::new();
    for a in acks(out, "source") {
        by_checkpoint.entry(a.checkpoint_id).or_default().push(a.start_delay);
    }
    let spread = by_checkpoint
        .values()
        .filter(|d| d.iter().cloned().fold(f64::MIN, f64::max) - d.iter().cloned().fold(f64::MAX, f64::min) > 0.01)
        .count();
    (spread, by_checkpoint.len())
}

/// The map, chained with the sink behind it (a forward edge of equal parallelism).
const MAP_TASK: &str = "map -> sink: Writer";

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

#[test]
fn sources_receive_the_trigger_at_different_instants_and_maps_align_without_backpressure() {
    let out = job("");
    let (spread, total) = checkpoints_with_spread_triggers(&out);
    assert!(total >= 15, "{total} checkpoints");
    assert_eq!(
        spread, total,
        "every checkpoint's sources got the trigger at different instants"
    );
    let alignment = median(acks(&out, MAP_TASK).map(|a| a.alignment_duration).collect());
    let processed: u64 = acks(&out, MAP_TASK).map(|a| a.processed_data).sum();
    // A map waits for the last of four sources' barriers: the spread of four draws of the
    // default latency (median 1 ms, sigma 0.75) is about a millisecond.
    assert!(alignment > 0.2, "median map alignment {alignment} ms");
    assert!(processed > 0, "records processed during alignment");
    assert!(
        out.summary.job.operators[0].back_pressured_time_ms_per_second < 1.0,
        "no backpressure"
    );

    // Negative control: a constant latency triggers every source at once, and no map waits
    // for one of them (the barriers reach it within the channel latency's draw).
    let constant = job("rpc_latency = \"1ms\"");
    let (spread, _) = checkpoints_with_spread_triggers(&constant);
    assert_eq!(
        spread, 0,
        "a constant RPC latency triggers every source at the same instant"
    );
    let alignment_constant = median(acks(&constant, MAP_TASK).map(|a| a.alignment_duration).collect());
    assert!(
        alignment_constant < alignment / 2.0,
        "constant RPC: median alignment {alignment_constant} ms, jittered {alignment} ms"
    );
}

#[test]
fn the_trigger_rpc_has_its_own_latency_and_is_the_sources_start_delay() {
    let out = job("trigger_rpc_latency = \"40ms\"");
    for a in acks(&out, "source") {
        assert!((a.start_delay - 40.0).abs() < 1e-6, "start delay {} ms", a.start_delay);
    }
}

#[test]
fn the_acknowledgement_rpc_has_its_own_latency_after_the_subtasks_phases() {
    let out = job("acknowledge_rpc_latency = \"25ms\"");
    // Sent when its phases end; handled when the JobMaster's main thread wakes: 25 ms after the
    // first acknowledgement that finds it idle, with it for those sent while it wakes.
    let sent = |a: &&ckptsim::metrics::SubtaskRecord| {
        a.start_delay + a.alignment_duration + a.sync_duration + a.async_duration
    };
    let mut ids: Vec<u64> = acks(&out, "source").map(|a| a.checkpoint_id).collect();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        let all: Vec<_> = acks(&out, "source")
            .chain(acks(&out, MAP_TASK))
            .filter(|a| a.checkpoint_id == id)
            .collect();
        let first = all.iter().min_by(|a, b| sent(a).total_cmp(&sent(b))).unwrap();
        let waited = |a: &&ckptsim::metrics::SubtaskRecord| a.end_to_end_duration - sent(a);
        assert!(
            (waited(first) - 25.0).abs() < 1e-6,
            "checkpoint {id}: the first acknowledgement took {} ms",
            waited(first)
        );
        for a in &all {
            assert!(
                waited(a) > 0.0 && waited(a) <= 25.0 + 1e-6,
                "checkpoint {id}, {} {}: acknowledgement took {} ms",
                a.task,
                a.index,
                waited(a)
            );
        }
    }
    // The trigger kept the shared, jittered default.
    let (spread, total) = checkpoints_with_spread_triggers(&out);
    assert_eq!(spread, total);
}

#[test]
fn the_notification_rpc_has_its_own_latency_and_delays_the_sinks_commit() {
    let visible = |extra: &str| job(extra).summary.job.visible_latency_ms.avg;
    let fast = visible("notify_rpc_latency = \"1ms\"");
    let slow = visible("notify_rpc_latency = \"201ms\"");
    // Only the commit moves: output becomes visible 200 ms later, nothing else changes.
    assert!(
        ((slow - fast) - 200.0).abs() < 5.0,
        "visible latency {fast} ms -> {slow} ms"
    );
}
