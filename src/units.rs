//! Quantities with units, as written in scenario files: durations ("250ms", "1.5s", "10min"),
//! sizes ("32KiB", "1.5MB", 4096) and rates ("1.25GB/s", "10Gbit/s").

use crate::time::{NS_PER_MS, NS_PER_S, NS_PER_US};

/// What a quantity measures; decides which unit suffixes are accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitKind {
    /// Nanoseconds; a unit is required ("5ms"), since a bare number is ambiguous (0 excepted).
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

// Flink's duration spellings (`TimeUtils` in Flink 2.3), shared by ckptsim's own duration
// fields and by the Flink keys of `scenario::flink`.

const US: u128 = NS_PER_US as u128;
const MS: u128 = NS_PER_MS as u128;
const SEC: u128 = NS_PER_S as u128;

/// Flink's unit labels (singular and plural forms) and nanoseconds per unit, largest first.
pub const DURATION_UNITS: &[(&str, &[&str], u128)] = &[
    ("DAYS", &["d", "day", "days"], 86_400 * SEC),
    ("HOURS", &["h", "hour", "hours"], 3_600 * SEC),
    ("MINUTES", &["min", "m", "minute", "minutes"], 60 * SEC),
    ("SECONDS", &["s", "sec", "secs", "second", "seconds"], SEC),
    (
        "MILLISECONDS",
        &["ms", "milli", "millis", "millisecond", "milliseconds"],
        MS,
    ),
    (
        "MICROSECONDS",
        &["µs", "micro", "micros", "microsecond", "microseconds"],
        US,
    ),
    ("NANOSECONDS", &["ns", "nano", "nanos", "nanosecond", "nanoseconds"], 1),
];

/// Nanoseconds per unit for a Flink unit label, compared without case.
pub fn flink_unit_ns(label: &str) -> Option<u128> {
    let label = label.to_lowercase();
    DURATION_UNITS
        .iter()
        .find(|(_, labels, _)| labels.contains(&label.as_str()))
        .map(|(_, _, ns)| *ns)
}

