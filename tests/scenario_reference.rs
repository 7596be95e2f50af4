//! The scenario reference and its JSON Schema are generated from the code and kept in step with
//! it: the committed files equal what `ckptsim reference` writes, every field of the schema is
//! documented (and nothing else is), every documented default is the one the code applies, and
//! every field documented as required is refused when absent.

use ckptsim::scenario::reference::{self, Def, catalogue};
use ckptsim::scenario::{Override, parse_str};

#[test]
fn committed_reference_and_schema_match_the_code() {
    for (file, generated) in [
        (reference::REFERENCE_MD, reference::markdown::markdown()),
        (reference::SCHEMA_JSON, reference::json_schema::json_schema()),
    ] {
        let path = format!("scenarios/{file}");
        let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(
            committed == generated,
            "{path} is out of date: run `cargo run --release -- reference`"
        );
    }
    let schema: serde_json::Value = serde_json::from_str(&reference::json_schema::json_schema()).unwrap();
    assert_eq!(
        schema["properties"]["checkpoint"]["properties"]["interval"]["type"],
        serde_json::json!(["string", "integer"])
    );
    assert_eq!(
        schema["properties"]["operators"]["items"]["properties"]["kind"]["enum"],
        serde_json::json!(["source", "operator", "sink"])
    );
}

#[test]
fn every_schema_field_is_documented_and_every_documented_field_exists() {
    let problems = reference::mismatches();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(reference::fields().len(), catalogue::all().count());
}

/// A scenario with one entry in every list and every optional table, so that every field has a
/// place to be set; it gives no field that has a documented default. The `[faults]` part is the
/// catalogue's example of every fault type, between `JOB` and `IMPORTED`.
fn full() -> String {
    format!("{JOB}{}{IMPORTED}", catalogue::faults::examples())
}

const JOB: &str = r#"
[simulation]
duration = "60s"
[checkpoint]
interval = "5s"
[cluster]
taskmanagers = 2
[restart]
strategy = "fixed-delay"
[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = { process = "poisson", records_per_second = 100, profile = { shape = "steps", points = [["0s", 1.0]] } }
keys = { count = 100 }
[[operators]]
name = "map"
kind = "operator"
parallelism = 2
inputs = [{ from = "source", partitioning = "hash" }]
"#;

const IMPORTED: &str = r#"[imported]
from = "jobs/"
medians = [{ statistic = "start_delay", task = "map", value = 3.0 }]
"#;

/// The path of the field's first instance in `full()` (input edges belong to its second operator).
fn concrete(path: &str) -> String {
    match path.strip_prefix("operators[].inputs[]") {
        Some(rest) => format!("operators[1].inputs[0]{rest}"),
        None => path.replace("[]", "[0]"),
    }
}

#[test]
fn documented_defaults_are_the_ones_the_code_applies() {
    let base = parse_str(&full(), "full.toml").unwrap();
    let reference = format!("{:?}", base.scenario);
    for doc in catalogue::all() {
        let Def::Value(literal) = doc.default else {
            continue;
        };
        let o = Override::parse(&format!("{}={literal}", concrete(doc.path))).unwrap();
        let with_default = base
            .with_overrides(&[o])
            .unwrap_or_else(|e| panic!("{} = {literal}: {e}", doc.path));
        assert!(
            format!("{with_default:?}") == reference,
            "`{}`: the documented default {literal} is not what the code applies",
            doc.path
        );
    }
}

/// Removes the value at a dotted path with `[i]` indices.
fn remove(table: &mut toml::Table, path: &str) -> bool {
    let (parent, last) = match path.rsplit_once('.') {
        Some((p, l)) => (Some(p), l),
        None => (None, path),
    };
    let mut cur: &mut toml::Table = table;
    if let Some(parent) = parent {
        for seg in parent.split('.') {
            let (name, index) = match seg.split_once('[') {
                Some((n, i)) => (n, i.trim_end_matches(']').parse::<usize>().ok()),
                None => (seg, None),
            };
            let next = cur.get_mut(name);
            cur = match (next, index) {
                (Some(toml::Value::Array(a)), Some(i)) => match a.get_mut(i) {
                    Some(toml::Value::Table(t)) => t,
                    _ => return false,
                },
                (Some(toml::Value::Table(t)), None) => t,
                _ => return false,
            };
        }
    }
    cur.remove(last).is_some()
}

#[test]
fn fields_documented_as_required_are_refused_when_absent() {
    let base: toml::Table = toml::from_str(&full()).unwrap();
    for doc in catalogue::all().filter(|d| d.default == Def::Required) {
        let mut t = base.clone();
        assert!(
            remove(&mut t, &concrete(doc.path)),
            "{} is not in the test scenario",
            doc.path
        );
        let text = toml::to_string(&t).unwrap();
        assert!(
            parse_str(&text, "req.toml").is_err(),
            "`{}` is documented as required but may be left out",
            doc.path
        );
    }
}
