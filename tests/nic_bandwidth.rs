//! Storage reached through each TaskManager's network interface (`cluster.nic_bandwidth`): a
//! TaskManager's checkpoint uploads and restore downloads share its NIC as well as the
//! storage's aggregate and per-request bandwidth. Tested against the definition: 4 subtasks
//! each upload X bytes; with the storage unlimited and NICs of B, the asynchronous phase is
//! 4X/B on one TaskManager and X/B on four; with the storage's aggregate below the NICs, more
//! TaskManagers do not help.

mod common;

/// X: the state each of the 4 subtasks uploads.
const STATE_BYTES: f64 = 50e6;
/// B: each TaskManager's NIC.
const NIC_BYTES_PER_S: f64 = 100e6;

/// source -> process -> sink, chained, parallelism 4, on `tms` TaskManagers (4 / tms slots
/// each); each `process` subtask holds X bytes of heap state that does not grow. The
/// snapshot's serialization, the request and metadata latencies are zero and the RPCs
/// constant, so an asynchronous phase is the upload alone and the four start together.
fn job(tms: u32, nic: Option<&str>, storage_bandwidth: &str, extra: &str) -> String {
    job_on(tms, 4 / tms, 1, nic, storage_bandwidth, extra)
}

/// The job on `tms` TaskManagers of `slots` slots, `per_host` TaskManagers to a host.
fn job_on(tms: u32, slots: u32, per_host: u32, nic: Option<&str>, storage_bandwidth: &str, extra: &str) -> String {
    let nic = nic.map(|b| format!("nic_bandwidth = \"{b}\"")).unwrap_or_default();
    format!(
        r#"
[simulation]
duration = "30s"
[checkpoint]
interval = "5s"
[cluster]
taskmanagers = {tms}
slots_per_taskmanager = {slots}
taskmanagers_per_host = {per_host}
rpc_latency = "1ms"
{nic}
[storage]
profile = "hdfs"
request_latency = "0ms"
metadata_latency = "0ms"
bandwidth = "{storage_bandwidth}"
per_request_bandwidth = "{storage_bandwidth}"
[state_backend]
kind = "heap"
heap_serialize_per_entry = "0s"
heap_serialize_bandwidth = "1000000GB/s"
{extra}
[[operators]]
name = "source"
kind = "source"
parallelism = 4
rate = {{ process = "constant", records_per_second = 1000 }}
[[operators]]
name = "process"
kind = "operator"
parallelism = 4
inputs = [{{ from = "source", partitioning = "forward" }}]
service_time = "20us"
state = {{ initial = "50MB" }}  # X = STATE_BYTES
[[operators]]
name = "sink"
kind = "sink"
parallelism = 4
inputs = [{{ from = "process", partitioning = "forward" }}]
"#
    )
}

/// Every acknowledged subtask's asynchronous phase, ms (at least 4 checkpoints' worth).
fn async_ms(toml: &str) -> Vec<f64> {
    let out = ckptsim::run::run(&common::scenario(toml), 1);
    let xs: Vec<f64> = out.subtasks.iter().map(|r| r.async_duration).collect();
    assert!(xs.len() >= 16, "{} acknowledgements", xs.len());
    xs
}

/// Whether every asynchronous phase is `expected_ms`, within 1 % (the four subtasks start
/// their uploads within microseconds of each other).
fn all_near(xs: &[f64], expected_ms: f64) -> bool {
    xs.iter().all(|x| (x / expected_ms - 1.0).abs() < 0.01)
}

fn range(xs: &[f64]) -> (f64, f64) {
    (
        xs.iter().copied().fold(f64::INFINITY, f64::min),
        xs.iter().copied().fold(0.0, f64::max),
    )
}

