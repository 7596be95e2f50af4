//! RocksDB's keyed state inverted from the sizes Flink reports.
//!
//! Flink 2.x's full (`RocksNativeFullSnapshotStrategy`) and incremental checkpoints both report
//! as a subtask's state size every live SST file of the native checkpoint: the live state
//! **plus** the overwritten versions not yet compacted away (i03: 15.0, 17.3, 19.6, 21.9 MB,
//! a saw-tooth of four L0 files). The scenario gives the live state only (`bytes_per_key` x
//! the keys a subtask has seen) and the simulator's LSM model (`model::backend::lsm`) adds
//! the versions from the writes (`bytes_per_key` per record) itself: taking the reported size
//! as live state counts them twice. So the importer inverts the model: a deterministic search
//! over `bytes_per_key` in which each step runs the backend model alone
//! ([`RocksDbFullBackend`] / [`RocksDbIncrementalBackend`]), driven as the simulation drives
//! it, and compares the mean state size of its checkpoints after the warm-up with the job's
//! (a saw-tooth's median is one of its levels). The same run says what the synchronous phase
//! flushes per checkpoint, which fits `flush_throughput`.

use crate::model::backend::rocksdb_full::RocksDbFullBackend;
use crate::model::backend::rocksdb_incremental::RocksDbIncrementalBackend;
use crate::model::backend::{BackendConfig, StateWrites};
use crate::time::{NS_PER_S, SimTime, ns_from_f64};

use super::super::fit::{mean, median};

/// How often the model is fed the writes between two checkpoints (the simulation feeds them
/// per batch of records; the LSM only sees their sum and the live state at each memtable
/// flush, so a finer step changes nothing but run time).
const FEED_STEP_S: f64 = 0.1;

/// The largest `bytes_per_key` a scenario accepts (`state.bytes_per_key`: at most 1GB).
const BYTES_PER_KEY_MAX: f64 = 1e9;
/// The smallest `bytes_per_key` the search tries.
const BYTES_PER_KEY_MIN: f64 = 1.0;
/// Where the search stops: a hundredth of a byte per key, the precision the scenario is written
/// with (`state.bytes_per_key` may be fractional; at 9 B per key, a whole byte is 11 %).
const BYTES_PER_KEY_RESOLUTION: f64 = 0.01;

/// One keyed RocksDB subtask as the simulation runs it: its keys drawn uniformly by the
/// records it processes, every record writing `bytes_per_key`, a checkpoint per interval.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RocksSubtask {
    /// The backend as the scenario configures it (memtable, compaction, incremental).
    pub cfg: BackendConfig,
    /// Distinct keys the subtask owns (the key space over the parallelism, hash-partitioned).
    pub keys: u64,
    /// Records it processes per second.
    pub records_per_s: f64,
    pub interval_s: f64,
    /// The scenario's `[simulation]` warm-up and duration: checkpoints in between count.
    pub warmup_s: f64,
    pub duration_s: f64,
}

/// What the backend model gives over the checkpoints after the warm-up (medians, but the state
/// size's mean: it saw-tooths with compaction, and a median is one of its levels).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ModelRun {
    /// `state_size` (every live SST and the misc files), the mean.
    pub state_size_bytes: f64,
    /// What the synchronous phase flushed: the memtable's bytes at the checkpoint.
    pub flushed_bytes: f64,
    /// The flush's CPU for its puts (`flush_cpu_per_entry` each), ms: not the bytes' part.
    pub flush_entry_cpu_ms: f64,
    /// The synchronous phase's part without a core: `native_checkpoint_time` plus the hard
    /// links (one per live SST).
    pub sync_wait_ms: f64,
    /// Checkpoints the medians are over.
    pub checkpoints: usize,
}

enum Model {
    Full(Box<RocksDbFullBackend>),
    Incremental(Box<RocksDbIncrementalBackend>),
}

