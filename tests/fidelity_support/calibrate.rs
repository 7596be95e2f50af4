//! Constants that no document gives and the table must not set: each is measured on a
//! dedicated calibration run (`c…` in `configs.tsv`), one value for every row of the table.
//!
//! Flink reports a subtask's start delay, alignment, sync and async durations floored to whole
//! ms (`ckptsim::metrics::flink_resolution`). Where one of them is used as a duration, it is
//! estimated by the middle of its millisecond; a difference of two such figures (the hand-off,
//! a trigger call's own part) or of two fits (the per-byte and per-entry costs) needs nothing,
//! the two halves cancel. End-to-end durations and the recovery timestamps are not floored.

use ckptsim::metrics::flink_resolution::unfloored_estimate_ms;

use super::configs::{Config, HarnessOptions};
use super::real::RealRuns;
use super::rocksdb_entry::{self, RocksdbEntry};

/// One calibrated constant, with where its value comes from.
#[derive(Clone, Debug)]
pub struct Constant {
    pub name: &'static str,
    pub value: f64,
    pub unit: &'static str,
    pub source: String,
}

/// The calibrated constants the translation uses.
#[derive(Clone, Debug)]
pub struct Calibration {
    /// Write throughput of the local checkpoint directory, bytes/s: the storage bandwidth of
    /// every scenario (a full RocksDB snapshot's asynchronous phase is its write).
    pub storage_bytes_per_s: f64,
    /// Heap snapshot serialization CPU per state entry, ns.
    pub heap_entry_cpu_ns: f64,
    /// Heap snapshot serialization CPU throughput beyond the per-entry cost, bytes/s.
    pub heap_serialize_bytes_per_s: f64,
    /// Asynchronous phase of an almost empty snapshot: the storage request latency, ms.
    pub storage_request_ms: f64,
    /// Start delay of a source subtask without backpressure: the trigger RPC, ms (median).
    pub rpc_ms: f64,
    /// The same, as a distribution: `(quantile, ms)` points of the start delays (the notify
    /// RPC's latency; the trigger's is split below).
    pub rpc_percentiles_ms: Vec<(f64, f64)>,
    /// The part of a source's start delay that every source of a checkpoint shares (the
    /// JobManager's trigger pipeline), `(quantile, ms)` points: c04's start delays (one source:
    /// the shared part plus one call's), each less the median of a call's own part.
    pub trigger_shared_percentiles_ms: Vec<(f64, f64)>,
    /// The part of each `triggerCheckpoint` call: a source's start delay beyond its
    /// checkpoint's earliest, `(quantile, ms)` points.
    pub trigger_call_percentiles_ms: Vec<(f64, f64)>,
    /// A source subtask's end-to-end duration beyond its start delay, sync and async phases:
    /// the acknowledgement RPC, `(quantile, ms)` points.
    pub ack_percentiles_ms: Vec<(f64, f64)>,
    /// A local channel's hand-off: from the source's barrier broadcast to the map's task
    /// thread reading it, `(quantile, ms)` points (the map's start delay minus its source's, per
    /// checkpoint, in the heap calibration runs).
    pub handoff_percentiles_ms: Vec<(f64, f64)>,
    /// Heap state per `ValueState<Long>` entry, bytes.
    pub long_entry_bytes: f64,
    /// Heap state per `ValueState<byte[N]>` entry beyond its N bytes, bytes.
    pub value_entry_overhead_bytes: f64,
    /// RocksDB's bytes on disk per `ValueState<byte[N]>` entry, a part per entry and a part per
    /// data block ([`super::rocksdb_entry`]).
    pub rocksdb_entry: RocksdbEntry,
    /// The job's start-up on the heap backend: from its start to its tasks running (its first
    /// checkpoint's trigger less the minimum pause), s; the median over the day's heap
    /// calibration runs: where ckptsim's clock starts, which the translated scenario's warm-up
    /// counts from ([`super::figures::sim_warmup_ms`]).
    pub startup_heap_s: f64,
    /// The same over the day's RocksDB calibration runs (each task opens its RocksDB instance
    /// before it runs).
    pub startup_rocksdb_s: f64,
    /// CPU time of one record in the chained map and sink, us (busy time over records).
    pub map_record_cpu_us: f64,
    /// CPU time of one record in the chained map and sink on RocksDB beyond its value's bytes,
    /// us ([`Calibration::rocksdb_map_cpu_us`]).
    pub rocksdb_map_record_cpu_us: f64,
    /// The same record's CPU per byte of its state value, ns: a `ValueState` read and write
    /// on RocksDB serializes and copies the value both ways.
    pub rocksdb_map_value_byte_cpu_ns: f64,
    /// CPU time of one record in the generator source, us.
    pub source_record_cpu_us: f64,
    /// RocksDB synchronous phase: the flush's CPU per byte written since the previous
    /// checkpoint, as bytes/s, beside its CPU per put (`rocksdb_flush_entry_cpu_ns`): the sync
    /// duration less the native checkpoint's fixed part (`state_backend.native_checkpoint_time`'s
    /// default, which the scenarios keep), solved over c03 (few large puts) and c07 (many small).
    pub rocksdb_flush_bytes_per_s: f64,
    /// RocksDB flush CPU per memtable put, ns (the same fit).
    pub rocksdb_flush_entry_cpu_ns: f64,
    /// A map subtask's exception to the job's RESTARTING: the task's cleanup and `FAILED`
    /// report, ms.
    pub task_failure_report_ms: f64,
    /// The job RUNNING again to every restarted map subtask open: slots, deployment, state
    /// restore of a small state, ms.
    pub deployment_ms: f64,
    /// A closed state file's fsync as the measuring pass sampled it (`real/fsync.csv`): the
    /// median of the samples' medians, ms, a lognormal sigma from their p10 and p90, and the
    /// number of samples. `None`: the pass did not sample it, and the `local-disk` profile's
    /// figure stands in (measured on another day).
    pub pass_fsync: Option<PassFsync>,
    /// A RocksDB instance's MANIFEST when it opens, bytes (c09).
    pub manifest_base_bytes: f64,
    /// What each SST file an instance writes adds to its MANIFEST, bytes (c09).
    pub manifest_bytes_per_file: f64,
}

