//! A source's `wake_cost` against its definition: CPU charged on a record only when the task
//! thread waited for it. A generator that keeps up with its rate waits before every record and
//! pays it on every one; a saturated one (its limiter's permits always due) never waits and pays
//! none. Each case is the other's negative control: charging the cost on every record fails the
//! saturated case by a factor of five, never charging it fails the paced case by the same.

mod common;

use ckptsim::run::RunOutput;

const SERVICE_US: f64 = 10.0;
const WAKE_US: f64 = 40.0;
const SECONDS: f64 = 20.0;

/// A datagen source at `rate` records/s per subtask, chained with a free sink, on a core of its
/// own.
fn run(rate: f64, wake: bool) -> RunOutput {
    let wake_line = if wake {
        format!("wake_cost = \"{WAKE_US}us\"")
    } else {
        String::new()
    };
    let s = common::scenario(&format!(
        r#"
[simulation]
duration = "{SECONDS}s"
warmup = "0s"
[checkpoint]
interval = "1s"
[cluster]
taskmanagers = 1
cores_per_taskmanager = 4
[[operators]]
name = "gen"
kind = "source"
parallelism = 1
connector = "datagen"
rate = {{ process = "constant", records_per_second = {rate} }}
record_size = "100B"
service_time = "{SERVICE_US}us"
{wake_line}
[[operators]]
name = "out"
kind = "sink"
parallelism = 1
inputs = [{{ from = "gen", partitioning = "forward" }}]
service_time = "0us"
delivery_guarantee = "none"
"#
    ));
    ckptsim::run::run(&s, 5)
}

fn source(out: &RunOutput) -> &ckptsim::metrics::TaskStats {
    out.summary
        .job
        .tasks
        .iter()
        .find(|t| t.task.starts_with("gen"))
        .unwrap_or_else(|| {
            panic!(
                "no source task in {:?}",
                out.summary.job.tasks.iter().map(|t| &t.task).collect::<Vec<_>>()
            )
        })
}

#[test]
fn a_paced_generator_pays_the_wake_cost_on_every_record() {
    let rate = 1000.0;
    let busy_with = source(&run(rate, true)).busy_time_ms_per_second;
    let busy_without = source(&run(rate, false)).busy_time_ms_per_second;
    // Busy ms per second = records per second x CPU per record (in ms).
    let expect_with = rate * (SERVICE_US + WAKE_US) / 1000.0;
    let expect_without = rate * SERVICE_US / 1000.0;
    assert!(
        (busy_with / expect_with - 1.0).abs() < 0.02,
        "with the wake cost: busy {busy_with:.2} ms/s, expected {expect_with:.2}"
    );
    assert!(
        (busy_without / expect_without - 1.0).abs() < 0.02,
        "without: busy {busy_without:.2} ms/s, expected {expect_without:.2}"
    );
}

#[test]
fn a_saturated_generator_never_waits_and_pays_no_wake_cost() {
    // A rate far above what 10 us of CPU per record allows: every permit is due when asked for.
    let out = run(1e6, true);
    let emitted_per_s = source(&out).records_in as f64 / SECONDS;
    let capacity = 1e6 / SERVICE_US;
    assert!(
        (emitted_per_s / capacity - 1.0).abs() < 0.02,
        "saturated: {emitted_per_s:.0} records/s, expected the service time's {capacity:.0} (with the wake cost on every record: {:.0})",
        1e6 / (SERVICE_US + WAKE_US)
    );
}
