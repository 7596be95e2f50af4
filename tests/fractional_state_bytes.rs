//! A key's state may be a fractional number of bytes (`state.bytes_per_key = "422.5B"`): an
//! average over keys, as a calibration or an import gives it. The simulator used to round it to
//! whole bytes per key, a step of 0.24 % at 423 B, coarser than the real-Flink suite's 20 kB on
//! an 18 MB RocksDB state (0.11 %). Now the live state is the keys' total rounded once, and the
//! backends get the writes' whole bytes, the fractions carried to the next writes.
//!
//! Held here: every key of the job is seen within its first second, so a checkpoint's state
//! is linear in the bytes per key: at 422.5 B it lies halfway between 422 B's and 423 B's
//! exactly, on the heap backend (whose full snapshot is the live state) and on RocksDB (whose
//! SST files hold the writes' whole bytes, the fractions carried: 0 B off at every checkpoint
//! here). The negative control is the rounding this replaced: 423 B's sizes, which the same
//! check must refuse.

mod common;

const KEYS: u64 = 1_000;

/// source (1,000 keys, all seen in the first 100 ms) -> keyed map -> sink at parallelism 1,
/// on `backend`, with `bytes` per key.
fn job(backend: &str, bytes: &str) -> String {
    format!(
        r#"
[simulation]
duration = "12s"
warmup = "2s"
[checkpoint]
interval = "1s"
[cluster]
taskmanagers = 1
slots_per_taskmanager = 1
cores_per_taskmanager = 8
[state_backend]
kind = "{backend}"
[[operators]]
name = "source"
kind = "source"
parallelism = 1
rate = {{ process = "constant", records_per_second = 20000 }}
keys = {{ count = {KEYS} }}
[[operators]]
name = "map"
kind = "operator"
parallelism = 1
inputs = [{{ from = "source", partitioning = "hash" }}]
service_time = "2us"
state = {{ bytes_per_key = "{bytes}" }}
[[operators]]
name = "sink"
kind = "sink"
parallelism = 1
inputs = [{{ from = "map", partitioning = "forward" }}]
"#
    )
}

/// The map subtask's state size at each completed checkpoint after the warm-up.
fn state_sizes(backend: &str, bytes: &str) -> Vec<f64> {
    let out = ckptsim::run::run(&common::scenario(&job(backend, bytes)), 1);
    let sizes: Vec<f64> = out
        .subtasks
        .iter()
        .filter(|r| r.task.starts_with("map") && r.checkpoint_id >= 3)
        .map(|r| r.state_size as f64)
        .collect();
    assert!(sizes.len() >= 8, "{backend}: {} checkpoints", sizes.len());
    sizes
}

/// Whether `half` lies halfway between `low` and `high` at every checkpoint, to within
/// `slack_bytes` (the largest miss printed).
fn halfway(low: &[f64], half: &[f64], high: &[f64], slack_bytes: f64) -> bool {
    if low.len() != half.len() || half.len() != high.len() {
        return false;
    }
    let miss = low
        .iter()
        .zip(half)
        .zip(high)
        .map(|((l, h), u)| (h - (l + u) / 2.0).abs())
        .fold(0.0, f64::max);
    println!("largest miss from halfway: {miss} B (slack {slack_bytes} B)");
    miss <= slack_bytes
}

#[test]
fn heap_state_of_half_bytes_lies_halfway() {
    let (low, half, high) = (
        state_sizes("hashmap", "422B"),
        state_sizes("hashmap", "422.5B"),
        state_sizes("hashmap", "423B"),
    );
    // All keys seen: the live state is 1,000 x 422.5 B.
    assert!(
        high.iter().all(|s| *s - low[0] >= KEYS as f64 - 0.5),
        "{low:?} {high:?}"
    );
    assert!(halfway(&low, &half, &high, 0.5), "{low:?}\n{half:?}\n{high:?}");
    // Negative control: rounding each key to 423 B is a whole 500 B from halfway.
    assert!(!halfway(&low, &high, &high, 0.5));
}

#[test]
fn rocksdb_state_of_half_bytes_lies_halfway() {
    let (low, half, high) = (
        state_sizes("rocksdb", "422B"),
        state_sizes("rocksdb", "422.5B"),
        state_sizes("rocksdb", "423B"),
    );
    assert!(halfway(&low, &half, &high, 0.5), "{low:?}\n{half:?}\n{high:?}");
    assert!(!halfway(&low, &high, &high, 0.5));
}
