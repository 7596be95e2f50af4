//! The `[sweep]` table of a scenario file: which fields to vary, how to combine them, how many
//! replications, and which charts to draw.
//!
//! ```toml
//! [sweep]
//! mode = "grid"            # every combination (default); "zip": the i-th values together
//! replications = 3         # seeds derived from simulation.seed (see `seeds`)
//! [sweep.parameters]
//! "checkpoint.interval" = ["5s", "10s", "20s"]
//! "operators.map.parallelism" = { from = 2, to = 16, step = 2 }   # inclusive range
//! "storage.profile" = { values = ["hdfs", "s3"] }
//! "state_backend" = [{ kind = "heap" }, { kind = "rocksdb" }]    # a value may be a whole table
//! [sweep.plot]             # optional
//! x = "checkpoint.interval"   # default: the first parameter; each combination of the
//!                             # other parameters' values is one line (series)
//! series = ["storage.profile"] # optional: only these parameters tell the lines apart (for a
//!                             # zip whose other parameters follow from x and these)
//! metrics = ["summary.end_to_end_duration.avg", "checkpoint_time_fraction"]
//! mtbf = "1h"              # enables the Young/Daly chart when checkpoint.interval is swept
//! checkpoint_cost = "2s"   # c of sqrt(2cM); default: fitted to the overhead metric
//! overhead = "checkpoint_time_fraction"
//! lost_work = "..."        # a metric of lost work, when the scenario injects failures
//! ```
//!
//! Parameters are kept in the order of their paths (TOML tables are sorted); in grid mode the
//! last parameter varies fastest. In grid mode a parameter lists each value once; in zip mode a
//! value may repeat (the i-th values of all parameters make a point), but two points may not be
//! the same combination.

use super::error::SweepError;
use super::value::render_value;
use crate::scenario::LoadedScenario;
use crate::sweep_manifest::{Mode, PlotSpec};

/// Bounds that keep a typo (a step of 0.0001) from planning a sweep that never ends.
pub const MAX_VALUES_PER_PARAMETER: usize = 10_000;
pub const MAX_REPLICATIONS: u32 = 10_000;
pub const MAX_RUNS: usize = 1_000_000;

/// One swept field: a dotted scenario path and the values it takes.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    pub path: String,
    pub values: Vec<toml::Value>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SweepSpec {
    pub mode: Mode,
    pub replications: u32,
    pub parameters: Vec<Parameter>,
    pub plot: PlotSpec,
}

impl SweepSpec {
    /// The sweep of a loaded scenario file; an error if it has none.
    pub fn from_loaded(loaded: &LoadedScenario) -> Result<SweepSpec, SweepError> {
        let table = loaded
            .table
            .get("sweep")
            .ok_or_else(|| SweepError::NoSweep {
                file: loaded.file.clone(),
            })?
            .as_table()
            .ok_or_else(|| SweepError::spec(&loaded.file, None, "must be a table"))?;
        SweepSpec::parse(table, &loaded.file)
    }

