//! Recovery against the fluid and waste models (validation-theory.md §1): catch-up time after
//! a failure is (R + rho L) / (1 - rho), and the work lost per failure averages T/2 + D.

mod common;

use ckptsim::ids::SubtaskId;
use ckptsim::model::faults::{Fault, FaultEvent};
use ckptsim::model::world::{RecoverySettings, World};
use ckptsim::protocol::restart::RestartStrategyConfig;
use ckptsim::sim::RngStream;
use ckptsim::sim::rng::{StreamId, StreamKind};
use ckptsim::time::{NS_PER_MS, NS_PER_S, SimTime};

/// lambda = 5000/s into a server at mu = 10000/s (rho = 0.5). Small (1 KiB) buffers keep the
/// records held in the network small, so that the sources' read lag, which does not see them,
/// measures the backlog closely: at most 22 buffers of 10 records sit between source and server
/// (output pool 2 + 8, input channel 2 + 8, a buffer being filled, one being processed), so
/// the source catches up at most 220 / (mu - lambda) = 44 ms before the fluid model says.
const FLUID: &str = r#"
[pipeline]
operator_chaining = false  # one task per operator: the test reads each one's figures
[simulation]
duration = "60s"
[checkpoint]
interval = "5s"
[cluster]
taskmanagers = 1
slots_per_taskmanager = 1
rpc_latency = "1ms"         # constant: the replay count below is 5 per ms since the trigger + 1 ms
[network]
segment_size = "1KiB"
input_handoff_latency = "0s"  # the fluid model has no wake-up latency
buffer_timeout = "1ms"
[[operators]]
name = "source"
kind = "source"
parallelism = 1
rate = { process = "constant", records_per_second = 5000 }
record_size = "100B"
[[operators]]
name = "server"
kind = "operator"
parallelism = 1
inputs = [{ from = "source", partitioning = "forward" }]
service_time = "100us"
[[operators]]
name = "sink"
kind = "sink"
parallelism = 1
inputs = [{ from = "server", partitioning = "forward" }]
service_time = "0s"
"#;

#[test]
fn catch_up_time_after_a_failure_is_r_plus_rho_l_over_one_minus_rho() {
    let s = common::scenario(FLUID);
    let mut w = World::new(&ckptsim::compile::world_config(&s), 3, "fluid");
    let restart_ns = 2 * NS_PER_S;
    w.set_restart_strategy(RestartStrategyConfig::FixedDelay {
        attempts: 10,
        delay_ns: restart_ns,
    })
    .unwrap();
    w.set_recovery(RecoverySettings::instant(false));
    w.plan_fault(FaultEvent {
        at: SimTime(27_300 * NS_PER_MS),
        kind: Fault::TaskFailure { subtask: SubtaskId(1) },
    });
    w.run_to_end();
    let out = w.finish();
    assert_eq!(out.failures.len(), 1);
    let f = &out.failures[0];
    assert_eq!(
        f.tasks_restarted, 3,
        "a forward pipeline of one subtask each is one region"
    );
    let rho = 0.5;
    let r = restart_ns as f64 / 1e6;
    let l = f.lost_work.expect("restored");
    assert!(l > 0.0 && l < 5000.0 + 50.0, "lost work {l} ms");
    let expected = (r + rho * l) / (1.0 - rho);
    let got = f.catch_up_time.expect("caught up");
    // Tolerance: the records held in network buffers (44 ms early at most, above) plus the 1 ms
    // catch-up slack either way.
    assert!(
        got > expected - 45.0 && got < expected + 1.0,
        "catch-up {got:.1} ms, fluid model {expected:.1} ms (L = {l:.1} ms)"
    );
    assert_eq!(
        f.downtime,
        Some(r),
        "no state to download: downtime is the restart delay"
    );
    // Records replayed: everything the source read since its snapshot, 5 per ms. The source
    // snapshots when the trigger RPC arrives, 1 ms after the trigger time L is measured from.
    let replayed = f.records_replayed as f64;
    assert!(
        (replayed - 5.0 * (l - 1.0)).abs() <= 1.0,
        "replayed {replayed} for L = {l}"
    );
    println!("catch-up {got:.1} ms vs {expected:.1} ms; L = {l:.1} ms; replayed {replayed}");
}

