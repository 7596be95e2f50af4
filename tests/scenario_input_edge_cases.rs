//! Inputs that used to be accepted and then silently changed, ignored or never finished are
//! refused with a located error: records of 4 GiB and more, TOML after a `--set` value, an index
//! that is not a number, distributions too heavy-tailed to simulate, invalid UTF-8 and huge files.

mod sweep_support;

use ckptsim::scenario::{Limits, Override, ScenarioError, load_file, parse_str, parse_str_with};
use sweep_support::*;

const JOB: &str = r#"[simulation]
duration = "2s"
[cluster]
taskmanagers = 1
slots_per_taskmanager = 1
[[operators]]
name = "source"
kind = "source"
parallelism = 1
rate = { process = "constant", records_per_second = 10 }
record_size = "100B"
[[operators]]
name = "sink"
kind = "sink"
parallelism = 1
inputs = [{ from = "source", partitioning = "forward" }]
service_time = "1us"
"#;

fn refused(text: &str) -> ScenarioError {
    match parse_str(text, "edge.toml") {
        Err(e) => e,
        Ok(_) => panic!("accepted:\n{text}"),
    }
}

#[test]
fn records_of_4_gib_or_more_are_refused() {
    assert!(parse_str(JOB, "edge.toml").is_ok());
    assert!(
        parse_str(&JOB.replace("\"100B\"", "4294967295"), "edge.toml").is_ok(),
        "4 GiB - 1 fits"
    );
    for size in [
        "\"4GiB\"",
        "\"5GB\"",
        "{ dist = \"uniform\", min = \"1KiB\", max = \"8GiB\" }",
        "{ dist = \"exponential\", mean = \"1GB\" }",
    ] {
        let e = refused(&JOB.replace("\"100B\"", size));
        assert_eq!(e.field(), Some("operators[0].record_size"), "{size}: {e}");
        assert_eq!(e.line(), Some(11), "{e}");
        assert!(e.to_string().contains("smaller than 4GiB"), "{e}");
    }
    let e = refused(&JOB.replace("service_time = \"1us\"", "output_record_size = \"6GiB\""));
    assert_eq!(e.field(), Some("operators[1].output_record_size"), "{e}");
}

#[test]
fn a_set_value_is_one_value_and_its_path_parses_whole() {
    for bad in [
        "checkpoint.interval=5s\n[cluster]\ntaskmanagers = 9",
        "operators[0].parallelism=1\nx = 2",
        "operators[x].parallelism=2",
        "operators[1.parallelism=2",
        "operators..parallelism=2",
    ] {
        assert!(Override::parse(bad).is_err(), "{bad:?} was accepted");
    }
    let o = Override::parse("operators[1].parallelism = 2").unwrap();
    assert_eq!(o.value, toml::Value::Integer(2));
    // An index out of range names the override rather than setting another field.
    let loaded = parse_str(JOB, "edge.toml").unwrap();
    let e = loaded
        .with_overrides(&[Override::parse("operators[7].parallelism=2").unwrap()])
        .unwrap_err();
    assert!(e.to_string().contains("out of range"), "{e}");
}

#[test]
fn effectively_infinite_distributions_are_refused() {
    for dist in [
        "{ dist = \"pareto\", scale = \"1us\", shape = 1e-300 }",
        "{ dist = \"lognormal\", median = \"1us\", sigma = 700.0 }",
        "{ dist = \"normal\", mean = \"1s\", std_dev = \"1e12s\" }",
        "\"1e12d\"",
    ] {
        let e = refused(&JOB.replace("service_time = \"1us\"", &format!("service_time = {dist}")));
        assert_eq!(e.field(), Some("operators[1].service_time"), "{dist}: {e}");
        assert_eq!(e.line(), Some(17), "{e}");
    }
    // Heavy but finite tails stay accepted.
    let pareto = JOB.replace(
        "service_time = \"1us\"",
        "service_time = { dist = \"pareto\", scale = \"1us\", shape = 1.2 }",
    );
    assert!(parse_str(&pareto, "edge.toml").is_ok());
}

#[test]
fn invalid_utf8_is_reported_with_its_line_column_and_byte_offset() {
    let dir = fresh_dir("utf8");
    let path = dir.join("latin1.toml");
    let mut bytes = JOB.as_bytes().to_vec();
    let at = JOB.find("\"sink\"").unwrap() + 1;
    bytes[at] = 0xE9; // `é` in Latin-1: not UTF-8
    std::fs::write(&path, &bytes).unwrap();
    match load_file(&path) {
        Err(e @ ScenarioError::NotUtf8 { .. }) => {
            let ScenarioError::NotUtf8 {
                offset, line, column, ..
            } = &e
            else {
                unreachable!()
            };
            assert_eq!((*offset, *line, *column), (at, 13, 9), "{e}");
            assert!(
                e.to_string().contains(&format!(
                    "latin1.toml:13:9: not UTF-8 text: invalid byte at offset {at}"
                )),
                "{e}"
            );
        }
        other => panic!("expected a UTF-8 error, got {other:?}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn scenario_files_beyond_the_input_limit_are_refused_before_parsing() {
    let dir = fresh_dir("huge");
    let path = dir.join("huge.toml");
    let padding = "# padding\n".repeat(120_000); // 1.2 MB of comments
    std::fs::write(&path, format!("{JOB}{padding}")).unwrap();
    match load_file(&path) {
        Err(e @ ScenarioError::TooLarge { .. }) => assert!(e.to_string().contains("--limit-input"), "{e}"),
        other => panic!("expected the file to be refused, got {other:?}"),
    }
    let roomy = Limits {
        input_bytes_max: 4 << 20,
        ..Limits::default()
    };
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        parse_str_with(&text, "huge.toml", &roomy).is_ok(),
        "a raised limit admits it"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
