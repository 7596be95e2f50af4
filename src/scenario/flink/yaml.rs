//! Reads a Flink `config.yaml` into `key: value` entries with their lines. Flink 2.x reads
//! standard YAML and flattens nested maps into dotted keys; ckptsim reads the part of YAML such
//! files use (flat `a.b.c: value` lines, nested maps by indentation, plain, single- and
//! double-quoted scalars, flow lists `[a, b]`, block lists, `#` comments) and refuses the rest
//! (block scalars, anchors, tags, tabs) with the line, rather than guessing.

/// One option as written: its dotted key, its value as text, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlinkEntry {
    pub key: String,
    pub value: String,
    pub line: usize,
    pub column: usize,
}

/// A problem at a 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

fn err<T>(line: usize, column: usize, message: impl Into<String>) -> Result<T, YamlError> {
    Err(YamlError {
        line,
        column,
        message: message.into(),
    })
}

/// Removes a `#` comment that is outside quotes and starts the line or follows whitespace.
fn strip_comment(line: &str) -> &str {
    let (mut single, mut double) = (false, false);
    let mut prev_space = true;
    for (i, c) in line.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && prev_space => return &line[..i],
            _ => {}
        }
        prev_space = c == ' ' || c == '\t';
    }
    line
}

/// A scalar's text: quotes removed (with YAML's escapes), plain scalars trimmed.
fn scalar(raw: &str, line: usize, column: usize) -> Result<String, YamlError> {
    let raw = raw.trim();
    if let Some(inner) = raw.strip_prefix('\'') {
        let Some(body) = inner.strip_suffix('\'') else {
            return err(line, column, "unterminated single-quoted string");
        };
        return Ok(body.replace("''", "'"));
    }
    if let Some(inner) = raw.strip_prefix('"') {
        let Some(body) = inner.strip_suffix('"') else {
            return err(line, column, "unterminated double-quoted string");
        };
        let mut out = String::new();
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                Some('/') => out.push('/'),
                other => {
                    return err(
                        line,
                        column,
                        format!(
                            "unsupported escape `\\{}` in a double-quoted string",
                            other.unwrap_or(' ')
                        ),
                    );
                }
            }
        }
        return Ok(out);
    }
    match raw.chars().next() {
        Some('|' | '>') => err(
            line,
            column,
            "block scalars (`|`, `>`) are not supported; write the value on one line",
        ),
        Some('&' | '*' | '!') => err(line, column, "anchors, aliases and tags are not supported"),
        Some('{') => err(
            line,
            column,
            "flow maps `{ ... }` are not supported; write one key per line",
        ),
        _ => Ok(raw.to_string()),
    }
}

/// Splits `key: value` at the first `:` followed by a space or the end, outside quotes.
fn split_key(content: &str) -> Option<(&str, &str)> {
    let (mut single, mut double) = (false, false);
    let bytes = content.as_bytes();
    for (i, c) in content.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            ':' if !single && !double && (i + 1 == bytes.len() || bytes[i + 1] == b' ') => {
                return Some((&content[..i], &content[i + 1..]));
            }
            _ => {}
        }
    }
    None
}

