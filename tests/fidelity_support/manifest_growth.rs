//! How a RocksDB instance's MANIFEST grows, from a calibration run sampled with
//! `tests/fidelity/probes/rocksdb_manifest/` (`real/<run>/manifest.csv`): per second the live
//! MANIFEST's size, and each SST file the run uploaded into the checkpoint directory's
//! `shared/` the second it appeared. An incremental checkpoint uploads every new SST once, so
//! the files seen by a second count the files the instance had written by then.

use super::real::RealRuns;

/// The MANIFEST's size as a straight line in the files written: `base + per_file x files`.
pub struct ManifestGrowth {
    pub base_bytes: f64,
    pub per_file_bytes: f64,
}

/// Least squares over every sample of the run's one instance (a run at parallelism 1).
pub fn measure(real: &RealRuns, run: &str) -> ManifestGrowth {
    let rows = real.run_rows(run, "manifest.csv");
    let num = |r: &std::collections::BTreeMap<String, String>, c: &str| -> f64 {
        r[c].parse().unwrap_or_else(|e| panic!("{run}/manifest.csv {c}: {e}"))
    };
    let mut shared: Vec<f64> = rows
        .iter()
        .filter(|r| r["kind"] == "shared_file")
        .map(|r| num(r, "t_s"))
        .collect();
    shared.sort_by(f64::total_cmp);
    let points: Vec<(f64, f64)> = rows
        .iter()
        .filter(|r| r["kind"] == "manifest" && r["id"] == "0")
        .map(|r| {
            let t = num(r, "t_s");
            (shared.partition_point(|&s| s <= t) as f64, num(r, "bytes"))
        })
        .collect();
    assert!(points.len() >= 30, "{run}: only {} MANIFEST samples", points.len());
    let line = ckptsim::import::fit::least_squares(&points)
        .unwrap_or_else(|| panic!("{run}: the files written do not spread, no line to fit"));
    ManifestGrowth {
        base_bytes: line.intercept,
        per_file_bytes: line.slope,
    }
}
