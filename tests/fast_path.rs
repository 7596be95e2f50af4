//! The fast path (`simulation.records_per_bundle`) against its definition: counts come out in
//! records, and a keyed job's throughput, busy time and state come out as the record-level
//! model's, within the seed-to-seed noise of both. Its error on every bundled scenario is
//! measured by `cargo bench --bench fast_path` (README, the fast path).

mod common;

use ckptsim::metrics::RunOutput;
use ckptsim::model::world::World;

/// A keyed job: uniform keys over 2 M, 4 B of state per key seen, 100 MB of S3 checkpoints.
fn keyed_job(records_per_bundle: u32) -> String {
    format!(
        r#"
[simulation]
duration = "40s"
warmup = "5s"
records_per_bundle = {records_per_bundle}
[checkpoint]
interval = "5s"
[cluster]
taskmanagers = 2
slots_per_taskmanager = 2
[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = {{ process = "poisson", records_per_second = 5000 }}
keys = {{ count = 2000000 }}
[[operators]]
name = "count"
kind = "operator"
parallelism = 2
inputs = [{{ from = "source", partitioning = "hash" }}]
service_time = {{ dist = "exponential", mean = "50us" }}
state = {{ bytes_per_key = "4B" }}
[[operators]]
name = "sink"
kind = "sink"
parallelism = 2
inputs = [{{ from = "count", partitioning = "forward" }}]
service_time = "10us"
"#
    )
}

/// (records/s read, busy ms/s of `count`, mean state size of the completed checkpoints)
fn figures(out: &RunOutput) -> [f64; 3] {
    let s = &out.summary;
    let op = |name: &str| {
        s.job
            .operators
            .iter()
            .find(|o| o.name.starts_with(name))
            .expect("operator")
    };
    [
        op("source").records_per_second,
        op("count").busy_time_ms_per_second,
        s.summary["state_size"].avg,
    ]
}

fn run_seeds(cfg: &ckptsim::model::config::WorldConfig, seeds: u64) -> Vec<[f64; 3]> {
    (1..=seeds)
        .map(|seed| figures(&World::new(cfg, seed, "fast_path").run()))
        .collect()
}

fn mean_and_var(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    (m, xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0))
}

/// Which figures differ by more than a 99 % confidence interval of the difference of the seed
/// means (with a floor of 0.5 % of the record-level mean: the runs' spread can be near zero).
fn differing(exact: &[[f64; 3]], fast: &[[f64; 3]]) -> Vec<String> {
    let names = ["records/s", "busy ms/s", "state size"];
    let n = exact.len() as f64;
    let t = common::t_995(exact.len() + fast.len() - 2);
    (0..3)
        .filter_map(|i| {
            let (a, va) = mean_and_var(&exact.iter().map(|f| f[i]).collect::<Vec<_>>());
            let (b, vb) = mean_and_var(&fast.iter().map(|f| f[i]).collect::<Vec<_>>());
            let half = (t * ((va + vb) / n).sqrt()).max(0.005 * a);
            ((b - a).abs() > half).then(|| format!("{}: record-level {a:.1}, fast {b:.1} (±{half:.1})", names[i]))
        })
        .collect()
}

#[test]
fn a_bundled_keyed_job_keeps_throughput_busy_time_and_state() {
    let exact = run_seeds(&ckptsim::compile::world_config(&common::scenario(&keyed_job(1))), 4);
    let fast = run_seeds(&ckptsim::compile::world_config(&common::scenario(&keyed_job(16))), 4);
    let d = differing(&exact, &fast);
    assert!(d.is_empty(), "the fast path differs: {d:?}");
}

/// Negative control: bundles whose keys did not carry their records' state (the per-key state
/// left at 4 B while the key space shrinks 16-fold) grow the state 16 times slower; the check
/// above must see it.
#[test]
fn bundles_without_their_records_state_fail_the_check() {
    let exact = run_seeds(&ckptsim::compile::world_config(&common::scenario(&keyed_job(1))), 4);
    let mut broken = ckptsim::compile::world_config(&common::scenario(&keyed_job(16)));
    for op in &mut broken.job.operators {
        op.state_bytes_per_key /= 16.0;
    }
    let fast = run_seeds(&broken, 4);
    let d = differing(&exact, &fast);
    assert!(
        d.iter().any(|x| x.starts_with("state size")),
        "the check missed the lost state: {d:?}"
    );
}

