//! Flink's own configuration, where a Flink user gives it: `ckptsim run --flink-conf
//! config.yaml` and a `[flink]` table in a scenario. Keys are Flink's (`keys::KEYS` lists the
//! ones ckptsim models; a deployment option, such as `rest.port`, is set aside and listed
//! (`deployment`); any other is refused by name), values parse exactly as Flink parses
//! them (`duration`, `memory`: `1 min`, `30 s`, a bare number of milliseconds, `32 kb` =
//! 32,768 bytes, `hashmap`), and each lands in the scenario field it corresponds to (`apply`).
//!
//! ```toml
//! [flink]
//! "execution.checkpointing.interval" = "30 s"
//! "state.backend.type" = "rocksdb"
//! "execution.checkpointing.incremental" = true
//! ```

pub mod apply;
pub mod deployment;
pub mod duration;
pub mod keys;
pub mod memory;
pub mod yaml;

use std::path::Path;

use serde::Deserialize;

pub use apply::{AppliedField, Conflict};
pub use deployment::SetAside;
pub use yaml::FlinkEntry;

use super::error::{Origin, ScenarioError};
use super::schema::Scenario;
use super::spans::SpanIndex;

/// A Flink configuration file given with `--flink-conf`.
#[derive(Clone, Debug)]
pub struct FlinkConf {
    pub file: String,
    pub entries: Vec<FlinkEntry>,
}

impl FlinkConf {
    pub fn load(path: &Path) -> Result<FlinkConf, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|cause| ScenarioError::Io {
            path: path.to_path_buf(),
            cause,
        })?;
        FlinkConf::parse(&text, &path.display().to_string())
    }

    /// Parses the text of a `config.yaml`; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<FlinkConf, ScenarioError> {
        let entries = yaml::parse_flink_yaml(text).map_err(|e| ScenarioError::Invalid {
            file: file.into(),
            origin: Origin::Line {
                line: e.line,
                column: e.column,
            },
            field: None,
            message: e.message,
        })?;
        Ok(FlinkConf {
            file: file.into(),
            entries,
        })
    }
}

/// The options of a `[flink]` table, flat (`"a.b.c" = v`) or nested (`a.b.c = v`), each with
/// the line of its key.
pub fn entries_from_table(
    flink: &toml::Table,
    spans: &SpanIndex,
    file: &str,
) -> Result<Vec<FlinkEntry>, ScenarioError> {
    let mut out = Vec::new();
    let mut keys = vec!["flink".to_string()];
    collect(flink, &mut keys, spans, file, &mut out)?;
    Ok(out)
}

fn collect(
    table: &toml::Table,
    keys: &mut Vec<String>,
    spans: &SpanIndex,
    file: &str,
    out: &mut Vec<FlinkEntry>,
) -> Result<(), ScenarioError> {
    for (k, v) in table {
        keys.push(k.clone());
        let (line, column) = spans
            .span_of_keys(&keys.iter().map(String::as_str).collect::<Vec<_>>())
            .map(|s| spans.line_col(s.start))
            .unwrap_or((0, 0));
        let key = keys[1..].join(".");
        let text = match v {
            toml::Value::Table(t) => {
                collect(t, keys, spans, file, out)?;
                keys.pop();
                continue;
            }
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            other => {
                return Err(ScenarioError::Invalid {
                    file: file.into(),
                    origin: if line > 0 {
                        Origin::Line { line, column }
                    } else {
                        Origin::Unknown
                    },
                    field: Some(key),
                    message: format!("a Flink option takes one value, not {}", other.type_str()),
                });
            }
        };
        out.push(FlinkEntry {
            key,
            value: text,
            line,
            column,
        });
        keys.pop();
    }
    Ok(())
}

/// Where a field set by a Flink key came from, to point errors at the key.
pub struct FlinkSource<'a> {
    pub file: &'a str,
    pub entries: &'a [FlinkEntry],
    pub applied: &'a [AppliedField],
}

impl FlinkSource<'_> {
    /// The error for a problem with scenario field `field`, if a Flink key set it (or the
    /// list element or table it lies in).
    pub fn error_for(&self, field: &str, message: &str) -> Option<ScenarioError> {
        let a = self.applied.iter().find(|a| {
            field == a.path || field.starts_with(&format!("{}.", a.path)) || field.starts_with(&format!("{}[", a.path))
        })?;
        let e = &self.entries[a.entry];
        Some(ScenarioError::Invalid {
            file: self.file.into(),
            origin: if e.line > 0 {
                Origin::Line {
                    line: e.line,
                    column: e.column,
                }
            } else {
                Origin::Unknown
            },
            field: Some(e.key.clone()),
            message: format!("(sets `{field}`) {message}"),
        })
    }
}

/// What applying a file's Flink options did: the scenario read back (not yet validated), which
/// entry set which field, and the deployment options set aside.
pub struct Merged {
    pub scenario: Scenario,
    pub applied: Vec<AppliedField>,
    pub set_aside: Vec<SetAside>,
}

/// Applies the entries of `entries_file` onto the scenario table and reads the scenario back
/// (not yet validated). Deployment options are set aside first (a modelled key never is).
pub fn merge(
    table: &mut toml::Table,
    entries: &[FlinkEntry],
    entries_file: &str,
    conflict: Conflict,
    scenario_file: &str,
) -> Result<Merged, ScenarioError> {
    let at = |i: usize, message: String| ScenarioError::Invalid {
        file: entries_file.into(),
        origin: if entries[i].line > 0 {
            Origin::Line {
                line: entries[i].line,
                column: entries[i].column,
            }
        } else {
            Origin::Unknown
        },
        field: Some(entries[i].key.clone()),
        message,
    };
    // The entries to apply, by their index in `entries`, so that every error and every applied
    // field still names its own line.
    let mut kept = Vec::with_capacity(entries.len());
    let mut used = Vec::with_capacity(entries.len());
    let mut set_aside = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        match deployment::set_aside_reason(&e.key).filter(|_| keys::lookup(&e.key).is_none()) {
            Some(reason) => set_aside.push(SetAside {
                file: entries_file.into(),
                key: e.key.clone(),
                line: e.line,
                reason,
            }),
            None => {
                kept.push(i);
                used.push(e.clone());
            }
        }
    }
    let translated = apply::translate(&used).map_err(|(i, m)| at(kept[i], m))?;
    let mut applied = apply::apply(table, &translated, conflict).map_err(|(i, m)| at(kept[i], m))?;
    for a in &mut applied {
        a.entry = kept[a.entry];
    }
    let scenario = Scenario::deserialize(toml::Value::Table(table.clone())).map_err(|e: toml::de::Error| {
        ScenarioError::Invalid {
            file: scenario_file.into(),
            origin: Origin::Unknown,
            field: None,
            message: e.message().trim().to_string(),
        }
    })?;
    Ok(Merged {
        scenario,
        applied,
        set_aside,
    })
}
