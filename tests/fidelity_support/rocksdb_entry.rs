//! RocksDB's bytes on disk per state entry: a part per entry and a part per data block,
//! calibrated on two value sizes, c03 (1000 B values, each day's own run) and `e1` (250 B, the
//! same job on another boot: `tests/fidelity/probes/rocksdb_entry_size/`).
//!
//! A heap entry's overhead beyond its value (c01) is not RocksDB's: an SST entry also carries
//! the internal key's 8 B sequence number and type and the length varints, and RocksDB cuts its
//! files into data blocks of about 4 KiB, each with its own trailer, restart array and index
//! entry, which the entries it holds share: 4 of 1000 B, 9 of 400 B, 18 of 200 B. An overhead
//! fitted at one value size alone charges a smaller entry too large a share of a block (f12 at
//! 400 B came out 0.5 % above Flink's state, the held-out h05 at 200 B 2.3 %).
//!
//! A full checkpoint's state size is every live SST file, which is more than one entry per key:
//! L0 files hold the keys written in each interval until four of them are merged, so the
//! checkpoints' sizes saw-tooth, and no closed formula gives the entry size from their mean. The
//! simulator's LSM model does: with a calibration job translated as every table row is, the mean
//! state size over the measured run's checkpoints is linear in the bytes per entry (the memtable
//! never fills, the L0 trigger counts files and L1 stays far below its 256 MiB target, so no
//! decision depends on a size), plus the small files every checkpoint carries. Two runs solve
//! the line for the entry size whose mean is the measured one; a third at that size must land
//! on it to within 0.1 %, or the premise (linearity) is broken. The entry sizes at two value
//! sizes then give the two parts.
//!
//! Past 16 entries a block takes a second restart point (RocksDB's `block_restart_interval`):
//! 4 B more in its restart array, and the entry there stores its whole key. Neither calibration
//! size reaches it (4 and 15 entries a block); its bytes come from the key format, and `e3`
//! (150 B values, 24 entries a block) checks them.
//!
//! On-disk sizes do not depend on the host's speed (c03's mean state size is 45.92, 45.93 and
//! 45.88 MB on the suite's three days), so `e1`, measured on a fourth boot, serves all three.

use super::calibrate::Calibration;
use super::configs::Config;
use super::figures::{Window, completed_in};
use super::real::RealRuns;
use super::translate::scenario_toml;

/// RocksDB's `block_size` (Flink's default, `state.backend.rocksdb.block.blocksize`: 4 KiB).
const BLOCK_BYTES: f64 = 4096.0;
/// Past this size RocksDB's `FlushBlockBySizePolicy` closes a block that the next entry would
/// take over `BLOCK_BYTES`: `block_size_deviation` 10 (%), rounded up as RocksDB does.
const BLOCK_ALMOST_FULL_BYTES: f64 = 3687.0;
/// A block's restart array while it holds at most 16 entries (`block_restart_interval`): one
/// 4 B restart point and the 4 B count, which the block's size estimate includes.
const RESTART_ARRAY_BYTES: f64 = 8.0;
/// RocksDB's `block_restart_interval` (16; Flink leaves it alone): the 17th, 33rd, ... entry of
/// a block starts a restart point.
const RESTART_INTERVAL: u32 = 16;
/// A restart point's 4 B in the block's restart array, counted by the block's size estimate.
const RESTART_POINT_BYTES: f64 = 4.0;
/// The key bytes a restart point's entry stores that it would otherwise share with the entry
/// before it: 7.54 B over c03's 40,000 keys (a compacted L1 file), 6.63 over one interval's
/// 2,000 (an L0 file), by `probes/rocksdb_entry_size/shared_key_bytes.py` (Flink's key group,
/// `Long` key and `VoidNamespace`, sorted as RocksDB sorts them). Not fitted; `e3` checks it.
const RESTART_SHARED_KEY_BYTES: f64 = 7.0;

/// Where a directory of measured runs of `e1` lives, beside the suite's days.
pub const PROBE_DIR: &str = "probes/rocksdb_entry_size";
/// The second value size's run (`PROBE_DIR`'s configs.tsv).
pub const SECOND_SIZE_RUN: &str = "e1_rocks_value250";

/// RocksDB's bytes on disk for one `ValueState<byte[N]>` entry.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RocksdbEntry {
    /// Bytes every entry takes in its data block beyond the value's N: the key, the internal
    /// key's sequence number and type, the varints.
    pub per_entry_bytes: f64,
    /// Bytes every data block takes beyond its entries: trailer, restart array, index entry.
    pub per_block_bytes: f64,
    /// Bytes each restart point past a block's first takes: its 4 B in the restart array and
    /// the key bytes its entry stores whole. 0 where a run's bytes per entry are probed flat.
    pub per_restart_point_bytes: f64,
}

impl RocksdbEntry {
    /// Bytes on disk of one entry of a `value_bytes` value, its share of a block included.
    pub fn bytes_on_disk(&self, value_bytes: f64) -> f64 {
        let entry = value_bytes + self.per_entry_bytes;
        let n = entries_per_block(entry);
        entry + (self.per_block_bytes + self.restart_bytes(n)) / n as f64
    }

