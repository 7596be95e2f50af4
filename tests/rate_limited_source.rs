//! Sources of two kinds (Flink's `DataGeneratorSource` with `RateLimiterStrategy.perSecond`, and
//! a log): a rate-limited generator under backpressure emits what the bottleneck drains and has
//! no lag, where a log source builds lag; its limiter (Guava's `SmoothBursty`, one second of
//! stored permits) bursts at most a second's worth when backpressure ends; after a restore it
//! continues from its checkpointed sequence number at its rate, with nothing to catch up on.

mod common;

use ckptsim::run::RunOutput;

const RATE: f64 = 2000.0;

/// A pipeline `NAME -> NAME_slow -> NAME_sink`; `slow` takes 1 ms a record (1000 records/s,
/// half the source's rate). A network segment of one record's 1024 B fills a buffer with each
/// record, and a zero buffer timeout sends it at once, so the records in flight between source
/// and `slow` are at most the buffers between them.
fn pipeline(name: &str, connector: &str) -> String {
    format!(
        r#"
[[operators]]
name = "{name}"
kind = "source"
parallelism = 1
{connector}
rate = {{ process = "constant", records_per_second = {RATE} }}
record_size = "1024B"
[[operators]]
name = "{name}_slow"
kind = "operator"
parallelism = 1
inputs = [{{ from = "{name}", partitioning = "forward" }}]
service_time = "1ms"
[[operators]]
name = "{name}_sink"
kind = "sink"
parallelism = 1
inputs = [{{ from = "{name}_slow", partitioning = "forward" }}]
"#
    )
}

fn run(pipelines: &str, duration_s: u32, extra: &str) -> RunOutput {
    let s = common::scenario(&format!(
        r#"
[simulation]
duration = "{duration_s}s"
warmup = "0s"
[checkpoint]
interval = "1s"
[pipeline]
operator_chaining = false   # the generator and its bottleneck are separate tasks, a channel apart
[cluster]
taskmanagers = 1
cores_per_taskmanager = 8   # the pipelines do not compete for a core
[network]
input_handoff_latency = "0s"  # the bottleneck's capacity, without the idle wake-up
buffer_timeout = "0ms"
segment_size = "1024B"        # one record a buffer (no smaller: the default starting-segment-size is 1 KiB)
{pipelines}
{extra}
"#
    ));
    ckptsim::run::run(&s, 3)
}

fn task<'a>(out: &'a RunOutput, name: &str) -> &'a ckptsim::metrics::TaskStats {
    out.summary.job.tasks.iter().find(|t| t.task == name).expect("task")
}

#[test]
fn a_generator_under_backpressure_emits_what_the_bottleneck_drains_and_has_no_lag_while_a_log_builds_lag() {
    const SECONDS: u32 = 20;
    let out = run(
        &(pipeline("gen", "connector = \"datagen\"") + &pipeline("log", "")),
        SECONDS,
        "",
    );
    let emitted = task(&out, "gen").records_out;
    let drained = task(&out, "gen_slow").records_in;
    // The bottleneck drains one record per ms for the whole run (less its first record's ms).
    assert!(
        drained.abs_diff(SECONDS as u64 * 1000) <= 2,
        "slow drained {drained} records in {SECONDS} s"
    );
    // What the generator emitted and `slow` has not taken yet is in flight between them: one
    // record per buffer, 10 output buffers + 2 exclusive + 8 floating on the channel, plus
    // the record in `slow`. Tolerance: 21 records of 20,000 (0.1 % of the run's output).
    assert!(
        emitted >= drained && emitted - drained <= 21,
        "generator emitted {emitted}, bottleneck drained {drained}"
    );
    // The log source read what it could too, but its input kept arriving at 2000/s: by the end
    // it is about 10 s behind (half of every second of input waits).
    let lag_end_s = out.timeline.last().unwrap().input_lag_ms / 1e3;
    assert!(
        (8.0..=11.0).contains(&lag_end_s),
        "log source's lag at the end {lag_end_s} s"
    );
    let mixed = out.summary.verdict.iter().find(|f| f.topic == "throughput").unwrap();
    assert!(
        mixed.text.contains("does NOT keep up") && mixed.text.contains("The lag is the log sources'"),
        "{}",
        mixed.text
    );

    // The generator alone: the same backpressure, no lag at any instant.
    let alone = run(&pipeline("gen", "connector = \"datagen\""), SECONDS, "");
    assert!(alone.timeline.len() >= 10);
    for t in &alone.timeline {
        assert_eq!(t.input_lag_ms, 0.0, "generator lag at {} s", t.time_s);
    }
    assert_eq!(
        task(&alone, "gen").records_out,
        emitted,
        "the log pipeline did not disturb it"
    );
    // The verdict reads it as throttled, not as behind.
    let throughput = alone.summary.verdict.iter().find(|f| f.topic == "throughput").unwrap();
    assert!(
        throughput.text.contains("cannot fall behind, they are throttled") && throughput.text.contains("50 %"),
        "{}",
        throughput.text
    );
}

