//! Parameter values as they appear in tables and on axes: the text as written, and where the
//! values are quantities, a number in a base unit so that they can be plotted and sorted.

use crate::sweep_manifest::NumericKind;
use crate::units;

/// A value as a table cell: strings without quotes (`5s`), everything else as TOML (`8`, `0.5`).
pub fn render_value(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Reads all values as numbers of one kind, or `None` when they are not (names, booleans, a mix
/// of durations and sizes).
pub fn numeric_values(values: &[toml::Value]) -> Option<(NumericKind, Vec<f64>)> {
    let kinds = [
        NumericKind::Number,
        NumericKind::Seconds,
        NumericKind::BytesPerSecond,
        NumericKind::Bytes,
    ];
    kinds.into_iter().find_map(|kind| {
        let xs: Option<Vec<f64>> = values.iter().map(|v| as_number(kind, v)).collect();
        xs.map(|xs| (kind, xs))
    })
}

fn as_number(kind: NumericKind, v: &toml::Value) -> Option<f64> {
    match (kind, v) {
        (NumericKind::Number, toml::Value::Integer(i)) => Some(*i as f64),
        (NumericKind::Number, toml::Value::Float(f)) => Some(*f),
        (NumericKind::Seconds, toml::Value::String(s)) => units::parse_duration_ns(s).ok().map(|ns| ns / 1e9),
        // A rate must say "/s": otherwise "100MB" would read as a rate as well as a size.
        (NumericKind::BytesPerSecond, toml::Value::String(s)) if s.trim_end().ends_with("/s") => {
            units::parse_rate_bytes_per_s(s).ok()
        }
        (NumericKind::Bytes, toml::Value::String(s)) => units::parse_bytes(s).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(text: &str) -> Vec<toml::Value> {
        let t: toml::Table = toml::from_str(&format!("v = {text}")).unwrap();
        t["v"].as_array().unwrap().clone()
    }

    #[test]
    fn quantities_read_in_base_units_and_names_do_not() {
        assert_eq!(
            numeric_values(&vals("[2, 4.5]")),
            Some((NumericKind::Number, vec![2.0, 4.5]))
        );
        assert_eq!(
            numeric_values(&vals(r#"["500ms", "2s"]"#)),
            Some((NumericKind::Seconds, vec![0.5, 2.0]))
        );
        assert_eq!(
            numeric_values(&vals(r#"["1KiB", "2KiB"]"#)),
            Some((NumericKind::Bytes, vec![1024.0, 2048.0]))
        );
        assert_eq!(
            numeric_values(&vals(r#"["1MB/s"]"#)),
            Some((NumericKind::BytesPerSecond, vec![1e6]))
        );
        assert_eq!(numeric_values(&vals(r#"["hdfs", "s3"]"#)), None);
        assert_eq!(numeric_values(&vals(r#"["1s", "1KiB"]"#)), None);
        assert_eq!(numeric_values(&vals("[true, false]")), None);
        assert_eq!(render_value(&toml::Value::String("5s".into())), "5s");
        assert_eq!(render_value(&toml::Value::Float(0.5)), "0.5");
    }
}
