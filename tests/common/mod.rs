//! Helpers shared by the integration tests.
#![allow(dead_code)]

use ckptsim::scenario::{Scenario, parse_str};

/// Parses a scenario written inline in a test; panics with the error (a broken test fixture).
pub fn scenario(toml: &str) -> Scenario {
    match parse_str(toml, "<test>") {
        Ok(l) => l.scenario,
        Err(e) => panic!("test scenario invalid: {e}"),
    }
}

/// The model's configuration of a scenario, keeping every committed record's id for the
/// exactly-once checker (`World::committed_output`), which a plain run drops.
pub fn world_config_keeping_output(s: &Scenario) -> ckptsim::model::config::WorldConfig {
    let mut cfg = ckptsim::compile::world_config(s);
    cfg.run.keep_committed_output = true;
    cfg
}

/// Student's t quantile t_{0.995, df}: two-sided 99 % intervals from batch means.
pub fn t_995(df: usize) -> f64 {
    ckptsim::confidence::student_t_quantile(0.995, df as f64)
}

/// Mean and standard error from batch means (the series is split into `batches` equal parts:
/// the usual way to get a confidence interval from an autocorrelated simulation output).
pub fn batch_means(xs: &[f64], batches: usize) -> (f64, f64) {
    let per = xs.len() / batches;
    let means: Vec<f64> = (0..batches)
        .map(|b| xs[b * per..(b + 1) * per].iter().sum::<f64>() / per as f64)
        .collect();
    let m = means.iter().sum::<f64>() / batches as f64;
    let var = means.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (batches - 1) as f64;
    (m, (var / batches as f64).sqrt())
}

/// Per completed checkpoint, subtask `index` of the task named `consumer…`'s start delay less
/// subtask 0 of `producer…`'s, ms: how long after its source a consumer started the checkpoint.
pub fn start_delay_trails_ms(o: &ckptsim::run::RunOutput, consumer: &str, index: u32, producer: &str) -> Vec<f64> {
    let start = |task: &str, index: u32, id: u64| {
        o.subtasks
            .iter()
            .find(|r| r.task.starts_with(task) && r.index == index && r.checkpoint_id == id)
            .map(|r| r.start_delay)
    };
    o.checkpoints
        .iter()
        .filter(|c| c.status == "COMPLETED")
        .filter_map(|c| Some(start(consumer, index, c.id)? - start(producer, 0, c.id)?))
        .collect()
}

/// A job of `sources` source subtasks -> hash -> 2 sink subtasks on one TaskManager of two
/// slots (local channels), checkpointing every second for `duration`, every source triggered
/// at one instant (1 ms RPCs and trigger pipeline), at `rate` records a second per source;
/// `cluster` and `network` lines go into their tables. The hand-off and acknowledgement tests'
/// shape: what they vary is the hand-off, the acknowledgement's latency and the rate.
pub fn sources_to_two_sinks(sources: u32, rate: u32, duration: &str, cluster: &str, network: &str) -> String {
    format!(
        r#"
[simulation]
duration = "{duration}"
warmup = "1s"
[checkpoint]
interval = "1s"
trigger_latency = "1ms"
[cluster]
taskmanagers = 1
slots_per_taskmanager = 2
rpc_latency = "1ms"
{cluster}
[network]
{network}
[[operators]]
name = "source"
kind = "source"
parallelism = {sources}
rate = {{ process = "constant", records_per_second = {rate} }}
record_size = "100B"
keys = {{ count = 100 }}
[[operators]]
name = "sink"
kind = "sink"
parallelism = 2
inputs = [{{ from = "source", partitioning = "hash" }}]
service_time = "10us"
"#
    )
}

/// A hand-off of 0 in nine draws of ten and 10 ms in the tenth.
pub const HANDOFF_0_OR_10MS: &str = r#"input_handoff_latency = { dist = "empirical", samples = ["0ms", "0ms", "0ms", "0ms", "0ms", "0ms", "0ms", "0ms", "0ms", "10ms"] }"#;

/// Median asynchronous duration (ms) of `task`'s acknowledgements after the first 10 s of the
/// scenario `text`, run with seed 3: the snapshot-CPU tests' reading.
pub fn median_async_ms_after_10s(text: &str, task: &str) -> f64 {
    let out = ckptsim::run::run(&scenario(text), 3);
    let mut xs: Vec<f64> = out
        .subtasks
        .iter()
        .filter(|r| r.task == task && r.ack_timestamp >= 10_000.0)
        .map(|r| r.async_duration)
        .collect();
    assert!(xs.len() >= 10, "{} acknowledgements", xs.len());
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Two sources -> hash -> two sinks of 1 ms a record (2000 records a second in all), subtask i
/// of each operator in slot i, 128 B records (a 32 KiB segment holds exactly 256), 1000 keys,
/// `rate` records a second offered to each source (8000: four times what the sinks drain).
/// On one TaskManager every channel is local; on two (one slot each) the hash edge has two local
/// and two remote channels. `warmup` "0s" measures from the start. The network tests' shape.
pub fn two_sources_hash_to_two_sinks(
    taskmanagers: u32,
    rate: u32,
    duration: &str,
    warmup: &str,
    interval: &str,
) -> String {
    format!(
        r#"
[simulation]
duration = "{duration}"
warmup = "{warmup}"
[checkpoint]
interval = "{interval}"
[cluster]
taskmanagers = {taskmanagers}
slots_per_taskmanager = {slots}
[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = {{ process = "constant", records_per_second = {rate} }}
record_size = "128B"
keys = {{ count = 1000 }}
[[operators]]
name = "sink"
kind = "sink"
parallelism = 2
inputs = [{{ from = "source", partitioning = "hash" }}]
service_time = "1ms"
"#,
        slots = 2 / taskmanagers
    )
}

/// Operator `name`'s statistics in a run's summary (panics if the run has no such operator).
pub fn operator(out: &ckptsim::run::RunOutput, name: &str) -> ckptsim::metrics::OperatorStats {
    out.summary
        .job
        .operators
        .iter()
        .find(|o| o.name == name)
        .unwrap_or_else(|| panic!("no operator `{name}` in the run"))
        .clone()
}