    /// Parses a `[sweep]` table; `file` names the scenario in errors.
    pub fn parse(table: &toml::Table, file: &str) -> Result<SweepSpec, SweepError> {
        for key in table.keys() {
            if !["mode", "replications", "parameters", "plot"].contains(&key.as_str()) {
                return Err(SweepError::spec(
                    file,
                    None,
                    format!("unknown key `{key}` (expected mode, replications, parameters, plot)"),
                ));
            }
        }
        let mode = match table.get("mode") {
            None => Mode::Grid,
            Some(toml::Value::String(s)) if s == "grid" => Mode::Grid,
            Some(toml::Value::String(s)) if s == "zip" => Mode::Zip,
            Some(other) => {
                return Err(SweepError::spec(
                    file,
                    None,
                    format!("`mode` must be \"grid\" or \"zip\", got {other}"),
                ));
            }
        };
        let replications = match table.get("replications") {
            None => 1,
            Some(toml::Value::Integer(n)) if *n >= 1 && *n <= MAX_REPLICATIONS as i64 => *n as u32,
            Some(other) => {
                return Err(SweepError::spec(
                    file,
                    None,
                    format!("`replications` must be an integer from 1 to {MAX_REPLICATIONS}, got {other}"),
                ));
            }
        };
        let params = table
            .get("parameters")
            .ok_or_else(|| SweepError::spec(file, None, "missing [sweep.parameters]"))?
            .as_table()
            .ok_or_else(|| SweepError::spec(file, None, "`parameters` must be a table of path = values"))?;
        if params.is_empty() {
            return Err(SweepError::spec(file, None, "[sweep.parameters] is empty"));
        }
        let mut parameters = Vec::with_capacity(params.len());
        for (path, spec) in params {
            let values = parse_values(spec).map_err(|m| SweepError::spec(file, Some(path), m))?;
            if mode == Mode::Grid {
                check_distinct(&values).map_err(|m| SweepError::spec(file, Some(path), m))?;
            }
            parameters.push(Parameter {
                path: path.clone(),
                values,
            });
        }
        if mode == Mode::Zip {
            let first = &parameters[0];
            if let Some(p) = parameters.iter().find(|p| p.values.len() != first.values.len()) {
                return Err(SweepError::spec(
                    file,
                    Some(&p.path),
                    format!(
                        "zip mode needs equally long lists: {} values here, {} for `{}`",
                        p.values.len(),
                        first.values.len(),
                        first.path
                    ),
                ));
            }
            check_distinct_points(&parameters).map_err(|m| SweepError::spec(file, None, m))?;
        }
        let spec = SweepSpec {
            mode,
            replications,
            plot: match table.get("plot") {
                None => PlotSpec::default(),
                Some(v) => parse_plot(v, &parameters).map_err(|(p, m)| SweepError::spec(file, p.as_deref(), m))?,
            },
            parameters,
        };
        let runs = spec.point_count().saturating_mul(replications as usize);
        if runs > MAX_RUNS {
            return Err(SweepError::spec(
                file,
                None,
                format!("{runs} runs planned; the limit is {MAX_RUNS}"),
            ));
        }
        Ok(spec)
    }

    pub fn point_count(&self) -> usize {
        match self.mode {
            Mode::Grid => self
                .parameters
                .iter()
                .fold(1usize, |n, p| n.saturating_mul(p.values.len())),
            Mode::Zip => self.parameters[0].values.len(),
        }
    }
}

fn parse_values(spec: &toml::Value) -> Result<Vec<toml::Value>, String> {
    let values = match spec {
        toml::Value::Array(a) => a.clone(),
        toml::Value::Table(t) if t.contains_key("values") => {
            if t.len() != 1 {
                return Err("a { values = [...] } table takes no other key".into());
            }
            t["values"].as_array().ok_or("`values` must be a list")?.clone()
        }
        toml::Value::Table(t) => range(t)?,
        other => {
            return Err(format!(
                "expected a list of values, {{ values = [...] }} or {{ from, to, step }}, got {}",
                other.type_str()
            ));
        }
    };
    if values.is_empty() {
        return Err("no values".into());
    }
    if values.len() > MAX_VALUES_PER_PARAMETER {
        return Err(format!(
            "{} values; the limit is {MAX_VALUES_PER_PARAMETER}",
            values.len()
        ));
    }
    Ok(values)
}

/// `{ from, to, step }`, inclusive of `to` when a step lands on it. Integers stay integers.
fn range(t: &toml::Table) -> Result<Vec<toml::Value>, String> {
    for key in t.keys() {
        if !["from", "to", "step"].contains(&key.as_str()) {
            return Err(format!("unknown key `{key}` in a range (expected from, to, step)"));
        }
    }
    let get = |k: &str| t.get(k).ok_or_else(|| format!("a range needs `{k}`"));
    let (from, to, step) = (get("from")?, get("to")?, get("step")?);
    if let (Some(from), Some(to), Some(step)) = (from.as_integer(), to.as_integer(), step.as_integer()) {
        if step == 0 || (to - from).signum() * step.signum() < 0 {
            return Err(format!("`step` {step} never gets from {from} to {to}"));
        }
        let count = (to - from) / step + 1;
        check_count(count as f64)?;
        return Ok((0..count).map(|i| toml::Value::Integer(from + i * step)).collect());
    }
    let num = |k: &str, v: &toml::Value| match v {
        toml::Value::Integer(i) => Ok(*i as f64),
        toml::Value::Float(f) if f.is_finite() => Ok(*f),
        other => Err(format!("`{k}` of a range must be a number, got {other}")),
    };
    let (from, to, step) = (num("from", from)?, num("to", to)?, num("step", step)?);
    if step == 0.0 || (to - from) * step < 0.0 {
        return Err(format!("`step` {step} never gets from {from} to {to}"));
    }
    // The epsilon keeps `to` in the range when (to - from) / step is an integer up to rounding.
    let count = ((to - from) / step + 1e-9).floor() + 1.0;
    check_count(count)?;
    Ok((0..count as i64)
        .map(|i| toml::Value::Float(round_12(from + i as f64 * step)))
        .collect())
}