/// This host's fsync as the measuring pass sampled it.
#[derive(Clone, Copy, Debug)]
pub struct PassFsync {
    pub median_ms: f64,
    pub sigma: f64,
    pub samples: usize,
}

impl PassFsync {
    /// The median of the samples' medians, and sigma = ln(p90 / p10) / (2 x 1.2816) (a
    /// lognormal's p10 and p90 lie 1.2816 sigma either side of its median), the median over
    /// the samples.
    pub fn of(samples: &[(f64, f64, f64)]) -> Option<PassFsync> {
        use ckptsim::metrics::calibration::percentile;
        let medians: Vec<f64> = samples.iter().map(|s| s.1).collect();
        let sigmas: Vec<f64> = samples.iter().map(|s| (s.2 / s.0).ln() / (2.0 * 1.2816)).collect();
        Some(PassFsync {
            median_ms: percentile(&medians, 0.5)?,
            sigma: percentile(&sigmas, 0.5)?,
            samples: samples.len(),
        })
    }
}

fn calibration_run<'a>(configs: &'a [Config], name: &str) -> (&'a Config, String) {
    let c = configs
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("calibration configuration {name} missing from configs.tsv"));
    (c, format!("{name}.r1"))
}

/// The median start-up of the named calibration runs: the first checkpoint's trigger after the
/// job's start, less the minimum pause (ckptsim triggers its first that long after its tasks
/// run, as Flink does).
fn median_startup_s(configs: &[Config], real: &RealRuns, names: &[&str]) -> f64 {
    let starts: Vec<f64> = names
        .iter()
        .map(|name| {
            let (c, run) = calibration_run(configs, name);
            let first = real.trigger_times_s(&run).into_iter().fold(f64::INFINITY, f64::min);
            assert!(first.is_finite(), "{run}: no checkpoint to time the job's start-up by");
            first - c.options.min_pause_ms as f64 / 1000.0
        })
        .collect();
    super::percentile(&starts, 0.5).expect("at least one calibration run")
}

/// Expected distinct keys among `records` uniform draws from `keys` keys.
fn distinct_keys(keys: u64, records: f64) -> f64 {
    keys as f64 * (1.0 - (-records / keys as f64).exp())
}

