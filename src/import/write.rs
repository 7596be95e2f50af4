//! The scenario text: sections of `key = value` lines, each with the comment that says where
//! its value came from, or `# ASSUMPTION: edit.` when the REST API cannot know it.

use std::fmt::Write;

/// One `key = value` line.
pub struct Line {
    pub key: String,
    /// TOML text of the value (quoted where it is a string).
    pub value: String,
    pub comment: String,
    pub assumption: bool,
}

/// A table (`[cluster]`) or an array-of-tables entry (`[[operators]]`) with comment lines above.
pub struct Section {
    pub header: String,
    pub notes: Vec<String>,
    pub lines: Vec<Line>,
}

impl Section {
    pub fn new(header: &str) -> Section {
        Section {
            header: header.into(),
            notes: Vec::new(),
            lines: Vec::new(),
        }
    }
    pub fn note(&mut self, text: impl Into<String>) -> &mut Self {
        self.notes.push(text.into());
        self
    }
    /// A derived line: `comment` names the REST path, the field and the statistic.
    pub fn put(&mut self, key: &str, value: impl Into<String>, comment: impl Into<String>) -> &mut Self {
        self.lines.push(Line {
            key: key.into(),
            value: value.into(),
            comment: comment.into(),
            assumption: false,
        });
        self
    }
    /// A line the REST API cannot tell: marked for the user to edit.
    pub fn assume(&mut self, key: &str, value: impl Into<String>, comment: impl Into<String>) -> &mut Self {
        self.lines.push(Line {
            key: key.into(),
            value: value.into(),
            comment: comment.into(),
            assumption: true,
        });
        self
    }
}

/// A TOML string literal.
pub fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}
pub fn ms(v: f64) -> String {
    format!("\"{:.3}ms\"", v.max(0.0))
}
pub fn us(v: f64) -> String {
    format!("\"{:.3}us\"", v.max(0.0))
}
pub fn bytes(v: f64) -> String {
    format!("\"{:.0}B\"", v.max(0.0).round())
}
/// A key's state: an average over keys, so to a hundredth of a byte (at 17 B per key a whole
/// byte is 6 %).
pub fn bytes_per_key(v: f64) -> String {
    format!("\"{:.2}B\"", v.max(0.0))
}
pub fn bytes_per_s(v: f64) -> String {
    format!("\"{:.1}MB/s\"", v / 1e6)
}
/// An empirical distribution through `(quantile, ms)` points.
pub fn empirical_ms(points: &[(f64, f64)]) -> String {
    let pts: Vec<String> = points
        .iter()
        .map(|(q, v)| format!("[{q:.2}, \"{:.3}ms\"]", v.max(0.0)))
        .collect();
    format!("{{ dist = \"empirical\", percentiles = [{}] }}", pts.join(", "))
}

/// The whole file: a header comment, top-level lines, then the sections in order.
pub fn render(header: &[String], top: &[Line], sections: &[Section]) -> String {
    let mut s = String::new();
    for h in header {
        let _ = writeln!(s, "# {h}");
    }
    let _ = writeln!(s);
    for l in top {
        line(&mut s, l);
    }
    for sec in sections {
        let _ = writeln!(s);
        for n in &sec.notes {
            let _ = writeln!(s, "# {n}");
        }
        let _ = writeln!(s, "{}", sec.header);
        for l in &sec.lines {
            line(&mut s, l);
        }
    }
    s
}

fn line(s: &mut String, l: &Line) {
    let tag = if l.assumption { "ASSUMPTION: edit. " } else { "" };
    // A value over several lines (an array) carries its comment on its first line.
    let (first, rest) = match l.value.split_once('\n') {
        Some((a, b)) => (a, Some(b)),
        None => (l.value.as_str(), None),
    };
    let _ = writeln!(s, "{} = {first}  # {tag}{}", l.key, l.comment);
    if let Some(rest) = rest {
        let _ = writeln!(s, "{rest}");
    }
}
