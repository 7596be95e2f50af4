//! Reading a scenario file as text: bounded in size (checked before reading, and again while
//! reading, since the file may grow), and UTF-8 checked with the position of the first bad byte.

use std::io::Read;
use std::path::Path;

use super::error::ScenarioError;

pub fn read_text(path: &Path, bytes_max: u64) -> Result<String, ScenarioError> {
    let file_name = path.display().to_string();
    let io = |cause| ScenarioError::Io {
        path: path.to_path_buf(),
        cause,
    };
    let f = std::fs::File::open(path).map_err(io)?;
    let too_large = |bytes| ScenarioError::TooLarge {
        file: file_name.clone(),
        bytes,
        limit: bytes_max,
    };
    let len = f.metadata().map_err(io)?.len();
    if len > bytes_max {
        return Err(too_large(len));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    f.take(bytes_max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > bytes_max {
        return Err(too_large(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let before = &e.as_bytes()[..offset];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = before.iter().rposition(|b| *b == b'\n').map(|i| i + 1).unwrap_or(0);
        // Columns count characters, as the TOML errors' do; the prefix is valid UTF-8.
        let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
        ScenarioError::NotUtf8 {
            file: file_name.clone(),
            offset,
            line,
            column,
        }
    })
}
