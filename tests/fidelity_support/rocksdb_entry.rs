//! RocksDB's bytes on disk per state entry, calibrated on c03 (RocksDB full checkpoints of
//! 1000 B values at parallelism 1).
//!
//! A heap entry's overhead beyond its value (c01) is not RocksDB's: an SST entry also carries
//! the internal key's 8 B sequence number and type, the block's length varints and its share
//! of the index, so the same state is a little larger on disk. A full checkpoint's state size
//! is every live SST file, which is more than one entry per key: L0 files hold the keys
//! written in each interval until four of them are merged, so the checkpoints' sizes
//! saw-tooth, and no closed formula gives the entry size from their mean. The simulator's LSM
//! model does: with c03's job translated as every table row is, the mean state size after the
//! warm-up is linear in the bytes per entry (the memtable never fills, the L0 trigger counts
//! files and L1 stays far below its 256 MiB target, so no decision depends on a size), plus
//! the small files every checkpoint carries. Two runs solve the line for the entry size whose
//! mean is c03's; a third at that size must land on c03 to within 0.1 %, or the premise
//! (linearity) is broken.

use super::calibrate::Calibration;
use super::configs::Config;
use super::figures::completed_after_warmup;
use super::real::RealRuns;
use super::translate::scenario_toml;

/// Bytes per entry beyond the value that make the simulated c03 hold c03's mean state size.
pub fn measure(cal: &Calibration, c03: &Config, real: &RealRuns, run: &str) -> f64 {
    let warmup_s = real.warmup_s(run);
    let last_trigger_s = real.trigger_times_s(run).into_iter().fold(0.0f64, f64::max);
    let duration_s = (last_trigger_s + c03.options.interval_ms as f64 / 1000.0).ceil() as u64;
    let target = real
        .checkpoint_mean(run, "state_size_b", warmup_s)
        .unwrap_or_else(|| panic!("{run}: no mean state size after the warm-up"));
    let mean_at = |overhead: f64| {
        let mut c = cal.clone();
        c.rocksdb_entry_overhead_bytes = overhead;
        let text = scenario_toml(c03, &c, duration_s, warmup_s.round() as u64);
        let loaded = ckptsim::scenario::parse_str(&text, "c03 (calibration)").unwrap_or_else(|e| panic!("{e}"));
        let out = ckptsim::run::run(&loaded.scenario, loaded.scenario.simulation.seed);
        let done = completed_after_warmup(&out, 1000.0 * warmup_s);
        assert!(!done.is_empty(), "simulated c03: no checkpoint after the warm-up");
        done.iter().map(|c| c.state_size as f64).sum::<f64>() / done.len() as f64
    };
    let value = c03.options.state_bytes as f64;
    let (x0, x1) = (0.0, 0.1 * value);
    let (y0, y1) = (mean_at(x0), mean_at(x1));
    let fitted = x0 + (target - y0) * (x1 - x0) / (y1 - y0);
    let check = mean_at(fitted);
    assert!(
        ((check - target) / target).abs() < 1e-3,
        "c03's state size is not linear in the entry size: {check:.0} B at {fitted:.2} B of overhead, against {target:.0} B"
    );
    fitted
}