impl RocksSubtask {
    /// Runs the backend model with `bytes_per_key`, whole bytes fed as the simulation feeds
    /// them (a fractional key's bytes add up, each step gets their whole part).
    pub(crate) fn run(&self, bytes_per_key: f64) -> ModelRun {
        let mut model = if self.cfg.incremental {
            Model::Incremental(Box::new(RocksDbIncrementalBackend::new(self.cfg, 0)))
        } else {
            Model::Full(Box::new(RocksDbFullBackend::new(self.cfg, 0)))
        };
        let keys = self.keys.max(1) as f64;
        // Expected distinct keys after n uniform draws over `keys`: keys (1 - (1 - 1/keys)^n).
        let miss = (1.0 - 1.0 / keys).ln();
        let distinct = |n: f64| {
            if keys <= 1.0 {
                keys.min(n)
            } else {
                keys * -(n * miss).exp_m1()
            }
        };
        let steps_per_interval = (self.interval_s / FEED_STEP_S).round().max(1.0) as u64;
        let step_s = self.interval_s / steps_per_interval as f64;
        let (mut records, mut written_records) = (0.0_f64, 0_u64);
        // Puts since the memtable's last flush, and the whole bytes of their distinct keys:
        // a flush writes each key's newest version only, as the simulation's does.
        let (mut since_flush, mut newest_so_far) = (0_u64, 0_u64);
        let flushes = |m: &Model| match m {
            Model::Full(b) => b.lsm().flushes(),
            Model::Incremental(b) => b.lsm().flushes(),
        };
        let (mut sizes, mut flushed, mut waits) = (Vec::new(), Vec::new(), Vec::new());
        let mut entry_cpu = Vec::new();
        let mut cid = 0;
        while (cid + 1) as f64 * self.interval_s <= self.duration_s {
            cid += 1;
            for _ in 0..steps_per_interval {
                records += self.records_per_s * step_s;
                let n = records.floor() as u64;
                // The memtable holds every version (the flush's work, which this derivation
                // reads back); its flush writes the distinct keys' newest versions.
                let bytes = whole_bytes(n, bytes_per_key) - whole_bytes(written_records, bytes_per_key);
                since_flush += n - written_records;
                let newest = (distinct(since_flush as f64) * bytes_per_key).floor() as u64;
                let written = StateWrites {
                    bytes,
                    puts: n - written_records,
                    newest_bytes: newest - newest_so_far,
                };
                newest_so_far = newest;
                written_records = n;
                let live = (distinct(n as f64).round() * bytes_per_key).round() as u64;
                let before = flushes(&model);
                match &mut model {
                    Model::Full(b) => b.on_state_change(written, live),
                    Model::Incremental(b) => b.on_state_change(written, live),
                }
                if flushes(&model) != before {
                    // A full memtable flushed: what follows starts a new one.
                    (since_flush, newest_so_far) = (0, 0);
                }
            }
            let now = SimTime(ns_from_f64(cid as f64 * self.interval_s * NS_PER_S as f64));
            let (memtable, cost) = match &mut model {
                Model::Full(b) => (b.lsm().memtable_writes(), b.snapshot(now, cid)),
                Model::Incremental(b) => {
                    let m = b.lsm().memtable_writes();
                    let c = b.snapshot(now, cid);
                    b.notify_checkpoint_complete(cid);
                    (m, c)
                }
            };
            // The native checkpoint flushed the memtable.
            (since_flush, newest_so_far) = (0, 0);
            if cid as f64 * self.interval_s >= self.warmup_s {
                sizes.push(cost.state_size as f64);
                flushed.push(memtable.bytes as f64);
                entry_cpu.push(memtable.puts as f64 * self.cfg.flush.ns_per_entry / 1e6);
                waits.push((cost.sync_ns + cost.sync_held_ns) as f64 / 1e6);
            }
        }
        ModelRun {
            state_size_bytes: mean(&sizes).unwrap_or(0.0),
            flushed_bytes: median(&flushed).unwrap_or(0.0),
            flush_entry_cpu_ms: median(&entry_cpu).unwrap_or(0.0),
            sync_wait_ms: median(&waits).unwrap_or(0.0),
            checkpoints: sizes.len(),
        }
    }

    /// The `bytes_per_key` whose model run's mean state size is nearest `target_bytes` (the
    /// job's mean per subtask), to a hundredth of a byte, and that run; `None` when the model
    /// cannot reach it (even 1 B per key gives more, or 1 GB less) or no checkpoint falls after
    /// the warm-up. Bisection on hundredths of a byte: the mean grows with `bytes_per_key`
    /// (live state, writes and the versions they leave all scale with it), and the nearer end
    /// is kept.
    pub(crate) fn invert(&self, target_bytes: f64) -> Option<(f64, ModelRun)> {
        let size = |b: f64| self.run(b).state_size_bytes;
        let mut lo = BYTES_PER_KEY_MIN;
        let smallest = self.run(lo);
        if smallest.checkpoints == 0 || smallest.state_size_bytes > target_bytes {
            return None;
        }
        // An upper bracket: the live state alone at the full key space reaches the target.
        let mut hi = (target_bytes / self.keys.max(1) as f64)
            .ceil()
            .clamp(2.0, BYTES_PER_KEY_MAX);
        while size(hi) < target_bytes {
            if hi == BYTES_PER_KEY_MAX {
                return None;
            }
            lo = hi;
            hi = (hi * 2.0).min(BYTES_PER_KEY_MAX);
        }
        // On a grid of hundredths, so that the result is one the scenario writes exactly.
        let grid = |b: f64| (b / BYTES_PER_KEY_RESOLUTION).round() as u64;
        let (mut lo_i, mut hi_i) = (grid(lo), grid(hi));
        while hi_i - lo_i > 1 {
            let mid = lo_i + (hi_i - lo_i) / 2;
            if size(mid as f64 * BYTES_PER_KEY_RESOLUTION) < target_bytes {
                lo_i = mid;
            } else {
                hi_i = mid;
            }
        }
        let (lo, hi) = (
            lo_i as f64 * BYTES_PER_KEY_RESOLUTION,
            hi_i as f64 * BYTES_PER_KEY_RESOLUTION,
        );
        let (rl, rh) = (self.run(lo), self.run(hi));
        if (target_bytes - rl.state_size_bytes).abs() <= (rh.state_size_bytes - target_bytes).abs() {
            Some((lo, rl))
        } else {
            Some((hi, rh))
        }
    }
}

