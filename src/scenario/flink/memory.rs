//! Memory sizes as Flink reads them (`MemorySize.parse`, Flink 2.3): a whole number, optional
//! whitespace, then a unit in any case; every unit is a power of 1024 (`32 kb` is 32,768
//! bytes), and a bare number is bytes. ckptsim's own fields read `KB` as 1,000 bytes instead;
//! this parser serves only Flink's keys.

/// Flink's unit labels and bytes per unit.
pub const MEMORY_UNITS: &[(&[&str], u64)] = &[
    (&["b", "bytes"], 1),
    (&["k", "kb", "kibibytes"], 1 << 10),
    (&["m", "mb", "mebibytes"], 1 << 20),
    (&["g", "gb", "gibibytes"], 1 << 30),
    (&["t", "tb", "tebibytes"], 1 << 40),
];

fn all_units() -> String {
    MEMORY_UNITS
        .iter()
        .map(|(labels, _)| format!("({})", labels.join(" | ")))
        .collect::<Vec<_>>()
        .join(" / ")
}

/// Parses a memory size as Flink does, into bytes.
pub fn parse_flink_memory_bytes(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("a memory size cannot be empty, e.g. `32 kb`, `64 mb`".into());
    }
    let digits = trimmed.bytes().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return Err(format!(
            "`{trimmed}` does not start with a number (e.g. `32 kb`, `64 mb`)"
        ));
    }
    let (number, unit) = trimmed.split_at(digits);
    let value: i64 = number
        .parse()
        .map_err(|_| format!("the value `{number}` cannot be represented as a 64-bit number"))?;
    let unit = unit.trim().to_lowercase();
    let per_unit = if unit.is_empty() {
        1
    } else {
        MEMORY_UNITS
            .iter()
            .find(|(labels, _)| labels.contains(&unit.as_str()))
            .map(|(_, b)| *b)
            .ok_or_else(|| {
                format!(
                    "memory size unit `{unit}` in `{trimmed}` does not match any of the recognized units: {}",
                    all_units()
                )
            })?
    };
    (value as u64)
        .checked_mul(per_unit)
        .filter(|b| *b <= i64::MAX as u64)
        .ok_or_else(|| format!("`{trimmed}` cannot be represented as a 64-bit number of bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flink_memory_unit_is_a_power_of_1024() {
        for (labels, bytes) in MEMORY_UNITS {
            for label in *labels {
                for text in [
                    format!("5{label}"),
                    format!("5 {label}"),
                    format!("5 {}", label.to_ascii_uppercase()),
                ] {
                    assert_eq!(parse_flink_memory_bytes(&text), Ok(5 * bytes), "{text}");
                }
            }
        }
        assert_eq!(parse_flink_memory_bytes("32KB"), Ok(32_768), "Flink's KB is 1024 bytes");
        assert_eq!(parse_flink_memory_bytes("4096"), Ok(4096), "a bare number is bytes");
        assert_eq!(parse_flink_memory_bytes("64 mb"), Ok(64 << 20));
    }

    #[test]
    fn what_flink_refuses_is_refused() {
        for bad in [
            "",
            "kb",
            "1.5 mb",
            "32 KiB",
            "5 pb",
            "-1",
            "99999999999999999999",
            "9000000 tb",
        ] {
            assert!(parse_flink_memory_bytes(bad).is_err(), "`{bad}` should be refused");
        }
    }
}
