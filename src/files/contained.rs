//! File names built from input (a chart is named after its metric, and a metric after an
//! operator) must name a file inside their directory, whatever the input says. `child_path` is
//! the one way such a name becomes a path: one plain component, no separators, no `..`.

use std::path::{Component, Path, PathBuf};

use super::FileError;

/// Longest file name accepted (file systems allow 255 bytes; room for `.png.tmp`).
pub const FILE_NAME_BYTES_MAX: usize = 200;

/// `dir/name`, when `name` is a plain file name: ASCII letters, digits and `._-[]()=,+@`, not
/// starting with a dot, at most [`FILE_NAME_BYTES_MAX`] bytes.
pub fn child_path(dir: &Path, name: &str) -> Result<PathBuf, FileError> {
    let bad = |message: &'static str| FileError::UnsafeName {
        dir: dir.to_path_buf(),
        name: name.escape_debug().to_string(),
        message,
    };
    if name.is_empty() || name.len() > FILE_NAME_BYTES_MAX {
        return Err(bad("a file name has 1 to 200 bytes"));
    }
    if name.starts_with('.') {
        return Err(bad("a file name must not start with `.`"));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || "._-[]()=,+@".contains(c);
    if !name.chars().all(allowed) {
        return Err(bad(
            "a file name holds only ASCII letters, digits and `._-[]()=,+@` (no separators)",
        ));
    }
    // Belt and braces: whatever the character rules say, the name must be one plain component.
    let mut components = Path::new(name).components();
    if !matches!(
        (components.next(), components.next()),
        (Some(Component::Normal(_)), None)
    ) {
        return Err(bad("a file name is one path component"));
    }
    Ok(dir.join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_stay_inside() {
        let d = Path::new("out/plots");
        assert_eq!(
            child_path(d, "summary.end_to_end_duration.avg").unwrap(),
            d.join("summary.end_to_end_duration.avg")
        );
        assert!(child_path(d, "job.busy.map[0]").is_ok());
        for bad in [
            "x/../../../../ESCAPED",
            "..",
            ".",
            "",
            "/etc/passwd",
            "a\\b",
            ".hidden",
            "nul\0",
            "é",
        ] {
            assert!(child_path(d, bad).is_err(), "{bad:?}");
        }
    }
}