/// Failures far apart (Exp with mean 30 s, but at least 10 s apart) at random times; T = 2 s;
/// each checkpoint takes D = 412.5 ms (a 200 ms sync phase, the heap snapshot's serialization of
/// 40 MB at the default 3.2 GB/s of CPU, 12.5 ms, and a 40 MB upload at 200 MB/s, 200 ms).
const WASTE: &str = r#"
[pipeline]
operator_chaining = false  # one task per operator: the test reads each one's figures
[simulation]
duration = "12000s"
[checkpoint]
interval = "2s"
[cluster]
taskmanagers = 1
slots_per_taskmanager = 1
rpc_latency = "0ms"
[network]
input_handoff_latency = "0s"  # the waste formula has no wake-up latency
[storage]
profile = "hdfs"
request_latency = "0ms"
metadata_latency = "0ms"
bandwidth = "200MB/s"
per_request_bandwidth = "200MB/s"
[[operators]]
name = "source"
kind = "source"
parallelism = 1
rate = { process = "constant", records_per_second = 200 }
sync_time = "0ms"
[[operators]]
name = "op"
kind = "operator"
parallelism = 1
inputs = [{ from = "source", partitioning = "forward" }]
state = { initial = "40MB" }
sync_time = "200ms"
[[operators]]
name = "sink"
kind = "sink"
parallelism = 1
inputs = [{ from = "op", partitioning = "forward" }]
sync_time = "0ms"
"#;

