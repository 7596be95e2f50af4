//! Under aligned checkpoints and backpressure a barrier waits behind every buffer queued ahead of
//! it. A local channel (`LocalInputChannel`) queues only the producer's pool; a remote channel
//! (`RemoteInputChannel`) also fills the consumer's exclusive and floating buffers, so the same
//! job's barriers reach the consumer later when its channels cross TaskManagers. Real Flink
//! shows it (tests/fidelity: f04 one TaskManager, p50 start delay ~950 ms; f05 two, ~1465 ms).

mod common;

use ckptsim::run::RunOutput;

/// 2 sources -> hash -> 2 slow sinks, aligned checkpoints, on 1 or 2 TaskManagers.
fn job(taskmanagers: u32) -> String {
    common::two_sources_hash_to_two_sinks(taskmanagers, 8000, "40s", "5s", "1s")
}

fn p50_sink_start_delay_ms(o: &RunOutput) -> f64 {
    let mut v: Vec<f64> = o
        .subtasks
        .iter()
        .filter(|r| r.task == "sink: Writer")
        .map(|r| r.start_delay)
        .collect();
    assert!(v.len() > 10, "{} sink acknowledgements", v.len());
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

#[test]
fn aligned_barriers_under_backpressure_arrive_later_over_remote_channels_than_local_ones() {
    let local = p50_sink_start_delay_ms(&ckptsim::run::run(&common::scenario(&job(1)), 2));
    let remote = p50_sink_start_delay_ms(&ckptsim::run::run(&common::scenario(&job(2)), 2));
    // The remote channels add up to 10 receiver buffers each to the producers' pools.
    assert!(remote > 1.2 * local, "remote {remote:.0} ms vs local {local:.0} ms");
}
