//! On a local file system, a state file's request latency (creating the file and its stream)
//! is CPU of the thread that writes it, so a heap snapshot's asynchronous phase stretches by the
//! core share its thread gets when the task threads saturate the cores; on a remote store it
//! is a wait that no share stretches. Flink 2.3, by the kernel's per-thread counters
//! (tests/fidelity/probes, "async_cpu"): a map's snapshot thread is on a core or runnable for
//! almost all of its phase (f02's job: 1.76 ms on a core and 1.5-2.0 in the run queue per phase;
//! the CPU-bound f14's: 3.48 and 7-14 ms), blocked about 0.4 ms.

mod common;

/// One source that costs 100 us of CPU per record on the TaskManager's single core, and a
/// stateful sink whose heap snapshot serializes nothing measurable: the asynchronous phase is
/// the state file's 10 ms request latency, on a local disk whose bytes and sync are free.
fn scenario(rate: u32, request_latency_is_cpu: Option<bool>) -> String {
    let switch = request_latency_is_cpu.map_or(String::new(), |cpu| format!("request_latency_is_cpu = {cpu}"));
    format!(
        r#"
[pipeline]
operator_chaining = false
[simulation]
duration = "30s"
[checkpoint]
interval = "1s"
[cluster]
taskmanagers = 1
slots_per_taskmanager = 1
cores_per_taskmanager = 1
[storage]
profile = "local-disk"
request_latency = "10ms"
sync_latency = "0s"
bandwidth = "1000GB/s"
per_request_bandwidth = "1000GB/s"
{switch}
[state_backend]
kind = "heap"
heap_serialize_per_entry = "0s"
heap_serialize_bandwidth = "1000000GB/s"
[[operators]]
name = "source"
kind = "source"
parallelism = 1
rate = {{ process = "constant", records_per_second = {rate} }}
record_size = "100B"
keys = {{ count = 1000, distribution = "uniform" }}
service_time = "100us"
[[operators]]
name = "sink"
kind = "sink"
parallelism = 1
inputs = [{{ from = "source", partitioning = "hash" }}]
service_time = "0s"
state = {{ bytes_per_key = "100B" }}
"#
    )
}

fn sink_async_ms(rate: u32, request_latency_is_cpu: Option<bool>) -> f64 {
    median_sink_async_ms(&scenario(rate, request_latency_is_cpu))
}

fn median_sink_async_ms(text: &str) -> f64 {
    common::median_async_ms_after_10s(text, "sink: Writer")
}

#[test]
fn a_local_files_request_latency_stretches_with_the_snapshot_threads_core_share() {
    // 20,000 records/s x 100 us = 2 cores on 1: the source thread is always runnable, so the
    // snapshot thread gets half the core and 10 ms of CPU take 20 ms.
    let saturated = sink_async_ms(20_000, None);
    // 1,000 records/s: the source thread is runnable a tenth of the time: 1 / 1.1 of the core.
    let idle = sink_async_ms(1000, None);
    // Negative control: the same local disk told that its request latency is a wait.
    let waited = sink_async_ms(20_000, Some(false));
    println!("async: saturated {saturated:.3} ms, idle {idle:.3} ms, as a wait {waited:.3} ms");
    // Within 1 %: a quantum keeps the share it started with (1 ms of CPU at a time).
    assert!(
        (saturated / 20.0 - 1.0).abs() < 0.01,
        "saturated: {saturated} ms, expected 20"
    );
    assert!((idle / 11.0 - 1.0).abs() < 0.01, "idle: {idle} ms, expected 10 x 1.1");
    assert!(
        (waited / 10.0 - 1.0).abs() < 0.01,
        "as a wait: {waited} ms, expected 10"
    );
}

#[test]
fn a_remote_stores_request_latency_is_a_wait() {
    // The profile decides by default: `s3`'s request latency is the store's, not the writer's.
    let text = scenario(20_000, None).replace("profile = \"local-disk\"", "profile = \"s3\"");
    let median = median_sink_async_ms(&text);
    assert!(
        (median / 10.0 - 1.0).abs() < 0.01,
        "s3: {median} ms, expected the 10 ms wait"
    );
}
