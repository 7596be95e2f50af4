//! RocksDB instances that have been open before the run (`state_backend.instance_age`): their
//! MANIFEST carries the version edits of every SST file written since they opened, so a job that
//! has run for a day uploads a day of edits with every checkpoint, and a restore starts over.
//!
//! - Against Flink 2.3: on f13's job (incremental RocksDB, parallelism 2), the MANIFEST a
//!   day-old instance adds per checkpoint, divided by the day, is the pace at which each live
//!   MANIFEST grew in a real run of the same job sampled every second
//!   (`tests/fidelity/probes/rocksdb_manifest/`, a run apart from c09, the calibration run of the
//!   132 B per file).
//! - Against the definition: the first checkpoint has no pace to extrapolate and carries the
//!   run's own edits only; after a restore the instance is opened again and its MANIFEST is
//!   fresh, so an aged run's checkpoints match a fresh run's.
//!
//! Negative controls, run by hand when the tests were written: a pace measured from the run's
//! start instead of the first checkpoint fails the first test (f13's first checkpoint, 0.13 s in,
//! carried 85 MB of extrapolated edits), and a restore that keeps the instance's age fails the
//! second.

mod common;

use ckptsim::metrics::SubtaskRecord;

const DAY_S: f64 = 86_400.0;
const F13: &str = "tests/fidelity/scenarios/f13_rocks_incremental.toml";
const PROBE: &str = "tests/fidelity/probes/rocksdb_manifest/f13_options_run.csv";

/// The scenario with its RocksDB instances open for `age` when the run starts.
fn aged(toml: &str, age: &str) -> String {
    let kind = "kind = \"rocksdb\"";
    assert!(toml.contains(kind), "a RocksDB scenario");
    toml.replacen(kind, &format!("{kind}\ninstance_age = \"{age}\""), 1)
}

/// Per (checkpoint, subtask) of the task that starts with `operator`: its checkpointed size.
fn map_sizes(toml: &str, operator: &str) -> Vec<((u64, u32), u64)> {
    let out = ckptsim::run::run(&common::scenario(toml), 1);
    let mut v: Vec<((u64, u32), u64)> = out
        .subtasks
        .iter()
        .filter(|r: &&SubtaskRecord| r.task.starts_with(operator))
        .map(|r| ((r.checkpoint_id, r.index), r.checkpointed_size))
        .collect();
    v.sort();
    v
}

/// Least-squares slope of each live MANIFEST's size against time in the probe run, B/s.
fn flink_manifest_slopes_bytes_per_s() -> Vec<f64> {
    let text = std::fs::read_to_string(PROBE).expect("the probe's samples");
    let mut per_instance: std::collections::BTreeMap<String, Vec<(f64, f64)>> = Default::default();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f[1] == "manifest" {
            let point = (f[0].parse().unwrap(), f[3].parse().unwrap());
            per_instance.entry(f[2].to_string()).or_default().push(point);
        }
    }
    per_instance
        .values()
        .map(|p| {
            ckptsim::import::fit::least_squares(p)
                .expect("samples spread over time")
                .slope
        })
        .collect()
}

