//! Maps between byte spans of a TOML document and dotted field paths, so that every error can
//! name both the line and the field.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The parsed document with spans, kept beside the typed scenario for error reporting.
pub struct SpanIndex<'i> {
    text: &'i str,
    root: Option<Spanned<DeTable<'i>>>,
}

impl<'i> SpanIndex<'i> {
    pub fn new(text: &'i str) -> Self {
        SpanIndex {
            text,
            root: DeTable::parse(text).ok(),
        }
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rfind('\n').map(|i| offset - i).unwrap_or(offset + 1);
        (line, column)
    }

    /// The span of the value at a dotted path like `operators[1].service_time`, or of the
    /// deepest existing ancestor when the field is absent.
    pub fn span_of(&self, path: &str) -> Option<std::ops::Range<usize>> {
        let root = self.root.as_ref()?;
        let mut span = root.span();
        let mut table: Option<&DeTable> = Some(root.get_ref());
        let mut value: Option<&DeValue> = None;
        for seg in parse_path(path) {
            let next = match (&seg, table, value) {
                (Seg::Key(k), Some(t), _) => t.iter().find(|(key, _)| key.get_ref().as_ref() == k).map(|(_, v)| v),
                (Seg::Key(k), None, Some(DeValue::Table(t))) => {
                    t.iter().find(|(key, _)| key.get_ref().as_ref() == k).map(|(_, v)| v)
                }
                (Seg::Index(i), _, Some(DeValue::Array(a))) => a.get(*i),
                _ => None,
            };
            match next {
                Some(v) => {
                    span = v.span();
                    value = Some(v.get_ref());
                    table = None;
                }
                None => break,
            }
        }
        Some(span)
    }

    /// The span of the key reached by following `keys` exactly (each one key, dots and all), as
    /// for the quoted keys of `[flink]`: `["flink", "execution.checkpointing.interval"]`.
    pub fn span_of_keys(&self, keys: &[&str]) -> Option<std::ops::Range<usize>> {
        let root = self.root.as_ref()?;
        let mut table: &DeTable = root.get_ref();
        let mut span = None;
        for (i, k) in keys.iter().enumerate() {
            let (key, value) = table.iter().find(|(key, _)| key.get_ref().as_ref() == *k)?;
            span = Some(key.span());
            if i + 1 < keys.len() {
                match value.get_ref() {
                    DeValue::Table(t) => table = t,
                    _ => return None,
                }
            }
        }
        span
    }

    /// The innermost dotted path whose value span contains `offset` (to name the field of a
    /// serde error, which carries only a span).
    pub fn path_at(&self, offset: usize) -> Option<String> {
        let root = self.root.as_ref()?;
        let mut path = String::new();
        let mut best = None;
        walk_table(root.get_ref(), offset, &mut path, &mut best);
        best
    }
}

fn walk_table(t: &DeTable, offset: usize, path: &mut String, best: &mut Option<String>) {
    for (k, v) in t.iter() {
        let len = path.len();
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(k.get_ref().as_ref());
        // A `[table]`'s span covers only its header, so descend into every table and keep the
        // deepest key whose own span or value span holds the offset.
        if v.span().contains(&offset) || k.span().contains(&offset) {
            *best = Some(path.clone());
        }
        walk_value(v.get_ref(), offset, path, best);
        path.truncate(len);
    }
}

fn walk_value(v: &DeValue, offset: usize, path: &mut String, best: &mut Option<String>) {
    match v {
        DeValue::Table(t) => walk_table(t, offset, path, best),
        DeValue::Array(a) => {
            for (i, item) in a.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                if item.span().contains(&offset) {
                    *best = Some(path.clone());
                }
                walk_value(item.get_ref(), offset, path, best);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

#[derive(Debug, PartialEq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Splits `a.b[2].c` into segments.
pub fn parse_path(path: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let mut rest = part;
        if let Some(i) = rest.find('[') {
            if i > 0 {
                out.push(Seg::Key(rest[..i].to_string()));
            }
            rest = &rest[i..];
            while let Some(stripped) = rest.strip_prefix('[') {
                let end = stripped.find(']').unwrap_or(stripped.len());
                if let Ok(n) = stripped[..end].parse() {
                    out.push(Seg::Index(n));
                }
                rest = stripped.get(end + 1..).unwrap_or("");
            }
        } else if !rest.is_empty() {
            out.push(Seg::Key(rest.to_string()));
        }
    }
    out
}

/// Splits `a.b[2].c` into segments, refusing what `parse_path` would skip: an empty name
/// (`a..b`), an index that is not a number (`ops[x]`), an unclosed `[` or text after a `]`.
/// For paths typed by a user (`--set`, sweep parameters), where a skipped part would silently
/// set another field.
pub fn parse_path_strict(path: &str) -> Result<Vec<Seg>, String> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(i) => part.split_at(i),
            None => (part, ""),
        };
        if name.is_empty() && (out.is_empty() || rest.is_empty()) {
            return Err(format!("`{path}` has an empty name"));
        }
        if name.contains(']') {
            return Err(format!("`{path}` has a `]` without its `[`"));
        }
        if !name.is_empty() {
            out.push(Seg::Key(name.to_string()));
        }
        while !rest.is_empty() {
            let Some(inner) = rest.strip_prefix('[') else {
                return Err(format!("`{path}`: unexpected `{rest}` after an index"));
            };
            let Some(end) = inner.find(']') else {
                return Err(format!("`{path}`: `[` is not closed"));
            };
            let n: usize = inner[..end]
                .parse()
                .map_err(|_| format!("`{path}`: index `{}` is not a number", &inner[..end]))?;
            out.push(Seg::Index(n));
            rest = &inner[end + 1..];
        }
    }
    Ok(out)
}

#[cfg(test)]
mod strict_path_tests {
    use super::*;

    #[test]
    fn strict_paths_refuse_what_the_lenient_parser_skips() {
        assert_eq!(
            parse_path_strict("operators[1].service_time").unwrap(),
            vec![
                Seg::Key("operators".into()),
                Seg::Index(1),
                Seg::Key("service_time".into())
            ]
        );
        for bad in [
            "operators[x].parallelism",
            "a..b",
            "a[1",
            "a[1]x",
            ".a",
            "a]",
            "",
            "[0]",
        ] {
            assert!(parse_path_strict(bad).is_err(), "{bad}");
        }
    }
}