/// State bytes per key from the growth of the run's state: the harness's generator emits at
/// its rate from an unknown instant t0 after the job's start, so state(t) = b x distinct keys
/// among rate x (t - t0) records. Least squares over every completed checkpoint: b in closed
/// form for each t0 on a 10 ms grid over [-3 s, 5 s], the best pair kept. (Checked on the
/// calibration runs: t0 = 1.36 s and 1.35 s, residuals under 0.3 % of the state.)
fn state_bytes_per_key(real: &RealRuns, run: &str, c: &Config) -> f64 {
    let points = real.checkpoint_states(run);
    assert!(
        points.len() >= 5,
        "{run}: too few completed checkpoints to calibrate state size"
    );
    let mut best: Option<(f64, f64)> = None; // (squared error, bytes per key)
    for step in -300..=500 {
        let t0 = step as f64 / 100.0;
        let xs: Vec<f64> = points
            .iter()
            .map(|(t, _)| distinct_keys(c.options.keys, c.options.rate_per_s * (t - t0).max(0.0)))
            .collect();
        let sxx: f64 = xs.iter().map(|x| x * x).sum();
        if sxx == 0.0 {
            continue;
        }
        let b = points.iter().zip(&xs).map(|((_, s), x)| s * x).sum::<f64>() / sxx;
        let sse: f64 = points.iter().zip(&xs).map(|((_, s), x)| (s - b * x).powi(2)).sum();
        if best.is_none_or(|(e, _)| sse < e) {
            best = Some((sse, b));
        }
    }
    best.expect("a grid point with records").1
}

/// The quantiles an RPC latency is described by (an empirical distribution, linear between).
const RPC_QUANTILES: [f64; 7] = [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0];

/// `(q, x_q)` for each of `RPC_QUANTILES`, linear interpolation between order statistics.
pub(super) fn percentiles(mut xs: Vec<f64>, what: &str) -> Vec<(f64, f64)> {
    assert!(xs.len() >= 10, "calibration of {what}: only {} samples", xs.len());
    xs.sort_by(f64::total_cmp);
    RPC_QUANTILES
        .iter()
        .map(|&q| {
            let k = (xs.len() - 1) as f64 * q;
            let (lo, hi) = (k.floor() as usize, k.ceil() as usize);
            (q, xs[lo] + (xs[hi] - xs[lo]) * (k - lo as f64))
        })
        .collect()
}

/// `state_backend.native_checkpoint_time`'s default, ms: the part of the sync phase that is not
/// the flush's CPU.
fn native_fixed_ms() -> f64 {
    ckptsim::scenario::StateBackendCfg::default()
        .native_checkpoint_time
        .value
        / 1e6
}

/// A cost of `e` ns per entry and `b` ns per byte from two runs, each `(entries, bytes, ns)`:
/// the solution of `entries * e + bytes * b = ns` for both (they must differ in bytes per entry).
/// Both costs must come out positive, or the runs do not measure what the fit assumes.
fn per_entry_and_per_byte(one: (f64, f64, f64), two: (f64, f64, f64), what: &str) -> (f64, f64) {
    let ((n1, b1, t1), (n2, b2, t2)) = (one, two);
    let det = n1 * b2 - n2 * b1;
    let per_entry = (t1 * b2 - t2 * b1) / det;
    let per_byte = (n1 * t2 - n2 * t1) / det;
    assert!(
        per_entry > 0.0 && per_byte > 0.0,
        "{what} costs must come out positive: {per_entry} ns per entry, {per_byte} ns/B"
    );
    (per_entry, per_byte)
}

/// Bytes of the map's state value as RocksDB holds it: `--stateBytes N` is a `byte[N]`, 0 a
/// `Long` (8 bytes serialized).
pub fn value_bytes_of(o: &HarnessOptions) -> f64 {
    if o.state_bytes > 0 { o.state_bytes as f64 } else { 8.0 }
}

fn need(v: Option<f64>, what: &str) -> f64 {
    v.unwrap_or_else(|| panic!("calibration needs {what}, which the measurement lacks"))
}

impl Calibration {
    /// CPU of one record in the chained map and sink on RocksDB with the job's state values, us.
    pub fn rocksdb_map_cpu_us(&self, o: &HarnessOptions) -> f64 {
        self.rocksdb_map_record_cpu_us + self.rocksdb_map_value_byte_cpu_ns * value_bytes_of(o) / 1000.0
    }

    /// The job's start-up on `o`'s backend, s.
    pub fn startup_s(&self, o: &HarnessOptions) -> f64 {
        if o.rocksdb {
            self.startup_rocksdb_s
        } else {
            self.startup_heap_s
        }
    }

