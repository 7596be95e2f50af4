//! `checksums.json` in a shard's directory: the FNV-1a checksum of every run file, taken from
//! the bytes as they were written. `ckptsim merge` checks each run file against it, so a file
//! damaged or edited on its way from the machine that ran it is refused instead of merged.
//!
//! Only sharded sweeps (`--shard K/N` with N > 1) write it: they are what gets merged, and a
//! single-machine sweep's directory stays exactly what it always was.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::SweepError;
use super::fingerprint::fnv1a_64;
use crate::files::write_atomic;

pub const CHECKSUMS_JSON: &str = "checksums.json";
pub const FORMAT: u32 = 1;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Checksums {
    pub format: u32,
    pub fingerprint: String,
    /// Run file name (`p0003-r001.json`) to checksum.
    pub runs: BTreeMap<String, String>,
}

pub fn checksum(bytes: &[u8]) -> String {
    format!("{:016x}", fnv1a_64(bytes))
}

impl Checksums {
    pub fn new(fingerprint: &str) -> Self {
        Checksums {
            format: FORMAT,
            fingerprint: fingerprint.to_string(),
            runs: BTreeMap::new(),
        }
    }

    /// `DIR/checksums.json`; `Ok(None)` when there is none.
    pub fn read(dir: &Path) -> Result<Option<Checksums>, SweepError> {
        let path = dir.join(CHECKSUMS_JSON);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(cause) => return Err(SweepError::Io { path, cause }),
        };
        let c: Checksums = serde_json::from_slice(&bytes).map_err(|e| SweepError::BadFile {
            path: path.clone(),
            message: format!("not a checksum list: {e}"),
        })?;
        if c.format != FORMAT {
            return Err(SweepError::BadFile {
                path,
                message: format!("checksum list format {} is not {FORMAT}", c.format),
            });
        }
        Ok(Some(c))
    }

    pub fn write(&self, dir: &Path) -> Result<(), SweepError> {
        let mut bytes = serde_json::to_vec_pretty(self).map_err(|e| SweepError::BadFile {
            path: dir.join(CHECKSUMS_JSON),
            message: e.to_string(),
        })?;
        bytes.push(b'\n');
        write_atomic(&dir.join(CHECKSUMS_JSON), &bytes)?;
        Ok(())
    }
}