fn check_count(count: f64) -> Result<(), String> {
    if count > MAX_VALUES_PER_PARAMETER as f64 {
        return Err(format!(
            "the range has {count} values; the limit is {MAX_VALUES_PER_PARAMETER}"
        ));
    }
    Ok(())
}

/// Rounds to 12 significant digits, so that 0.1 + 2 * 0.1 is written 0.3, not 0.30000000000000004.
fn round_12(v: f64) -> f64 {
    format!("{v:.11e}").parse().unwrap_or(v)
}

fn check_distinct(values: &[toml::Value]) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for v in values {
        if !seen.insert(render_value(v)) {
            return Err(format!("value {} is listed twice", render_value(v)));
        }
    }
    Ok(())
}

/// Zip mode: the i-th values of all parameters, as one combination, appear once.
fn check_distinct_points(params: &[Parameter]) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..params[0].values.len() {
        let combo: Vec<String> = params.iter().map(|p| render_value(&p.values[i])).collect();
        if !seen.insert(combo.clone()) {
            let shown: Vec<String> = params
                .iter()
                .zip(&combo)
                .map(|(p, v)| format!("{}={v}", p.path))
                .collect();
            return Err(format!("point {i} repeats an earlier point ({})", shown.join(", ")));
        }
    }
    Ok(())
}

