//! Writing a file atomically: a sibling temporary file, fsync'd, then renamed over the target.
//! CSV and JSON are serialized in memory first, so a serialization error leaves no file behind.

use std::fs;
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::FileError;

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> FileError + '_ {
    move |cause| FileError::Io {
        path: path.to_path_buf(),
        cause,
    }
}

/// Writes `bytes` to `path` atomically: a sibling temporary file, fsync'd, then renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        fs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    {
        let mut f = fs::File::create(&tmp).map_err(io_err(&tmp))?;
        f.write_all(bytes).map_err(io_err(&tmp))?;
        f.sync_all().map_err(io_err(&tmp))?;
    }
    fs::rename(&tmp, path).map_err(io_err(path))
}

/// Serializes rows to CSV bytes (header from the row type's field names).
pub fn csv_bytes<T: Serialize>(rows: &[T], path_for_errors: &Path) -> Result<Vec<u8>, FileError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r).map_err(|cause| FileError::Csv {
            path: path_for_errors.to_path_buf(),
            cause,
        })?;
    }
    w.into_inner().map_err(|e| FileError::Io {
        path: path_for_errors.to_path_buf(),
        cause: e.into_error(),
    })
}

/// As [`csv_bytes`], with the header row even when there is no row (csv writes the header with
/// the first record only), so that readers always find the columns: a run too short for a
/// timeline sample or a checkpoint still writes files a CSV reader can load.
pub fn csv_bytes_with_header<T: Serialize + Default>(rows: &[T], path_for_errors: &Path) -> Result<Vec<u8>, FileError> {
    if !rows.is_empty() {
        return csv_bytes(rows, path_for_errors);
    }
    let one = csv_bytes(&[T::default()], path_for_errors)?;
    let header_end = one.iter().position(|&b| b == b'\n').map_or(one.len(), |i| i + 1);
    Ok(one[..header_end].to_vec())
}

/// Pretty JSON with a final newline.
pub fn json_bytes<T: Serialize>(value: &T, path_for_errors: &Path) -> Result<Vec<u8>, FileError> {
    let mut b = serde_json::to_vec_pretty(value).map_err(|cause| FileError::Json {
        path: path_for_errors.to_path_buf(),
        cause,
    })?;
    b.push(b'\n');
    Ok(b)
}

pub fn write_csv<T: Serialize>(path: &Path, rows: &[T]) -> Result<(), FileError> {
    let bytes = csv_bytes(rows, path)?;
    write_atomic(path, &bytes)
}

pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), FileError> {
    write_atomic(path, &json_bytes(value, path)?)
}
