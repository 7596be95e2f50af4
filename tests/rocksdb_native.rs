//! RocksDB as Flink 2.x runs it, tested in the simulated world against the definitions:
//! - the synchronous phase flushes what the memtable gained since the last checkpoint, so a
//!   twice as long interval adds the flush CPU of the extra writes (`flush_throughput`) and
//!   nothing else;
//! - the asynchronous phase uploads the files `transfer_threads` at a time, each its own storage
//!   request: with a per-request bandwidth cap and no aggregate limit, 4 threads upload 8 equal
//!   files in a quarter of the time 1 thread takes;
//! - a canonical savepoint iterates and serializes every entry into one stream: slower than a
//!   checkpoint of the same state; a native savepoint copies the files like a full checkpoint.

mod common;

/// source -> process (keyed, RocksDB) -> sink, parallelism 1, more cores than threads; RPCs
/// constant, storage latencies zero.
fn job(interval: &str, state: &str, rate: u32, extra_backend: &str, extra_checkpoint: &str, storage: &str) -> String {
    format!(
        r#"
[simulation]
duration = "40s"
warmup = "5s"
[checkpoint]
interval = "{interval}"
{extra_checkpoint}
[cluster]
taskmanagers = 1
slots_per_taskmanager = 1
cores_per_taskmanager = 8   # no task waits for a core
rpc_latency = "1ms"
[storage]
profile = "hdfs"
request_latency = "0ms"
metadata_latency = "0ms"
{storage}
[state_backend]
kind = "rocksdb"
flush_throughput = "100MB/s"
flush_cpu_per_entry = "0ns"  # the per-byte part alone (the per-put part: rocksdb_snapshot's tests)
native_checkpoint_time = "5ms"
{extra_backend}
[[operators]]
name = "source"
kind = "source"
parallelism = 1
rate = {{ process = "constant", records_per_second = {rate} }}
keys = {{ count = 1000, distribution = "uniform" }}
[[operators]]
name = "process"
kind = "operator"
parallelism = 1
inputs = [{{ from = "source", partitioning = "hash" }}]
service_time = "5us"
state = {{ {state} }}
[[operators]]
name = "sink"
kind = "sink"
parallelism = 1
inputs = [{{ from = "process", partitioning = "forward" }}]
"#
    )
}

fn process_rows(out: &ckptsim::run::RunOutput) -> Vec<&ckptsim::metrics::SubtaskRecord> {
    out.subtasks.iter().filter(|r| r.task.starts_with("process")).collect()
}

