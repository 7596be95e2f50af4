//! Turns Flink options into scenario fields: each key is looked up among the modeled ones, its
//! value parsed as Flink parses that option's type, and the result written into the scenario
//! table in ckptsim's own units (durations as nanoseconds, sizes as bytes), so the scenario
//! reads it exactly as if its TOML had said the same.

use super::duration::parse_flink_duration_ns;
use super::keys::{FlinkKey, FlinkType, lookup};
use super::memory::parse_flink_memory_bytes;
use super::yaml::FlinkEntry;
use crate::scenario::spans::{Seg, parse_path};
use crate::scenario::toml_path::set_path;

/// A problem with one entry: its index, and the message.
pub type EntryProblem = (usize, String);

/// What to do when the scenario already sets a field that a Flink key sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conflict {
    /// `[flink]` inside the scenario: one file must not say it twice.
    Reject,
    /// `--flink-conf`: the command line's file wins, as `--set` does.
    Replace,
}

/// Which entry set which concrete field, to point validation errors at the Flink key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedField {
    pub path: String,
    pub entry: usize,
}

/// Converts a value written for `key` into the TOML value of its scenario field.
pub fn convert(key: &FlinkKey, text: &str) -> Result<toml::Value, String> {
    let t = text.trim();
    match key.ty {
        FlinkType::Duration => Ok(toml::Value::String(format!("{}ns", parse_flink_duration_ns(t)?))),
        FlinkType::MemorySize => Ok(toml::Value::Integer(parse_flink_memory_bytes(t)? as i64)),
        FlinkType::Integer => match t.parse::<i32>() {
            Ok(v) if v >= 0 => Ok(toml::Value::Integer(v as i64)),
            Ok(_) => Err(format!("`{t}`: must not be negative")),
            Err(_) => Err(format!("`{t}` is not an integer")),
        },
        FlinkType::Double => t
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(toml::Value::Float)
            .ok_or_else(|| format!("`{t}` is not a number")),
        FlinkType::Boolean => match t.to_ascii_lowercase().as_str() {
            "true" => Ok(toml::Value::Boolean(true)),
            "false" => Ok(toml::Value::Boolean(false)),
            _ => Err(format!("`{t}` is not a boolean (true or false)")),
        },
        FlinkType::Enum(values) => {
            let lower = t.to_lowercase();
            values
                .iter()
                .find(|(flink, _)| *flink == lower)
                .map(|(_, ours)| toml::Value::String((*ours).to_string()))
                .ok_or_else(|| {
                    let names: Vec<&str> = values.iter().map(|(f, _)| *f).collect();
                    format!("`{t}` is not one of {}", names.join(", "))
                })
        }
    }
}

fn not_modeled(key: &str) -> String {
    let hint = match key {
        k if k.starts_with("execution.checkpointing.dir")
            || k.starts_with("execution.checkpointing.storage")
            || k.starts_with("state.checkpoints.dir") =>
        {
            " (ckptsim models storage speed, not its location: `[storage]`)"
        }
        _ => "",
    };
    format!(
        "ckptsim does not model the Flink option `{key}`{hint}; the options it reads are listed in scenarios/REFERENCE.md"
    )
}

/// Looks every entry up and converts its value; the first problem names its entry.
pub fn translate(entries: &[FlinkEntry]) -> Result<Vec<(&'static FlinkKey, toml::Value)>, EntryProblem> {
    let mut out: Vec<(&'static FlinkKey, toml::Value)> = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let key = lookup(&e.key).ok_or_else(|| (i, not_modeled(&e.key)))?;
        if let Some(j) = out.iter().position(|(k, _)| k.key == key.key) {
            return Err((
                i,
                format!(
                    "sets the same option (`{}`) as `{}` at line {}; give it once",
                    key.key, entries[j].key, entries[j].line
                ),
            ));
        }
        let value = convert(key, &e.value).map_err(|m| (i, m))?;
        out.push((key, value));
    }
    Ok(out)
}

fn get_path<'t>(table: &'t toml::Table, path: &str) -> Option<&'t toml::Value> {
    let segs = parse_path(path);
    let mut cur: Option<&toml::Value> = None;
    for (i, seg) in segs.iter().enumerate() {
        cur = match (i, seg, cur) {
            (0, Seg::Key(k), _) => table.get(k),
            (_, Seg::Key(k), Some(toml::Value::Table(t))) => t.get(k),
            (_, Seg::Index(n), Some(toml::Value::Array(a))) => a.get(*n),
            _ => None,
        };
        cur?;
    }
    cur
}

/// The concrete paths of a key's field: `[*]` expands to every element of that list (none when
/// the scenario has no such list).
fn concrete_paths(table: &toml::Table, path: &str) -> Vec<String> {
    match path.split_once("[*]") {
        None => vec![path.to_string()],
        Some((list, field)) => {
            let n = get_path(table, list).and_then(|v| v.as_array()).map_or(0, |a| a.len());
            (0..n).map(|i| format!("{list}[{i}]{field}")).collect()
        }
    }
}

