//! Reading a scenario: TOML syntax, then types and forms (serde), then ranges and references
//! (validate), then optional overrides. Every failure becomes a `ScenarioError` naming file, line
//! and field.

use std::path::Path;

use serde::Deserialize;

use super::error::{Origin, ScenarioError};
use super::flink::{AppliedField, Conflict, FlinkConf, FlinkEntry, FlinkSource, SetAside};
use super::limits::Limits;
use super::read::read_text;
use super::schema::Scenario;
use super::spans::{Seg, SpanIndex, parse_path, parse_path_strict};
use super::toml_path::set_path;
use super::validate::validate;

/// A scenario together with the raw table it came from (sweeps re-apply overrides to the table)
/// and the limits it was checked against (overrides are checked against the same).
#[derive(Clone, Debug)]
pub struct LoadedScenario {
    pub file: String,
    pub table: toml::Table,
    pub scenario: Scenario,
    pub limits: Limits,
    /// Flink deployment options (`rest.port`, ...) given and not used, to tell the user.
    pub set_aside: Vec<SetAside>,
}

pub fn load_file(path: &Path) -> Result<LoadedScenario, ScenarioError> {
    load_file_with_options(path, None, &Limits::default())
}

/// Reads, parses and validates a scenario file, refusing one whose run would exceed `limits`.
pub fn load_file_with(path: &Path, limits: &Limits) -> Result<LoadedScenario, ScenarioError> {
    load_file_with_options(path, None, limits)
}

/// Reads a scenario file with a Flink configuration file (`--flink-conf`) on top.
pub fn load_file_with_flink_conf(path: &Path, conf: &FlinkConf) -> Result<LoadedScenario, ScenarioError> {
    load_file_with_options(path, Some(conf), &Limits::default())
}

/// Reads a scenario file, with a Flink configuration file on top when given, against `limits`.
pub fn load_file_with_options(
    path: &Path,
    conf: Option<&FlinkConf>,
    limits: &Limits,
) -> Result<LoadedScenario, ScenarioError> {
    let text = read_text(path, limits.input_bytes_max)?;
    parse(&text, &path.display().to_string(), conf, limits)
}

/// Parses and validates a scenario given as text; `file` names it in errors. A `[flink]` table
/// is mapped onto the fields it names first (`super::flink`).
pub fn parse_str(text: &str, file: &str) -> Result<LoadedScenario, ScenarioError> {
    parse(text, file, None, &Limits::default())
}

/// As [`parse_str`], against `limits` instead of the defaults.
pub fn parse_str_with(text: &str, file: &str, limits: &Limits) -> Result<LoadedScenario, ScenarioError> {
    parse(text, file, None, limits)
}

/// As [`parse_str`], then the keys of `conf` (a Flink `config.yaml`) replace the fields they
/// correspond to, as `--set` does; validation runs once, on the result. Errors about a field a
/// Flink key set name the Flink file, line and key.
pub fn parse_with_flink_conf(
    text: &str,
    file: &str,
    conf: Option<&FlinkConf>,
) -> Result<LoadedScenario, ScenarioError> {
    parse(text, file, conf, &Limits::default())
}

/// Validation, then the estimate of what the run needs against `limits`: one error path, so
/// a refusal for size names its file, line and field like any other.
fn check(scenario: &Scenario, limits: &Limits) -> Result<(), (String, String)> {
    validate(scenario)?;
    super::budget::check(scenario, limits)
}