#[test]
fn uploads_through_one_nic_take_four_times_as_long_as_through_four() {
    let x_over_b_ms = STATE_BYTES / NIC_BYTES_PER_S * 1e3; // 500 ms
    let one = async_ms(&job(1, Some("100MB/s"), "1000GB/s", ""));
    let four = async_ms(&job(4, Some("100MB/s"), "1000GB/s", ""));
    println!("async on 1 TaskManager {:?}, on 4 {:?} ms", range(&one), range(&four));
    assert!(
        all_near(&one, 4.0 * x_over_b_ms),
        "1 TaskManager: four uploads share one NIC: 4X/B = 2000 ms, got {:?}",
        range(&one)
    );
    assert!(
        all_near(&four, x_over_b_ms),
        "4 TaskManagers: one upload per NIC: X/B = 500 ms, got {:?}",
        range(&four)
    );
}

/// Negative control: a model that ignores the NIC (the same job without `nic_bandwidth`, as
/// ckptsim computed it before) fails the first assertion.
#[test]
fn a_model_blind_to_the_nic_fails_the_first_assertion() {
    let blind = async_ms(&job(1, None, "1000GB/s", ""));
    let x_over_b_ms = STATE_BYTES / NIC_BYTES_PER_S * 1e3;
    assert!(
        !all_near(&blind, 4.0 * x_over_b_ms),
        "without the NIC the uploads are bound by the storage alone: {:?}",
        range(&blind)
    );
}

#[test]
fn taskmanagers_do_not_help_when_the_storage_aggregate_is_the_limit() {
    // Storage 100 MB/s for the job, NICs of 1 GB/s: 4X over the storage, however spread.
    let four_x_ms = 4.0 * STATE_BYTES / 100e6 * 1e3; // 2000 ms
    let one = async_ms(&job(1, Some("1GB/s"), "100MB/s", ""));
    let four = async_ms(&job(4, Some("1GB/s"), "100MB/s", ""));
    println!(
        "storage-bound async on 1 TaskManager {:?}, on 4 {:?} ms",
        range(&one),
        range(&four)
    );
    assert!(all_near(&one, four_x_ms), "{:?}", range(&one));
    assert!(all_near(&four, four_x_ms), "{:?}", range(&four));
}

#[test]
fn taskmanagers_of_one_host_pool_their_nics() {
    // Two TaskManagers of 4 slots: all four subtasks run on the first (slot i on TaskManager
    // i / 4). On two hosts, its NIC alone carries them: 4X/B. On one host, the two pool their
    // NICs (2B, as they pool their cores): 2X/B.
    let x_over_b_ms = STATE_BYTES / NIC_BYTES_PER_S * 1e3;
    let apart = async_ms(&job_on(2, 4, 1, Some("100MB/s"), "1000GB/s", ""));
    let pooled = async_ms(&job_on(2, 4, 2, Some("100MB/s"), "1000GB/s", ""));
    assert!(all_near(&apart, 4.0 * x_over_b_ms), "{:?}", range(&apart));
    assert!(all_near(&pooled, 2.0 * x_over_b_ms), "{:?}", range(&pooled));
}

/// A full restart downloads every subtask's X bytes through its TaskManager's NIC: the restore
/// takes the deployment time plus 4X/B on one TaskManager, X/B on four.
#[test]
fn restore_downloads_share_the_nic_too() {
    let crash = r#"
[restart]
strategy = "fixed-delay"
attempts = 3
delay = "1s"
[recovery]
failover = "full"
deployment_time = "100ms"
[[faults.task_crash]]
at = ["12s"]
operator = "process"
subtask = 0
"#;
    let restore_ms = |tms: u32| -> f64 {
        let s = common::scenario(&job(tms, Some("100MB/s"), "1000GB/s", crash));
        let out = ckptsim::run::run(&s, 1);
        let f = out.failures.first().expect("one failure");
        assert!(f.restored_checkpoint.is_some(), "a checkpoint to restore");
        f.restore_duration.expect("restored")
    };
    let x_over_b_ms = STATE_BYTES / NIC_BYTES_PER_S * 1e3;
    let (one, four) = (restore_ms(1), restore_ms(4));
    println!("restore on 1 TaskManager {one} ms, on 4 {four} ms");
    assert!((one - (100.0 + 4.0 * x_over_b_ms)).abs() < 5.0, "{one}");
    assert!((four - (100.0 + x_over_b_ms)).abs() < 5.0, "{four}");
}
