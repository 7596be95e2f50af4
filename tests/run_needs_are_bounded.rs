//! What a run will need (memory, simulation work) is estimated from the products of the
//! scenario's numbers and refused up front, naming the field, unless the limit is raised; and the
//! shapes that used to blow up (a silent bursts source, many failures) run in bounded time.

mod sweep_support;

use ckptsim::model::world::World;
use ckptsim::scenario::{Limits, ScenarioError, parse_str, parse_str_with};
use ckptsim::sweep::{SweepError, SweepOptions, sweep_file};
use sweep_support::*;

fn job(cluster: &str, source: &str, rest: &str) -> String {
    format!(
        r#"[simulation]
duration = "2s"
[checkpoint]
interval = "500ms"
[cluster]
{cluster}
[[operators]]
name = "source"
kind = "source"
{source}
[[operators]]
name = "sink"
kind = "sink"
{rest}
"#
    )
}

fn refused_field(text: &str) -> (String, String) {
    match parse_str(text, "big.toml") {
        Err(e @ ScenarioError::Invalid { .. }) => {
            assert!(e.line().is_some(), "{e}");
            (e.field().unwrap_or_default().to_string(), e.to_string())
        }
        Err(e) => panic!("expected a located error, got {e}"),
        Ok(_) => panic!("accepted"),
    }
}

const SMALL_SOURCE: &str = "parallelism = 2\nrate = { process = \"constant\", records_per_second = 10 }";
const FORWARD_SINK: &str = "parallelism = 2\ninputs = [{ from = \"source\", partitioning = \"forward\" }]";

#[test]
fn taskmanager_counts_that_cannot_be_allocated_are_refused_by_field() {
    for tms in ["4294967295", "100000"] {
        let text = job(
            &format!("taskmanagers = {tms}\nslots_per_taskmanager = 1"),
            SMALL_SOURCE,
            FORWARD_SINK,
        );
        let (field, msg) = refused_field(&text);
        assert_eq!(field, "cluster.taskmanagers", "{msg}");
    }
    // 20000 TaskManagers need 3.2 GB of connection state: under the default limit, over 1 GiB.
    let text = job(
        "taskmanagers = 20000\nslots_per_taskmanager = 1",
        SMALL_SOURCE,
        FORWARD_SINK,
    );
    assert!(parse_str(&text, "ok.toml").is_ok());
    let tight = Limits {
        memory_bytes_max: 1 << 30,
        ..Limits::default()
    };
    let e = parse_str_with(&text, "tight.toml", &tight).expect_err("over 1 GiB");
    assert_eq!(e.field(), Some("cluster.taskmanagers"), "{e}");
    assert!(e.to_string().contains("--limit-memory"), "{e}");
}

#[test]
fn a_hash_edge_at_parallelism_4096_is_refused_unless_the_limit_is_raised() {
    let text = job(
        "taskmanagers = 4096\nslots_per_taskmanager = 1",
        "parallelism = 4096\nrate = { process = \"constant\", records_per_second = 1 }",
        "parallelism = 4096\ninputs = [{ from = \"source\", partitioning = \"hash\" }]",
    );
    let (field, msg) = refused_field(&text);
    assert_eq!(field, "operators[1].inputs[0].partitioning", "{msg}");
    assert!(msg.contains("edge from `source` to `sink`"), "{msg}");
    // A ceiling, with the part only full buffers take named: the run itself rarely comes near.
    assert!(msg.contains("could need up to about"), "{msg}");
    assert!(
        msg.contains("of it only if back-pressure fills every network buffer"),
        "{msg}"
    );
    let raised = Limits {
        memory_bytes_max: 1 << 50,
        ..Limits::default()
    };
    assert!(parse_str_with(&text, "raised.toml", &raised).is_ok());
}