/// Writes translated entries into the scenario table. Restart-strategy options must belong to
/// the strategy in force after all entries are applied.
pub fn apply(
    table: &mut toml::Table,
    translated: &[(&'static FlinkKey, toml::Value)],
    conflict: Conflict,
) -> Result<Vec<AppliedField>, EntryProblem> {
    let mut applied = Vec::new();
    for (i, (key, value)) in translated.iter().enumerate() {
        for path in concrete_paths(table, key.path) {
            if conflict == Conflict::Reject && get_path(table, &path).is_some() {
                return Err((
                    i,
                    format!("sets `{path}`, which the scenario sets too; give it once, in one of the two forms"),
                ));
            }
            set_path(table, &path, value.clone()).map_err(|m| (i, format!("cannot set `{path}`: {m}")))?;
            applied.push(AppliedField { path, entry: i });
        }
    }
    let strategy = get_path(table, "restart.strategy")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    for (i, (key, _)) in translated.iter().enumerate() {
        let Some(wanted) = key.strategy else {
            continue;
        };
        match strategy.as_deref() {
            Some(s) if s == wanted => {}
            Some(s) => {
                return Err((
                    i,
                    format!("applies to restart-strategy.type `{wanted}`, but the restart strategy is `{s}`"),
                ));
            }
            None => {
                return Err((
                    i,
                    format!("applies to restart-strategy.type `{wanted}`; set restart-strategy.type as well"),
                ));
            }
        }
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: &str, value: &str) -> FlinkEntry {
        FlinkEntry {
            key: key.into(),
            value: value.into(),
            line: 1,
            column: 1,
        }
    }

    #[test]
    fn values_convert_by_their_flink_type() {
        let k = |name: &str| lookup(name).unwrap();
        let ns = |s: &str| toml::Value::String(s.into());
        assert_eq!(
            convert(k("execution.checkpointing.interval"), "1 min"),
            Ok(ns("60000000000ns"))
        );
        assert_eq!(
            convert(k("execution.checkpointing.interval"), "30000"),
            Ok(ns("30000000000ns"))
        );
        assert_eq!(
            convert(k("taskmanager.memory.segment-size"), "32kb"),
            Ok(toml::Value::Integer(32768))
        );
        assert_eq!(convert(k("state.backend.type"), "HashMap"), Ok(ns("heap")));
        assert_eq!(
            convert(k("execution.checkpointing.mode"), "AT_LEAST_ONCE"),
            Ok(ns("at_least_once"))
        );
        assert_eq!(convert(k("restart-strategy.type"), "fixeddelay"), Ok(ns("fixed-delay")));
        assert_eq!(
            convert(k("execution.checkpointing.unaligned.enabled"), "TRUE"),
            Ok(toml::Value::Boolean(true))
        );
        assert!(convert(k("taskmanager.numberOfTaskSlots"), "-1").is_err());
        assert!(convert(k("state.backend.type"), "forst").is_err());
    }

    #[test]
    fn unmodeled_keys_and_doubled_keys_are_named() {
        let (i, m) = translate(&[
            entry("execution.checkpointing.interval", "1 s"),
            entry("rest.port", "8081"),
        ])
        .unwrap_err();
        assert_eq!(i, 1);
        assert!(m.contains("`rest.port`"), "{m}");
        let (i, m) = translate(&[
            entry("execution.checkpointing.unaligned", "true"),
            entry("execution.checkpointing.unaligned.enabled", "true"),
        ])
        .unwrap_err();
        assert_eq!(i, 1, "{m}");
    }

    #[test]
    fn restart_options_must_match_the_strategy() {
        let t = translate(&[
            entry("restart-strategy.type", "fixed-delay"),
            entry("restart-strategy.exponential-delay.initial-backoff", "1 s"),
        ])
        .unwrap();
        let (i, m) = apply(&mut toml::Table::new(), &t, Conflict::Reject).unwrap_err();
        assert_eq!(i, 1, "{m}");
        let t = translate(&[
            entry("restart-strategy.type", "failure-rate"),
            entry("restart-strategy.failure-rate.delay", "10 s"),
        ])
        .unwrap();
        let mut table = toml::Table::new();
        apply(&mut table, &t, Conflict::Reject).unwrap();
        assert_eq!(table["restart"]["delay"].as_str(), Some("10000000000ns"));
    }

    #[test]
    fn in_a_scenario_a_field_is_given_once() {
        let mut table: toml::Table = toml::from_str("[checkpoint]\ninterval = \"2s\"\n").unwrap();
        let t = translate(&[entry("execution.checkpointing.interval", "2 s")]).unwrap();
        assert!(apply(&mut table.clone(), &t, Conflict::Reject).is_err());
        apply(&mut table, &t, Conflict::Replace).unwrap();
        assert_eq!(table["checkpoint"]["interval"].as_str(), Some("2000000000ns"));
    }
}
