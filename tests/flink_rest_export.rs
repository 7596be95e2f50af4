//! `checkpoints.json` and `checkpoint_details.json` have the shape of Flink 2.3's REST
//! responses: the same fields, nested the same way, with the same JSON types, compared field by
//! field with responses captured from a real Flink 2.3 job (`tests/fixtures/flink-2.3/`).

use std::collections::BTreeSet;

use serde_json::{Value, json};

use ckptsim::output::flink_rest;
use ckptsim::scenario::parse_str;

/// Back-pressured unaligned checkpoints, a savepoint, uploads that fail (failed checkpoints,
/// tolerated), a crash that restores a checkpoint, and one still in progress at the end: every
/// kind of entry.
const SCENARIO: &str = r#"
[pipeline]
operator_chaining = false  # one task per operator: the test reads each one's figures
[simulation]
duration = "31000ms"  # ends inside a checkpoint (in_progress in the history)
seed = 3
start_epoch_ms = 1796154400000
[checkpoint]
interval = "1s"
tolerable_failed = 1000
unaligned = true
savepoint_times = ["4500ms"]
history_size = 100
[cluster]
taskmanagers = 2
slots_per_taskmanager = 2
[storage]
bandwidth = "2MB/s"               # slow uploads: checkpoints take about a second
[restart]
strategy = "fixed-delay"
attempts = 3
delay = "1s"
[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = { process = "poisson", records_per_second = 5000 }
keys = { count = 1000 }
[[operators]]
name = "slow"
kind = "operator"
parallelism = 2
inputs = [{ from = "source", partitioning = "hash" }]
service_time = { dist = "exponential", mean = "250us" }
state = { bytes_per_key = "1KB" }
[[operators]]
name = "sink"
kind = "sink"
parallelism = 2
inputs = [{ from = "slow", partitioning = "forward" }]
[[faults.task_crash]]
at = ["10500ms"]
operator = "slow"
subtask = 0
[faults.storage]
upload_failure_probability = 0.05
"#;

fn fixture(name: &str) -> Value {
    let path = format!("tests/fixtures/flink-2.3/{name}");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn ours() -> (Value, Value) {
    let sc = parse_str(SCENARIO, "export.toml").unwrap().scenario;
    let out = ckptsim::run::run_labelled(&sc, sc.simulation.seed, "export");
    (
        serde_json::to_value(flink_rest::checkpoints(&out)).unwrap(),
        serde_json::to_value(flink_rest::details(&out)).unwrap(),
    )
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Records every difference in fields or JSON types between Flink's `flink` and ckptsim's
/// `ours`. Array elements are matched by `className`; objects under `tasks` are maps keyed by
/// vertex id, whose values are compared with any of Flink's.
fn compare(flink: &Value, ours: &Value, path: &str, errs: &mut Vec<String>) {
    match (flink, ours) {
        (Value::Object(f), Value::Object(o)) if path.ends_with(".tasks") => {
            if o.is_empty() && f.is_empty() {
                return;
            }
            let Some(fv) = f.values().next() else {
                errs.push(format!("{path}: the fixture has no entry to compare with"));
                return;
            };
            for (k, ov) in o {
                compare(fv, ov, &format!("{path}.{k}"), errs);
            }
        }
        (Value::Object(f), Value::Object(o)) => {
            let fk: BTreeSet<&String> = f.keys().collect();
            let ok: BTreeSet<&String> = o.keys().collect();
            for k in fk.difference(&ok) {
                errs.push(format!("{path}.{k}: in Flink's response, missing in ckptsim's"));
            }
            for k in ok.difference(&fk) {
                errs.push(format!("{path}.{k}: in ckptsim's, not in Flink's response"));
            }
            for (k, fv) in f {
                if let Some(ov) = o.get(k) {
                    compare(fv, ov, &format!("{path}.{k}"), errs);
                }
            }
        }
        (Value::Array(f), Value::Array(o)) => {
            for (i, ov) in o.iter().enumerate() {
                let class = ov.get("className");
                match f.iter().find(|fv| fv.get("className") == class) {
                    Some(fv) => compare(fv, ov, &format!("{path}[{i}]"), errs),
                    None => errs.push(format!(
                        "{path}[{i}]: no Flink entry of class {class:?} to compare with"
                    )),
                }
            }
        }
        // `savepointFormat` is null for a checkpoint and the format's name for a savepoint
        // (`CheckpointStatistics.savepointFormat`, `@Nullable SavepointFormatType`).
        (Value::Null, Value::String(_)) if path.ends_with(".savepointFormat") => {}
        (f, o) if kind(f) != kind(o) => {
            errs.push(format!(
                "{path}: Flink sends {} ({f}), ckptsim {} ({o})",
                kind(f),
                kind(o)
            ));
        }
        _ => {}
    }
}

/// Flink entries of the kinds the captured job could not produce, derived from a captured
/// completed entry by the fields Flink 2.3's DTO classes add or drop (`FailedCheckpointStatistics`
/// adds `failure_timestamp` and `failure_message` and, like `PendingCheckpointStatistics`, lacks
/// `external_path` and `discarded`; `PendingSubtaskCheckpointStatistics` has only `index` and
/// `status`).
fn with_derived_entries(completed: &Value) -> Vec<Value> {
    let mut failed = completed.clone();
    let m = failed.as_object_mut().unwrap();
    m.remove("external_path");
    m.remove("discarded");
    m.insert("className".into(), json!("failed"));
    m.insert("failure_timestamp".into(), json!(1));
    m.insert("failure_message".into(), json!("CHECKPOINT_EXPIRED"));
    let mut in_progress = completed.clone();
    let m = in_progress.as_object_mut().unwrap();
    m.remove("external_path");
    m.remove("discarded");
    m.insert("className".into(), json!("in_progress"));
    vec![completed.clone(), failed, in_progress]
}

#[test]
fn checkpoints_json_has_the_shape_of_flinks_checkpoints_response() {
    let flink = fixture("checkpoints_unaligned.json");
    let (ours, _) = ours();
    let mut errs = Vec::new();
    for key in ["counts", "summary"] {
        compare(&flink[key], &ours[key], key, &mut errs);
    }
    // History: every class ckptsim produced, against Flink's entry of that class.
    let fh = flink["history"].as_array().unwrap();
    let completed = fh.iter().find(|h| h["className"] == "completed").unwrap();
    let mut reference: Vec<Value> = fh.clone();
    reference.extend(with_derived_entries(completed).into_iter().skip(1));
    compare(&Value::Array(reference.clone()), &ours["history"], "history", &mut errs);
    // Latest: the same four members; those present compared with an entry of their class.
    let members: Vec<&String> = ours["latest"].as_object().unwrap().keys().collect();
    let flink_members: Vec<&String> = flink["latest"].as_object().unwrap().keys().collect();
    assert_eq!(members, flink_members);
    compare(
        &flink["latest"]["completed"],
        &ours["latest"]["completed"],
        "latest.completed",
        &mut errs,
    );
    compare(
        &Value::Array(reference.clone()),
        &json!([ours["latest"]["failed"]]),
        "latest.failed",
        &mut errs,
    );
    compare(
        &Value::Array(reference),
        &json!([ours["latest"]["savepoint"]]),
        "latest.savepoint",
        &mut errs,
    );
    let after_restore = fixture("checkpoints_restored.json");
    compare(
        &after_restore["latest"]["restored"],
        &ours["latest"]["restored"],
        "latest.restored",
        &mut errs,
    );
    compare(
        &after_restore["counts"],
        &ours["counts"],
        "counts (after a restore)",
        &mut errs,
    );
    assert!(errs.is_empty(), "shape differences:\n{}", errs.join("\n"));

    // The run must have produced every kind, or the comparison above proved little.
    let classes: BTreeSet<&str> = ours["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["className"].as_str().unwrap())
        .collect();
    assert_eq!(
        classes,
        BTreeSet::from(["completed", "failed", "in_progress"]),
        "{classes:?}"
    );
    assert!(ours["latest"]["savepoint"]["is_savepoint"] == json!(true));
    assert!(ours["counts"]["restored"].as_u64().unwrap() >= 1);
    // Flink's arithmetic: end-to-end is latest ack minus trigger, in epoch milliseconds.
    for h in ours["history"].as_array().unwrap() {
        assert!(h["trigger_timestamp"].as_i64().unwrap() >= 1_796_154_400_000);
        if h["className"] == "completed" {
            let e2e = h["latest_ack_timestamp"].as_i64().unwrap() - h["trigger_timestamp"].as_i64().unwrap();
            assert_eq!(h["end_to_end_duration"].as_i64().unwrap(), e2e);
            assert_eq!(
                h["tasks"],
                json!({}),
                "the history of /checkpoints carries no task details"
            );
        }
    }
    let ids: Vec<u64> = ours["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_u64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
}

#[test]
fn checkpoint_details_have_the_shape_of_flinks_details_and_subtask_responses() {
    let flink = fixture("checkpoint_details_unaligned.json");
    let (_, ours) = ours();
    let mut errs = Vec::new();
    let fcp = flink["checkpoints"].as_object().unwrap().values().next().unwrap();
    let details_ref = Value::Array(with_derived_entries(&fcp["details"]));
    let fsub = fcp["subtasks"].as_object().unwrap().values().next().unwrap();
    let mut subtasks_ref = fsub["subtasks"].as_array().unwrap().clone();
    subtasks_ref.push(json!({ "className": "pending_or_failed", "index": 0, "status": "pending_or_failed" }));
    let mut saw_pending = false;
    let checkpoints = ours["checkpoints"].as_object().unwrap();
    assert!(checkpoints.len() > 5);
    for (id, cp) in checkpoints {
        compare(
            &details_ref,
            &json!([cp["details"]]),
            &format!("{id}.details"),
            &mut errs,
        );
        assert_eq!(cp["subtasks"].as_object().unwrap().len(), 3, "every vertex");
        for (vid, sub) in cp["subtasks"].as_object().unwrap() {
            let p = format!("{id}.subtasks.{vid}");
            let mut f = fsub.clone();
            f["subtasks"] = Value::Array(subtasks_ref.clone());
            compare(&f, sub, &p, &mut errs);
            saw_pending |= sub["subtasks"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["className"] == "pending_or_failed");
        }
    }
    assert!(
        errs.is_empty(),
        "shape differences:\n{}",
        errs.iter().take(40).cloned().collect::<Vec<_>>().join("\n")
    );
    assert!(
        saw_pending,
        "the failed checkpoint should show subtasks that never acknowledged"
    );
    // Per-vertex summaries keep no histogram: Flink reports their percentiles as "NaN".
    let any = checkpoints.values().next().unwrap()["subtasks"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap();
    assert_eq!(any["summary"]["state_size"]["p50"], json!("NaN"));
    assert_eq!(any["summary"]["alignment"]["buffered"]["p50"], json!(0.0));
    assert_eq!(ours["vertices"].as_object().unwrap().len(), 3);
}

#[test]
fn unaligned_acknowledgements_are_marked_per_subtask() {
    let (_, ours) = ours();
    let unaligned = ours["checkpoints"]
        .as_object()
        .unwrap()
        .values()
        .filter(|cp| cp["details"]["checkpoint_type"] == "UNALIGNED_CHECKPOINT")
        .flat_map(|cp| {
            cp["subtasks"]
                .as_object()
                .unwrap()
                .values()
                .cloned()
                .collect::<Vec<_>>()
        })
        .flat_map(|s| s["subtasks"].as_array().unwrap().clone())
        .filter(|s| s["className"] == "completed")
        .filter(|s| s["unaligned_checkpoint"] == json!(true))
        .count();
    assert!(
        unaligned > 0,
        "back-pressured unaligned checkpoints report unaligned subtasks"
    );
}

#[test]
fn history_keeps_the_newest_checkpoints_as_flinks_web_checkpoints_history_does() {
    let mut sc = parse_str(SCENARIO, "export.toml").unwrap().scenario;
    sc.checkpoint.history_size = 3;
    let out = ckptsim::run::run_labelled(&sc, sc.simulation.seed, "export");
    let checkpoints = serde_json::to_value(flink_rest::checkpoints(&out)).unwrap();
    let details = serde_json::to_value(flink_rest::details(&out)).unwrap();
    let history: Vec<u64> = checkpoints["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_u64().unwrap())
        .collect();
    let newest = out.checkpoints.iter().map(|c| c.id).max().unwrap();
    assert_eq!(history, vec![newest, newest - 1, newest - 2]);
    let mut kept: Vec<u64> = details["checkpoints"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.parse().unwrap())
        .collect();
    kept.sort();
    assert_eq!(kept, vec![newest - 2, newest - 1, newest]);
    // Counts and summaries still cover every checkpoint.
    assert_eq!(
        checkpoints["counts"]["total"].as_u64().unwrap(),
        out.checkpoints.len() as u64
    );
}