/// Every label, as Flink lists them in its error message.
pub fn all_duration_units() -> String {
    DURATION_UNITS
        .iter()
        .map(|(name, labels, _)| format!("{name}: ({})", labels.join(" | ")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Java's `Duration.parse`: `[-+]P[nD][T[nH][nM][n[.f]S]]`, letters in any case. `None` when
/// the text is not of that form; an error for a negative duration.
pub fn parse_iso8601_ns(text: &str) -> Option<Result<u64, String>> {
    let upper = text.to_ascii_uppercase();
    let mut rest = upper.as_str();
    let negative = match rest.as_bytes().first()? {
        b'-' => {
            rest = &rest[1..];
            true
        }
        b'+' => {
            rest = &rest[1..];
            false
        }
        _ => false,
    };
    rest = rest.strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return None,
        None => (rest, None),
    };
    let mut total: i128 = 0;
    let mut any = false;
    if !date.is_empty() {
        let days = date.strip_suffix('D')?;
        total += signed_int(days)? * 86_400 * SEC as i128;
        any = true;
    }
    if let Some(mut t) = time {
        for (suffix, scale) in [('H', 3_600 * SEC), ('M', 60 * SEC)] {
            if let Some(i) = t.find(suffix) {
                total += signed_int(&t[..i])? * scale as i128;
                t = &t[i + 1..];
                any = true;
            }
        }
        if !t.is_empty() {
            let secs = t.strip_suffix('S')?;
            let (whole, frac) = match secs.split_once(['.', ',']) {
                Some((w, f)) => (w, f),
                None => (secs, ""),
            };
            if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let whole_ns = signed_int(whole)? * SEC as i128;
            let frac_ns = if frac.is_empty() {
                0
            } else {
                format!("{frac:0<9}").parse::<i128>().ok()?
            };
            total += if whole.starts_with('-') {
                whole_ns - frac_ns
            } else {
                whole_ns + frac_ns
            };
            any = true;
        }
    }
    if !any {
        return None;
    }
    let total = if negative { -total } else { total };
    Some(if total < 0 {
        Err(format!("`{text}`: negative durations are not supported"))
    } else {
        u64::try_from(total).map_err(|_| format!("`{text}` is too long (at most about 584 years)"))
    })
}

fn signed_int(s: &str) -> Option<i128> {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 30 {
        return None;
    }
    s.parse().ok()
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
/// Besides ckptsim's units (`ns`, `us`, `ms`, `s`, `min`, `h`, `d`, fractions allowed) it takes
/// Flink's spellings (`30 s`, `1 min`, `2 hours`, `500 millis`, any case, ISO-8601 `PT30S`);
/// a bare number needs a unit, except 0, because here it is ambiguous.
pub fn parse_duration_ns(s: &str) -> Result<f64, String> {
    let Some((v, unit)) = split_number(s) else {
        return match parse_iso8601_ns(s.trim()) {
            Some(r) => r.map(|ns| ns as f64),
            None => Err(format!(
                "`{s}` is not a duration, e.g. {}",
                UnitKind::Duration.example()
            )),
        };
    };
    let scale = match unit {
        "ns" => 1.0,
        "us" | "µs" => NS_PER_US as f64,
        "ms" => NS_PER_MS as f64,
        "s" => NS_PER_S as f64,
        "min" => 60.0 * NS_PER_S as f64,
        "h" => 3600.0 * NS_PER_S as f64,
        "d" => 86400.0 * NS_PER_S as f64,
        "" if v == 0.0 => 1.0,
        "" => {
            return Err(format!(
                "`{s}` needs a unit, e.g. {} (a bare number of milliseconds is Flink's syntax, read under [flink])",
                UnitKind::Duration.example()
            ));
        }
        other => match flink_unit_ns(other) {
            Some(ns) => ns as f64,
            None => {
                return Err(format!(
                    "unknown duration unit `{other}` in `{s}` (use ns, us, ms, s, min, h or d, or Flink's spellings such as `30 s`, `2 hours`)"
                ));
            }
        },
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
                "unknown size unit `{other}` in `{s}` (use B, KB, MB, GB (powers of 1000), KiB, MiB, GiB (powers of 1024) or Kbit, Mbit, Gbit; Flink's `kb` = 1024 B is read under [flink])"
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
        UnitKind::Duration if v == 0.0 => Ok(0.0),
        UnitKind::Duration => Err(format!(
            "the duration {v} needs a unit, e.g. {} (a bare number of milliseconds is Flink's syntax, read under [flink])",
            UnitKind::Duration.example()
        )),
        _ => Ok(v),
    }
}

/// A duration for a sentence, as a person says it: tenths of a ms below one (a real 0.3 ms is
/// not "0 ms"), ms below a second, seconds below a minute, minutes below an hour, hours above;
/// "(none)" for a value that does not exist (infinite or NaN). The verdict and the advice both
/// write it.
pub fn human_ms(ms: f64) -> String {
    if !ms.is_finite() {
        "(none)".into()
    } else if ms > 0.0 && ms < 0.95 {
        format!("{ms:.1} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else if ms < 60_000.0 {
        format!("{:.1} s", ms / 1e3)
    } else if ms < 3_600_000.0 {
        format!("{:.1} min", ms / 6e4)
    } else {
        format!("{:.1} h", ms / 3.6e6)
    }
}

/// [`human_ms`] of a number of seconds.
pub fn human_s(s: f64) -> String {
    human_ms(s * 1e3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sentence_says_a_real_fraction_of_a_millisecond_not_zero() {
        assert_eq!(human_ms(0.0), "0 ms");
        assert_eq!(human_ms(0.37), "0.4 ms");
        assert_eq!(human_ms(0.96), "1 ms");
        assert_eq!(human_ms(999.0), "999 ms");
        assert_eq!(human_ms(1500.0), "1.5 s");
        assert_eq!(human_ms(f64::INFINITY), "(none)");
    }

    #[test]
    fn parses_the_units_scenarios_use() {
        assert_eq!(parse_duration_ns("100ms").unwrap(), 1e8);
        assert_eq!(parse_duration_ns("1.5s").unwrap(), 1.5e9);
        assert_eq!(parse_duration_ns("10min").unwrap(), 6e11);
        assert_eq!(parse_duration_ns("50us").unwrap(), 5e4);
        assert!(parse_duration_ns("100").is_err());
        assert_eq!(parse_duration_ns("0").unwrap(), 0.0, "zero needs no unit");
        assert!(parse_duration_ns("5 parsecs").is_err());
        assert_eq!(parse_bytes("32KiB").unwrap(), 32768.0);
        assert_eq!(parse_bytes("4096").unwrap(), 4096.0);
        assert_eq!(parse_rate_bytes_per_s("10Gbit/s").unwrap(), 1.25e9);
        assert_eq!(parse_rate_bytes_per_s("400MB/s").unwrap(), 4e8);
    }

    #[test]
    fn own_fields_also_take_flinks_duration_spellings() {
        assert_eq!(parse_duration_ns("1 min").unwrap(), 6e10);
        assert_eq!(parse_duration_ns("30 s").unwrap(), 3e10);
        assert_eq!(parse_duration_ns("500 ms").unwrap(), 5e8);
        assert_eq!(parse_duration_ns("2 hours").unwrap(), 7.2e12);
        assert_eq!(parse_duration_ns("10 Seconds").unwrap(), 1e10);
        assert_eq!(parse_duration_ns("5m").unwrap(), 3e11, "Flink's m is minutes");
        assert_eq!(parse_duration_ns("PT1M").unwrap(), 6e10);
        assert_eq!(parse_duration_ns("1.5s").unwrap(), 1.5e9, "fractions stay allowed here");
        // Sizes keep their units: KB is 1000 bytes, KiB 1024, and Flink's `kb` is refused here.
        assert_eq!(parse_bytes("32KB").unwrap(), 32000.0);
        assert_eq!(parse_bytes("32KiB").unwrap(), 32768.0);
        assert!(parse_bytes("32kb").is_err());
    }
}