#[test]
fn lost_work_per_failure_averages_half_the_interval_plus_the_duration() {
    let s = common::scenario(WASTE);
    let mut w = World::new(&ckptsim::compile::world_config(&s), 9, "waste");
    w.set_restart_strategy(RestartStrategyConfig::FixedDelay {
        attempts: 100_000,
        delay_ns: NS_PER_S,
    })
    .unwrap();
    // Local recovery keeps restores instant, so restarts do not overlap the next failure.
    w.set_recovery(RecoverySettings::instant(true));
    let mut rng = RngStream::new(77, StreamId::new(StreamKind::Faults, 0));
    let mut t = 10.0f64;
    while t < 11_900.0 {
        t += 10.0 + -20.0 * (1.0 - rng.next_f64()).ln();
        w.plan_fault(FaultEvent {
            at: SimTime((t * 1e9) as u64),
            kind: Fault::TaskFailure { subtask: SubtaskId(1) },
        });
    }
    w.run_to_end();
    let out = w.finish();
    let done: Vec<_> = out.checkpoints.iter().filter(|c| c.status == "COMPLETED").collect();
    let d = done.iter().map(|c| c.end_to_end_duration.unwrap()).sum::<f64>() / done.len() as f64;
    assert!((d - 412.5).abs() < 1.0, "D = {d} ms");
    // Failures before the first checkpoint after a restart lose everything since the restart's
    // replay start; keep the ones with a completed checkpoint that the restart did not reset.
    let lost: Vec<f64> = out
        .failures
        .iter()
        .filter(|f| f.restored_checkpoint.is_some())
        .filter_map(|f| f.lost_work)
        .collect();
    assert!(lost.len() > 300, "{} failures", lost.len());
    let n = lost.len() as f64;
    let mean = lost.iter().sum::<f64>() / n;
    let sd = (lost.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let expected = 2000.0 / 2.0 + d;
    // 99.7 % interval from the sample: 3 standard errors.
    let tol = 3.0 * sd / n.sqrt();
    assert!(
        (mean - expected).abs() < tol,
        "E[lost] = {mean:.1} +- {tol:.1} ms, theory T/2 + D = {expected:.1} ms"
    );
    println!(
        "lost work {mean:.1} +- {tol:.1} ms over {} failures, theory {expected:.1}",
        lost.len()
    );
}

/// Region failover (`RestartPipelinedRegionFailoverStrategy`): in a forward-only pipeline each
/// parallel pipeline is a region, so a crash restarts one of them; with a keyBy it is the whole
/// job. Exponential-delay restarts (Flink's default with checkpointing) wait 1 s, then x1.5,
/// with a jitter of +-10 %.
fn pipeline(partitioning: &str, failover: &str) -> String {
    format!(
        r#"
[pipeline]
operator_chaining = false  # one task per operator: the test reads each one's figures
[simulation]
duration = "40s"
[checkpoint]
interval = "2s"
[cluster]
taskmanagers = 3
slots_per_taskmanager = 1
[recovery]
failover = "{failover}"
deployment_time = "0s"
[[faults.task_crash]]
at = ["5s", "9s", "12s"]
operator = "map"
subtask = 1
[[operators]]
name = "source"
kind = "source"
parallelism = 3
rate = {{ process = "poisson", records_per_second = 500 }}
[[operators]]
name = "map"
kind = "operator"
parallelism = 3
inputs = [{{ from = "source", partitioning = "{partitioning}" }}]
[[operators]]
name = "sink"
kind = "sink"
parallelism = 3
inputs = [{{ from = "map", partitioning = "forward" }}]
"#
    )
}

#[test]
fn region_failover_restarts_only_the_failed_pipeline_and_full_restarts_all() {
    let restarted = |p: &str, f: &str| {
        let out = ckptsim::run::run(&common::scenario(&pipeline(p, f)), 1);
        out.failures.iter().map(|f| f.tasks_restarted).collect::<Vec<_>>()
    };
    assert_eq!(
        restarted("forward", "region"),
        vec![3, 3, 3],
        "one pipeline of source, map, sink"
    );
    assert_eq!(restarted("hash", "region"), vec![9, 9, 9], "a keyed job is one region");
    assert_eq!(restarted("forward", "full"), vec![9, 9, 9]);
}

#[test]
fn exponential_delay_restarts_grow_by_half_each_time_with_ten_percent_jitter() {
    let out = ckptsim::run::run(&common::scenario(&pipeline("forward", "region")), 1);
    let delays: Vec<f64> = out.failures.iter().map(|f| f.restart_delay.unwrap()).collect();
    for (d, base) in delays.iter().zip([1000.0, 1500.0, 2250.0]) {
        assert!((d - base).abs() <= 0.1 * base + 1e-6, "restart delays {delays:?}");
    }
}

/// A dropped connection between two TaskManagers fails the tasks that read an input channel
/// across it (`RemoteTransportException`), reported as a task reports its own failure; a partition does the same once it
/// outlasts `fail_after`, and otherwise only holds the traffic until it heals.
#[test]
fn a_dropped_connection_fails_the_tasks_reading_across_it() {
    let with = |partitioning: &str, faults: &str| {
        let toml = pipeline(partitioning, "region").replace(
            "[[faults.task_crash]]\nat = [\"5s\", \"9s\", \"12s\"]\noperator = \"map\"\nsubtask = 1\n",
            faults,
        );
        assert!(toml.contains(faults), "the template changed");
        ckptsim::run::run(&common::scenario(&toml), 1)
    };
    let loss = "[[faults.connection_loss]]\nat = [\"5s\"]\nbetween = [0, 1]\n";
    // Forward pipelines keep every channel inside its TaskManager: nothing crosses.
    assert!(with("forward", loss).failures.is_empty());
    // A keyBy reads across every TaskManager: the maps on 0 and 1 fail, and the keyed job is
    // one region.
    let out = with("hash", loss);
    assert_eq!(out.failures.len(), 1);
    let f = &out.failures[0];
    assert_eq!(
        (
            f.cause.as_str(),
            f.failure_timestamp,
            f.detection_delay,
            f.tasks_restarted
        ),
        (
            "NETWORK_FAILURE",
            5000.0,
            Some(ckptsim::scenario::restart::TASK_FAILURE_REPORT_DELAY_MS),
            9
        )
    );
    let partition = |fail_after: &str| {
        format!(
            "[[faults.network_partition]]\nstart = \"5s\"\nduration = \"10s\"\nbetween = [0, 2]\nfail_after = \"{fail_after}\"\n"
        )
    };
    let out = with("hash", &partition("3s"));
    assert_eq!(out.failures.len(), 1);
    assert_eq!(
        (out.failures[0].cause.as_str(), out.failures[0].failure_timestamp),
        ("NETWORK_FAILURE", 8000.0)
    );
    assert!(with("hash", &partition("10s")).failures.is_empty(), "it healed first");
}

/// A lost TaskManager's slots come back only with its replacement: the region (here the whole
/// keyed job) is deployed once every slot exists, so the restart strategy's backoff stays the
/// restart delay and the wait for the replacement shows in the restore duration.
#[test]
fn a_region_waits_for_the_lost_taskmanagers_replacement() {
    let toml = pipeline("hash", "region").replace(
        "[[faults.task_crash]]\nat = [\"5s\", \"9s\", \"12s\"]\noperator = \"map\"\nsubtask = 1\n",
        "[[faults.taskmanager_loss]]\nat = [\"5s\"]\ntaskmanager = 1\ndetection = \"connection_drop\"\nreplacement_delay = \"10s\"\n",
    );
    assert!(toml.contains("replacement_delay"), "the template changed");
    let out = ckptsim::run::run(&common::scenario(&toml), 1);
    assert_eq!(out.failures.len(), 1);
    let f = &out.failures[0];
    let (restart, restore, downtime) = (
        f.restart_delay.unwrap(),
        f.restore_duration.unwrap(),
        f.downtime.unwrap(),
    );
    // Exponential-delay's first backoff: 1 s +- 10 % jitter; connection drop: 100 ms.
    assert!((restart - 1000.0).abs() <= 100.0, "restart delay {restart}");
    assert!(
        (10_000.0..10_500.0).contains(&downtime),
        "downtime {downtime} ms: the replacement arrives 10 s after the loss"
    );
    assert!(
        (restore - (10_000.0 - 100.0 - restart)).abs() < 500.0,
        "restore {restore} ms holds the wait for the replacement"
    );
}