/// The whole bytes `puts` writes of `bytes_per_key` each come to, counted from the first: a
/// fractional key's bytes add up and each step gets the whole bytes it completes.
fn whole_bytes(puts: u64, bytes_per_key: f64) -> u64 {
    (puts as f64 * bytes_per_key).floor() as u64
}

/// `flush_throughput` from the synchronous phase: the bytes the model flushes per checkpoint
/// over the job's median sync less what of it waits without a core (`native_checkpoint_time`
/// and the links, `run.sync_wait_ms`) and the puts' CPU (`run.flush_entry_cpu_ms`); `None` when
/// the data cannot support a fit (nothing flushed, or a sync no longer than those parts).
pub(crate) fn flush_throughput_bytes_per_s(run: &ModelRun, sync_ms: f64) -> Option<f64> {
    let cpu_ms = sync_ms - run.sync_wait_ms - run.flush_entry_cpu_ms;
    (run.flushed_bytes > 0.0 && cpu_ms > 0.0).then(|| run.flushed_bytes / cpu_ms * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::backend_config;
    use crate::scenario::schema::StateBackendCfg;

    /// i03's shape: 15 000 keys per subtask, 3 000 records/s, 1 s interval, 40 s run after
    /// 10 s of warm-up, Flink's default RocksDB options.
    fn subtask(incremental: bool) -> RocksSubtask {
        let cfg = StateBackendCfg {
            kind: crate::vocab::StateBackendKind::Rocksdb,
            incremental,
            ..StateBackendCfg::default()
        };
        RocksSubtask {
            cfg: backend_config(&cfg, 1),
            keys: 15_000,
            records_per_s: 3_000.0,
            interval_s: 1.0,
            warmup_s: 10.0,
            duration_s: 40.0,
        }
    }

    /// The model's mean state size for the found `bytes_per_key` is the target within a
    /// hundredth of a byte per key's worth; the old mapping (reported size x parallelism / keys,
    /// as if the reported size were live state) gives a model size far off the target (it
    /// counts the uncompacted versions twice), which this check catches: the negative control.
    #[test]
    fn inversion_reproduces_the_reported_size_where_the_old_mapping_inflates_it() {
        for incremental in [false, true] {
            let s = subtask(incremental);
            // A "real" job with 400 B per key: what Flink would report, per the model.
            let reported = s.run(400.0).state_size_bytes;
            assert!(
                reported > 15_000.0 * 400.0 * 1.2,
                "versions on top of the live state: {reported}"
            );
            let (bpk, run) = s.invert(reported).expect("reachable");
            let per_hundredth = s.run(bpk + 0.01).state_size_bytes - run.state_size_bytes;
            assert!(
                (run.state_size_bytes - reported).abs() <= per_hundredth.max(1.0),
                "incremental {incremental}: {bpk} B/key gives {} for {reported}",
                run.state_size_bytes
            );
            assert!(
                (bpk - 400.0).abs() <= 0.01,
                "incremental {incremental}: recovered {bpk} B/key"
            );
            // Negative control: the old mapping took the reported size as the live state.
            let old = (reported / s.keys as f64).round();
            let old_size = s.run(old).state_size_bytes;
            assert!(
                old_size / reported > 1.2,
                "incremental {incremental}: the old mapping's {old} B/key gives {old_size} for {reported}"
            );
        }
    }

    /// The flush fit inverts the model's synchronous cost: what the model flushes over a sync
    /// of `native_checkpoint_time` + links + the puts' CPU + flushed / throughput gives the
    /// throughput back; a sync no longer than the parts without the bytes cannot be fitted.
    #[test]
    fn flush_throughput_inverts_the_sync_phase() {
        let s = subtask(false);
        let run = s.run(400.0);
        assert!((run.flushed_bytes - 3_000.0 * 400.0).abs() <= 400.0, "{run:?}");
        assert!(run.sync_wait_ms >= 5.0, "native_checkpoint_time is part of it: {run:?}");
        let per_put_ms = s.cfg.flush.ns_per_entry / 1e6;
        assert!(
            (run.flush_entry_cpu_ms - 3_000.0 * per_put_ms).abs() <= per_put_ms,
            "the puts' part: 3 000 puts per interval at the default: {run:?}"
        );
        let fixed_ms = run.sync_wait_ms + run.flush_entry_cpu_ms;
        let sync_ms = fixed_ms + run.flushed_bytes / 100e6 * 1000.0;
        let fit = flush_throughput_bytes_per_s(&run, sync_ms).expect("fits");
        assert!((fit - 100e6).abs() < 1.0, "{fit}");
        assert_eq!(flush_throughput_bytes_per_s(&run, fixed_ms), None);
        assert_eq!(flush_throughput_bytes_per_s(&run, 3.0), None);
    }

    /// Same input, same answer: the search runs the model alone, with no randomness.
    #[test]
    fn inversion_is_deterministic() {
        let s = subtask(false);
        assert_eq!(s.invert(9.8e6), s.invert(9.8e6));
        assert_eq!(s.invert(1.0), None, "below the misc files: unreachable");
    }
}
