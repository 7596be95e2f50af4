//! `state.checkpoints.num-retained` (default 1): the completed-checkpoint store keeps that many
//! completed checkpoints (`addCheckpointAndSubsumeOldestOne`); older ones are subsumed and
//! discarded, and the JobManager's `SharedStateRegistry` deletes the files only they referred
//! to. Savepoints are not in the store.

mod common;

use ckptsim::model::world::World;

fn scenario(num_retained: u32, incremental: bool) -> String {
    format!(
        r#"
[simulation]
duration = "20s"
[checkpoint]
interval = "1s"
num_retained = {num_retained}
savepoint_times = ["10.5s"]
[cluster]
taskmanagers = 1
slots_per_taskmanager = 2
[state_backend]
kind = "rocksdb"
incremental = {incremental}
[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = {{ process = "constant", records_per_second = 20000 }}
keys = {{ count = 100000 }}
[[operators]]
name = "map"
kind = "operator"
parallelism = 2
inputs = [{{ from = "source", partitioning = "hash" }}]
service_time = "5us"
state = {{ bytes_per_key = "1KiB" }}
[[operators]]
name = "sink"
kind = "sink"
parallelism = 1
inputs = [{{ from = "map", partitioning = "rebalance" }}]
service_time = "2us"
"#
    )
}

fn run(num_retained: u32, incremental: bool) -> (World, ckptsim::run::RunOutput) {
    let s = common::scenario(&scenario(num_retained, incremental));
    let mut w = World::new(&ckptsim::compile::world_config(&s), 1, "retained");
    w.run_to_end();
    let bytes = w.retained_checkpoint_bytes();
    let out = World::new(&ckptsim::compile::world_config(&s), 1, "retained").run();
    assert_eq!(
        out.summary.retained_checkpoints.as_ref().map(|r| r.storage_bytes),
        (num_retained > 1).then_some(bytes)
    );
    (w, out)
}

/// With num_retained = 3 the store ends holding the three latest completed checkpoints (the
/// savepoint is not among them), and the storage they hold is what those three uploaded.
#[test]
fn num_retained_bounds_the_retained_checkpoints_and_their_storage() {
    let (_, three) = run(3, false);
    let r = three
        .summary
        .retained_checkpoints
        .clone()
        .expect("num_retained 3 is reported");
    let completed: Vec<u64> = three
        .checkpoints
        .iter()
        .filter(|c| c.status == "COMPLETED" && c.checkpoint_type != "SAVEPOINT")
        .map(|c| c.id)
        .collect();
    assert_eq!(r.ids, completed[completed.len() - 3..].to_vec());
    // Full snapshots share no file: the storage holds what the three uploaded, plus at most
    // the files of the checkpoint still in flight at the end (its uploads are written, not yet
    // registered). Their sizes saw-tooth with compaction, so "three times one" holds only on
    // average.
    let uploaded: u64 = three
        .checkpoints
        .iter()
        .filter(|c| r.ids.contains(&c.id))
        .map(|c| c.checkpointed_size)
        .sum();
    let largest = three.checkpoints.iter().map(|c| c.checkpointed_size).max().unwrap_or(0);
    assert!(
        (uploaded..=uploaded + largest).contains(&r.storage_bytes),
        "3 retained full snapshots: storage holds {} B, their uploads {uploaded} B, the largest checkpoint {largest} B",
        r.storage_bytes
    );
    let (w1, _) = run(1, false);
    let one = w1.retained_checkpoint_bytes();
    assert!(one > 0 && one < r.storage_bytes, "one retained: {one} B");
}

/// Incremental checkpoints share SST files: what the retained checkpoints hold is far less than
/// every upload ever made, because discarding a subsumed checkpoint deletes the files only it
/// referred to.
#[test]
fn discarded_checkpoints_release_their_shared_files() {
    let (w, out) = run(2, true);
    let uploaded: u64 = out
        .checkpoints
        .iter()
        .filter(|c| c.checkpoint_type != "SAVEPOINT")
        .map(|c| c.checkpointed_size)
        .sum();
    let held = w.retained_checkpoint_bytes();
    let latest_full = out
        .checkpoints
        .iter()
        .filter(|c| c.status == "COMPLETED" && c.checkpoint_type != "SAVEPOINT")
        .map(|c| c.state_size)
        .next_back()
        .expect("a completed checkpoint");
    assert!(held >= latest_full, "{held} < the latest checkpoint's {latest_full}");
    assert!(held < uploaded / 2, "{held} of {uploaded} uploaded bytes still held");
}
