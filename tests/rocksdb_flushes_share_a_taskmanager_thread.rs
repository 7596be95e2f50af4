//! RocksDB's checkpoint flushes queue for the flush threads of their TaskManager
//! (`state_backend.background_threads`, Flink's `state.backend.rocksdb.thread.num`: a quarter of
//! RocksDB's background jobs, at least one, shared by every instance of the JVM). Tested against
//! the definition: two stateful subtasks whose flushes each take F start their synchronous
//! phases together. On one TaskManager with the default (one flush thread) one sync takes F and
//! the other 2F; on two TaskManagers, or with eight background jobs (two flush threads), both
//! take F. The one-TaskManager case is the negative control of the other two: a pool per
//! subtask, or none, gives F there too, and the test fails.
//!
//! The flush thread also holds the flush's synced writes (`flush_sync_time`, H, a part of
//! `native_checkpoint_time`, N): the first sync takes F + N, the second waits for the first's F
//! and H, so 2F + H + N. With H = 0 the second takes 2F + N (the negative control).

mod common;

/// F: each subtask's flush, ms (1000 puts of 10 kB per 1 s interval at 200 MB/s of CPU: each
/// source subtask emits 1000 records/s, and the two process subtasks share their keys).
const FLUSH_MS: f64 = 50.0;

/// source -> keyed process -> sink at parallelism 2, on `tms` TaskManagers; the RPCs are
/// constant and the channels instant, so both process subtasks take their snapshot at the
/// same instant; the hosts have more cores than threads, so a flush runs at a whole core.
fn job(tms: u32, background_threads: u32) -> String {
    job_with_fixed_part(tms, background_threads, 0, 0)
}

/// The same job with a native checkpoint's fixed part of `native_ms`, of which the flush
/// thread holds `held_ms`.
fn job_with_fixed_part(tms: u32, background_threads: u32, native_ms: u32, held_ms: u32) -> String {
    let slots = 2 / tms;
    format!(
        r#"
[simulation]
duration = "20s"
[checkpoint]
interval = "1s"
[cluster]
taskmanagers = {tms}
slots_per_taskmanager = {slots}
cores_per_taskmanager = 8
rpc_latency = "1ms"
[network]
local_latency = "0ms"
remote_latency = "0ms"
input_handoff_latency = "0ms"
[state_backend]
kind = "rocksdb"
flush_throughput = "200MB/s"
flush_cpu_per_entry = "0ns"
native_checkpoint_time = "{native_ms}ms"
flush_sync_time = "{held_ms}ms"
background_threads = {background_threads}
[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = {{ process = "constant", records_per_second = 1000 }}
keys = {{ count = 1000, distribution = "uniform" }}
[[operators]]
name = "process"
kind = "operator"
parallelism = 2
inputs = [{{ from = "source", partitioning = "hash" }}]
service_time = "20us"
state = {{ bytes_per_key = "10kB" }}
[[operators]]
name = "sink"
kind = "sink"
parallelism = 2
inputs = [{{ from = "process", partitioning = "forward" }}]
"#
    )
}

/// Per checkpoint after the first few, the two process subtasks' sync durations, shorter first.
fn sync_pairs_ms(toml: &str) -> Vec<(f64, f64)> {
    let out = ckptsim::run::run(&common::scenario(toml), 1);
    let mut by_checkpoint = std::collections::BTreeMap::<u64, Vec<f64>>::new();
    for r in out
        .subtasks
        .iter()
        .filter(|r| r.task.starts_with("process") && r.checkpoint_id > 3)
    {
        by_checkpoint.entry(r.checkpoint_id).or_default().push(r.sync_duration);
    }
    let pairs: Vec<(f64, f64)> = by_checkpoint
        .values()
        .filter(|v| v.len() == 2)
        .map(|v| (v[0].min(v[1]), v[0].max(v[1])))
        .collect();
    assert!(pairs.len() >= 10, "{} checkpoints with both subtasks", pairs.len());
    pairs
}

/// Whether `x` is `expected_ms` within 10 % (the keys split about evenly between the two
/// subtasks, so their flushes differ by a few percent).
fn near(x: f64, expected_ms: f64) -> bool {
    (x - expected_ms).abs() <= 0.1 * expected_ms
}

#[test]
fn one_taskmanager_flushes_one_subtask_after_the_other() {
    for (first, second) in sync_pairs_ms(&job(1, 2)) {
        assert!(
            near(first, FLUSH_MS) && near(second, 2.0 * FLUSH_MS),
            "one TaskManager, one flush thread: syncs {first:.1} and {second:.1} ms, expected F and 2F (F = {FLUSH_MS} ms)"
        );
    }
}

#[test]
fn two_taskmanagers_flush_side_by_side() {
    for (first, second) in sync_pairs_ms(&job(2, 2)) {
        assert!(
            near(first, FLUSH_MS) && near(second, FLUSH_MS),
            "two TaskManagers: syncs {first:.1} and {second:.1} ms, expected F each (F = {FLUSH_MS} ms)"
        );
    }
}

#[test]
fn eight_background_jobs_give_two_flush_threads() {
    for (first, second) in sync_pairs_ms(&job(1, 8)) {
        assert!(
            near(first, FLUSH_MS) && near(second, FLUSH_MS),
            "one TaskManager, two flush threads: syncs {first:.1} and {second:.1} ms, expected F each (F = {FLUSH_MS} ms)"
        );
    }
}

/// N and H of the fixed part's test, ms.
const NATIVE_MS: f64 = 40.0;
const HELD_MS: f64 = 30.0;

#[test]
fn the_second_flush_waits_for_the_first_flush_s_synced_writes() {
    for (first, second) in sync_pairs_ms(&job_with_fixed_part(1, 2, NATIVE_MS as u32, HELD_MS as u32)) {
        assert!(
            near(first, FLUSH_MS + NATIVE_MS) && near(second, 2.0 * FLUSH_MS + HELD_MS + NATIVE_MS),
            "syncs {first:.1} and {second:.1} ms, expected F + N and 2F + H + N (F = {FLUSH_MS}, H = {HELD_MS}, N = {NATIVE_MS} ms)"
        );
    }
}

#[test]
fn without_held_writes_the_second_flush_waits_for_the_first_s_cpu_only() {
    for (first, second) in sync_pairs_ms(&job_with_fixed_part(1, 2, NATIVE_MS as u32, 0)) {
        assert!(
            near(first, FLUSH_MS + NATIVE_MS) && near(second, 2.0 * FLUSH_MS + NATIVE_MS),
            "syncs {first:.1} and {second:.1} ms, expected F + N and 2F + N (F = {FLUSH_MS}, N = {NATIVE_MS} ms)"
        );
    }
}
