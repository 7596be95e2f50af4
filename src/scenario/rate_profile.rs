//! A source's rate over time (`rate.profile`): a factor on `records_per_second`, as steps,
//! linear ramps (points written inline or read from a CSV file) or a daily sinusoid. Here: the
//! schema, its checks, reading the CSV, the model's profile built from it, and the constructor
//! that imposes a traffic spike on a scenario programmatically.
//!
//! ```toml
//! rate = { process = "poisson", records_per_second = 20000, profile = { shape = "steps", points = [["0s", 1.0], ["60s", 2.0], ["120s", 1.0]] } }
//! rate = { process = "poisson", records_per_second = 20000, profile = { shape = "linear", file = "rates.csv" } }
//! rate = { process = "poisson", records_per_second = 20000, profile = { shape = "daily", trough = 0.4, peak = 1.6, peak_at = "14h" } }
//! ```

use std::path::Path;

use super::error::{Origin, ScenarioError};
use super::schema::Scenario;
use crate::sim::dist::Duration;
use crate::time::NS_PER_S;

pub use super::schema::{FACTOR_MAX, POINTS_MAX, ProfileShape, RateProfileCfg};

/// Why a spike cannot be imposed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RateSpikeError {
    #[error("source `{0}` already has a rate profile; a spike replaces no existing profile")]
    ProfileExists(String),
    #[error("a spike needs a length > 0 and a finite factor >= 0")]
    BadSpike,
    #[error(
        "source `{0}` is a rate-limited generator (connector = \"datagen\"): nothing arrives from outside, so its input \
         cannot spike; it emits at most its limit"
    )]
    GeneratorSource(String),
}

impl Scenario {
    /// Every source's rate times `factor` for `length_ns` from `at_ns`. Refused, changing
    /// nothing, when a source already has a profile (the product of two profiles is no profile
    /// this schema can write).
    pub fn apply_rate_spike(&mut self, at_ns: u64, length_ns: u64, factor: f64) -> Result<(), RateSpikeError> {
        if length_ns == 0 || !(factor.is_finite() && factor >= 0.0) {
            return Err(RateSpikeError::BadSpike);
        }
        if let Some(op) = self
            .operators
            .iter()
            .find(|o| o.rate.as_ref().is_some_and(|r| r.profile.is_some()))
        {
            return Err(RateSpikeError::ProfileExists(op.name.clone()));
        }
        if let Some(op) = self
            .operators
            .iter()
            .find(|o| o.connector == Some(super::SourceConnector::Datagen))
        {
            return Err(RateSpikeError::GeneratorSource(op.name.clone()));
        }
        for rate in self.operators.iter_mut().filter_map(|o| o.rate.as_mut()) {
            rate.profile = Some(RateProfileCfg::spike(at_ns, length_ns, factor));
        }
        Ok(())
    }
}

type Problem = (String, String);

/// Checks a profile (`path`: its dotted field path); CSV points were checked as they were read.
pub fn validate_profile(p: &RateProfileCfg, path: &str) -> Result<(), Problem> {
    let at = |field: &str| format!("{path}.{field}");
    let fail = |field: String, msg: String| Err((field, msg));
    let piecewise = matches!(p.shape, ProfileShape::Steps | ProfileShape::Linear);
    if piecewise {
        for field in [("trough", p.trough.is_some()), ("peak", p.peak.is_some())]
            .into_iter()
            .chain([("peak_at", p.peak_at.is_some()), ("period", p.period.is_some())])
        {
            if field.1 {
                return fail(at(field.0), "only applies to shape = \"daily\"".into());
            }
        }
        if p.points.is_empty() {
            return fail(
                at("points"),
                "needs at least one point, e.g. points = [[\"0s\", 1.0], [\"60s\", 2.0]], or file = \"rates.csv\""
                    .into(),
            );
        }
        return check_points(&p.points).map_err(|(i, msg)| (format!("{path}.points[{i}]"), msg));
    }
    if !p.points.is_empty() || p.file.is_some() {
        let field = if p.file.is_some() { "file" } else { "points" };
        return fail(at(field), "only applies to shape = \"steps\" or \"linear\"".into());
    }
    let (Some(trough), Some(peak)) = (p.trough, p.peak) else {
        return fail(
            path.to_string(),
            "shape = \"daily\" needs `trough` and `peak`, e.g. { shape = \"daily\", trough = 0.4, peak = 1.6, peak_at = \"14h\" }"
                .into(),
        );
    };
    for (field, v) in [("trough", trough), ("peak", peak)] {
        if !(v.is_finite() && (0.0..=FACTOR_MAX).contains(&v)) {
            return fail(at(field), format!("must be a factor between 0 and {FACTOR_MAX}"));
        }
    }
    if trough > peak {
        return fail(at("trough"), format!("must be at most peak ({peak})"));
    }
    if peak <= 0.0 {
        return fail(
            at("peak"),
            "must be > 0 (a source that never emits needs no profile)".into(),
        );
    }
    if p.peak_at.is_none() {
        return fail(
            path.to_string(),
            "shape = \"daily\" needs `peak_at`, e.g. \"14h\"".into(),
        );
    }
    if p.period.is_some_and(|d| d.value < NS_PER_S as f64) {
        return fail(at("period"), "must be at least 1s".into());
    }
    Ok(())
}

