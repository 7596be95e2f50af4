//! Statistics over nothing are undefined and must read so: Flink's REST API leaves a checkpoint
//! statistic out until there is a value; ckptsim writes `null` (JSON) or a blank (table),
//! never a zero that reads like a measurement, nor `-0.0`.

mod common;

/// One source at ~98 % of the operator's capacity: after a crash at 20 s the backlog drains at
/// 2 % of the rate, so the job has not caught up when the run ends at 30 s.
const NEVER_CATCHES_UP: &str = r#"
[simulation]
duration = "30s"
[checkpoint]
interval = "5s"
[cluster]
taskmanagers = 1
slots_per_taskmanager = 2
[[faults.task_crash]]
at = ["20s"]
operator = "op"
subtask = 0
[[operators]]
name = "source"
kind = "source"
parallelism = 1
rate = { process = "constant", records_per_second = 10000 }
[[operators]]
name = "op"
kind = "sink"
parallelism = 1
inputs = [{ from = "source", partitioning = "forward" }]
service_time = "98us"
"#;

#[test]
fn a_job_that_never_catches_up_reports_an_empty_catch_up_time_not_zero() {
    let out = ckptsim::run::run(&common::scenario(NEVER_CATCHES_UP), 1);
    assert_eq!(out.failures.len(), 1, "{:?}", out.failures);
    let f = &out.failures[0];
    eprintln!("{f:?}");
    assert!(f.downtime.is_some(), "the job runs again");
    assert_eq!(f.catch_up_time, None, "it never catches up");
    let json = serde_json::to_value(&out.summary).unwrap();
    let c = &json["failure_costs"]["catch_up_time"];
    assert_eq!(c["count"], 0);
    for k in ["min", "max", "avg", "p50", "p90", "p95", "p99", "p999"] {
        assert!(c[k].is_null(), "catch_up_time.{k} = {} over no value", c[k]);
    }
    // A defined statistic keeps its number.
    assert!(json["failure_costs"]["downtime"]["p50"].as_f64().unwrap() > 0.0);
}

#[test]
fn a_run_without_failures_writes_no_negative_zero() {
    let text = NEVER_CATCHES_UP.replace("at = [\"20s\"]", "at = [\"60s\"]");
    let out = ckptsim::run::run(&common::scenario(&text), 1);
    assert!(out.failures.is_empty());
    let json = serde_json::to_string_pretty(&out.summary).unwrap();
    assert!(!json.contains("-0.0"), "{json}");
    assert_eq!(out.summary.lost_work_fraction.to_bits(), 0.0f64.to_bits());
    assert_eq!(out.summary.downtime_fraction.to_bits(), 0.0f64.to_bits());
    // Round trip: null reads back as an empty summary.
    let back: ckptsim::metrics::RunSummary = serde_json::from_str(&json).unwrap();
    assert_eq!(back.failure_costs["downtime"].count, 0);
}