    /// Every entry `bytes_beyond_value` more than its value, with no part per block or restart
    /// point: what a run's bytes per entry are searched with, so that no model biases them.
    pub fn flat(bytes_beyond_value: f64) -> RocksdbEntry {
        RocksdbEntry {
            per_entry_bytes: bytes_beyond_value,
            per_block_bytes: 0.0,
            per_restart_point_bytes: 0.0,
        }
    }

    /// Bytes a block of `n` entries takes for its restart points past the first.
    fn restart_bytes(&self, n: u32) -> f64 {
        (n.div_ceil(RESTART_INTERVAL) - 1) as f64 * self.per_restart_point_bytes
    }

    /// The two parts from the bytes per entry at two value sizes, `(value, bytes per entry)`.
    /// A block's entry count depends on the per-entry part, so the two are solved in turn until
    /// the counts settle.
    pub fn solve(one: (f64, f64), two: (f64, f64)) -> RocksdbEntry {
        let restarts = RocksdbEntry {
            per_restart_point_bytes: RESTART_POINT_BYTES + RESTART_SHARED_KEY_BYTES,
            ..RocksdbEntry::flat(0.0)
        };
        let mut e = (one.1 - one.0).min(two.1 - two.0);
        for _ in 0..32 {
            let (n1, n2) = (entries_per_block(one.0 + e), entries_per_block(two.0 + e));
            // Each size's bytes beyond its value, less its restart points past the first.
            let o1 = one.1 - one.0 - restarts.restart_bytes(n1) / n1 as f64;
            let o2 = two.1 - two.0 - restarts.restart_bytes(n2) / n2 as f64;
            let (n1, n2) = (n1 as f64, n2 as f64);
            assert!(
                n1 != n2,
                "values of {} and {} B fill blocks alike: no per-block part to solve",
                one.0,
                two.0
            );
            let b = (o1 - o2) / (1.0 / n1 - 1.0 / n2);
            let next = o1 - b / n1;
            if (next - e).abs() < 1e-9 {
                assert!(b >= 0.0, "a block's overhead must not be negative: {b} B");
                return RocksdbEntry {
                    per_entry_bytes: e,
                    per_block_bytes: b,
                    ..restarts
                };
            }
            e = next;
        }
        panic!("RocksDB's entry parts did not settle from {one:?} and {two:?}")
    }
}

/// Entries of `entry_bytes` a data block holds when RocksDB closes it: before the entry that
/// would take it past `block_size`, once it is past the deviation limit, or once it is full.
pub fn entries_per_block(entry_bytes: f64) -> u32 {
    let mut size = RESTART_ARRAY_BYTES;
    let mut n = 0;
    loop {
        if n > 0 && n % RESTART_INTERVAL == 0 {
            size += RESTART_POINT_BYTES;
        }
        size += entry_bytes;
        n += 1;
        if size >= BLOCK_BYTES || (size + entry_bytes > BLOCK_BYTES && size > BLOCK_ALMOST_FULL_BYTES) {
            return n;
        }
    }
}

/// Bytes on disk per entry at which the simulated `cfg` holds its measured run's mean state
/// size, over the same checkpoints (the run's own start-up aligns the windows).
pub fn bytes_per_entry(cal: &Calibration, cfg: &Config, real: &RealRuns, run: &str) -> f64 {
    let warmup_s = real.warmup_s(run);
    let last_trigger_s = real.trigger_times_s(run).into_iter().fold(0.0f64, f64::max);
    let interval_s = cfg.options.interval_ms as f64 / 1000.0;
    let duration_s = (last_trigger_s + interval_s).ceil() as u64;
    let min_pause_s = cfg.options.min_pause_ms as f64 / 1000.0;
    let window = Window::of_runs(real, &[run.to_string()], interval_s, min_pause_s)
        .unwrap_or_else(|| panic!("{run}: no checkpoint after the warm-up"));
    let target = real
        .checkpoint_mean(run, "state_size_b", warmup_s)
        .unwrap_or_else(|| panic!("{run}: no mean state size after the warm-up"));
    let value = cfg.options.state_bytes as f64;
    let mean_at = |bytes: f64| {
        let mut c = cal.clone();
        c.rocksdb_entry = RocksdbEntry::flat(bytes - value);
        let text = scenario_toml(cfg, &c, duration_s, warmup_s.round() as u64);
        let loaded = ckptsim::scenario::parse_str(&text, run).unwrap_or_else(|e| panic!("{e}"));
        let out = ckptsim::run::run(&loaded.scenario, loaded.scenario.simulation.seed);
        let done = completed_in(&out, window);
        assert!(
            !done.is_empty(),
            "simulated {run}: no checkpoint in the measured window"
        );
        done.iter().map(|c| c.state_size as f64).sum::<f64>() / done.len() as f64
    };
    let (x0, x1) = (value, 1.1 * value);
    let (y0, y1) = (mean_at(x0), mean_at(x1));
    let fitted = x0 + (target - y0) * (x1 - x0) / (y1 - y0);
    let check = mean_at(fitted);
    assert!(
        ((check - target) / target).abs() < 1e-3,
        "{run}'s state size is not linear in the entry size: {check:.0} B at {fitted:.2} B per entry, against {target:.0} B"
    );
    fitted
}