    pub fn measure(configs: &[Config], real: &RealRuns) -> Calibration {
        let (c01, r01) = calibration_run(configs, "c01_heap_bytes");
        let (c02, r02) = calibration_run(configs, "c02_heap_entries");
        let (c03, r03) = calibration_run(configs, "c03_rocks_bytes");
        let (_, r04) = calibration_run(configs, "c04_empty");
        let (c07, r07) = calibration_run(configs, "c07_rocks_entries");
        let (_, r05) = calibration_run(configs, "c05_failure");
        let (c08, r08) = calibration_run(configs, "c08_trigger_split");
        let (_, r09) = calibration_run(configs, "c09_rocks_manifest");
        let manifest = super::manifest_growth::measure(real, &r09);
        let state01 = need(real.summary(&r01, "state_size_b_median"), "c01 state size");
        let async01 = need(real.summary(&r01, "map_sub_async_ms_median"), "c01 async");
        let value_overhead = state_bytes_per_key(real, &r01, c01) - c01.options.state_bytes as f64;
        let busy_map = need(
            real.metric_mean(&r02, "stateful-map", "busyTimeMsPerSecond", "avg", real.warmup_s(&r02)),
            "c02 map busy time",
        );
        let busy_src = need(
            real.metric_mean(&r02, "Source", "busyTimeMsPerSecond", "avg", real.warmup_s(&r02)),
            "c02 source busy time",
        );
        let rate_in = need(real.summary(&r02, "map_records_in_per_s_mean"), "c02 map input rate");
        let rate_out = need(
            real.summary(&r02, "src_records_out_per_s_mean"),
            "c02 source output rate",
        );
        let p02 = c02.options.parallelism as f64;
        let storage_request_ms =
            unfloored_estimate_ms(need(real.summary(&r04, "map_sub_async_ms_median"), "c04 async"));
        // Each of c01-c03's snapshots closes its file with a sync (not so c04's, inlined): the
        // `local-disk` profile's, this host's fsync measured apart (tests/fidelity/probes), is
        // taken out of their async phases before the rest is solved for.
        let pass_fsync = PassFsync::of(&real.fsync_samples_ms());
        let sync_ms = pass_fsync.map_or_else(
            || {
                ckptsim::vocab::storage_profile_figures("local-disk")
                    .expect("the local-disk profile")
                    .sync_latency_ms_median
            },
            |f| f.median_ms,
        );
        let state03 = need(real.summary(&r03, "state_size_b_median"), "c03 state size");
        let async03 = need(real.summary(&r03, "map_sub_async_ms_median"), "c03 async");
        let async03 = unfloored_estimate_ms(async03);
        let storage_bytes_per_s = state03 / ((async03 - storage_request_ms - sync_ms) / 1000.0);
        // A heap snapshot's asynchronous phase: the request latency, the serialization (CPU:
        // e per entry + b per byte), the write. Two runs, two unknowns: c01 (few large
        // entries) and c02 (many small ones).
        let long_entry_bytes = state_bytes_per_key(real, &r02, c02);
        let state02 = need(real.summary(&r02, "state_size_b_median"), "c02 state size");
        let async02 = unfloored_estimate_ms(need(real.summary(&r02, "map_sub_async_ms_median"), "c02 async"));
        let async01 = unfloored_estimate_ms(async01);
        let serialize_ns = |async_ms: f64, state: f64| {
            (async_ms - storage_request_ms - sync_ms) * 1e6 - state / storage_bytes_per_s * 1e9
        };
        let (n1, b1, t1) = (
            state01 / (c01.options.state_bytes as f64 + value_overhead),
            state01,
            serialize_ns(async01, state01),
        );
        let (n2, b2, t2) = (state02 / long_entry_bytes, state02, serialize_ns(async02, state02));
        let (heap_entry_cpu_ns, heap_byte_cpu_ns) =
            per_entry_and_per_byte((n1, b1, t1), (n2, b2, t2), "heap serialization");
        // The RPCs, from the near-empty run's source subtasks after the warm-up: the trigger is
        // its start delay; what its end-to-end duration holds beyond its start delay, sync and
        // async phases is the acknowledgement. At parallelism 1 the source is each checkpoint's
        // first subtask to be ready, whose acknowledgement finds the JobMaster's main thread
        // idle: the wake-up the model draws (later ones share it, `rpc.rs`).
        let c04_sources = real.subtask_rows(&r04, "Source", real.warmup_s(&r04));
        let column = |r: &std::collections::BTreeMap<String, f64>, c: &str| r.get(c).copied().unwrap_or(0.0);
        let rpc_percentiles_ms = percentiles(
            c04_sources
                .iter()
                .map(|r| unfloored_estimate_ms(column(r, "start_delay_ms")))
                .collect(),
            "c04 source start delay",
        );
        let ack_percentiles_ms = percentiles(
            c04_sources
                .iter()
                .map(|r| {
                    (column(r, "end_to_end_ms")
                        - unfloored_estimate_ms(column(r, "start_delay_ms"))
                        - unfloored_estimate_ms(column(r, "sync_ms"))
                        - unfloored_estimate_ms(column(r, "async_ms")))
                    .max(0.0)
                })
                .collect(),
            "c04 source acknowledgement",
        );
        // The barrier's hand-off from source to map on a local channel: in the heap
        // calibration runs (parallelism 1, one TaskManager) the map's start delay minus its
        // source's, per checkpoint. The map's records ahead of the barrier cost under 0.1 ms
        // there (at most 100 ms of one subpartition's records at c02's CPU per record), so the
        // difference is the hand-off: the subpartition's notification reaching the map's
        // task thread and its mailbox resuming the input (both timestamps are whole ms, which
        // leaves the mean of the difference unbiased).
        let mut handoff = Vec::new();
        for run in [&r01, &r02, &r04, &r05] {
            let cut = real.warmup_s(run);
            let by_checkpoint = |vertex: &str| -> std::collections::BTreeMap<u64, f64> {
                real.subtask_rows(run, vertex, cut)
                    .iter()
                    .map(|r| (column(r, "checkpoint_id") as u64, column(r, "start_delay_ms")))
                    .collect()
            };
            let sources = by_checkpoint("Source");
            for (id, map) in by_checkpoint("stateful-map") {
                if let Some(src) = sources.get(&id) {
                    handoff.push((map - src).max(0.0));
                }
            }
        }
        let handoff_percentiles_ms = percentiles(handoff, "heap calibration runs' source-to-map hand-off");
        let split = super::trigger_split::measure(real, &r08, c08.options.parallelism, real.warmup_s(&r08));
        // A source's start delay splits into what every source of the checkpoint waits for and
        // what its own call adds. c08 (4 sources) shows the second as each source's delay beyond
        // the checkpoint's earliest: a median of 1 ms against 4 ms of start delay, so most of
        // the trigger's latency is the JobManager's pipeline, which every source shares. c08's
        // level is not the other runs' (4 sources on 2 TaskManagers at 250 records/s each start
        // later than c04's one, 4 ms against 2 at the median), so the shared part keeps c04's
        // level: its start delays less the median call part, floored at 0.
        let trigger_call_percentiles_ms = percentiles(split.per_call_ms, "c08 source start delay beyond the earliest");
        // The map's task thread on RocksDB: busy time per record, less the synchronous
        // phase's share of it (the task thread is busy for the whole native checkpoint, once
        // an interval), at two value sizes: c03's 1000 B values and c07's Longs. Taken from
        // c03 alone it charged every record 1000 B's worth and the flush beside it, and a map
        // at 5000 records/s then needed 5 ms for the records a barrier waits behind, where
        // Flink's needs 1 (the held-out shape h05, tests/fidelity/holdout).
        let rocks_map_point = |c: &Config, run: &str| {
            let busy = need(
                real.metric_mean(run, "stateful-map", "busyTimeMsPerSecond", "avg", real.warmup_s(run)),
                "RocksDB map busy time",
            );
            let rate = need(real.summary(run, "map_records_in_per_s_mean"), "RocksDB map input rate")
                / c.options.parallelism as f64;
            let sync = unfloored_estimate_ms(need(real.summary(run, "map_sub_sync_ms_median"), "RocksDB sync"));
            let checkpoints_per_s = 1000.0 / c.options.interval_ms as f64;
            (
                value_bytes_of(&c.options),
                1000.0 * (busy - sync * checkpoints_per_s) / rate,
            )
        };
        let (bytes03, us03) = rocks_map_point(c03, &r03);
        let (bytes07, us07) = rocks_map_point(c07, &r07);
        let rocks_map_byte_us = (us03 - us07) / (bytes03 - bytes07);
        assert!(
            rocks_map_byte_us >= 0.0 && us07 > rocks_map_byte_us * bytes07,
            "RocksDB map cost: c03 {us03:.2} us at {bytes03} B, c07 {us07:.2} us at {bytes07} B"
        );
        // The flush: a CPU cost per put and per byte of the memtable, from two runs at
        // parallelism 1 (nothing else queues for the flush thread): c03 (2 k puts of 1 kB per
        // interval) and c07 (10 k puts of a Long).
        let flush_point = |c: &Config, run: &str, bytes_per_put: f64| {
            let sync = unfloored_estimate_ms(need(real.summary(run, "map_sub_sync_ms_median"), "RocksDB sync"));
            let puts = c.options.rate_per_s * (c.options.interval_ms as f64 / 1000.0) / c.options.parallelism as f64;
            (puts, puts * bytes_per_put, (sync - native_fixed_ms()) * 1e6)
        };
        // The flush's bytes are the memtable's, c03's entries as large as on disk (the entry
        // size is fitted below, and sizes do not depend on the flush's cost); c07's Long
        // entries keep the heap's size, as RocksDB's own for them is not measured.
        let flush_fit = |c03_bytes_per_put: f64| {
            let (n3, b3, t3) = flush_point(c03, &r03, c03_bytes_per_put);
            let (n7, b7, t7) = flush_point(c07, &r07, long_entry_bytes);
            per_entry_and_per_byte((n3, b3, t3), (n7, b7, t7), "RocksDB flush")
        };
        let (rocksdb_flush_entry_cpu_ns, flush_byte_cpu_ns) =
            flush_fit(c03.options.state_bytes as f64 + value_overhead);
        let mut cal = Calibration {
            storage_bytes_per_s,
            heap_entry_cpu_ns,
            heap_serialize_bytes_per_s: 1e9 / heap_byte_cpu_ns,
            storage_request_ms,
            rpc_ms: unfloored_estimate_ms(need(
                real.summary(&r04, "src_sub_start_delay_ms_median"),
                "c04 source start delay",
            )),
            trigger_shared_percentiles_ms: rpc_percentiles_ms
                .iter()
                .map(|&(q, ms)| (q, (ms - trigger_call_percentiles_ms[3].1).max(0.0)))
                .collect(),
            trigger_call_percentiles_ms,
            rpc_percentiles_ms,
            ack_percentiles_ms,
            handoff_percentiles_ms,
            long_entry_bytes,
            value_entry_overhead_bytes: value_overhead,
            rocksdb_entry: RocksdbEntry::flat(value_overhead),
            startup_heap_s: median_startup_s(
                configs,
                real,
                &[
                    "c01_heap_bytes",
                    "c02_heap_entries",
                    "c04_empty",
                    "c05_failure",
                    "c08_trigger_split",
                ],
            ),
            startup_rocksdb_s: median_startup_s(
                configs,
                real,
                &["c03_rocks_bytes", "c07_rocks_entries", "c09_rocks_manifest"],
            ),
            // busy ms per second over records per second and subtask: ms per record.
            map_record_cpu_us: 1000.0 * busy_map / (rate_in / p02),
            source_record_cpu_us: 1000.0 * busy_src / (rate_out / p02),
            rocksdb_map_record_cpu_us: us07 - rocks_map_byte_us * bytes07,
            rocksdb_map_value_byte_cpu_ns: 1000.0 * rocks_map_byte_us,
            rocksdb_flush_bytes_per_s: 1e9 / flush_byte_cpu_ns,
            rocksdb_flush_entry_cpu_ns,
            task_failure_report_ms: need(
                real.recovery(&r05, "fail_to_job_RESTARTING_ms"),
                "c05 failure to RESTARTING",
            ),
            deployment_ms: need(
                real.recovery(&r05, "fail_to_all_map_subtasks_open_ms"),
                "c05 failure to every map subtask open",
            ) - need(
                real.recovery(&r05, "fail_to_job_RUNNING_again_ms"),
                "c05 failure to RUNNING again",
            ),
            pass_fsync,
            manifest_base_bytes: manifest.base_bytes,
            manifest_bytes_per_file: manifest.per_file_bytes,
        };
        let bytes03 = rocksdb_entry::bytes_per_entry(&cal, c03, real, &r03);
        let probe = super::suite_dir().join(rocksdb_entry::PROBE_DIR);
        let probe_configs = super::configs::load_from(&probe.join("configs.tsv"));
        let (e1, run1) = calibration_run(&probe_configs, rocksdb_entry::SECOND_SIZE_RUN);
        let bytes_e1 = rocksdb_entry::bytes_per_entry(&cal, e1, &RealRuns::load(&probe.join("real")), &run1);
        cal.rocksdb_entry = RocksdbEntry::solve(
            (c03.options.state_bytes as f64, bytes03),
            (e1.options.state_bytes as f64, bytes_e1),
        );
        let (entry_ns, byte_ns) = flush_fit(bytes03);
        cal.rocksdb_flush_entry_cpu_ns = entry_ns;
        cal.rocksdb_flush_bytes_per_s = 1e9 / byte_ns;
        cal
    }

