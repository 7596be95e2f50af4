//! Recovery timing as Flink's scheduler shows it: a task that throws first cleans up and reports
//! `FAILED` to the JobManager (`TaskExecutor.updateTaskExecutionState`); the `DefaultScheduler`
//! then marks the restart set pending, which moves the job to RESTARTING, cancels the region and
//! restarts it after the restart strategy's delay, when the job is RUNNING again and the
//! checkpoint scheduler starts over, its first checkpoint one interval after the first restarted
//! task runs.

mod common;

/// One pipeline region (a hash edge), a crash of the map's subtask 0 at 10 s, a fixed-delay
/// restart of 1 s, and a failure report of 40 ms.
fn job(report: &str) -> String {
    format!(
        r#"
[simulation]
duration = "20s"
[checkpoint]
interval = "1s"
[cluster]
taskmanagers = 1
slots_per_taskmanager = 2
[restart]
strategy = "fixed-delay"
attempts = 3
delay = "1s"
[recovery]
deployment_time = "100ms"
{report}
[[faults.task_crash]]
at = ["10s"]
operator = "map"
subtask = 0
[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = {{ process = "constant", records_per_second = 2000 }}
keys = {{ count = 1000 }}
[[operators]]
name = "map"
kind = "sink"
parallelism = 2
inputs = [{{ from = "source", partitioning = "hash" }}]
service_time = "50us"
"#
    )
}

#[test]
fn the_job_restarts_once_the_failed_task_has_reported_and_the_delay_has_passed() {
    let out = ckptsim::run::run(&common::scenario(&job("task_failure_report_delay = \"40ms\"")), 1);
    let f = out.failures.first().expect("one failure");
    assert_eq!(f.failure_timestamp, 10_000.0);
    assert_eq!(
        f.detection_delay,
        Some(40.0),
        "failure to RESTARTING is the task's report"
    );
    assert_eq!(
        f.restart_delay,
        Some(1000.0),
        "RESTARTING to RUNNING is the restart delay"
    );
    // No checkpoint is triggered between the report and RUNNING again (the scheduler stops
    // while the job restarts), and the first one after it comes from the restarted scheduler.
    let triggers: Vec<f64> = out.checkpoints.iter().map(|c| c.trigger_timestamp).collect();
    assert!(
        !triggers.iter().any(|t| (10_040.0..11_040.0).contains(t)),
        "a checkpoint triggered while RESTARTING: {triggers:?}"
    );
    assert!(
        triggers.iter().any(|t| *t >= 11_040.0),
        "checkpointing resumed: {triggers:?}"
    );
}

/// Flink 2.3 makes a trigger attempt as the first restarted tasks come up; it fails while any
/// task is still restoring, and the fixed-rate timer goes on from it: the first checkpoint after
/// a restart comes one interval after the first task runs again, or a whole number of intervals
/// after it once a slow restore is over (tests/fidelity/probes/README.md, "The first checkpoint
/// after a restart"). The random first delay of a job's start would put it anywhere in the
/// interval: that is what this test tells apart.
#[test]
fn the_first_checkpoint_after_a_restart_comes_whole_intervals_after_the_first_task_runs() {
    // Crash at 10 s, reported after 40 ms, RUNNING at 11.04 s, deployed 100 ms later.
    let first_running_ms = 11_140.0;
    for (state, storage, intervals) in [
        ("", "", 1.0),
        // 12 MB of state per map subtask at 4 MB/s: its restore takes about 3 s longer.
        (
            "state = { initial = \"12MB\" }\n",
            "[storage]\nbandwidth = \"4MB/s\"\n",
            0.0,
        ),
    ] {
        let text = job("task_failure_report_delay = \"40ms\"")
            .replace(
                "service_time = \"50us\"\n",
                &format!("service_time = \"50us\"\n{state}"),
            )
            .replace("[restart]", &format!("{storage}[restart]"));
        let out = ckptsim::run::run(&common::scenario(&text), 1);
        let f = out.failures.first().expect("one failure");
        let all_running_ms = f.failure_timestamp + f.downtime.expect("the job ran again");
        let first = first_trigger_after_the_failure(&out);
        let whole = (first - first_running_ms) / 1000.0;
        assert_eq!(
            whole.fract(),
            0.0,
            "first trigger at {first} ms: not whole intervals after {first_running_ms}"
        );
        assert!(
            first >= all_running_ms && first - 1000.0 <= all_running_ms,
            "first trigger at {first} ms, every task running at {all_running_ms}"
        );
        if intervals > 0.0 {
            assert_eq!(whole, intervals, "{first}");
        } else {
            assert!(
                whole >= 3.0,
                "the slow restore took no interval: {first} ({all_running_ms})"
            );
        }
    }
}

/// With a minimum pause, Flink 2.3's first attempt after a restart comes that long after the
/// first restarted task runs, and finds every task running: with 500 ms, one checkpoint 542 ms
/// after RUNNING (tests/fidelity/probes/restart_first_checkpoint/, run f15_mp500).
#[test]
fn with_a_minimum_pause_the_first_checkpoint_after_a_restart_comes_that_pause_after_the_first_task_runs() {
    let text = job("task_failure_report_delay = \"40ms\"")
        .replace("interval = \"1s\"", "interval = \"1s\"\nmin_pause = \"300ms\"");
    assert!(text.contains("min_pause"), "the fixture changed");
    let out = ckptsim::run::run(&common::scenario(&text), 1);
    let first = first_trigger_after_the_failure(&out);
    // RUNNING at 11.04 s, the tasks deployed 100 ms later, the pause 300 ms after that.
    assert_eq!(first, 11_440.0);
}

/// When the first checkpoint after the run's one failure was triggered (ms).
fn first_trigger_after_the_failure(out: &ckptsim::run::RunOutput) -> f64 {
    let f = out.failures.first().expect("one failure");
    out.checkpoints
        .iter()
        .map(|c| c.trigger_timestamp)
        .find(|t| *t > f.failure_timestamp)
        .expect("a checkpoint after the restart")
}

#[test]
fn the_report_delay_is_the_key_and_defaults_to_the_constant() {
    let out = ckptsim::run::run(&common::scenario(&job("")), 1);
    let f = out.failures.first().expect("one failure");
    assert_eq!(
        f.detection_delay,
        Some(ckptsim::scenario::restart::TASK_FAILURE_REPORT_DELAY_MS)
    );
    // With no report delay the JobManager hears at once: the figure really comes from the key.
    let out0 = ckptsim::run::run(&common::scenario(&job("task_failure_report_delay = \"0ms\"")), 1);
    assert_eq!(out0.failures[0].detection_delay, Some(0.0));
}

#[test]
fn the_report_delay_defaults_to_the_single_host_measurement() {
    // The default is what Flink 2.3 measured on a single host (calibration run c05_failure).
    let default_ms = ckptsim::scenario::restart::TASK_FAILURE_REPORT_DELAY_MS;
    assert_eq!(default_ms, c05("fail_to_job_RESTARTING_ms"));
    let deployment_ms = c05("fail_to_all_map_subtasks_open_ms") - c05("fail_to_job_RUNNING_again_ms");
    assert_eq!(ckptsim::scenario::restart::DEPLOYMENT_TIME_MS, deployment_ms);
}

/// A column of the calibration run `c05_failure.r1` in the real-Flink recovery table.
fn c05(column: &str) -> f64 {
    let text = std::fs::read_to_string("tests/fidelity/real/recovery.csv").expect("recovery.csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let row: Vec<&str> = lines
        .find(|l| l.starts_with("c05_failure.r1,"))
        .expect("the c05 calibration run")
        .split(',')
        .collect();
    let i = header.iter().position(|h| *h == column).expect("column");
    row[i].parse().expect("a number")
}

/// A TaskManager hung 5 s before the run ends is noticed only after `heartbeat.timeout` (50 s by
/// default): the run ends with the failure undetected. `failures.csv` leaves its detection,
/// restart and lost work empty rather than writing zeros (it once read "detected after 0 ms,
/// restarted after 0 ms more, restored in 0 ms"), and the verdict says what the job waits for.
#[test]
fn a_failure_the_run_ends_before_noticing_reports_no_recovery_figures() {
    let text = job("").replace(
        "[[faults.task_crash]]\nat = [\"10s\"]\noperator = \"map\"\nsubtask = 0\n",
        "[[faults.taskmanager_loss]]\nat = [\"15s\"]\ntaskmanager = 0\n",
    );
    assert!(text.contains("taskmanager_loss"), "the fixture changed: {text}");
    let s = common::scenario(&text);
    let out = ckptsim::run::run(&s, 1);
    let f = out.failures.first().expect("one failure");
    assert_eq!(f.cause, "TASK_MANAGER_LOST");
    assert_eq!(
        (f.detection_delay, f.restart_delay, f.lost_work, f.downtime),
        (None, None, None, None)
    );
    let verdict = ckptsim::verdict::judge(&out, &ckptsim::verdict::JobShape::of(&s));
    let failures = verdict
        .iter()
        .find(|v| v.topic == "failures")
        .expect("a failures finding");
    println!("{}", failures.text);
    assert_eq!(failures.status, ckptsim::metrics::Status::Problem);
    assert_eq!(
        (failures.figures.get("failures"), failures.figures.get("not_recovered")),
        (Some(&1.0), Some(&1.0))
    );
    assert!(
        failures.text.contains("was not noticed") && failures.text.contains("heartbeat.timeout"),
        "{}",
        failures.text
    );
    assert!(!failures.text.contains("detected after"), "{}", failures.text);
}
