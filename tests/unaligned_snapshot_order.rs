//! A chained task finalizes its operators' snapshots in the order of a `HashMap` keyed by their
//! operator ids (`AsyncCheckpointRunnable`, `OperatorSnapshotFinalizer`): per operator, its state
//! snapshot runs, then its channel-state futures are awaited. With the uids Flink's harness
//! gives (`stateful-map`, sink `discard`) the sink writer comes first, so an unaligned
//! checkpoint's map serializes its state only after the channel-state file is closed; with the
//! sink's uid `discard-Writer` the map comes first and the two overlap (both orders are what
//! Flink 2.3's own classes compute: `tests/fidelity/probes/unaligned_async/OperatorOrder.java`).
//!
//! Tested against the definition, on a job where the two parts are long and known: the map's
//! state takes S = 2 µs per key to serialize (inlined, no upload), and the shared channel-state
//! file (mostly the source's ~300 kB of back-pressured output) takes about 30 ms to write at
//! 10 MB/s. The source acknowledges when the file is closed. Overlapped, the map acknowledges
//! with it; held back, S later. The two orders are each other's negative control: with the hold
//! switched off the first test fails (0.00 ms later, S 12.76 ms), with the hold always on the
//! second (12.76 ms later).

mod common;

const SERIALIZE_US_PER_KEY: f64 = 2.0;

/// source -> keyed map -> sink (chained with the map), unaligned, the map back-pressured (300
/// µs of wait per record against 5000 records/s), on one TaskManager with spare cores.
fn job(source_uid: &str, map_uid: &str, sink_uid: &str) -> String {
    let uid = |u: &str| {
        if u.is_empty() {
            String::new()
        } else {
            format!("uid = \"{u}\"")
        }
    };
    format!(
        r#"
[simulation]
duration = "30s"
[checkpoint]
interval = "1s"
unaligned = true
[cluster]
taskmanagers = 1
slots_per_taskmanager = 1
cores_per_taskmanager = 8
rpc_latency = "1ms"
[storage]
profile = "local-disk"
request_latency = "1ms"
bandwidth = "10MB/s"
per_request_bandwidth = "10MB/s"
[state_backend]
kind = "heap"
heap_serialize_per_entry = "{SERIALIZE_US_PER_KEY}us"
[[operators]]
name = "source"
{}
kind = "source"
parallelism = 1
connector = "datagen"
rate = {{ process = "constant", records_per_second = 5000 }}
record_size = "100B"
keys = {{ count = 10000, distribution = "uniform" }}
[[operators]]
name = "map"
{}
kind = "operator"
parallelism = 1
inputs = [{{ from = "source", partitioning = "hash" }}]
service_time = "2us"
wait_time = "300us"
state = {{ bytes_per_key = "1B" }}
[[operators]]
name = "sink"
{}
kind = "sink"
parallelism = 1
inputs = [{{ from = "map", partitioning = "forward" }}]
delivery_guarantee = "none"
"#,
        uid(source_uid),
        uid(map_uid),
        uid(sink_uid)
    )
}

/// Per checkpoint after the first three: (how much later the map acknowledges than the source,
/// S from the map's keyed entries), ms. The source's acknowledgement comes when the shared
/// channel-state file is closed, the map's when its state is serialized too. One key is one
/// byte of keyed state: the state size less the channel state.
fn map_after_source_and_serialization_ms(toml: &str) -> Vec<(f64, f64)> {
    let out = ckptsim::run::run(&common::scenario(toml), 1);
    let e2e = |task: &str, id: u64| {
        out.subtasks
            .iter()
            .find(|r| r.task.starts_with(task) && r.checkpoint_id == id)
            .map(|r| r.end_to_end_duration)
    };
    let rows: Vec<(f64, f64)> = out
        .subtasks
        .iter()
        .filter(|r| r.task.starts_with("map") && r.checkpoint_id > 3)
        .filter_map(|r| {
            let keys = (r.state_size - r.persisted_data) as f64;
            let source = e2e("source", r.checkpoint_id)?;
            Some((r.end_to_end_duration - source, keys * SERIALIZE_US_PER_KEY / 1e3))
        })
        .collect();
    assert!(rows.len() >= 20, "{} checkpoints", rows.len());
    rows
}

#[test]
fn the_sink_reached_first_holds_the_maps_state_until_the_channel_state_is_closed() {
    for (later, s) in map_after_source_and_serialization_ms(&job("gen", "stateful-map", "discard")) {
        // S per entry, plus the serialization's per-byte part (the keyed bytes at the default
        // `heap_serialize_bandwidth`: a few µs here, under 1 % of S).
        assert!(
            later >= s && later - s <= 0.01 * s,
            "the map acknowledged {later:.4} ms after the source, S {s:.4} ms: expected S"
        );
    }
}

#[test]
fn the_map_reached_first_overlaps_its_state_with_the_channel_state_as_without_uids() {
    let overlapped = map_after_source_and_serialization_ms(&job("gen", "stateful-map", "discard-Writer"));
    let without = map_after_source_and_serialization_ms(&job("", "", ""));
    assert_eq!(
        overlapped, without,
        "no uids: the order is unknown, and the parts overlap"
    );
    for (later, s) in overlapped {
        // The channel-state file (about 30 ms) outlasts S (about 17 ms): both acknowledge
        // when it is closed, at the same instant (the acknowledgement RPC is constant).
        assert!(
            later.abs() < 1e-6,
            "the map acknowledged {later:.4} ms after the source, S {s:.2} ms: expected together"
        );
    }
}