/// The one reading path: size limit, TOML, types, the `[flink]` table and `--flink-conf`, then
/// validation and the estimate of what the run needs.
pub fn parse(
    text: &str,
    file: &str,
    conf: Option<&FlinkConf>,
    limits: &Limits,
) -> Result<LoadedScenario, ScenarioError> {
    if text.len() as u64 > limits.input_bytes_max {
        return Err(ScenarioError::TooLarge {
            file: file.into(),
            bytes: text.len() as u64,
            limit: limits.input_bytes_max,
        });
    }
    let spans = SpanIndex::new(text);
    let mut table: toml::Table = toml::from_str(text).map_err(|e| serde_error(file, &spans, &e))?;
    let mut scenario: Scenario = toml::from_str(text).map_err(|e| serde_error(file, &spans, &e))?;
    let inline = match table.remove("flink") {
        None => None,
        Some(toml::Value::Table(t)) => Some(super::flink::entries_from_table(&t, &spans, file)?),
        Some(_) => return Err(invalid_at(file, &spans, "flink".into(), "must be a table".into())),
    };
    if inline.is_none() && conf.is_none() {
        super::rate_profile::load_profile_files(&mut scenario, file, limits.input_bytes_max, |field, message| {
            invalid_at(file, &spans, field, message)
        })?;
        check(&scenario, limits).map_err(|(field, message)| invalid_at(file, &spans, field, message))?;
        return Ok(LoadedScenario {
            file: file.into(),
            table,
            scenario,
            limits: *limits,
            set_aside: Vec::new(),
        });
    }
    let mut sources: Vec<(&str, &[FlinkEntry], Vec<AppliedField>)> = Vec::new();
    let mut set_aside = Vec::new();
    if let Some(entries) = &inline {
        let m = super::flink::merge(&mut table, entries, file, Conflict::Reject, file)?;
        scenario = m.scenario;
        set_aside.extend(m.set_aside);
        sources.push((file, entries.as_slice(), m.applied));
    }
    if let Some(conf) = conf {
        let m = super::flink::merge(&mut table, &conf.entries, &conf.file, Conflict::Replace, file)?;
        scenario = m.scenario;
        set_aside.extend(m.set_aside);
        sources.push((conf.file.as_str(), conf.entries.as_slice(), m.applied));
    }
    super::rate_profile::load_profile_files(&mut scenario, file, limits.input_bytes_max, |field, message| {
        invalid_at(file, &spans, field, message)
    })?;
    check(&scenario, limits).map_err(|(field, message)| {
        // The last source to set a field is the one in force.
        sources
            .iter()
            .rev()
            .find_map(|(f, entries, applied)| {
                FlinkSource {
                    file: f,
                    entries,
                    applied,
                }
                .error_for(&field, &message)
            })
            .unwrap_or_else(|| invalid_at(file, &spans, field, message))
    })?;
    Ok(LoadedScenario {
        file: file.into(),
        table,
        scenario,
        limits: *limits,
        set_aside,
    })
}

/// A validation problem at the field's position in the file.
fn invalid_at(file: &str, spans: &SpanIndex, field: String, message: String) -> ScenarioError {
    let origin = match spans.span_of(&field) {
        Some(span) => {
            let (line, column) = spans.line_col(span.start);
            Origin::Line { line, column }
        }
        None => Origin::Unknown,
    };
    ScenarioError::Invalid {
        file: file.into(),
        origin,
        field: Some(field),
        message,
    }
}

fn serde_error(file: &str, spans: &SpanIndex, e: &toml::de::Error) -> ScenarioError {
    let (origin, field) = match e.span() {
        Some(span) => {
            let (line, column) = spans.line_col(span.start);
            (Origin::Line { line, column }, spans.path_at(span.start))
        }
        // Without a span (a section missing from the whole file), the message still names the
        // field: `missing field `simulation``.
        None => (Origin::Unknown, missing_field(e.message())),
    };
    ScenarioError::Invalid {
        file: file.into(),
        origin,
        field,
        message: e.message().trim().to_string(),
    }
}

fn missing_field(message: &str) -> Option<String> {
    let rest = message.split("missing field `").nth(1)?;
    Some(rest.split('`').next()?.to_string())
}

/// One `field=value` assignment. The value is read as TOML (`8`, `true`, `"20s"`, `[1, 2]`) and
/// otherwise taken as a string, so `checkpoint.interval=20s` works without shell quoting.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    pub path: String,
    pub value: toml::Value,
}