#[test]
fn unlimited_concurrent_checkpoints_over_a_large_key_space_are_refused() {
    let text = job(
        "taskmanagers = 8\nslots_per_taskmanager = 8",
        "parallelism = 64\nrate = { process = \"constant\", records_per_second = 1 }\nkeys = { count = 50000000 }",
        "parallelism = 64\ninputs = [{ from = \"source\", partitioning = \"forward\" }]\nstate = { bytes_per_key = \"1B\" }",
    )
    .replace(
        "interval = \"500ms\"",
        "interval = \"1ms\"\ntimeout = \"10min\"\nmax_concurrent = 4294967295",
    );
    let (field, msg) = refused_field(&text);
    assert_eq!(field, "checkpoint.max_concurrent", "{msg}");
}

#[test]
fn work_beyond_the_limit_is_refused_naming_the_rate() {
    // A source alone (no sink keeps the records): memory fits, a day at 4e9 records/s does not.
    let text = "[simulation]\nduration = \"1d\"\n[cluster]\ntaskmanagers = 1\nslots_per_taskmanager = 4\n\
                [[operators]]\nname = \"source\"\nkind = \"source\"\nparallelism = 4\n\
                rate = { process = \"constant\", records_per_second = 1e9 }\n";
    let (field, msg) = refused_field(text);
    assert_eq!(field, "operators[0].parallelism", "{msg}");
    assert!(msg.contains("--limit-work"), "{msg}");
    // An exactly-once sink holds each record's origin time until the checkpoint that covers it
    // commits (about two intervals): the same rate into a sink is refused for memory first.
    let with_sink = job(
        "taskmanagers = 1\nslots_per_taskmanager = 4",
        "parallelism = 4\nrate = { process = \"constant\", records_per_second = 1e9 }",
        "parallelism = 4\ninputs = [{ from = \"source\", partitioning = \"forward\" }]",
    )
    .replace("duration = \"2s\"", "duration = \"1d\"");
    let (field, msg) = refused_field(&with_sink);
    assert_eq!(field, "checkpoint.interval", "{msg}");
}

/// The budget is for the run that happens: a day-long file over the limits runs when
/// `--set simulation.duration=…` shortens it, and the shortened run is still checked.
#[test]
fn a_long_file_shortened_on_the_command_line_is_budgeted_as_it_runs() {
    let dir = std::env::temp_dir().join(format!("ckptsim-budget-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("day.toml");
    let text = "[simulation]\nduration = \"1d\"\n[cluster]\ntaskmanagers = 1\nslots_per_taskmanager = 4\n\
                [[operators]]\nname = \"source\"\nkind = \"source\"\nparallelism = 4\n\
                rate = { process = \"constant\", records_per_second = 1e9 }\n";
    std::fs::write(&file, text).unwrap();
    let validate = |set: &[&str]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ckptsim"));
        cmd.arg("validate").arg(&file);
        for s in set {
            cmd.arg("--set").arg(s);
        }
        let out = cmd.output().unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stderr).to_string())
    };
    let (ok, err) = validate(&[]);
    assert!(!ok && err.contains("--limit-work"), "the day is refused: {err}");
    let (ok, err) = validate(&["simulation.duration=1s"]);
    assert!(ok, "one second fits: {err}");
    let (ok, err) = validate(&["simulation.duration=2h"]);
    assert!(
        !ok && err.contains("simulation.duration=\"2h\"") && err.contains("--limit-work"),
        "two hours do not: {err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_zipf_table_is_counted_once_per_operator() {
    // 50 M keys: 400 MB once per operator fits the default limit; per subtask (64 of them) it
    // would be 25.6 GB.
    let text = job(
        "taskmanagers = 8\nslots_per_taskmanager = 8",
        "parallelism = 64\nrate = { process = \"constant\", records_per_second = 1 }\n\
         keys = { count = 50000000, distribution = \"zipf\", exponent = 1.0 }",
        "parallelism = 64\ninputs = [{ from = \"source\", partitioning = \"forward\" }]",
    );
    let s = parse_str(&text, "zipf.toml").expect("fits").scenario;
    let needs = ckptsim::scenario::budget::estimate(&s);
    let zipf: f64 = needs
        .memory
        .iter()
        .filter(|i| i.what.contains("Zipf"))
        .map(|i| i.amount)
        .sum();
    assert_eq!(zipf, 50_000_000.0 * 8.0);
}

