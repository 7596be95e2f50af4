//! On the fast path a simulated record is a bundle of k records. An unaligned barrier's mail
//! waits for the record in progress (Flink's mailbox runs mail between records), so within a
//! bundle it waits for the next of its k records' boundaries, taken as evenly spread, not for
//! the whole bundle: k times less.

mod common;

/// One source -> hash -> one back-pressured sink of 2 ms per record on a local channel, no
/// input hand-off, unaligned, a constant 1 ms trigger RPC; checkpoints 1001 ms apart, so the
/// barrier lands 1 ms further into the sink's 8 ms bundle of 4 records each time, at every
/// point of it in turn.
fn job(records_per_bundle: u32) -> String {
    format!(
        r#"
[simulation]
duration = "125s"
warmup = "5s"
records_per_bundle = {records_per_bundle}
[checkpoint]
interval = "1001ms"
unaligned = true
[cluster]
taskmanagers = 1
slots_per_taskmanager = 1
rpc_latency = "1ms"
[network]
input_handoff_latency = "0ms"
[[operators]]
name = "source"
kind = "source"
parallelism = 1
rate = {{ process = "constant", records_per_second = 2000 }}
record_size = "128B"
keys = {{ count = 1000 }}
[[operators]]
name = "sink"
kind = "sink"
parallelism = 1
inputs = [{{ from = "source", partitioning = "hash" }}]
service_time = "2ms"
"#
    )
}

#[test]
fn a_bundled_barrier_waits_for_the_next_record_boundary_not_the_bundle() {
    for k in [1, 4] {
        let o = ckptsim::run::run(&common::scenario(&job(k)), 7);
        let trails = common::start_delay_trails_ms(&o, "sink", 0, "source");
        let n = trails.len() as f64;
        let mean = trails.iter().sum::<f64>() / n;
        let max = trails.iter().copied().fold(0.0, f64::max);
        println!("k = {k}: {n} trails, mean {mean:.3} ms, max {max:.3} ms");
        assert!(n > 100.0, "{n} completed checkpoints");
        // The rest of a 2 ms record at a point that steps through it: at most 2 ms, about 1 on
        // average. Waiting for the whole 8 ms bundle would give up to 8, about 4.
        assert!(max <= 2.0 + 1e-6, "k = {k}: a trail of {max:.3} ms, beyond one record");
        assert!((mean - 1.0).abs() < 0.5, "k = {k}: mean trail {mean:.3} ms");
    }
}
