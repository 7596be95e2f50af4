//! Aligned exactly-once checkpoints take a consistent cut (Chandy-Lamport; Carbone et al. 2015,
//! "Lightweight Asynchronous Snapshots for Distributed Dataflows"; Flink docs
//! `concepts/stateful-stream-processing` "Barriers"): every subtask's snapshot covers exactly
//! the records its sources had emitted before their barrier, and during alignment no record from
//! a blocked channel is processed before the snapshot.

mod common;

use std::collections::BTreeMap;

use ckptsim::model::records::OFFSET_BITS;
use ckptsim::model::world::World;

const JOB: &str = r#"
[simulation]
duration = "12s"
[checkpoint]
interval = "1s"
[cluster]
taskmanagers = 2
slots_per_taskmanager = 2
# Skewed trigger RPCs make barriers reach the operator at different times, so that data keeps
# arriving on the other channels during alignment: the situation the check is about.
rpc_latency = { dist = "uniform", min = "1ms", max = "80ms" }
[network]
buffer_timeout = "5ms"
[[operators]]
name = "source"
kind = "source"
parallelism = 3
rate = { process = "poisson", records_per_second = 3000 }
keys = { count = 500 }
[[operators]]
name = "slow"
kind = "operator"
parallelism = 2
inputs = [{ from = "source", partitioning = "hash" }]
service_time = { dist = "exponential", mean = "150us" }
[[operators]]
name = "sink"
kind = "sink"
parallelism = 2
inputs = [{ from = "slow", partitioning = "rebalance" }]
"#;

/// First inconsistency between the source barrier cut and a snapshot, if any.
fn first_violation(w: &World) -> Option<String> {
    let log = w.record_log().unwrap();
    let snaps = w.snapshot_log();
    let sources: Vec<u32> = (0..3).collect();
    // Source offsets at each checkpoint.
    let mut cut: BTreeMap<(u64, u32), u64> = BTreeMap::new();
    for sn in snaps.iter().filter(|sn| sources.contains(&sn.subtask)) {
        cut.insert((sn.checkpoint, sn.subtask), sn.source_offset.unwrap());
    }
    let mut checked = 0;
    for sn in snaps.iter().filter(|sn| !sources.contains(&sn.subtask)) {
        let mine = log.iter().enumerate().filter(|(_, r)| r.subtask == sn.subtask);
        for (i, r) in mine {
            let src = (r.record_id >> OFFSET_BITS) as u32;
            let offset = r.record_id & ((1 << OFFSET_BITS) - 1);
            let before_cut = offset < cut[&(sn.checkpoint, src)];
            let before_snapshot = i < sn.records_logged_before;
            if before_cut != before_snapshot {
                return Some(format!(
                    "checkpoint {} at subtask {}: record {offset} of source {src} is {} the source barrier but was processed {} the snapshot",
                    sn.checkpoint,
                    sn.subtask,
                    if before_cut { "before" } else { "after" },
                    if before_snapshot { "before" } else { "after" },
                ));
            }
            checked += 1;
        }
    }
    assert!(checked > 100_000, "the check saw {checked} records");
    None
}

#[test]
fn every_snapshot_covers_exactly_the_records_before_the_source_barriers() {
    let s = common::scenario(JOB);
    let mut w = World::new(&ckptsim::compile::world_config(&s), 7, "consistency");
    w.enable_record_log();
    w.run_to_end();
    if let Some(v) = first_violation(&w) {
        panic!("{v}");
    }
    let checkpoints = w.tracker().checkpoints();
    assert!(checkpoints.iter().filter(|c| c.status == "COMPLETED").count() >= 10);
    let aligning = w
        .tracker()
        .subtasks()
        .iter()
        .filter(|a| a.alignment_duration > 10.0)
        .count();
    assert!(
        aligning > 10,
        "only {aligning} snapshots had a real alignment phase: the test would prove little"
    );
}

/// Negative control: with alignment broken (barriers block nothing), the same check must fail.
#[test]
fn the_consistency_check_catches_a_handler_that_does_not_block() {
    let s = common::scenario(JOB);
    let mut w = World::new(&ckptsim::compile::world_config(&s), 7, "broken");
    w.break_alignment_for_negative_control();
    w.enable_record_log();
    w.run_to_end();
    assert!(
        first_violation(&w).is_some(),
        "a snapshot without alignment went unnoticed"
    );
}

#[test]
fn a_checkpoint_completes_only_after_every_subtask_acknowledged() {
    let s = common::scenario(JOB);
    let out = ckptsim::run::run(&s, 3);
    for c in out.checkpoints.iter().filter(|c| c.status == "COMPLETED") {
        assert_eq!(c.num_acknowledged_subtasks, c.num_subtasks);
        let acks: Vec<_> = out.subtasks.iter().filter(|a| a.checkpoint_id == c.id).collect();
        assert_eq!(acks.len() as u32, c.num_subtasks);
        let last_ack = acks.iter().map(|a| a.ack_timestamp).fold(0.0, f64::max);
        // Flink's end-to-end duration ends at the latest ack; the metadata write follows.
        assert!((c.trigger_timestamp + c.end_to_end_duration.unwrap() - last_ack).abs() < 1e-6);
        let completed_at = c.trigger_timestamp + c.end_to_end_duration.unwrap() + c.metadata_write_duration.unwrap();
        assert!(
            completed_at + 1e-6 >= last_ack,
            "checkpoint {} completed at {completed_at} before its last ack {last_ack}",
            c.id
        );
    }
}
