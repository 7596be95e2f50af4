//! RocksDB's MANIFEST of one instance: the log of version edits that every checkpoint copies as
//! it stands (`Checkpoint.createCheckpoint`), inlined into `_metadata` below Flink's
//! `state.storage.fs.memory-threshold` and uploaded as a file of its own above it.
//!
//! RocksDB appends one version edit per SST file it writes (a flush's, a compaction's output)
//! and starts a new MANIFEST only when the instance opens, or when the file passes
//! `max_manifest_file_size` (RocksDB's default 1 GiB; Flink 2.3 sets none). So its size depends
//! on how long the instance has been open, not on the state it holds: a job that has run for a
//! day carries a day of edits into every checkpoint, and a restore starts over small.
//!
//! A run starts with instances that have been open for [`ManifestConfig::instance_age_ns`]
//! (0: freshly opened). Their edits from before the run are extrapolated from the instance's own
//! pace in the run: the files it wrote between its first native checkpoint and now, per
//! simulated second, times the age. The first checkpoint of a run has no pace yet and carries
//! only the run's own edits; until the first compactions (after
//! `level0_file_num_compaction_trigger` flushes) the pace counts the flushes alone and reads low.
//! Measured from the first checkpoint, not from the run's start: a pace over the first
//! checkpoint's fraction of an interval (one flush in 0.13 s on f13's job) would read ten times
//! too high.

/// The MANIFEST of an instance just opened: its column families and comparator. Calibrated on
/// Flink 2.3 (`tests/fidelity` run c09_rocks_manifest, 2026-12-03): 421 B, rounded.
pub const MANIFEST_BASE_BYTES: u64 = 420;
/// What each SST file the instance writes adds to the MANIFEST: its version edit, with the
/// edits of the files a compaction deletes folded in. Calibrated on Flink 2.3
/// (c09_rocks_manifest: the live MANIFEST's size against the SST files the run uploaded into
/// `shared/`, least squares, 132.2 B per file, 2026-12-03).
pub const MANIFEST_BYTES_PER_FILE_WRITTEN: u64 = 132;
/// RocksDB's default `max_manifest_file_size` (`DBOptions`), which Flink 2.3 leaves alone (no
/// RocksDB class in its distribution sets it).
pub const MAX_MANIFEST_FILE_SIZE_DEFAULT_BYTES: u64 = 1 << 30;

/// How old the instances are when the run starts, and when RocksDB rolls their MANIFEST.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ManifestConfig {
    /// How long each instance has been open when the run starts (0: just opened).
    pub instance_age_ns: u64,
    /// `max_manifest_file_size`: past it, RocksDB starts a new MANIFEST.
    pub max_file_bytes: u64,
}

impl ManifestConfig {
    /// Instances opened when the run starts, with RocksDB's roll-over size.
    pub const fn fresh() -> Self {
        ManifestConfig {
            instance_age_ns: 0,
            max_file_bytes: MAX_MANIFEST_FILE_SIZE_DEFAULT_BYTES,
        }
    }

    /// The same instances reopened (a restore): RocksDB writes a new MANIFEST on open.
    pub const fn reopened(self) -> Self {
        ManifestConfig {
            instance_age_ns: 0,
            ..self
        }
    }
}

/// What an instance has written, as the MANIFEST sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FilesWritten {
    /// Files of the state the instance opened with (cut when it was loaded).
    pub at_open: u64,
    /// Files written since (flushes and compaction outputs).
    pub since_open: u64,
}

/// Files an instance wrote over a span of the run: its pace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pace {
    pub files: u64,
    pub over_ns: u64,
}

/// The MANIFEST's size: the edits of the files written, and those of `instance_age` at `pace`
/// (`files * instance_age / over`, integer arithmetic so that the size is exact on every
/// machine; none without a pace). Past `max_file_bytes` RocksDB rolls the file; a rolled
/// MANIFEST is taken to start at the base size (the live files' snapshot it really starts with,
/// a record per live file, is left out: a few KB against the default 1 GiB).
pub fn manifest_bytes(cfg: &ManifestConfig, files: FilesWritten, pace: Option<Pace>) -> u64 {
    let before_run = match pace {
        Some(p) if p.over_ns > 0 => p.files as u128 * cfg.instance_age_ns as u128 / p.over_ns as u128,
        _ => 0,
    };
    let edits = files.at_open as u128 + files.since_open as u128 + before_run;
    let edit_bytes = edits * MANIFEST_BYTES_PER_FILE_WRITTEN as u128;
    let room = cfg.max_file_bytes.saturating_sub(MANIFEST_BASE_BYTES).max(1) as u128;
    MANIFEST_BASE_BYTES + (edit_bytes % room) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::NS_PER_S;

    const DAY_NS: u64 = 86_400 * NS_PER_S;

    fn files(at_open: u64, since_open: u64) -> FilesWritten {
        FilesWritten { at_open, since_open }
    }

    /// A fresh instance's MANIFEST is the calibrated line: 420 B plus 132 B per file written.
    #[test]
    fn a_fresh_instance_holds_its_own_edits() {
        let cfg = ManifestConfig::fresh();
        assert_eq!(manifest_bytes(&cfg, files(0, 0), None), 420);
        let pace = Some(Pace {
            files: 10,
            over_ns: 5 * NS_PER_S,
        });
        assert_eq!(manifest_bytes(&cfg, files(3, 10), pace), 420 + 13 * 132);
    }

    /// An instance open for a day, writing 1.4 files a second (f13's job in Flink: 1.3), holds a
    /// day of edits: about 16 MB. Without a pace
    /// (a run's first checkpoint) it holds the run's edits alone.
    #[test]
    fn an_instance_open_for_a_day_carries_a_day_of_edits() {
        let cfg = ManifestConfig {
            instance_age_ns: DAY_NS,
            ..ManifestConfig::fresh()
        };
        let pace = Some(Pace {
            files: 140,
            over_ns: 100 * NS_PER_S,
        });
        let m = manifest_bytes(&cfg, files(0, 150), pace);
        assert_eq!(m, 420 + (140 * 864 + 150) * 132);
        assert!((15_900_000..16_100_000).contains(&m), "{m}");
        // The files the instance opened with are edits of the open, not of its pace.
        let with_initial = manifest_bytes(&cfg, files(50, 150), pace);
        assert_eq!(with_initial - m, 50 * 132);
        assert_eq!(manifest_bytes(&cfg, files(0, 1), None), 420 + 132);
    }

    /// Past `max_manifest_file_size` the MANIFEST starts over; a restore reopens the instance.
    #[test]
    fn the_manifest_rolls_over_and_a_restore_starts_it_anew() {
        let cfg = ManifestConfig {
            instance_age_ns: 100 * DAY_NS,
            max_file_bytes: 420 + 1000 * 132,
        };
        // 1 file a second for 100 days and 10 s: 8_640_010 edits, 10 past a whole number of rolls.
        let pace = Some(Pace {
            files: 10,
            over_ns: 10 * NS_PER_S,
        });
        let m = manifest_bytes(&cfg, files(0, 10), pace);
        assert_eq!(m, 420 + (8_640_010 % 1000) * 132);
        assert!(m <= cfg.max_file_bytes);
        let reopened = cfg.reopened();
        assert_eq!(reopened.max_file_bytes, cfg.max_file_bytes);
        assert_eq!(manifest_bytes(&reopened, files(0, 10), pace), 420 + 10 * 132);
    }
}
