//! Quantities with units, as written in scenario files: durations ("250ms", "1.5s", "10min"),
//! sizes ("32KiB", "1.5MB", 4096) and rates ("1.25GB/s", "10Gbit/s").

use crate::time::{NS_PER_MS, NS_PER_S, NS_PER_US};

/// What a quantity measures; decides which unit suffixes are accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitKind {
    /// Nanoseconds; a unit is required ("5ms"), since a bare number is ambiguous.
    Duration,
    /// Bytes; a bare number means bytes.
    Bytes,
    /// Bytes per second; a bare number means bytes per second.
    BytesPerSecond,
    /// A plain number (records per second, probabilities, counts).
    Number,
}

impl UnitKind {
    pub fn example(self) -> &'static str {
        match self {
            UnitKind::Duration => "\"250ms\", \"1.5s\", \"10min\"",
            UnitKind::Bytes => "\"32KiB\", \"1.5MB\" or a number of bytes",
            UnitKind::BytesPerSecond => "\"1.25GB/s\", \"10Gbit/s\" or bytes per second",
            UnitKind::Number => "a number",
        }
    }
}

fn split_number(s: &str) -> Option<(f64, &str)> {
    let s = s.trim();
    let end = s
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.' || *c == '_' || *c == 'e' || *c == '-' || *c == '+'))
        .map(|(i, _)| i)
        .unwrap_or(s.len());
    // "e" may start a unit, not an exponent; retry without it when the number does not parse.
    let (num, unit) = s.split_at(end);
    let cleaned: String = num.chars().filter(|c| *c != '_').collect();
    match cleaned.parse::<f64>() {
        Ok(v) => Some((v, unit.trim())),
        Err(_) => None,
    }
}

/// Parses a duration into nanoseconds (as f64, so that sub-ns means survive in distributions).
pub fn parse_duration_ns(s: &str) -> Result<f64, String> {
    let (v, unit) =
        split_number(s).ok_or_else(|| format!("`{s}` is not a duration, e.g. {}", UnitKind::Duration.example()))?;
    let scale = match unit {
        "ns" => 1.0,
        "us" | "µs" => NS_PER_US as f64,
        "ms" => NS_PER_MS as f64,
        "s" => NS_PER_S as f64,
        "min" => 60.0 * NS_PER_S as f64,
        "h" => 3600.0 * NS_PER_S as f64,
        "d" => 86400.0 * NS_PER_S as f64,
        "" => return Err(format!("`{s}` needs a unit, e.g. {}", UnitKind::Duration.example())),
        other => {
            return Err(format!(
                "unknown duration unit `{other}` in `{s}` (use ns, us, ms, s, min, h or d)"
            ));
        }
    };
    check_finite(v * scale, s)
}

pub fn parse_bytes(s: &str) -> Result<f64, String> {
    let (v, unit) =
        split_number(s).ok_or_else(|| format!("`{s}` is not a size, e.g. {}", UnitKind::Bytes.example()))?;
    check_finite(v * byte_scale(unit, s)?, s)
}

fn byte_scale(unit: &str, s: &str) -> Result<f64, String> {
    Ok(match unit {
        "" | "B" => 1.0,
        "KB" | "kB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "TB" => 1e12,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        "TiB" => 1024.0f64.powi(4),
        "bit" => 1.0 / 8.0,
        "Kbit" => 1e3 / 8.0,
        "Mbit" => 1e6 / 8.0,
        "Gbit" => 1e9 / 8.0,
        other => {
            return Err(format!(
                "unknown size unit `{other}` in `{s}` (use B, KB, MB, GB, KiB, MiB, GiB or Kbit, Mbit, Gbit)"
            ));
        }
    })
}

pub fn parse_rate_bytes_per_s(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let body = t.strip_suffix("/s").unwrap_or(t);
    let (v, unit) = split_number(body)
        .ok_or_else(|| format!("`{s}` is not a rate, e.g. {}", UnitKind::BytesPerSecond.example()))?;
    check_finite(v * byte_scale(unit, s)?, s)
}

fn check_finite(v: f64, s: &str) -> Result<f64, String> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(format!("`{s}` is out of range"))
    }
}

/// Parses a quantity given as text.
pub fn parse_text(kind: UnitKind, s: &str) -> Result<f64, String> {
    match kind {
        UnitKind::Duration => parse_duration_ns(s),
        UnitKind::Bytes => parse_bytes(s),
        UnitKind::BytesPerSecond => parse_rate_bytes_per_s(s),
        UnitKind::Number => s.trim().parse::<f64>().map_err(|_| format!("`{s}` is not a number")),
    }
}

/// Accepts a bare number for the unit kinds where that is unambiguous.
pub fn from_number(kind: UnitKind, v: f64) -> Result<f64, String> {
    match kind {
        UnitKind::Duration => Err(format!(
            "the duration {v} needs a unit, e.g. {}",
            UnitKind::Duration.example()
        )),
        _ => Ok(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_units_scenarios_use() {
        assert_eq!(parse_duration_ns("100ms").unwrap(), 1e8);
        assert_eq!(parse_duration_ns("1.5s").unwrap(), 1.5e9);
        assert_eq!(parse_duration_ns("10min").unwrap(), 6e11);
        assert_eq!(parse_duration_ns("50us").unwrap(), 5e4);
        assert!(parse_duration_ns("100").is_err());
        assert!(parse_duration_ns("5 parsecs").is_err());
        assert_eq!(parse_bytes("32KiB").unwrap(), 32768.0);
        assert_eq!(parse_bytes("4096").unwrap(), 4096.0);
        assert_eq!(parse_rate_bytes_per_s("10Gbit/s").unwrap(), 1.25e9);
        assert_eq!(parse_rate_bytes_per_s("400MB/s").unwrap(), 4e8);
    }
}