/// Points: at least one, the first at 0, times strictly ascending, factors finite in
/// [0, FACTOR_MAX]. On failure: the index of the bad point and why.
fn check_points(points: &[(Duration, f64)]) -> Result<(), (usize, String)> {
    if points.len() > POINTS_MAX {
        return Err((POINTS_MAX, format!("at most {POINTS_MAX} points")));
    }
    for (i, (t, f)) in points.iter().enumerate() {
        if i == 0 && t.value != 0.0 {
            return Err((0, "the first point must be at \"0s\" (the start of the run)".into()));
        }
        if i > 0 && t.value <= points[i - 1].0.value {
            return Err((i, "times must be strictly ascending".into()));
        }
        if !(f.is_finite() && (0.0..=FACTOR_MAX).contains(f)) {
            return Err((i, format!("the factor must be between 0 and {FACTOR_MAX}, not {f}")));
        }
    }
    Ok(())
}

/// Reads the CSV file each profile names (relative to `scenario_file`) into its points.
/// A file that cannot be read is reported at the `file` field through `at_field`; a bad line,
/// by the CSV file's own name and line.
pub fn load_profile_files(
    s: &mut Scenario,
    scenario_file: &str,
    bytes_max: u64,
    at_field: impl Fn(String, String) -> ScenarioError,
) -> Result<(), ScenarioError> {
    let base = Path::new(scenario_file).parent().unwrap_or(Path::new(""));
    for (i, op) in s.operators.iter_mut().enumerate() {
        let Some(p) = op.rate.as_mut().and_then(|r| r.profile.as_mut()) else {
            continue;
        };
        // A daily curve takes no file: validation says so, rather than a failed read.
        let (Some(file), false) = (&p.file, p.shape == ProfileShape::Daily) else {
            continue;
        };
        let field = format!("operators[{i}].rate.profile.file");
        if !p.points.is_empty() {
            return Err(at_field(field, "give either `points` or `file`, not both".into()));
        }
        let csv_path = base.join(file);
        let text = super::read::read_text(&csv_path, bytes_max).map_err(|e| match e {
            ScenarioError::Io { cause, .. } => {
                at_field(field.clone(), format!("cannot read {}: {cause}", csv_path.display()))
            }
            other => other,
        })?;
        p.points = parse_points_csv(&text, &csv_path.display().to_string(), &field)?;
    }
    Ok(())
}

/// `time_s,factor` then one point a line; blank lines and `#` comments are skipped.
pub fn parse_points_csv(text: &str, csv_file: &str, field: &str) -> Result<Vec<(Duration, f64)>, ScenarioError> {
    let err = |line: usize, message: String| ScenarioError::Invalid {
        file: csv_file.to_string(),
        origin: Origin::Line { line, column: 1 },
        field: Some(field.to_string()),
        message,
    };
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
    let Some((line, header)) = lines.next() else {
        return Err(err(1, "empty file: expected the header `time_s,factor`".into()));
    };
    let columns: Vec<&str> = header.split(',').map(str::trim).collect();
    if columns != ["time_s", "factor"] {
        return Err(err(line, format!("the header must be `time_s,factor`, not `{header}`")));
    }
    let mut points = Vec::new();
    let mut lines_of = Vec::new();
    for (line, row) in lines {
        let cells: Vec<&str> = row.split(',').map(str::trim).collect();
        let [time, factor] = cells[..] else {
            return Err(err(
                line,
                format!("expected two columns (time_s,factor), found {}", cells.len()),
            ));
        };
        let number = |name: &str, v: &str| -> Result<f64, ScenarioError> {
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| err(line, format!("{name} `{v}` is not a finite number")))
        };
        let time_s = number("time_s", time)?;
        let factor = number("factor", factor)?;
        if time_s < 0.0 {
            return Err(err(line, format!("time_s `{time}` is negative")));
        }
        points.push((Duration::new((time_s * NS_PER_S as f64).round()), factor));
        lines_of.push(line);
    }
    if points.is_empty() {
        return Err(err(line, "no points after the header".into()));
    }
    check_points(&points).map_err(|(i, msg)| err(lines_of[i.min(lines_of.len() - 1)], msg))?;
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spike_is_three_steps_or_two_at_the_start() {
        let s = RateProfileCfg::spike(60 * NS_PER_S, 30 * NS_PER_S, 2.5);
        let pts: Vec<(u64, f64)> = s.points.iter().map(|(t, f)| (t.as_u64(), *f)).collect();
        assert_eq!(pts, [(0, 1.0), (60 * NS_PER_S, 2.5), (90 * NS_PER_S, 1.0)]);
        assert!(validate_profile(&s, "p").is_ok());
        let at_start = RateProfileCfg::spike(0, NS_PER_S, 3.0);
        assert_eq!(at_start.points.len(), 2);
        assert!(validate_profile(&at_start, "p").is_ok());
    }

    #[test]
    fn csv_errors_name_the_line() {
        let e = parse_points_csv("time_s,factor\n0,1\n\n# spike\n60,abc\n", "r.csv", "f").unwrap_err();
        assert_eq!(e.line(), Some(5), "{e}");
        assert!(e.to_string().starts_with("r.csv:5:1:"), "{e}");
        let e = parse_points_csv("time_s,factor\n0,1\n60,2\n30,1\n", "r.csv", "f").unwrap_err();
        assert_eq!(e.line(), Some(4), "{e}");
        let e = parse_points_csv("t,f\n0,1\n", "r.csv", "f").unwrap_err();
        assert_eq!(e.line(), Some(1), "{e}");
        let ok = parse_points_csv("time_s, factor\n0, 1\n60.5, 2\n", "r.csv", "f").unwrap();
        assert_eq!(ok[1].0.as_u64(), 60_500_000_000);
    }
}