/// `gen` at 1000/s into `map` (100 us a record: 10,000/s), one TaskManager slowed 200x from 5 s
/// to 10 s: `map` then takes 20 ms a record (50/s), the generator is back-pressured, and its
/// limiter stores unused permits. When the slowdown ends it may spend them at once.
fn burst_job() -> RunOutput {
    let s = common::scenario(
        r#"
[simulation]
duration = "16s"
warmup = "0s"
[checkpoint]
interval = "1s"
[cluster]
taskmanagers = 1
[network]
input_handoff_latency = "0s"  # the bottleneck's capacity, without the idle wake-up
buffer_timeout = "0ms"
[[operators]]
name = "gen"
kind = "source"
parallelism = 1
connector = "datagen"
rate = { process = "constant", records_per_second = 1000 }
record_size = "100B"
[[operators]]
name = "map"
kind = "operator"
parallelism = 1
inputs = [{ from = "gen", partitioning = "forward" }]
service_time = "100us"
[[operators]]
name = "sink"
kind = "sink"
parallelism = 1
inputs = [{ from = "map", partitioning = "forward" }]
[[faults.straggler]]
kind = "taskmanager"
taskmanager = 0
start = "5s"
duration = "5s"
slowdown = 200
"#,
    );
    ckptsim::run::run(&s, 5)
}

#[test]
fn the_limiter_bursts_at_most_one_second_of_permits_when_backpressure_ends() {
    let out = burst_job();
    // Records the generator read in each second (timeline samples are 1 s apart).
    let per_second: Vec<(f64, f64)> = out
        .timeline
        .iter()
        .map(|t| (t.time_s, t.source_records_per_second))
        .collect();
    let at = |s: f64| per_second.iter().find(|p| (p.0 - s).abs() < 1e-6).unwrap().1;
    // Backpressure: about what map drains (50/s, plus the buffers it frees).
    assert!(at(8.0) < 100.0, "during the slowdown: {} records/s", at(8.0));
    // The second after it ends: the stored second of permits (1000) on top of the rate (1000),
    // plus the one permit Guava grants on credit.
    let after = at(11.0);
    assert!(
        after > 1500.0,
        "no burst after backpressure: {after} records in the second after"
    );
    assert!(after <= 2001.0, "burst beyond one second of permits: {after} records");
    // Any second: at most the rate plus one second of stored permits (and the credit).
    for (t, n) in &per_second {
        assert!(*n <= 2001.0, "{n} records in the second to {t} s");
    }
    // Then back at the rate: nothing stored is left.
    assert!(
        (at(13.0) - 1000.0).abs() <= 1.0,
        "{} records/s after the burst",
        at(13.0)
    );
}

