//! Every threshold the verdict judges by, with where it comes from. Change one here and the
//! README's table of them (section "The verdict") with it.

/// A source whose input lag stays under this at the end of the run keeps up (ms). One second:
/// below it the lag is queueing noise and a first checkpoint's alignment, not a trend.
pub const LAG_OK_MS: f64 = 1000.0;

/// Over the last half of the measured window, a lag that grows faster than this (seconds of lag
/// per second of run) means the job does not keep up with its input: at 1 % the job falls 15
/// minutes behind a day, which no one running it would call keeping up.
pub const LAG_GROWTH_LIMIT: f64 = 0.01;

/// A rate-limited generator (which has no lag) held below this share of its limit is throttled
/// by backpressure: the same 1 % shortfall as `LAG_GROWTH_LIMIT` (a log source fed at that rate
/// would fall behind by 1 % of each second).
pub const GENERATOR_FULL_SHARE: f64 = 1.0 - LAG_GROWTH_LIMIT;

/// p99 end-to-end duration above this share of `execution.checkpointing.timeout` is a warning:
/// a slowdown of 2x (a traffic spike, a slower storage) would make checkpoints expire.
pub const TIMEOUT_SHARE_WARNING: f64 = 0.5;

/// How far ckptsim's checkpoint durations may be from Flink's: the real-Flink fidelity suite's
/// tolerance on the p50 end to end (`tests/fidelity_support/compare.rs`). A completed
/// checkpoint within this of the timeout could have expired in Flink, and one that expired
/// could have completed.
pub const FIDELITY_TOLERANCE: f64 = 0.25;

/// Flink's synchronous phase over ckptsim's, RocksDB with two instances on one TaskManager: the
/// lowest and highest of the fidelity suite's eight figures (rows f12 and f13, the p50 of the
/// map subtasks' sync phase on each of the four days, 2026-12-03 to 12-07; ckptsim 0.47-0.79 of
/// Flink's). Measured on one 2-core host with a local ext4 disk, at 6,000 records/s a subtask.
pub const FLINK_OVER_CKPTSIM_SYNC: (f64, f64) = (1.27, 2.13);

/// Share of the run with a checkpoint in progress above which checkpointing never rests: the
/// next trigger waits for the previous checkpoint (max-concurrent-checkpoints 1).
pub const BUSY_CHECKPOINTING_WARNING: f64 = 0.5;

/// Flink's web UI back-pressure levels (`backPressuredTimeMsPerSecond` / 1000): OK up to 10 %,
/// LOW up to 50 %, HIGH above (Flink docs, "Monitoring Back Pressure").
pub const BACK_PRESSURE_LOW: f64 = 0.10;
pub const BACK_PRESSURE_HIGH: f64 = 0.50;

/// Spare throughput (capacity over input, minus one) under which recovery is slow: at 25 % the
/// backlog of one second of outage takes four seconds to work off.
pub const HEADROOM_WARNING: f64 = 0.25;

/// A subtask near its capacity (spare throughput under `HEADROOM_WARNING`) that spends this
/// share of its busy time runnable without a core is limited by its TaskManagers' cores: the
/// cores cost it a tenth of its throughput (with a core whenever it is runnable it would do
/// `1 / (1 - 0.1)` = 1.11x the work). A choice, not a measurement: below it the remedy for a
/// subtask at capacity is still more parallelism, which Flink's web UI suggests; above it more
/// subtasks on the same cores would mostly add threads to share them.
pub const CORE_WAIT_SHARE: f64 = 0.1;

/// The fast path (`simulation.records_per_bundle`): a barrier or a record can wait behind one
/// bundle in service, so timings move by up to a bundle's service time. Above 1 ms, the
/// resolution of Flink's REST checkpoint statistics, that is visible in what the run reports
/// (the bundled scenarios whose bundles took 3-64 ms moved their checkpoint durations or
/// latencies by 7-150 %; `cargo bench --bench fast_path`).
pub const BUNDLE_SERVICE_WARNING_MS: f64 = 1.0;
