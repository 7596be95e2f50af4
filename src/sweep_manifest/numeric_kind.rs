//! How a swept parameter's values read as numbers (seconds, bytes, bytes per second), as
//! `sweep.json` records it: the unit of a chart's x axis and of a table's numeric column.

use serde::{Deserialize, Serialize};

/// How a parameter's values read as numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumericKind {
    /// Plain numbers: the values themselves.
    Number,
    /// Durations such as "5s", read in seconds.
    Seconds,
    /// Sizes such as "32KiB", read in bytes.
    Bytes,
    /// Rates such as "400MB/s", read in bytes per second.
    BytesPerSecond,
}

impl NumericKind {
    /// The suffix of the extra numeric column (`checkpoint.interval_s`); none for plain numbers,
    /// whose column already is numeric.
    pub fn column_suffix(self) -> Option<&'static str> {
        match self {
            NumericKind::Number => None,
            NumericKind::Seconds => Some("_s"),
            NumericKind::Bytes => Some("_bytes"),
            NumericKind::BytesPerSecond => Some("_bytes_per_s"),
        }
    }

    pub fn unit_label(self) -> &'static str {
        match self {
            NumericKind::Number => "",
            NumericKind::Seconds => "s",
            NumericKind::Bytes => "bytes",
            NumericKind::BytesPerSecond => "bytes/s",
        }
    }
}