/// A day-old instance's extra MANIFEST per checkpoint, per second of its age, is the pace at
/// which Flink's MANIFESTs grew on the same job: 172 B/s in both of the probe's instances.
/// Tolerance ±25 %, the fidelity suite's criterion for a p50 figure; the model's file count
/// follows its own compactions, which are not RocksDB's (the suite's pinned state-size gap).
#[test]
fn a_day_old_instance_carries_flinks_pace_of_manifest_edits() {
    let toml = std::fs::read_to_string(F13).expect("f13's scenario");
    let fresh = map_sizes(&toml, "stateful-map");
    let day = map_sizes(&aged(&toml, "1d"), "stateful-map");
    assert_eq!(fresh.len(), day.len());
    let flink = flink_manifest_slopes_bytes_per_s();
    assert_eq!(flink.len(), 2, "two map instances");
    let flink_pace = flink.iter().sum::<f64>() / 2.0;
    // From the 10th checkpoint on, after the first compactions (4 flushes each).
    let paces: Vec<f64> = fresh
        .iter()
        .zip(&day)
        .filter(|((key, _), _)| key.0 >= 10)
        .map(|((key, f), (key2, d))| {
            assert_eq!(key, key2);
            (*d as f64 - *f as f64) / DAY_S
        })
        .collect();
    let mut sorted = paces.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    println!(
        "MANIFEST pace: ckptsim p50 {median:.1} B/s (range {:.1}-{:.1}) against Flink's {flink_pace:.1} ({:+.1} %)",
        sorted[0],
        sorted[sorted.len() - 1],
        (median / flink_pace - 1.0) * 100.0
    );
    assert!(
        paces.iter().all(|p| (p / flink_pace - 1.0).abs() <= 0.25),
        "every checkpoint's pace within 25 % of Flink's {flink_pace:.1} B/s: {paces:?}"
    );
    // The first checkpoint has no pace yet: it carries what a fresh instance's does.
    let first: Vec<_> = fresh.iter().zip(&day).filter(|((k, _), _)| k.0 == 1).collect();
    assert!(!first.is_empty() && first.iter().all(|((_, f), (_, d))| f == d));
}

/// One RocksDB subtask, incremental checkpoints every second, a crash at 20 s and a restore
/// from the checkpoint before it: the instance is opened again, so its MANIFEST forgets the age
/// and the aged run's checkpoints after the restore are the fresh run's.
fn crash_job(age: &str) -> String {
    format!(
        r#"
[simulation]
duration = "40s"
[checkpoint]
interval = "1s"
[cluster]
taskmanagers = 1
slots_per_taskmanager = 1
cores_per_taskmanager = 8
rpc_latency = "1ms"
[storage]
profile = "hdfs"
request_latency = "0ms"
metadata_latency = "0ms"
[restart]
strategy = "fixed-delay"
delay = "1s"
[recovery]
deployment_time = "0s"
[state_backend]
kind = "rocksdb"
incremental = true
instance_age = "{age}"
[[faults.task_crash]]
at = ["20s"]
operator = "process"
subtask = 0
[[operators]]
name = "source"
kind = "source"
parallelism = 1
rate = {{ process = "constant", records_per_second = 5000 }}
keys = {{ count = 20000, distribution = "uniform" }}
[[operators]]
name = "process"
kind = "operator"
parallelism = 1
inputs = [{{ from = "source", partitioning = "hash" }}]
service_time = "5us"
state = {{ bytes_per_key = "400B" }}
[[operators]]
name = "sink"
kind = "sink"
parallelism = 1
inputs = [{{ from = "process", partitioning = "forward" }}]
"#
    )
}

#[test]
fn a_restore_reopens_the_instance_and_its_manifest_starts_over() {
    let fresh = map_sizes(&crash_job("0s"), "process");
    let week = map_sizes(&crash_job("7d"), "process");
    assert_eq!(fresh.len(), week.len(), "the same checkpoints complete");
    let restart_s = 21.0;
    let (before, after): (Vec<_>, Vec<_>) = fresh
        .iter()
        .zip(&week)
        .partition(|((k, _), _)| (k.0 as f64) < restart_s - 2.0);
    // Before the crash, from the second checkpoint on, a week of edits (megabytes) rides along.
    assert!(
        before
            .iter()
            .filter(|((k, _), _)| k.0 >= 2)
            .all(|((_, f), (_, w))| *w > *f + 1_000_000),
        "{before:?}"
    );
    // After the restore (and its first checkpoint, which measures the new pace), the same sizes.
    let late: Vec<_> = after
        .iter()
        .filter(|((k, _), _)| k.0 as f64 >= restart_s + 3.0)
        .collect();
    assert!(!late.is_empty());
    assert!(late.iter().all(|((_, f), (_, w))| f == w), "{late:?}");
}
