//! A checkpoint's files are synced on close, as Flink closes them: every file-backed stream
//! `FsCheckpointStateOutputStream.closeAndGetHandle` returns a handle for is forced to the
//! device first (`storage.sync_latency`; the `local-disk` profile's default is this host's
//! measured fsync). Tested against the definition: with everything else constant, a subtask
//! whose state goes to a file takes exactly the sync longer in its asynchronous phase; one
//! whose state is inlined into the metadata takes no longer; an unaligned checkpoint's shared
//! channel-state file is synced once, when its writer closes it.

mod common;

use ckptsim::run::RunOutput;

/// source -> process -> sink, chained into one task, parallelism 2, one TaskManager.
/// `process` holds `state` of heap state that does not grow (the source's offsets are
/// inlined); the serialization is free, the request latency zero, each upload's bandwidth
/// 1 GB/s (the storage's 2 GB/s: the two subtasks' uploads do not slow each other), the RPCs
/// constant.
fn heap_job(state: &str, sync: &str) -> String {
    format!(
        r#"
[simulation]
duration = "20s"
[checkpoint]
interval = "2s"
[cluster]
taskmanagers = 1
slots_per_taskmanager = 2
rpc_latency = "1ms"
[storage]
profile = "local-disk"
request_latency = "0ms"
metadata_latency = "0ms"
bandwidth = "2GB/s"
per_request_bandwidth = "1GB/s"
sync_latency = "{sync}"
[state_backend]
kind = "heap"
heap_serialize_per_entry = "0s"
heap_serialize_bandwidth = "1000000GB/s"
[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = {{ process = "constant", records_per_second = 1000 }}
[[operators]]
name = "process"
kind = "operator"
parallelism = 2
inputs = [{{ from = "source", partitioning = "forward" }}]
service_time = "20us"
state = {{ initial = "{state}" }}
[[operators]]
name = "sink"
kind = "sink"
parallelism = 2
inputs = [{{ from = "process", partitioning = "forward" }}]
"#
    )
}

/// Every subtask's asynchronous phase, ms.
fn async_ms(o: &RunOutput) -> Vec<f64> {
    let xs: Vec<f64> = o.subtasks.iter().map(|r| r.async_duration).collect();
    assert!(xs.len() >= 8, "{} acknowledgements", xs.len());
    xs
}

fn run(toml: &str) -> RunOutput {
    ckptsim::run::run(&common::scenario(toml), 1)
}

fn within(xs: &[f64], expected_ms: f64, tolerance_ms: f64) -> bool {
    xs.iter().all(|x| (x - expected_ms).abs() <= tolerance_ms)
}

/// 1 MB at 1 GB/s: 1 ms of bytes; a 7 ms sync after them gives 8 ms. (Tolerance 0.01 ms: the
/// statistic is reported in whole microseconds and the two uploads start together.)
#[test]
fn a_state_file_finishes_its_sync_after_its_bytes() {
    let synced = run(&heap_job("1MB", "7ms"));
    let free = run(&heap_job("1MB", "0ms"));
    let (s, f) = (async_ms(&synced), async_ms(&free));
    println!("process async: synced {:?}.., free {:?}.. ms", &s[..2], &f[..2]);
    assert!(within(&f, 1.0, 0.01), "without a sync: the bytes alone, 1 ms: {f:?}");
    assert!(within(&s, 8.0, 0.01), "bytes then the sync, 1 + 7 ms: {s:?}");
}

/// State at or below the inline threshold goes into the metadata: no file, no sync.
#[test]
fn inlined_state_is_not_synced() {
    let small = async_ms(&run(&heap_job("10KB", "7ms")));
    assert!(within(&small, 0.0, 0.01), "{small:?}");
}

/// 2 sources -> hash -> 2 slow sinks on one TaskManager, unaligned: back-pressured, so each
/// checkpoint persists in-flight data into the writer's shared file (the sinks hold no keyed
/// state). The file's one sync closes it, so every subtask with channel state in a spilled
/// file ends its asynchronous phase at least the sync after its barrier's snapshot.
fn unaligned_job(sync: &str) -> String {
    format!(
        r#"
[simulation]
duration = "20s"
warmup = "5s"
[checkpoint]
interval = "1s"
unaligned = true
[cluster]
taskmanagers = 1
slots_per_taskmanager = 2
rpc_latency = "0ms"
[storage]
profile = "local-disk"
request_latency = "0ms"
metadata_latency = "0ms"
sync_latency = "{sync}"
[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = {{ process = "constant", records_per_second = 6000 }}
record_size = "128B"
keys = {{ count = 1000 }}
[[operators]]
name = "sink"
kind = "sink"
parallelism = 2
inputs = [{{ from = "source", partitioning = "hash" }}]
service_time = "1ms"
"#
    )
}

/// The sinks' asynchronous phases of checkpoints whose persisted data spilled to a file.
fn spilled_sink_async_ms(o: &RunOutput) -> Vec<f64> {
    let xs: Vec<f64> = o
        .subtasks
        .iter()
        .filter(|r| r.task.starts_with("sink") && r.persisted_data > 20 * 1024)
        .map(|r| r.async_duration)
        .collect();
    assert!(xs.len() >= 8, "{} spilled sink acknowledgements", xs.len());
    xs
}

#[test]
fn a_shared_channel_state_file_is_synced_when_its_writer_closes_it() {
    let synced = spilled_sink_async_ms(&run(&unaligned_job("50ms")));
    assert!(
        synced.iter().all(|x| *x >= 50.0),
        "every spilled file's members wait for its 50 ms sync: {synced:?}"
    );
}

/// Negative control: the same job with syncs free (the model before syncs on close) has
/// asynchronous phases under 50 ms, so the assertion above catches a close without its sync.
#[test]
fn without_the_sync_the_shared_file_closes_sooner() {
    let free = spilled_sink_async_ms(&run(&unaligned_job("0ms")));
    assert!(free.iter().all(|x| *x < 50.0), "{free:?}");
}

/// The profiles' defaults: only `local-disk` (a synced SSD) syncs.
#[test]
fn only_the_local_disk_profile_syncs_by_default() {
    for (name, syncs) in [
        ("local-disk", true),
        ("local-page-cache", false),
        ("hdfs", false),
        ("s3", false),
    ] {
        let p = ckptsim::model::storage::StorageProfile::named(name).expect("a built-in profile");
        assert_eq!(!p.sync_latency.is_zero(), syncs, "{name}");
    }
}
