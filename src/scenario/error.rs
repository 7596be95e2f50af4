//! Errors for scenario files: every one names the file, and where it can, the line and field.

use std::fmt;
use std::path::PathBuf;

/// Where in a scenario a value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A position in the file: 1-based line and column.
    Line { line: usize, column: usize },
    /// A command-line or sweep override (`--set field=value`).
    Override(String),
    /// The field is absent; the error is about its enclosing table.
    Unknown,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    #[error("{path}: cannot read scenario: {cause}")]
    Io { path: PathBuf, cause: std::io::Error },
    /// The file is larger than the input limit; it is not read.
    #[error(
        "{file}: the scenario file has {bytes} bytes, more than the limit of {limit} (raise it with --limit-input)"
    )]
    TooLarge { file: String, bytes: u64, limit: u64 },
    /// The file is not UTF-8 text: where the first bad byte is.
    #[error("{file}:{line}:{column}: not UTF-8 text: invalid byte at offset {offset}")]
    NotUtf8 {
        file: String,
        offset: usize,
        line: usize,
        column: usize,
    },
    /// The file is not valid TOML, or a value has the wrong type or form.
    #[error("{}", render(file, origin, field.as_deref(), message))]
    Invalid {
        file: String,
        origin: Origin,
        /// Dotted path of the field, e.g. `operators[1].parallelism`.
        field: Option<String>,
        message: String,
    },
    /// An override names no field of the scenario or is malformed.
    #[error("{file}: bad override `{assignment}`: {message}")]
    BadOverride {
        file: String,
        assignment: String,
        message: String,
    },
}

fn render(file: &str, origin: &Origin, field: Option<&str>, message: &str) -> String {
    let mut s = String::new();
    match origin {
        Origin::Line { line, column } => s.push_str(&format!("{file}:{line}:{column}: ")),
        Origin::Override(o) => s.push_str(&format!("{file} (override `{o}`): ")),
        Origin::Unknown => s.push_str(&format!("{file}: ")),
    }
    if let Some(f) = field {
        s.push_str(&format!("field `{f}`: "));
    }
    s.push_str(message);
    s
}

impl ScenarioError {
    /// The line the error points at, if it has one.
    pub fn line(&self) -> Option<usize> {
        match self {
            ScenarioError::Invalid {
                origin: Origin::Line { line, .. },
                ..
            }
            | ScenarioError::NotUtf8 { line, .. } => Some(*line),
            _ => None,
        }
    }
    pub fn field(&self) -> Option<&str> {
        match self {
            ScenarioError::Invalid { field, .. } => field.as_deref(),
            _ => None,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Line { line, column } => write!(f, "line {line}, column {column}"),
            Origin::Override(o) => write!(f, "override `{o}`"),
            Origin::Unknown => write!(f, "unknown position"),
        }
    }
}