fn bounded(connector: &str, crash: bool) -> RunOutput {
    let s = common::scenario(&format!(
        r#"
[simulation]
duration = "30s"
warmup = "0s"
[checkpoint]
interval = "100ms"          # the final checkpoint (FLIP-147) follows the last record within 0.1 s
[cluster]
taskmanagers = 1
rpc_latency = "1ms"
[[operators]]
name = "src"
kind = "source"
parallelism = 1
{connector}
rate = {{ process = "constant", records_per_second = 1000 }}
max_records = 10000
[[operators]]
name = "map"
kind = "operator"
parallelism = 1
inputs = [{{ from = "src", partitioning = "forward" }}]
service_time = "20us"
[[operators]]
name = "sink"
kind = "sink"
parallelism = 1
inputs = [{{ from = "map", partitioning = "forward" }}]
{faults}
"#,
        faults = if crash {
            "[[faults.task_crash]]\nat = [\"5500ms\"]\noperator = \"map\"\nsubtask = 0\n"
        } else {
            ""
        }
    ));
    ckptsim::run::run(&s, 11)
}

#[test]
fn after_a_restore_a_generator_continues_from_its_checkpointed_count_at_its_rate() {
    let plain = bounded("connector = \"datagen\"", false);
    let crashed = bounded("connector = \"datagen\"", true);
    let f = &crashed.failures[0];
    let downtime_s = f.downtime.unwrap() / 1e3;
    // It regenerates the records since the checkpoint (those count as replayed) at its rate,
    // after the downtime: it finishes that much later, no sooner (nothing to catch up on).
    let replayed_s = f.records_replayed as f64 / 1000.0;
    assert!(
        f.records_replayed > 0 && f.records_replayed < 150,
        "{}",
        f.records_replayed
    );
    let late_s = crashed.summary.job_finished_s.unwrap() - plain.summary.job_finished_s.unwrap();
    // Tolerance: the final checkpoint comes up to one interval (0.1 s) after the last record.
    assert!(
        (late_s - (downtime_s + replayed_s)).abs() <= 0.11,
        "finished {late_s} s later; downtime {downtime_s} s + {replayed_s} s of records again"
    );
    // A log source reads its backlog at full speed instead: it finishes about on time.
    let log_plain = bounded("", false);
    let log_crashed = bounded("", true);
    let log_late_s = log_crashed.summary.job_finished_s.unwrap() - log_plain.summary.job_finished_s.unwrap();
    assert!(
        log_late_s < late_s / 2.0,
        "log source {log_late_s} s late, generator {late_s} s"
    );
}

#[test]
fn a_generator_takes_a_constant_rate_and_no_profile() {
    let base = |rate: &str| {
        format!(
            "[simulation]\nduration = \"1s\"\n[cluster]\ntaskmanagers = 1\n[[operators]]\nname = \"g\"\nkind = \"source\"\nparallelism = 1\nconnector = \"datagen\"\nrate = {rate}\n[[operators]]\nname = \"s\"\nkind = \"sink\"\nparallelism = 1\ninputs = [{{ from = \"g\", partitioning = \"forward\" }}]\n"
        )
    };
    let err = |rate: &str| match ckptsim::scenario::parse_str(&base(rate), "g.toml") {
        Ok(_) => panic!("accepted {rate}"),
        Err(e) => e.to_string(),
    };
    let e = err("{ process = \"poisson\", records_per_second = 10 }");
    assert!(
        e.contains("operators[0].rate.process") && e.contains("process = \"constant\""),
        "{e}"
    );
    let e = err(
        "{ process = \"constant\", records_per_second = 10, profile = { shape = \"steps\", points = [[\"0s\", 1.0]] } }",
    );
    assert!(
        e.contains("operators[0].rate.profile") && e.contains("log source"),
        "{e}"
    );
    assert!(
        ckptsim::scenario::parse_str(&base("{ process = \"constant\", records_per_second = 10 }"), "g.toml").is_ok()
    );
}
