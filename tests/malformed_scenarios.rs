//! Bad input gets a clear error naming file, line and field; never a panic, never a partial
//! output file.

use std::process::Command;

use ckptsim::scenario::parse_str;

const GOOD: &str = r#"[simulation]
duration = "10s"
[checkpoint]
interval = "1s"
[cluster]
taskmanagers = 1
slots_per_taskmanager = 2
[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = { process = "poisson", records_per_second = 100 }
[[operators]]
name = "sink"
kind = "sink"
parallelism = 2
inputs = [{ from = "source", partitioning = "hash" }]
"#;

/// (what to replace, replacement, expected line, expected field, words the message must contain)
const CASES: &[(&str, &str, usize, &str, &str)] = &[
    (
        "duration = \"10s\"",
        "duration = \"10 parsecs\"",
        2,
        "simulation.duration",
        "unknown duration unit",
    ),
    (
        "duration = \"10s\"",
        "duration = 10",
        2,
        "simulation.duration",
        "needs a unit",
    ),
    (
        "interval = \"1s\"",
        "interval = \"1s\"\nintervall = \"2s\"",
        5,
        "checkpoint.intervall",
        "unknown field",
    ),
    (
        "interval = \"1s\"",
        "interval = \"0s\"",
        4,
        "checkpoint.interval",
        "at least 1ms",
    ),
    (
        "taskmanagers = 1",
        "taskmanagers = 0",
        6,
        "cluster.taskmanagers",
        "at least 1",
    ),
    (
        "slots_per_taskmanager = 2",
        "slots_per_taskmanager = 1",
        6,
        "cluster.taskmanagers",
        "cannot host",
    ),
    (
        "parallelism = 2\nrate",
        "parallelism = -2\nrate",
        11,
        "operators[0].parallelism",
        "invalid value",
    ),
    (
        "records_per_second = 100",
        "records_per_second = -5",
        12,
        "operators[0].rate.records_per_second",
        "must be > 0",
    ),
    (
        "from = \"source\"",
        "from = \"nowhere\"",
        17,
        "operators[1].inputs[0].from",
        "no operator named `nowhere`",
    ),
    (
        "partitioning = \"hash\"",
        "partitioning = \"shuffle\"",
        17,
        "operators[1].inputs[0].partitioning",
        "unknown variant `shuffle`",
    ),
    (
        "kind = \"sink\"",
        "kind = \"sinkk\"",
        15,
        "operators[1].kind",
        "unknown variant",
    ),
    ("[cluster]", "[cluster\n", 5, "", "unclosed table"),
    (
        "slots_per_taskmanager = 2",
        "slots_per_taskmanager = 2\n[state_backend]\nkind = \"rocksdb\"\nnative_checkpoint_time = \"2ms\"\nflush_sync_time = \"3ms\"",
        11,
        "state_backend.flush_sync_time",
        "at most native_checkpoint_time",
    ),
    (
        "duration = \"10s\"",
        "duration = \"10s\"\nrecords_per_bundle = 0",
        3,
        "simulation.records_per_bundle",
        "between 1 (the record-level model) and 1024",
    ),
    (
        "duration = \"10s\"",
        "duration = \"10s\"\nrecords_per_bundle = 400",
        3,
        "simulation.records_per_bundle",
        "above a quarter of a network buffer",
    ),
    (
        "name = \"sink\"",
        "name = \"sink\"\nuid = \"\"",
        15,
        "operators[1].uid",
        "must not be empty",
    ),
    (
        "name = \"source\"\nkind = \"source\"\nparallelism = 2\nrate = { process = \"poisson\", records_per_second = 100 }\n[[operators]]\nname = \"sink\"",
        "name = \"source\"\nuid = \"op\"\nkind = \"source\"\nparallelism = 2\nrate = { process = \"poisson\", records_per_second = 100 }\n[[operators]]\nname = \"sink\"\nuid = \"op\"",
        16,
        "operators[1].uid",
        "used by an earlier operator",
    ),
];

#[test]
fn each_malformed_scenario_names_its_line_and_field() {
    assert!(parse_str(GOOD, "good.toml").is_ok(), "the base scenario is valid");
    for (from, to, line, field, words) in CASES {
        assert!(GOOD.contains(from), "fixture: {from}");
        let text = GOOD.replacen(from, to, 1);
        let err = match parse_str(&text, "bad.toml") {
            Ok(_) => panic!("accepted: {to}"),
            Err(e) => e,
        };
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!("bad.toml:{line}:")),
            "{to}: expected line {line}: {msg}"
        );
        if !field.is_empty() {
            assert_eq!(err.field(), Some(*field), "{to}: {msg}");
            assert!(msg.contains(&format!("field `{field}`")), "{msg}");
        }
        assert!(msg.contains(words), "{to}: `{words}` not in: {msg}");
    }
}

#[test]
fn the_cli_rejects_a_bad_scenario_without_panicking_or_writing_files() {
    let dir = std::env::temp_dir().join(format!("ckptsim-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.toml");
    std::fs::write(&file, GOOD.replace("taskmanagers = 1", "taskmanagers = 0")).unwrap();
    let out_dir = dir.join("out");
    let out = Command::new(env!("CARGO_BIN_EXE_ckptsim"))
        .args(["run", file.to_str().unwrap(), "--out", out_dir.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(
        out.status.code(),
        Some(1),
        "a clean error exit, not a panic (101): {stderr}"
    );
    assert!(
        stderr.contains("bad.toml:6:") && stderr.contains("cluster.taskmanagers"),
        "{stderr}"
    );
    assert!(!out_dir.exists(), "no output directory for a rejected scenario");
    // A bad override is named too.
    std::fs::write(&file, GOOD).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ckptsim"))
        .args([
            "run",
            file.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
            "--set",
            "operators.sink.parallelism=0",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("operators.sink.parallelism=0") && stderr.contains("operators[1].parallelism"),
        "{stderr}"
    );
    assert!(!out_dir.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
