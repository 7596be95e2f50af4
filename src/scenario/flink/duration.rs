//! Durations as Flink reads them (`TimeUtils.parseDuration`, Flink 2.3): a whole number, optional
//! whitespace, then a unit label in any case (`30 s`, `1 min`, `500ms`, `2 Hours`); a bare
//! number is milliseconds; text that does not start with a digit is read as an ISO-8601
//! duration (`PT30S`), and a negative one is refused. No fractions: `1.5 s` is an error there.

use crate::units::{all_duration_units, flink_unit_ns, parse_iso8601_ns};

const NS_PER_MS: u128 = 1_000_000;

/// Parses a duration as Flink does, into nanoseconds.
pub fn parse_flink_duration_ns(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("a duration cannot be empty, e.g. `30 s`, `1 min`, `500 ms`".into());
    }
    let digits = trimmed.bytes().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return parse_iso8601_ns(trimmed).ok_or_else(|| {
            format!("`{trimmed}` does not start with a number and is not an ISO-8601 duration (e.g. `30 s`, `1 min`, `PT30S`)")
        })?;
    }
    let (number, unit) = trimmed.split_at(digits);
    let value: u128 = number
        .parse()
        .map_err(|_| format!("the value `{number}` cannot be represented as an integer number"))?;
    let unit = unit.trim();
    if unit.starts_with(['.', ',']) {
        return Err(format!(
            "`{trimmed}`: Flink reads a duration as a whole number and a unit; write e.g. `1500 ms` for `1.5 s`"
        ));
    }
    let per_unit = if unit.is_empty() {
        NS_PER_MS
    } else {
        flink_unit_ns(unit).ok_or_else(|| {
            format!(
                "time unit `{}` in `{trimmed}` does not match any of the recognized units: {}",
                unit.to_lowercase(),
                all_duration_units()
            )
        })?
    };
    value
        .checked_mul(per_unit)
        .and_then(|ns| u64::try_from(ns).ok())
        .ok_or_else(|| format!("`{trimmed}` is too long (at most about 584 years)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::DURATION_UNITS;

    const S: u64 = 1_000_000_000;

    #[test]
    fn every_flink_unit_label_parses() {
        for (_, labels, ns) in DURATION_UNITS {
            for label in *labels {
                for text in [
                    format!("3{label}"),
                    format!("3 {label}"),
                    format!(" 3  {} ", label.to_ascii_uppercase()),
                ] {
                    assert_eq!(parse_flink_duration_ns(&text), Ok(3 * *ns as u64), "{text}");
                }
            }
        }
    }

    #[test]
    fn flink_spellings_mean_what_flink_means() {
        assert_eq!(parse_flink_duration_ns("1 min"), Ok(60 * S));
        assert_eq!(parse_flink_duration_ns("30 s"), Ok(30 * S));
        assert_eq!(parse_flink_duration_ns("500 ms"), Ok(S / 2));
        assert_eq!(parse_flink_duration_ns("10m"), Ok(600 * S), "m is minutes");
        assert_eq!(
            parse_flink_duration_ns("30000"),
            Ok(30 * S),
            "a bare number is milliseconds"
        );
        assert_eq!(parse_flink_duration_ns("PT30S"), Ok(30 * S));
        assert_eq!(parse_flink_duration_ns("pt1m30.5s"), Ok(90 * S + S / 2));
        assert_eq!(parse_flink_duration_ns("P1DT1H"), Ok(25 * 3600 * S));
    }

    #[test]
    fn what_flink_refuses_is_refused() {
        for bad in [
            "",
            "  ",
            "1.5 s",
            "5 parsecs",
            "s",
            "-5 s",
            "-PT1S",
            "PT",
            "P",
            "99999999999 d",
            "30 us",
        ] {
            assert!(parse_flink_duration_ns(bad).is_err(), "`{bad}` should be refused");
        }
        assert!(parse_flink_duration_ns("1.5 s").unwrap_err().contains("whole number"));
        let e = parse_flink_duration_ns("5 parsecs").unwrap_err();
        assert!(
            e.contains("parsecs") && e.contains("MINUTES: (min | m | minute | minutes)"),
            "{e}"
        );
    }
}