/// Parses the text of a Flink `config.yaml`.
pub fn parse_flink_yaml(text: &str) -> Result<Vec<FlinkEntry>, YamlError> {
    let mut entries: Vec<FlinkEntry> = Vec::new();
    // Open maps: (indent of their keys, dotted prefix).
    let mut stack: Vec<(usize, String)> = Vec::new();
    // A `key:` without value, waiting for its first child line: (indent, full key, line, column).
    let mut open: Option<(usize, String, usize, usize)> = None;
    // A block list being collected for a key: (indent of `-`, entry index).
    let mut list: Option<(usize, usize)> = None;
    for (n, raw_line) in text.lines().enumerate() {
        let line_no = n + 1;
        let line = strip_comment(raw_line).trim_end();
        if line.trim().is_empty() || line == "---" {
            continue;
        }
        let indent = line.len() - line.trim_start_matches(' ').len();
        if line[indent..].starts_with('\t') {
            return err(line_no, indent + 1, "tabs are not allowed for indentation in YAML");
        }
        let content = &line[indent..];
        let column = indent + 1;
        if let Some(item) = content.strip_prefix('-').filter(|r| r.is_empty() || r.starts_with(' ')) {
            let value = scalar(item, line_no, column + 1)?;
            if let Some((list_indent, idx)) = list
                && list_indent == indent
            {
                let v = &mut entries[idx].value;
                v.insert_str(v.len() - 1, &format!(", {value}"));
                continue;
            }
            match open.take() {
                Some((open_indent, key, kl, kc)) if list.is_none() && indent >= open_indent => {
                    entries.push(FlinkEntry {
                        key,
                        value: format!("[{value}]"),
                        line: kl,
                        column: kc,
                    });
                    list = Some((indent, entries.len() - 1));
                }
                _ => return err(line_no, column, "a list item `- ...` must follow a `key:` line"),
            }
            continue;
        }
        list = None;
        if let Some((open_indent, key, kl, kc)) = open.take() {
            if indent > open_indent {
                stack.push((indent, key));
            } else {
                // `key:` with nothing under it: an empty value.
                entries.push(FlinkEntry {
                    key,
                    value: String::new(),
                    line: kl,
                    column: kc,
                });
            }
        }
        while stack.last().is_some_and(|(i, _)| *i > indent) {
            stack.pop();
        }
        if let Some((i, _)) = stack.last()
            && *i != indent
        {
            return err(line_no, column, "this line's indentation matches no enclosing key");
        }
        if stack.is_empty() && indent > 0 {
            return err(line_no, column, "unexpected indentation at the top level");
        }
        let Some((raw_key, raw_value)) = split_key(content) else {
            return err(line_no, column, "expected `key: value`");
        };
        let key_part = scalar(raw_key, line_no, column)?;
        if key_part.is_empty() {
            return err(line_no, column, "empty key");
        }
        let key = match stack.last() {
            Some((_, prefix)) => format!("{prefix}.{key_part}"),
            None => key_part,
        };
        if raw_value.trim().is_empty() {
            open = Some((indent, key, line_no, column));
            continue;
        }
        let value_column = column + raw_key.len() + 1 + (raw_value.len() - raw_value.trim_start().len());
        entries.push(FlinkEntry {
            key,
            value: scalar(raw_value, line_no, value_column)?,
            line: line_no,
            column,
        });
    }
    if let Some((_, key, line, column)) = open {
        entries.push(FlinkEntry {
            key,
            value: String::new(),
            line,
            column,
        });
    }
    for (i, e) in entries.iter().enumerate() {
        if let Some(first) = entries[..i].iter().find(|f| f.key == e.key) {
            return err(
                e.line,
                e.column,
                format!("`{}` is given twice (first at line {})", e.key, first.line),
            );
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(text: &str) -> Vec<(String, String, usize)> {
        parse_flink_yaml(text)
            .unwrap()
            .into_iter()
            .map(|e| (e.key, e.value, e.line))
            .collect()
    }

    #[test]
    fn flat_and_nested_forms_give_the_same_keys() {
        let flat = "# a comment\nexecution.checkpointing.interval: 30 s\nstate.backend.type: \"rocksdb\" # trailing\n";
        let nested = "execution:\n  checkpointing:\n    interval: 30 s\nstate:\n  backend:\n    type: 'rocksdb'\n";
        let a: Vec<_> = kv(flat).into_iter().map(|(k, v, _)| (k, v)).collect();
        let b: Vec<_> = kv(nested).into_iter().map(|(k, v, _)| (k, v)).collect();
        assert_eq!(a, b);
        assert_eq!(a[0], ("execution.checkpointing.interval".into(), "30 s".into()));
        assert_eq!(kv(nested)[1].2, 6, "the line of the innermost key");
    }

    #[test]
    fn lists_and_empty_values_are_kept_as_text() {
        let e = kv("env.java.opts.all:\n  - -Xmx1g\n  - -Xss1m\nfoo: [a, b]\nbar:\n");
        assert_eq!(e[0], ("env.java.opts.all".into(), "[-Xmx1g, -Xss1m]".into(), 1));
        assert_eq!(e[1].1, "[a, b]");
        assert_eq!(e[2], ("bar".into(), "".into(), 5));
    }

    #[test]
    fn what_is_not_supported_is_refused_with_its_line() {
        for (text, line) in [
            ("a: 1\nb: |\n  text\n", 2),
            ("a: 1\n\tb: 2\n", 2),
            ("a:\n  b: 1\n c: 2\n", 3),
            ("a: 1\na: 2\n", 2),
            ("just text\n", 1),
            ("a: \"open\n", 1),
        ] {
            let e = parse_flink_yaml(text).unwrap_err();
            assert_eq!(e.line, line, "{text:?}: {}", e.message);
        }
    }
}