    /// The constants with their sources, for the test to print.
    pub fn constants(&self) -> Vec<Constant> {
        let c = |name, value, unit, source: &str| Constant {
            name,
            value,
            unit,
            source: source.to_string(),
        };
        vec![
            c(
                "storage.bandwidth (local checkpoint directory)",
                self.storage_bytes_per_s / 1e6,
                "MB/s",
                "c03_rocks_bytes: median state size / (median map async - c04 request latency - the closed file's sync): a full RocksDB snapshot's write",
            ),
            match self.pass_fsync {
                Some(f) => c(
                    "storage.sync_latency (median)",
                    f.median_ms,
                    "ms",
                    &format!(
                        "real/fsync.csv: this host's fsync of a 170 kB file, one writer, sampled {} times in the measuring pass (lognormal sigma {:.2} from p10 and p90)",
                        f.samples, f.sigma
                    ),
                ),
                None => c(
                    "storage.sync_latency (median)",
                    ckptsim::vocab::storage_profile_figures("local-disk")
                        .expect("the local-disk profile")
                        .sync_latency_ms_median,
                    "ms",
                    "the local-disk profile's (measured on another day: the pass has no real/fsync.csv)",
                ),
            },
            c(
                "state_backend.heap_serialize_per_entry",
                self.heap_entry_cpu_ns,
                "ns",
                "c01_heap_bytes + c02_heap_entries: median map async - request latency - write - sync, solved for a cost per entry and per byte",
            ),
            c(
                "state_backend.heap_serialize_bandwidth",
                self.heap_serialize_bytes_per_s / 1e6,
                "MB/s",
                "c01_heap_bytes + c02_heap_entries: the per-byte part of the same fit",
            ),
            c(
                "storage.request_latency",
                self.storage_request_ms,
                "ms",
                "c04_empty: median map async duration of a near-empty snapshot, + 0.5 ms (Flink reports it floored to whole ms)",
            ),
            c(
                "cluster.rpc_latency (notify)",
                self.rpc_ms,
                "ms",
                "c04_empty: source start delay after the warm-up (trigger to the source's snapshot), each + 0.5 ms (reported floored); median shown, the empirical distribution (p0/p10/p25/p50/p75/p90/p100) is used",
            ),
            c(
                "checkpoint.trigger_latency (shared by a checkpoint's sources)",
                self.trigger_shared_percentiles_ms[3].1,
                "ms",
                "c04_empty's source start delay, each point less the median of the call's own part below (so that the two add up to c04's level): the part of the trigger every source of a checkpoint waits for; median shown, the empirical distribution is used",
            ),
            c(
                "cluster.trigger_rpc_latency (each call)",
                self.trigger_call_percentiles_ms[3].1,
                "ms",
                "c08_trigger_split (4 sources on 2 TaskManagers): a source's start delay beyond its checkpoint's earliest, after the warm-up; median shown, the empirical distribution is used",
            ),
            c(
                "cluster.acknowledge_rpc_latency",
                self.ack_percentiles_ms[3].1,
                "ms",
                "c04_empty: source end-to-end - start delay - sync - async after the warm-up, each of the last three + 0.5 ms (reported floored; end-to-end is not); median shown, the empirical distribution is used",
            ),
            c(
                "network.local_latency (source-to-map hand-off)",
                self.handoff_percentiles_ms[3].1,
                "ms",
                "c01, c02, c04, c05 (heap, one TaskManager): map start delay - source start delay per checkpoint; median shown, the empirical distribution is used",
            ),
            c(
                "state per ValueState<Long> entry",
                self.long_entry_bytes,
                "B",
                "c02_heap_entries: state size against distinct keys touched, least squares",
            ),
            c(
                "state per ValueState<byte[N]> entry beyond N",
                self.value_entry_overhead_bytes,
                "B",
                "c01_heap_bytes: state size against distinct keys touched, least squares, minus 1000 B",
            ),
            c(
                "RocksDB bytes on disk per entry beyond its value",
                self.rocksdb_entry.per_entry_bytes,
                "B",
                "c03_rocks_bytes (1000 B values) + probes/rocksdb_entry_size e1 (250 B, another boot: sizes do not depend on the host): the entry sizes at which each simulated run holds its measured mean state size over the same checkpoints, solved for a part per entry and one per data block",
            ),
            c(
                "RocksDB bytes on disk per data block beyond its entries",
                self.rocksdb_entry.per_block_bytes,
                "B",
                "the same fit: a 4 KiB block holds 4 entries of 1000 B, 15 of 250 B (RocksDB's block_size, block_size_deviation 10)",
            ),
            c(
                "RocksDB bytes per restart point past a data block's first",
                self.rocksdb_entry.per_restart_point_bytes,
                "B",
                "the key format, not fitted: 4 B in the restart array and the 7 B of key its entry stores whole (probes/rocksdb_entry_size/shared_key_bytes.py); blocks of more than 16 entries (block_restart_interval), e.g. 18 of 200 B; checked on e3 (150 B values)",
            ),
            c(
                "the job's start-up, heap",
                self.startup_heap_s * 1000.0,
                "ms",
                "c01, c02, c04, c05, c08: the first checkpoint's trigger after the job's start, median; the translated scenarios' warm-up is the harness's less it (the comparison takes each run's own)",
            ),
            c(
                "the job's start-up, RocksDB",
                self.startup_rocksdb_s * 1000.0,
                "ms",
                "c03, c07, c09: the same",
            ),
            c(
                "map + sink CPU per record",
                self.map_record_cpu_us,
                "us",
                "c02_heap_entries: map busyTimeMsPerSecond / map records in per second and subtask",
            ),
            c(
                "map + sink CPU per record on RocksDB",
                self.rocksdb_map_record_cpu_us,
                "us",
                "c03_rocks_bytes + c07_rocks_entries: map busyTimeMsPerSecond less the sync phase's, per record, at two value sizes",
            ),
            c(
                "map + sink CPU per byte of the value on RocksDB",
                self.rocksdb_map_value_byte_cpu_ns,
                "ns",
                "c03_rocks_bytes + c07_rocks_entries: the same line's slope",
            ),
            c(
                "source CPU per record",
                self.source_record_cpu_us,
                "us",
                "c02_heap_entries: source busyTimeMsPerSecond / records out per second and subtask",
            ),
            c(
                "state_backend.flush_throughput (RocksDB flush CPU)",
                self.rocksdb_flush_bytes_per_s / 1e6,
                "MB/s",
                "c03_rocks_bytes + c07_rocks_entries: median map sync + 0.5 ms (reported floored) - native_checkpoint_time default, solved for a cost per put and per byte written in the interval",
            ),
            c(
                "state_backend.flush_cpu_per_entry (RocksDB flush CPU per put)",
                self.rocksdb_flush_entry_cpu_ns,
                "ns",
                "c03_rocks_bytes + c07_rocks_entries: the per-put part of the same fit",
            ),
            c(
                "recovery.task_failure_report_delay",
                self.task_failure_report_ms,
                "ms",
                "c05_failure: the map's exception to the job's RESTARTING (REST job timestamps)",
            ),
            c(
                "RocksDB MANIFEST at open",
                self.manifest_base_bytes,
                "B",
                "c09_rocks_manifest: the live MANIFEST's size against the SST files the run had uploaded into shared/ by then, least squares: the intercept",
            ),
            c(
                "RocksDB MANIFEST per SST file written",
                self.manifest_bytes_per_file,
                "B",
                "c09_rocks_manifest: the slope of the same fit (a flush's or a compaction's version edit per file; the model's constants, rounded)",
            ),
            c(
                "recovery.deployment_time",
                self.deployment_ms,
                "ms",
                "c05_failure: the job RUNNING again to every restarted map subtask open",
            ),
        ]
    }
}
