//! One sweep or merge at a time per output directory. Two sweeps writing the same runs would
//! each see the other's files appear and fail in confusing ways; the second one now stops at once
//! with a clear error. The lock is an OS file lock (`flock`), so a killed sweep never leaves a
//! stale lock behind; the lock file itself is removed when the sweep ends.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use super::error::SweepError;

pub const LOCK_FILE: &str = ".ckptsim.lock";

/// Held for as long as the sweep writes into the directory.
#[derive(Debug)]
pub struct DirLock {
    path: PathBuf,
    // Closing the file releases the lock.
    _file: File,
}

impl DirLock {
    pub fn acquire(dir: &Path) -> Result<DirLock, SweepError> {
        std::fs::create_dir_all(dir).map_err(|cause| SweepError::Io {
            path: dir.to_path_buf(),
            cause,
        })?;
        let path = dir.join(LOCK_FILE);
        let io = |cause| SweepError::Io {
            path: path.clone(),
            cause,
        };
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => Ok(DirLock { path, _file: file }),
            Err(TryLockError::WouldBlock) => Err(SweepError::Locked { dir: dir.to_path_buf() }),
            Err(TryLockError::Error(cause)) => Err(io(cause)),
        }
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        // Removed while still held, so no other process can be holding this file's lock.
        let _ = std::fs::remove_file(&self.path);
    }
}