/// Counts are reported in records: a constant 1000 records/s for 20 s is 20,000 records read
/// whether they travel one by one or in bundles of 10 (plus what a source batch reads ahead, up
/// to the next output flush: 100 ms, 100 records).
#[test]
fn counts_are_reported_in_records() {
    let job = |k: u32| {
        format!(
            r#"
[simulation]
duration = "20s"
records_per_bundle = {k}
[cluster]
taskmanagers = 1
[[operators]]
name = "source"
kind = "source"
parallelism = 1
rate = {{ process = "constant", records_per_second = 1000 }}
[[operators]]
name = "sink"
kind = "sink"
parallelism = 1
inputs = [{{ from = "source", partitioning = "forward" }}]
"#
        )
    };
    for k in [1, 10] {
        let out = ckptsim::run::run(&common::scenario(&job(k)), 1);
        let read = out
            .summary
            .job
            .tasks
            .iter()
            .find(|t| t.task.starts_with("source"))
            .expect("source")
            .records_in;
        assert!(
            (19_990..=20_110).contains(&read),
            "k = {k}: {read} records read, not 20,000 (and up to 100 read ahead)"
        );
        assert_eq!(out.summary.records_per_bundle, (k > 1).then_some(k as u64));
    }
}

/// The verdict says when bundles are too coarse for the job: `spike_aligned`'s `enrich` serves
/// a record in 4 ms, so a bundle of 8 takes 32 ms (a warning); `quickstart`'s slowest bundle
/// of 8 takes 0.16 ms (said, not graded); record by record there is nothing to say.
#[test]
fn the_verdict_warns_when_a_bundle_takes_longer_than_a_millisecond() {
    let topic = |file: &str, k: u32| {
        let loaded = ckptsim::scenario::load_file(std::path::Path::new(file)).expect("a bundled scenario");
        let s = loaded
            .with_overrides(&[
                ckptsim::scenario::Override::parse(&format!("simulation.records_per_bundle={k}")).unwrap(),
                ckptsim::scenario::Override::parse("simulation.duration=\"20s\"").unwrap(),
                ckptsim::scenario::Override::parse("simulation.warmup=\"0s\"").unwrap(),
            ])
            .expect("valid");
        let out = ckptsim::run::run(&s, 1);
        let job = ckptsim::verdict::JobShape::of(&s);
        ckptsim::verdict::judge(&out, &job)
            .into_iter()
            .find(|f| f.topic == "fast_path")
            .map(|f| f.status)
    };
    use ckptsim::metrics::Status;
    assert_eq!(topic("scenarios/spike_aligned.toml", 8), Some(Status::Warning));
    assert_eq!(topic("scenarios/quickstart.toml", 8), Some(Status::Info));
    assert_eq!(topic("scenarios/quickstart.toml", 1), None);
}

/// The share of `keys` uniform keys that Flink's key groups give subtask 0 of 2 (max
/// parallelism 128).
fn share_of_subtask_0(keys: u32) -> f64 {
    let to_0 = (0..keys)
        .filter(|k| ckptsim::model::key_groups::key_to_subtask(*k, 128, 2) == 0)
        .count();
    to_0 as f64 / keys as f64
}

/// A keyed edge splits bundles over its subtasks as it splits records: by the key groups of the
/// same 20,000 keys (10,081 to subtask 0), which under backpressure decide which subtask sets
/// the pace. Negative control: bundles keyed over a key space 16 times smaller (1,250 keys,
/// another split) must fail the check.
#[test]
fn a_keyed_edge_splits_bundles_as_it_splits_records() {
    let job = r#"
[simulation]
duration = "60s"
records_per_bundle = 16
[cluster]
taskmanagers = 1
slots_per_taskmanager = 2
[[operators]]
name = "source"
kind = "source"
parallelism = 1
rate = { process = "poisson", records_per_second = 160000 }
keys = { count = 20000 }
[[operators]]
name = "map"
kind = "operator"
parallelism = 2
inputs = [{ from = "source", partitioning = "hash" }]
state = { bytes_per_key = "8B" }
"#;
    let measured = |cfg: &ckptsim::model::config::WorldConfig| {
        let out = World::new(cfg, 1, "split").run();
        let ins: Vec<f64> = out
            .summary
            .job
            .tasks
            .iter()
            .filter(|t| t.task == "map")
            .map(|t| t.records_in as f64)
            .collect();
        (ins[0] / (ins[0] + ins[1]), (ins[0] + ins[1]) / 16.0)
    };
    let expected = share_of_subtask_0(20_000);
    assert!((expected - 10_081.0 / 20_000.0).abs() < 1e-12);
    let cfg = ckptsim::compile::world_config(&common::scenario(job));
    let (share, bundles) = measured(&cfg);
    // A binomial proportion over the bundles: 4 standard errors.
    let se = (expected * (1.0 - expected) / bundles).sqrt();
    assert!(
        (share - expected).abs() < 4.0 * se,
        "share {share}, expected {expected} ± {se}"
    );

    let mut broken = cfg.clone();
    for op in &mut broken.job.operators {
        if let Some(src) = &mut op.source {
            src.keys.as_mut().expect("keys").count = 1_250;
        }
    }
    let (broken_share, _) = measured(&broken);
    assert!(
        (broken_share - expected).abs() > 4.0 * se,
        "the check cannot tell a split over other keys ({broken_share} against {expected}, {:.4} for 1,250 keys)",
        share_of_subtask_0(1_250)
    );
}