fn parse_plot(v: &toml::Value, params: &[Parameter]) -> Result<PlotSpec, (Option<String>, String)> {
    let t = v.as_table().ok_or((None, "`plot` must be a table".to_string()))?;
    let mut spec = PlotSpec::default();
    let param = |key: &str, v: &toml::Value| -> Result<String, (Option<String>, String)> {
        let p = v
            .as_str()
            .ok_or((None, format!("plot `{key}` must be a parameter path")))?;
        if !params.iter().any(|q| q.path == p) {
            return Err((
                Some(p.to_string()),
                format!("plot `{key}` names a field that is not swept"),
            ));
        }
        Ok(p.to_string())
    };
    let duration_s = |key: &str, v: &toml::Value| -> Result<f64, (Option<String>, String)> {
        let s = v
            .as_str()
            .ok_or((None, format!("plot `{key}` must be a duration such as \"1h\"")))?;
        let ns = crate::units::parse_duration_ns(s).map_err(|m| (None, format!("plot `{key}`: {m}")))?;
        if ns <= 0.0 {
            return Err((None, format!("plot `{key}` must be > 0")));
        }
        Ok(ns / 1e9)
    };
    let metric = |key: &str, v: &toml::Value| -> Result<String, (Option<String>, String)> {
        let name = v
            .as_str()
            .ok_or((None, format!("plot `{key}` must be a metric name")))?;
        // A metric names its chart's file: refused here already if it could not be one.
        if let Err(e) = crate::files::child_path(std::path::Path::new(""), name) {
            return Err((None, format!("plot `{key}`: {e}")));
        }
        Ok(name.to_string())
    };
    for (key, v) in t {
        match key.as_str() {
            "x" => spec.x = Some(param(key, v)?),
            "series" => {
                let a = v
                    .as_array()
                    .ok_or((None, "plot `series` must be a list of parameter paths".to_string()))?;
                spec.series = a.iter().map(|p| param(key, p)).collect::<Result<_, _>>()?;
            }
            "metrics" => {
                let a = v
                    .as_array()
                    .ok_or((None, "plot `metrics` must be a list of names".to_string()))?;
                spec.metrics = a.iter().map(|m| metric(key, m)).collect::<Result<_, _>>()?;
            }
            "mtbf" => spec.mtbf_s = Some(duration_s(key, v)?),
            "checkpoint_cost" => spec.checkpoint_cost_s = Some(duration_s(key, v)?),
            "overhead" => spec.overhead = Some(metric(key, v)?),
            "lost_work" => spec.lost_work = Some(metric(key, v)?),
            other => {
                return Err((
                    None,
                    format!(
                        "unknown plot key `{other}` (expected x, series, metrics, mtbf, checkpoint_cost, overhead, lost_work)"
                    ),
                ));
            }
        }
    }
    if let (Some(x), true) = (&spec.x, !spec.series.is_empty())
        && spec.series.contains(x)
    {
        return Err((
            Some(x.clone()),
            "plot `series` must not name the `x` parameter".to_string(),
        ));
    }
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SweepSpec, SweepError> {
        let t: toml::Table = toml::from_str(text).unwrap();
        SweepSpec::parse(t["sweep"].as_table().unwrap(), "s.toml")
    }

    #[test]
    fn lists_ranges_and_value_tables_expand_in_path_order() {
        let s = parse(
            r#"[sweep]
replications = 2
[sweep.parameters]
"b.x" = { from = 2, to = 7, step = 2 }
"a.y" = ["5s", "10s"]
"c.z" = { values = [0.5] }
"d.w" = { from = 0.1, to = 0.3, step = 0.1 }"#,
        )
        .unwrap();
        assert_eq!(s.replications, 2);
        let paths: Vec<_> = s.parameters.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["a.y", "b.x", "c.z", "d.w"]);
        let b: Vec<_> = s.parameters[1].values.iter().map(|v| v.as_integer().unwrap()).collect();
        assert_eq!(b, [2, 4, 6]);
        let d: Vec<_> = s.parameters[3].values.iter().map(|v| v.as_float().unwrap()).collect();
        assert_eq!(d, [0.1, 0.2, 0.3]);
        // 2 values of a.y, 3 of b.x, 1 of c.z, 3 of d.w.
        assert_eq!(s.point_count(), 2 * 3 * 3);
    }

    #[test]
    fn a_value_may_be_a_table_that_replaces_a_whole_section() {
        let s = parse("[sweep.parameters]\n\"state_backend\" = [{ kind = \"heap\" }, { kind = \"rocksdb\" }]").unwrap();
        assert_eq!(s.parameters[0].values.len(), 2);
        assert!(s.parameters[0].values[1].is_table());
        let e = parse("[sweep.parameters]\ns = [{ kind = \"heap\" }, { kind = \"heap\" }]").unwrap_err();
        assert!(e.to_string().contains("listed twice"), "{e}");
    }

    #[test]
    fn zip_values_may_repeat_when_the_points_differ() {
        let s = parse(
            "[sweep]\nmode = \"zip\"\n[sweep.parameters]\np = [2, 2, 4]\ntm = [1, 2, 1]\n[sweep.plot]\nx = \"tm\"\nseries = [\"p\"]",
        )
        .unwrap();
        assert_eq!(s.point_count(), 3);
        assert_eq!(s.plot.series, ["p"]);
    }

    #[test]
    fn errors_name_the_file_and_the_parameter() {
        let e = parse("[sweep.parameters]\n\"checkpoint.interval\" = { from = 5, to = 1, step = 1 }").unwrap_err();
        assert_eq!(e.parameter(), Some("checkpoint.interval"));
        let msg = e.to_string();
        assert!(
            msg.starts_with("s.toml: [sweep] parameter `checkpoint.interval`"),
            "{msg}"
        );
        let e = parse("[sweep]\nmode = \"zip\"\n[sweep.parameters]\na = [1, 2]\nb = [1]").unwrap_err();
        assert_eq!(e.parameter(), Some("b"));
        let e = parse("[sweep.parameters]\na = [1, 1]").unwrap_err();
        assert!(e.to_string().contains("listed twice"));
        let e = parse("[sweep.parameters]\na = []").unwrap_err();
        assert_eq!(e.parameter(), Some("a"));
        assert!(parse("[sweep]\nmode = \"random\"\n[sweep.parameters]\na = [1]").is_err());
        assert!(parse("[sweep]\nreplications = 0\n[sweep.parameters]\na = [1]").is_err());
        assert!(parse("[sweep]\nfoo = 1\n[sweep.parameters]\na = [1]").is_err());
        let e = parse("[sweep.parameters]\na = [1]\n[sweep.plot]\nx = \"nope\"").unwrap_err();
        assert_eq!(e.parameter(), Some("nope"));
        let e = parse("[sweep]\nmode = \"zip\"\n[sweep.parameters]\na = [1, 1]\nb = [2, 2]").unwrap_err();
        assert!(e.to_string().contains("repeats an earlier point"), "{e}");
        let e = parse("[sweep.parameters]\na = [1]\nb = [2]\n[sweep.plot]\nx = \"a\"\nseries = [\"a\"]").unwrap_err();
        assert!(e.to_string().contains("must not name the `x`"), "{e}");
        let e = parse("[sweep.parameters]\na = { from = 0, to = 1000000, step = 1 }").unwrap_err();
        assert!(e.to_string().contains("limit"), "{e}");
    }
}