fn median(mut xs: Vec<f64>) -> f64 {
    assert!(!xs.is_empty());
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// The process subtask's median synchronous phase, ms.
fn median_sync_ms(toml: &str) -> f64 {
    let out = ckptsim::run::run(&common::scenario(toml), 1);
    median(process_rows(&out).iter().map(|r| r.sync_duration).collect())
}

/// 5000 records/s of 400 B updates: 2 MB of writes per second. At 100 MB/s of flush CPU, a
/// 1 s interval flushes 20 ms of CPU, a 2 s interval 40 ms; the fixed 5 ms is in both. The
/// legacy model (a whole memtable each time) gave the same sync for both.
#[test]
fn a_longer_interval_flushes_more_in_the_sync_phase() {
    let state = r#"bytes_per_key = "400B""#;
    let one = median_sync_ms(&job("1s", state, 5000, "", "", ""));
    let two = median_sync_ms(&job("2s", state, 5000, "", "", ""));
    assert!((one - 25.0).abs() < 2.0, "1 s: 5 ms + 2 MB at 100 MB/s, got {one}");
    assert!((two - 45.0).abs() < 3.0, "2 s: 5 ms + 4 MB at 100 MB/s, got {two}");
}

/// 8 SST files of 64 MiB (512 MiB of state loaded into level 2, no writes), storage capped
/// at 100 MB/s per request and unlimited in aggregate: one thread uploads them one after the
/// other, four in two rounds.
#[test]
fn four_transfer_threads_upload_eight_files_four_times_faster() {
    let storage = r#"bandwidth = "100GB/s"
per_request_bandwidth = "100MB/s""#;
    let state = r#"initial = "512MiB""#;
    let async_ms = |threads: u32| {
        let toml = job("5s", state, 100, &format!("transfer_threads = {threads}"), "", storage);
        let out = ckptsim::run::run(&common::scenario(&toml), 1);
        median(process_rows(&out).iter().map(|r| r.async_duration).collect())
    };
    let one = async_ms(1);
    let four = async_ms(4);
    let file_ms = 64.0 * 1024.0 * 1024.0 / 100e6 * 1000.0;
    assert!(
        (one - 8.0 * file_ms).abs() < 0.02 * one,
        "1 thread: 8 files in a row, got {one}"
    );
    assert!(
        (four - 2.0 * file_ms).abs() < 0.02 * four,
        "4 threads: 2 rounds, got {four}"
    );
}

/// A savepoint at 12 s among checkpoints every 5 s, of 100 MB of state: canonical, it spends
/// the serialization CPU and writes one stream, so it takes longer than the checkpoints around
/// it; native, it takes what they take.
#[test]
fn canonical_savepoint_is_slower_than_a_checkpoint_native_is_a_copy() {
    let storage = r#"bandwidth = "100GB/s"
per_request_bandwidth = "200MB/s""#;
    let state = r#"initial = "100MiB""#;
    let savepoint = r#"savepoint_times = ["12s"]"#;
    let run = |format: &str| {
        let toml = job(
            "5s",
            state,
            100,
            &format!(
                "savepoint_format = \"{format}\"\nheap_serialize_per_entry = \"0ns\"\nheap_serialize_bandwidth = \"500MB/s\""
            ),
            savepoint,
            storage,
        );
        let out = ckptsim::run::run(&common::scenario(&toml), 1);
        let sp: Vec<u64> = out
            .checkpoints
            .iter()
            .filter(|c| c.checkpoint_type == "SAVEPOINT")
            .map(|c| c.id)
            .collect();
        assert_eq!(sp.len(), 1);
        let rows = process_rows(&out);
        let total = |r: &&ckptsim::metrics::SubtaskRecord| r.sync_duration + r.async_duration;
        let sp_ms = rows.iter().filter(|r| r.checkpoint_id == sp[0]).map(total).sum::<f64>();
        let cp_ms = median(rows.iter().filter(|r| r.checkpoint_id != sp[0]).map(total).collect());
        (sp_ms, cp_ms)
    };
    let (canonical, checkpoint) = run("canonical");
    // 100 MiB: serialized at 500 MB/s (210 ms), then one stream at 200 MB/s (524 ms), against
    // two 50 MiB files in parallel (262 ms).
    assert!(
        canonical > 2.5 * checkpoint,
        "canonical {canonical} ms vs checkpoint {checkpoint} ms"
    );
    let (native, checkpoint) = run("native");
    assert!(
        (native - checkpoint).abs() < 0.05 * checkpoint,
        "native {native} ms vs {checkpoint} ms"
    );
}

/// A source's state (its readers' splits and offsets) is operator state, kept on the heap by
/// Flink's `DefaultOperatorStateBackend` whatever the keyed backend: with RocksDB configured, a
/// source with state pays no flush and no native-checkpoint cost (its sync is 0, as Flink
/// reports it), while the keyed operator behind it pays both.
#[test]
fn a_source_s_operator_state_takes_no_rocksdb_native_checkpoint() {
    let toml = job("1s", r#"bytes_per_key = "400B""#, 5000, "", "", "").replace(
        "rate = { process = \"constant\", records_per_second = 5000 }",
        "rate = { process = \"constant\", records_per_second = 5000 }\nstate = { initial = \"1MB\" }",
    );
    assert!(toml.contains("initial = \"1MB\""), "the source got its state");
    let out = ckptsim::run::run(&common::scenario(&toml), 1);
    let source_sync: Vec<f64> = out
        .subtasks
        .iter()
        .filter(|r| r.task == "source")
        .map(|r| r.sync_duration)
        .collect();
    assert!(
        !source_sync.is_empty(),
        "source rows: {:?}",
        out.subtasks.iter().map(|r| &r.task).collect::<Vec<_>>()
    );
    assert!(source_sync.iter().all(|&s| s == 0.0), "source sync {source_sync:?}");
    assert!(median(process_rows(&out).iter().map(|r| r.sync_duration).collect()) >= 5.0);
}