impl Override {
    pub fn parse(assignment: &str) -> Result<Override, String> {
        let (path, raw) = assignment.split_once('=').ok_or("expected FIELD=VALUE")?;
        let path = path.trim();
        if path.is_empty() {
            return Err("empty field name".into());
        }
        parse_path_strict(path)?;
        let raw = raw.trim();
        if raw.contains(['\n', '\r']) {
            return Err("a value is one line; TOML after it would be dropped".into());
        }
        let value = match toml::from_str::<toml::Table>(&format!("v = {raw}")) {
            Ok(mut t) if t.len() == 1 => t.remove("v").expect("just parsed"),
            // `v = 1\nx = 2` parses, but `x` is not the value: refuse rather than drop it.
            Ok(_) => return Err(format!("`{raw}` is more than one value")),
            Err(_) => toml::Value::String(raw.to_string()),
        };
        Ok(Override {
            path: path.to_string(),
            value,
        })
    }

    pub fn assignment(&self) -> String {
        format!("{}={}", self.path, self.value)
    }
}

impl LoadedScenario {
    /// The same file with other limits for the scenarios [`with_overrides`](Self::with_overrides)
    /// makes (the file itself was checked against the limits it was loaded with).
    pub fn with_limits(mut self, limits: Limits) -> LoadedScenario {
        self.limits = limits;
        self
    }

    /// The scenario with overrides applied, validated again. Overrides name fields by dotted path;
    /// an operator can be named by its `name` (`operators.map.parallelism`) or by index
    /// (`operators[1].parallelism`).
    pub fn with_overrides(&self, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
        if overrides.is_empty() {
            return Ok(self.scenario.clone());
        }
        let mut table = self.table.clone();
        for o in overrides {
            set_path(&mut table, &o.path, o.value.clone()).map_err(|message| ScenarioError::BadOverride {
                file: self.file.clone(),
                assignment: o.assignment(),
                message,
            })?;
        }
        let all = || overrides.iter().map(|o| o.assignment()).collect::<Vec<_>>().join(", ");
        let mut scenario =
            Scenario::deserialize(toml::Value::Table(table)).map_err(|e: toml::de::Error| ScenarioError::Invalid {
                file: self.file.clone(),
                origin: Origin::Override(all()),
                field: None,
                message: e.message().trim().to_string(),
            })?;
        super::rate_profile::load_profile_files(
            &mut scenario,
            &self.file,
            self.limits.input_bytes_max,
            |field, message| ScenarioError::Invalid {
                file: self.file.clone(),
                origin: Origin::Override(all()),
                field: Some(field),
                message,
            },
        )?;
        check(&scenario, &self.limits).map_err(|(field, message)| {
            let culprit = overrides
                .iter()
                .find(|o| field.starts_with(&normalize_path(&self.table, &o.path)))
                .map(|o| o.assignment())
                .unwrap_or_else(|| overrides.iter().map(|o| o.assignment()).collect::<Vec<_>>().join(", "));
            ScenarioError::Invalid {
                file: self.file.clone(),
                origin: Origin::Override(culprit),
                field: Some(field),
                message,
            }
        })?;
        Ok(scenario)
    }
}

/// Rewrites `operators.map.x` to `operators[1].x` (for matching validation paths).
fn normalize_path(table: &toml::Table, path: &str) -> String {
    let segs = parse_path(path);
    let mut out = String::new();
    let mut cur: Option<&toml::Value> = None;
    for (i, seg) in segs.iter().enumerate() {
        let container = if i == 0 { None } else { cur };
        match seg {
            Seg::Key(k) => {
                if let Some(toml::Value::Array(a)) = container
                    && let Some(idx) = a.iter().position(|v| v.get("name").and_then(|n| n.as_str()) == Some(k))
                {
                    out.push_str(&format!("[{idx}]"));
                    cur = a.get(idx);
                    continue;
                }
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
                cur = if i == 0 {
                    table.get(k)
                } else {
                    cur.and_then(|c| c.get(k))
                };
            }
            Seg::Index(n) => {
                out.push_str(&format!("[{n}]"));
                cur = cur.and_then(|c| c.get(*n));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn override_values_parse_as_toml_or_fall_back_to_strings() {
        assert_eq!(Override::parse("a.b=8").unwrap().value, toml::Value::Integer(8));
        assert_eq!(
            Override::parse("a.b=20s").unwrap().value,
            toml::Value::String("20s".into())
        );
        assert!(Override::parse("nothing").is_err());
    }
}