#[test]
fn a_nearly_silent_bursts_source_runs_to_its_end() {
    let text = job(
        "taskmanagers = 1\nslots_per_taskmanager = 2",
        "parallelism = 2\nrate = { process = \"bursts\", records_per_second = 1e-9, on = \"1ms\", off = \"1ms\" }",
        FORWARD_SINK,
    );
    let s = parse_str(&text, "bursts.toml").expect("valid").scenario;
    let out = ckptsim::run::run(&s, 1);
    assert!(out.summary.counts.total >= 3, "checkpoints still run every 500 ms");
}

#[test]
fn failure_handling_is_linear_in_the_failures() {
    // A crash every 20 ms for 60 s, each restarted at once: 3000 failures.
    let times: Vec<String> = (1..3000).map(|i| format!("\"{}ms\"", i * 20)).collect();
    let text = format!(
        r#"[simulation]
duration = "60s"
[checkpoint]
interval = "1s"
[cluster]
taskmanagers = 1
slots_per_taskmanager = 2
[restart]
strategy = "fixed-delay"
attempts = 100000
delay = "1ms"
[recovery]
deployment_time = "1ms"
[[faults.task_crash]]
at = [{}]
[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = {{ process = "constant", records_per_second = 100 }}
[[operators]]
name = "sink"
kind = "sink"
parallelism = 2
inputs = [{{ from = "source", partitioning = "forward" }}]
"#,
        times.join(", ")
    );
    let s = parse_str(&text, "crashes.toml").expect("valid").scenario;
    let mut w = World::new(&ckptsim::compile::world_config(&s), 3, "crashes");
    w.run_to_end();
    let scans = w.failure_scan_steps();
    let failures = w.finish().failures.len() as u64;
    assert!(failures > 1000, "{failures} failures");
    // Each failure meets the open ones a few times (fault, detection, restore per task); a scan
    // over every earlier failure would make this about failures^2 / 2.
    assert!(
        scans <= 20 * failures,
        "{scans} failure scan steps for {failures} failures"
    );
}

#[test]
fn a_sweep_point_beyond_the_limits_is_named_before_any_run() {
    let dir = fresh_dir("point-limit");
    let text = format!("{BASE}\n[sweep]\n[sweep.parameters]\n\"cluster.taskmanagers\" = [2, 100000]\n");
    let scenario = write_file(&dir, "big.toml", &text);
    let out = dir.join("out");
    match sweep_file(&scenario, &out, &SweepOptions::default()) {
        Err(SweepError::Point {
            point,
            assignments,
            cause,
        }) => {
            assert_eq!(point, 1);
            assert!(assignments.contains("cluster.taskmanagers=100000"), "{assignments}");
            assert_eq!(cause.field(), Some("cluster.taskmanagers"), "{cause}");
        }
        other => panic!("expected the point to be refused, got {other:?}"),
    }
    assert!(!out.join("runs").exists(), "nothing ran");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A run that fits the limits but takes minutes record by record: `validate` says so and names
/// the fast path's field; the same job on the fast path, or shortened, gets no note.
#[test]
fn a_long_record_by_record_run_is_told_of_the_fast_path_before_it_runs() {
    let validate = |set: &[&str]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ckptsim"));
        cmd.arg("validate").arg("benches/scenarios/production_hour.toml");
        for s in set {
            cmd.arg("--set").arg(s);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let hour = validate(&[]);
    assert!(hour.contains("--set simulation.records_per_bundle=32"), "{hour}");
    for set in ["simulation.records_per_bundle=32", "simulation.duration=30s"] {
        let out = validate(&[set]);
        assert!(!out.contains("note:"), "{set}: {out}");
    }
}
