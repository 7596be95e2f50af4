//! The real-Flink fidelity suite's machinery: the configurations measured on a real Flink 2.3
//! (`tests/fidelity/configs.tsv`), Flink's own statistics of those runs (`tests/fidelity/real/`),
//! the constants calibrated on dedicated runs, the translation of a configuration into a
//! scenario, the figures compared on both sides, and the pinned known gaps.

#![allow(dead_code)]

pub mod calibrate;
pub mod compare;
pub mod configs;
pub mod figures;
pub mod gaps;
pub mod manifest_growth;
pub mod real;
pub mod rocksdb_entry;
pub mod translate;
pub mod trigger_split;

use std::path::PathBuf;

/// `tests/fidelity/`, where the suite's data and scenarios live.
pub fn suite_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fidelity")
}

/// Percentile with linear interpolation between closest ranks, as the harness's `summarize.py`
/// computes Flink's side (numpy's default), so both sides are summarised alike: the one the
/// importer's calibration report uses.
pub use ckptsim::metrics::calibration::percentile;
