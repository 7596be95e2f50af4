//! Flattening a run summary into named scalar metrics, generically: whatever fields the summary
//! grows, they become columns without this code changing.
//!
//! - nested objects join their keys with dots: `counts.completed`, `summary.sync_duration.p99`;
//! - statistics summaries (objects with count, avg, p99, max) keep those four;
//! - lists of named objects are keyed by name: `job.operators.map.records_per_second`;
//! - `scenario` and `seed` are skipped (the run's seed is its own column), and so is `job.tasks`:
//!   per-subtask detail belongs to single runs, sweeps compare operators; and `verdict`, whose
//!   sentences are for reading a run, not for tabulating.

use serde_json::Value;

/// A table cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Int(i64),
    UInt(u64),
    Float(f64),
    Text(String),
}

impl Cell {
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Cell::Int(i) => Some(*i as f64),
            Cell::UInt(u) => Some(*u as f64),
            Cell::Float(f) if f.is_finite() => Some(*f),
            _ => None,
        }
    }

    pub fn is_number(&self) -> bool {
        matches!(self, Cell::Int(_) | Cell::UInt(_) | Cell::Float(_))
    }

    /// The cell's text: integers as integers, floats in the shortest form that reads back exactly.
    pub fn render(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Int(i) => i.to_string(),
            Cell::UInt(u) => u.to_string(),
            Cell::Float(f) => render_f64(*f),
            Cell::Text(s) => s.clone(),
        }
    }
}

/// Shortest round-trip form; exponent notation for very large or small magnitudes; empty for NaN.
pub fn render_f64(f: f64) -> String {
    if f.is_nan() { String::new() } else { format!("{f:?}") }
}

const SKIPPED: [&str; 4] = ["scenario", "seed", "job.tasks", "verdict"];
const STATS_KEPT: [&str; 4] = ["count", "avg", "p99", "max"];

/// The metrics of a summary in key order.
pub fn flatten(summary: &Value) -> Vec<(String, Cell)> {
    let mut out = Vec::new();
    walk(summary, "", &mut out, 0);
    out
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// `depth` bounds the recursion: summaries are a few levels deep, never a hundred.
fn walk(v: &Value, prefix: &str, out: &mut Vec<(String, Cell)>, depth: usize) {
    if depth > 16 || SKIPPED.contains(&prefix) {
        return;
    }
    match v {
        Value::Object(map) => {
            let is_stats = STATS_KEPT.iter().all(|k| map.get(*k).is_some_and(Value::is_number));
            for (k, child) in map {
                if is_stats && !STATS_KEPT.contains(&k.as_str()) {
                    continue;
                }
                walk(child, &join(prefix, k), out, depth + 1);
            }
        }
        Value::Array(items) => {
            let names: Option<Vec<&str>> = items.iter().map(|i| i.get("name").and_then(Value::as_str)).collect();
            let distinct = names.as_ref().is_some_and(|n| {
                let set: std::collections::BTreeSet<_> = n.iter().collect();
                set.len() == n.len()
            });
            for (i, item) in items.iter().enumerate() {
                let key = match (&names, distinct) {
                    (Some(n), true) => n[i].to_string(),
                    _ => i.to_string(),
                };
                let child_prefix = join(prefix, &key);
                match item {
                    Value::Object(map) if distinct => {
                        for (k, c) in map.iter().filter(|(k, _)| k.as_str() != "name") {
                            walk(c, &join(&child_prefix, k), out, depth + 2);
                        }
                    }
                    other => walk(other, &child_prefix, out, depth + 1),
                }
            }
        }
        Value::Null => out.push((prefix.to_string(), Cell::Empty)),
        Value::Bool(b) => out.push((prefix.to_string(), Cell::UInt(*b as u64))),
        Value::Number(n) => out.push((
            prefix.to_string(),
            if let Some(u) = n.as_u64() {
                Cell::UInt(u)
            } else if let Some(i) = n.as_i64() {
                Cell::Int(i)
            } else {
                Cell::Float(n.as_f64().unwrap_or(f64::NAN))
            },
        )),
        Value::String(s) => out.push((prefix.to_string(), Cell::Text(s.clone()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattens_stats_named_lists_and_skips_detail() {
        let v: Value = serde_json::from_str(
            r#"{"scenario": "x", "seed": 3, "counts": {"total": 4},
                "summary": {"e2e": {"count": 2, "min": 1.0, "max": 3.0, "avg": 2.0, "p50": 2.0, "p99": 3.0}},
                "fraction": null,
                "job": {"operators": [{"name": "src", "rate": 1.5}, {"name": "map", "rate": 2.5}],
                        "tasks": [{"task": "src", "x": 1}]},
                "engine": {"trace_hash": "ab"}}"#,
        )
        .unwrap();
        let names: Vec<String> = flatten(&v).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "counts.total",
                "engine.trace_hash",
                "fraction",
                "job.operators.src.rate",
                "job.operators.map.rate",
                "summary.e2e.avg",
                "summary.e2e.count",
                "summary.e2e.max",
                "summary.e2e.p99"
            ]
        );
        assert_eq!(render_f64(0.1), "0.1");
        assert_eq!(render_f64(2.0), "2.0");
        assert_eq!(render_f64(1e300), "1e300");
    }
}
