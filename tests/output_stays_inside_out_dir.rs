//! Nothing a scenario or a sweep directory says makes ckptsim write outside its output directory:
//! operator names are identifiers, and a chart named after a metric that holds a path is refused.

mod sweep_support;

use ckptsim::plot::plot_sweep_dir;
use ckptsim::scenario::{ScenarioError, parse_str};
use sweep_support::*;

const ESCAPING: &str = "x/../../../../ESCAPED";

fn with_operator_name(name: &str) -> String {
    format!(
        r#"[simulation]
duration = "2s"
[cluster]
taskmanagers = 1
slots_per_taskmanager = 1
[[operators]]
name = "{name}"
kind = "source"
parallelism = 1
rate = {{ process = "constant", records_per_second = 10 }}
"#
    )
}

#[test]
fn operator_names_must_be_identifiers() {
    for name in [ESCAPING, "..", "a b", "é", "map.count", "9lives", "tab\\t"] {
        match parse_str(&with_operator_name(name), "names.toml") {
            Err(e @ ScenarioError::Invalid { .. }) => {
                assert_eq!(e.field(), Some("operators[0].name"), "{name}: {e}");
                assert_eq!(e.line(), Some(7), "{name}: {e}");
                assert!(e.to_string().contains("not an identifier"), "{e}");
            }
            other => panic!("{name}: expected a located error, got {other:?}"),
        }
    }
    for name in ["source", "kafka_sink", "Map-2", "_x"] {
        assert!(parse_str(&with_operator_name(name), "names.toml").is_ok(), "{name}");
    }
}

/// A sweep directory written by hand (or by an older ckptsim that accepted any operator name)
/// whose plot metric names a column holding a path.
fn sweep_dir_with_metric(dir: &std::path::Path, metric: &str) {
    let manifest = serde_json::json!({
        "format": 1,
        "fingerprint": "0000000000000000",
        "ckptsim_version": "0",
        "scenario": "escape",
        "mode": "grid",
        "replications": 1,
        "parameters": [{ "path": "checkpoint.interval", "values": ["1s", "2s"], "numeric": null }],
        "points": [
            { "index": 0, "value_indices": [0], "seeds": [1] },
            { "index": 1, "value_indices": [1], "seeds": [2] }
        ],
        "plot": { "x": null, "metrics": [metric], "mtbf_s": null, "checkpoint_cost_s": null,
                  "overhead": null, "lost_work": null }
    });
    std::fs::write(dir.join("sweep.json"), serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
    std::fs::write(
        dir.join("points.csv"),
        format!("point,\"{metric}.mean\",\"{metric}.ci95\"\n0,1.0,0.1\n1,2.0,0.1\n"),
    )
    .unwrap();
}

#[test]
fn a_sweep_chart_named_after_a_path_is_refused_and_nothing_lands_outside() {
    let root = fresh_dir("escape");
    // Deep enough that the four `..` stay inside `root`, where the test can look.
    let sweep = root.join("a/b/c/d/sweep");
    std::fs::create_dir_all(&sweep).unwrap();
    let metric = format!("job.operators.{ESCAPING}.records_per_second");
    sweep_dir_with_metric(&sweep, &metric);
    let err = plot_sweep_dir(&sweep).expect_err("a chart name with a path is refused");
    assert!(err.to_string().contains("cannot name a file"), "{err}");
    let escaped: Vec<_> = snapshot(&root)
        .into_keys()
        .filter(|p| p.to_string_lossy().contains("ESCAPED"))
        .collect();
    assert!(escaped.is_empty(), "files written outside plots/: {escaped:?}");
    let _ = std::fs::remove_dir_all(&root);
}
