//! State backends in the world (Flink docs `ops/state/state_backends`,
//! `ops/state/large_state_tuning` "Incremental checkpoints", FLIP-158 "Generalized incremental
//! checkpoints"): a job with large, slowly changing keyed state.

mod common;

use ckptsim::ids::SubtaskId;
use ckptsim::model::world::World;

fn job(backend: &str) -> String {
    format!(
        r#"
[simulation]
duration = "60s"
warmup = "5s"
[checkpoint]
interval = "5s"
timeout = "2min"
num_retained = 2
[state_backend]
{backend}
[cluster]
taskmanagers = 2
slots_per_taskmanager = 2
[storage]
profile = "hdfs"
[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = {{ process = "poisson", records_per_second = 2000 }}
record_size = "200B"
keys = {{ count = 50000 }}
[[operators]]
name = "state"
kind = "operator"
parallelism = 2
inputs = [{{ from = "source", partitioning = "hash" }}]
service_time = "20us"
state = {{ bytes_per_key = "1KB", initial = "512MB" }}
[[operators]]
name = "sink"
kind = "sink"
parallelism = 2
inputs = [{{ from = "state", partitioning = "forward" }}]
"#
    )
}

fn run(backend: &str) -> World {
    let mut w = World::new(
        &ckptsim::compile::world_config(&common::scenario(&job(backend))),
        11,
        "backends",
    );
    w.run_to_end();
    w
}

/// Completed checkpoints' (state_size, checkpointed_size, async ms, e2e ms), in id order.
fn completed(w: &World) -> Vec<(u64, u64, f64, f64, u64)> {
    let t = w.tracker();
    t.checkpoints()
        .iter()
        .filter(|c| c.status == "COMPLETED")
        .map(|c| {
            (
                c.state_size,
                c.checkpointed_size,
                c.max_async_duration,
                c.end_to_end_duration.unwrap(),
                t.changelog_replay_bytes(c.id),
            )
        })
        .collect()
}

/// Incremental RocksDB: a checkpoint uploads only the SST files not uploaded before, so for a
/// slowly changing state `checkpointed_size` stays below `state_size`; the files a checkpoint
/// refers to (shared and private) add up to its `state_size`.
#[test]
fn incremental_checkpoints_upload_the_delta_and_reference_files_adding_up_to_state_size() {
    let w = run("kind = \"rocksdb\"\nincremental = true");
    let cps = completed(&w);
    println!(
        "incremental (state_size, checkpointed_size): {:?}",
        cps.iter().map(|c| (c.0, c.1)).collect::<Vec<_>>()
    );
    assert!(cps.len() >= 9);
    for c in &cps[1..] {
        assert!(c.1 < c.0 / 2, "checkpointed {} vs state {}", c.1, c.0);
    }
    // Per subtask: the retained checkpoints' referenced files sum to the acknowledged size.
    let mut checked = 0;
    for s in [2u32, 3] {
        let b = w.subtask_backend(SubtaskId(s)).unwrap().as_incremental().unwrap();
        for (id, sub, _, m) in w.tracker().raw_acks().iter().filter(|a| a.1 == s) {
            if let Some(files) = b.referenced_files(*id) {
                let sum: u64 = files.iter().map(|f| f.bytes).sum();
                assert_eq!(sum, m.state_size, "checkpoint {id} subtask {sub}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 2, "checked {checked} retained checkpoints");
}

/// Changelog (FLIP-158): the async phase only uploads the log tail, so it is shorter and its
/// tail durations too; the price is the log a recovery replays, reported per checkpoint.
#[test]
fn changelog_has_shorter_async_phase_and_tail_than_incremental_but_reports_a_replay_log() {
    let inc = completed(&run("kind = \"rocksdb\"\nincremental = true"));
    let cl = completed(&run(
        "kind = \"rocksdb\"\nincremental = true\nchangelog = { enabled = true, periodic_materialize_interval = \"30s\" }",
    ));
    let avg = |v: &[(u64, u64, f64, f64, u64)], f: fn(&(u64, u64, f64, f64, u64)) -> f64| {
        v.iter().map(f).sum::<f64>() / v.len() as f64
    };
    let max =
        |v: &[(u64, u64, f64, f64, u64)], f: fn(&(u64, u64, f64, f64, u64)) -> f64| v.iter().map(f).fold(0.0, f64::max);
    // Skip the first checkpoint: both upload the initial state there (the changelog counts its
    // initial state as materialized, so it does not).
    let (inc, cl) = (&inc[1..], &cl[1..]);
    println!(
        "async ms: incremental avg {:.1} max {:.1}; changelog avg {:.1} max {:.1}; e2e max: {:.1} vs {:.1}; replay bytes {:?}",
        avg(inc, |c| c.2),
        max(inc, |c| c.2),
        avg(cl, |c| c.2),
        max(cl, |c| c.2),
        max(inc, |c| c.3),
        max(cl, |c| c.3),
        cl.iter().map(|c| c.4).collect::<Vec<_>>()
    );
    assert!(avg(cl, |c| c.2) < avg(inc, |c| c.2));
    assert!(max(cl, |c| c.3) < max(inc, |c| c.3), "tail durations");
    assert!(inc.iter().all(|c| c.4 == 0));
    assert!(cl.iter().all(|c| c.4 > 0), "the replay log is reported");
}
