//! A configuration of the harness written as a ckptsim scenario: the job's documented inputs
//! (rates, record and state sizes, per-record costs, cluster shape, Flink's defaults as the
//! harness sets them) plus the calibrated constants, never a value taken from the table.
//!
//! The job is the harness's: `Source: gen -> keyBy -> stateful-map -> discard: Writer`, a
//! rate-limited generator (`connector = "datagen"`), a keyed map and a `DiscardingSink`
//! (`delivery_guarantee = "none"`) joined by a forward edge, so chained into one task by default
//! and two tasks under `--chain false` (`[pipeline] operator_chaining = false`, as the harness's
//! `disableOperatorChaining()`). Channels between subtasks of one TaskManager are local ones.
//!
//! What the scenario cannot say yet is said in its comments: no network threads (netty's work
//! is not on the cores). The real runs are a MiniCluster on a 2-core host: every TaskManager's
//! threads share those 2 cores.

use std::fmt::Write;

use super::calibrate::Calibration;
use super::configs::Config;

/// Cores of the host the real runs had (`run-info.txt`: host_cpus=2).
const HOST_CORES: u32 = 2;

/// The map operator's name in every scenario, as the harness names it.
pub const MAP: &str = "stateful-map";
pub const SOURCE: &str = "gen";
/// The `DiscardingSink`, named `discard` (its writer shows as `discard: Writer`).
pub const SINK: &str = "discard";

/// Whether `task` (a vertex name in the run's output) is the task running the map: the chain
/// `stateful-map -> discard: Writer`, or the map alone when chaining is off.
pub fn is_map_task(task: &str) -> bool {
    task == MAP || task.strip_prefix(MAP).is_some_and(|rest| rest.starts_with(" -> "))
}

/// Bytes of a record on the wire besides its payload: `{long key, long seq, long ts, byte[]}`
/// serialized (the harness README: "about 46 + payload bytes").
const RECORD_OVERHEAD_BYTES: u64 = 46;

/// Where a translated scenario comes from, as its header says: which test writes it from which
/// list of configurations, and where the runs it is compared with are.
pub struct Origin {
    /// The header's first words, before the configuration's name.
    pub title: &'static str,
    /// The test (`tests/<test>.rs`) that writes and checks the scenario.
    pub test: &'static str,
    pub configs: &'static str,
    /// The variable that makes the test rewrite it.
    pub write_env: &'static str,
    pub real_dir: &'static str,
}

/// The fidelity suite's rows.
pub const SUITE: Origin = Origin {
    title: "Real-Flink fidelity suite, configuration",
    test: "fidelity",
    configs: "tests/fidelity/configs.tsv",
    write_env: "FIDELITY_WRITE",
    real_dir: "tests/fidelity/real",
};

/// The scenario text for `cfg`, simulated for `duration_s` (long enough to trigger as many
/// checkpoints as the real run did), its statistics cut at the real runs' `warmup_s`: a row of
/// the suite.
pub fn scenario_toml(cfg: &Config, cal: &Calibration, duration_s: u64, warmup_s: u64) -> String {
    scenario_toml_from(&SUITE, cfg, cal, duration_s, warmup_s)
}

/// [`scenario_toml`] with another origin in its header.
pub fn scenario_toml_from(origin: &Origin, cfg: &Config, cal: &Calibration, duration_s: u64, warmup_s: u64) -> String {
    let o = &cfg.options;
    let p = o.parallelism;
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "# {} `{}`: {}.", origin.title, cfg.name, cfg.about);
    let _ = writeln!(
        w,
        "# Written by tests/{}.rs from {} (harness options:",
        origin.test, origin.configs
    );
    let _ = writeln!(w, "# {}) and the calibrated constants it prints;", cfg.args);
    let _ = writeln!(
        w,
        "# regenerate with {}=1 cargo test --release --test {}.",
        origin.write_env, origin.test
    );
    let _ = writeln!(
        w,
        "# Measured: {}/{}.r*/ (Flink 2.3.0 MiniCluster on 2 cores).",
        origin.real_dir, cfg.name
    );
    let _ = writeln!(w);
    let _ = writeln!(w, "description = \"{}\"", cfg.about.replace('"', "'"));
    let _ = writeln!(w);
    let _ = writeln!(w, "[simulation]");
    let _ = writeln!(
        w,
        "duration = \"{duration_s}s\"       # as many checkpoints as the real run triggered"
    );
    let startup_s = cal.startup_s(o);
    let _ = writeln!(
        w,
        "warmup = \"{:.0}ms\"        # the harness's WARMUP ({warmup_s} s after the job's start) less the job's start-up ({:.0} ms, calibrated on the {} calibration runs): ckptsim's clock starts with the tasks running",
        super::figures::sim_warmup_ms(warmup_s as f64, startup_s),
        1000.0 * startup_s,
        if o.rocksdb { "RocksDB" } else { "heap" }
    );
    let _ = writeln!(w, "seed = 1");
    let _ = writeln!(w);
    let _ = writeln!(w, "[checkpoint]");
    let _ = writeln!(w, "interval = \"{}ms\"       # --cpIntervalMs", o.interval_ms);
    let _ = writeln!(w, "timeout = \"{}ms\"      # --cpTimeoutMs", o.timeout_ms);
    let _ = writeln!(w, "min_pause = \"{}ms\"      # --minPauseMs", o.min_pause_ms);
    let _ = writeln!(
        w,
        "tolerable_failed = 1000   # the harness sets 1000 tolerable failed checkpoints"
    );
    let _ = writeln!(
        w,
        "trigger_latency = {}  # calibrated: c04_empty source start delay (+ 0.5 ms: Flink floors it) less c08's median call part (the JobManager's trigger pipeline, shared by every source)",
        empirical_ms(&cal.trigger_shared_percentiles_ms)
    );
    if o.unaligned {
        let _ = writeln!(w, "unaligned = true          # --unaligned");
        let _ = writeln!(
            w,
            "aligned_checkpoint_timeout = \"{}ms\"  # --alignedTimeoutMs",
            o.aligned_timeout_ms
        );
    }
    let _ = writeln!(w);
    if !o.chain {
        let _ = writeln!(w, "[pipeline]");
        let _ = writeln!(
            w,
            "operator_chaining = false  # --chain false (disableOperatorChaining)"
        );
        let _ = writeln!(w);
    }
    let _ = writeln!(w, "[cluster]");
    let _ = writeln!(w, "taskmanagers = {}          # --tms", o.tms);
    let _ = writeln!(
        w,
        "slots_per_taskmanager = {}  # P / tms: subtask i of source and map share a slot",
        p.div_ceil(o.tms)
    );
    let _ = writeln!(
        w,
        "taskmanagers_per_host = {}  # a MiniCluster: every TaskManager in one JVM on one host",
        o.tms
    );
    let _ = writeln!(
        w,
        "cores_per_taskmanager = {}  # the host's {HOST_CORES} cores, shared",
        HOST_CORES as f64 / o.tms as f64
    );
    let _ = writeln!(
        w,
        "rpc_latency = {}  # calibrated: c04_empty source start delay + 0.5 ms, as Flink floors it (the notify RPC alike)",
        empirical_ms(&cal.rpc_percentiles_ms)
    );
    let _ = writeln!(
        w,
        "trigger_rpc_latency = {}  # calibrated: c08_trigger_split source start delay beyond its checkpoint's earliest",
        empirical_ms(&cal.trigger_call_percentiles_ms)
    );
    let _ = writeln!(
        w,
        "acknowledge_rpc_latency = {}  # calibrated: c04_empty source e2e - start delay - sync - async, the last three + 0.5 ms each (floored by Flink)",
        empirical_ms(&cal.ack_percentiles_ms)
    );
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "[network]                  # Flink's defaults (32 KiB segments, 2 exclusive, 8 floating, 10 per subpartition)"
    );
    let _ = writeln!(
        w,
        "buffer_timeout = \"{}ms\"    # --bufferTimeoutMs",
        o.buffer_timeout_ms
    );
    let _ = writeln!(
        w,
        "input_handoff_latency = {}  # calibrated: c01/c02/c04/c05 map start delay - source start delay",
        empirical_ms(&cal.handoff_percentiles_ms)
    );
    if o.debloat {
        let _ = writeln!(
            w,
            "debloat = {{ enabled = true }}  # --debloat (Flink's default target 1 s, period 200 ms)"
        );
    }
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "[storage]                  # a local checkpoint directory (`file://`) on this host"
    );
    let _ = writeln!(w, "profile = \"local-disk\"");
    let _ = writeln!(
        w,
        "request_latency = \"{:.3}ms\"  # calibrated: c04_empty async phase + 0.5 ms (floored by Flink)",
        cal.storage_request_ms
    );
    let mbps = cal.storage_bytes_per_s / 1e6;
    let _ = writeln!(
        w,
        "bandwidth = \"{mbps:.1}MB/s\"      # calibrated: c03_rocks_bytes write throughput"
    );
    let _ = writeln!(w, "per_request_bandwidth = \"{mbps:.1}MB/s\"");
    match cal.pass_fsync {
        Some(f) => {
            let _ = writeln!(
                w,
                "sync_latency = {{ dist = \"lognormal\", median = \"{:.3}ms\", sigma = {:.2} }}  # measured in the same pass: this host's fsync of a 170 kB file (real/fsync.csv)",
                f.median_ms, f.sigma
            );
        }
        None => {
            let _ = writeln!(
                w,
                "# sync_latency: the local-disk profile's, this host's fsync of a closed state file, measured apart (tests/fidelity/probes)"
            );
        }
    }
    let _ = writeln!(w);
    let _ = writeln!(w, "[state_backend]");
    if o.rocksdb {
        let _ = writeln!(w, "kind = \"rocksdb\"            # --backend rocksdb");
        let _ = writeln!(w, "incremental = {}         # --incremental", o.incremental);
        let _ = writeln!(
            w,
            "flush_throughput = \"{:.1}MB/s\"  # calibrated: c03_rocks_bytes + c07_rocks_entries flush CPU per byte",
            cal.rocksdb_flush_bytes_per_s / 1e6
        );
        let _ = writeln!(
            w,
            "flush_cpu_per_entry = \"{:.1}ns\"  # calibrated: c03_rocks_bytes + c07_rocks_entries flush CPU per put",
            cal.rocksdb_flush_entry_cpu_ns
        );
    } else {
        let _ = writeln!(w, "kind = \"heap\"               # --backend hashmap");
        let _ = writeln!(
            w,
            "heap_serialize_per_entry = \"{:.1}ns\"  # calibrated: c01_heap_bytes + c02_heap_entries",
            cal.heap_entry_cpu_ns
        );
        let _ = writeln!(
            w,
            "heap_serialize_bandwidth = \"{:.1}MB/s\"  # calibrated: c01_heap_bytes + c02_heap_entries",
            cal.heap_serialize_bytes_per_s / 1e6
        );
    }
    if o.fail_after > 0 {
        let per_subtask_rate = o.rate_per_s / p as f64;
        let fail_at_s = o.fail_after as f64 / per_subtask_rate;
        let _ = writeln!(w);
        let _ = writeln!(
            w,
            "[restart]                  # the harness: fixed-delay, 3 attempts, --restartDelayMs"
        );
        let _ = writeln!(w, "strategy = \"fixed-delay\"");
        let _ = writeln!(w, "attempts = 3");
        let _ = writeln!(w, "delay = \"{}ms\"", o.restart_delay_ms);
        let _ = writeln!(w);
        let _ = writeln!(w, "[recovery]");
        let _ = writeln!(
            w,
            "task_failure_report_delay = \"{:.1}ms\"  # calibrated: c05_failure failure to RESTARTING",
            cal.task_failure_report_ms
        );
        let _ = writeln!(
            w,
            "deployment_time = \"{:.1}ms\"  # calibrated: c05_failure RUNNING to every map subtask open",
            cal.deployment_ms
        );
        let _ = writeln!(w);
        let _ = writeln!(
            w,
            "# --failAfter {}: map subtask 0 throws after that many records; with uniform keys",
            o.fail_after
        );
        let _ = writeln!(
            w,
            "# it receives rate / P = {per_subtask_rate} records/s, so it fails {fail_at_s} s after the start."
        );
        let _ = writeln!(w, "[[faults.task_crash]]");
        let _ = writeln!(w, "at = [\"{}ms\"]", (fail_at_s * 1000.0).round() as u64);
        let _ = writeln!(w, "operator = \"{MAP}\"");
        let _ = writeln!(w, "subtask = 0");
    }
    let _ = writeln!(w);
    write_operators(w, cfg, cal);
    s
}

fn write_operators(w: &mut String, cfg: &Config, cal: &Calibration) {
    let o = &cfg.options;
    let p = o.parallelism;
    let _ = writeln!(
        w,
        "# DataGeneratorSource, rate-limited to --rate {} records/s in total.",
        o.rate_per_s
    );
    let _ = writeln!(w, "[[operators]]");
    let _ = writeln!(w, "name = \"{SOURCE}\"");
    let _ = writeln!(
        w,
        "uid = \"{SOURCE}\"  # CheckpointBench sets uid(name): operator ids, and the order a chained task finalizes its snapshots"
    );
    let _ = writeln!(w, "kind = \"source\"");
    let _ = writeln!(w, "parallelism = {p}");
    let _ = writeln!(
        w,
        "connector = \"datagen\"     # RateLimiterStrategy.perSecond(--rate): --rate / P per subtask"
    );
    let _ = writeln!(
        w,
        "rate = {{ process = \"constant\", records_per_second = {} }}",
        o.rate_per_s / p as f64
    );
    let _ = writeln!(
        w,
        "record_size = \"{}B\"       # 46 B of fields + --payload {}",
        RECORD_OVERHEAD_BYTES + o.payload_bytes,
        o.payload_bytes
    );
    let _ = writeln!(
        w,
        "keys = {{ count = {}, distribution = \"sequence_hash\" }}  # --keys: CheckpointBench.Gen's key of each index",
        o.keys
    );
    let _ = writeln!(
        w,
        "service_time = \"{:.3}us\"   # calibrated: c02_heap_entries source CPU per record",
        cal.source_record_cpu_us
    );
    let _ = writeln!(w);
    let per_key = if o.state_bytes == 0 {
        format!(
            "{:.0}B\" }}  # calibrated: c02_heap_entries, one ValueState<Long> entry",
            cal.long_entry_bytes
        )
    } else if o.rocksdb {
        format!(
            "{:.2}B\" }}  # --stateBytes {} and RocksDB's calibrated bytes on disk per entry and per data block (c03_rocks_bytes, probes/rocksdb_entry_size)",
            cal.rocksdb_entry.bytes_on_disk(o.state_bytes as f64),
            o.state_bytes
        )
    } else {
        format!(
            "{:.0}B\" }}  # --stateBytes {} + calibrated per-entry overhead (c01_heap_bytes)",
            o.state_bytes as f64 + cal.value_entry_overhead_bytes,
            o.state_bytes
        )
    };
    let service = if o.rocksdb {
        format!(
            "\"{:.3}us\"  # calibrated CPU per record on RocksDB, {:.0} B values (c03_rocks_bytes + c07_rocks_entries)",
            cal.rocksdb_map_cpu_us(o),
            super::calibrate::value_bytes_of(o)
        )
    } else {
        format!(
            "\"{:.3}us\"  # calibrated CPU per record (c02_heap_entries)",
            cal.map_record_cpu_us
        )
    };
    let _ = writeln!(w, "[[operators]]");
    let _ = writeln!(w, "name = \"{MAP}\"");
    let _ = writeln!(
        w,
        "uid = \"{MAP}\"  # CheckpointBench sets uid(name): operator ids, and the order a chained task finalizes its snapshots"
    );
    let _ = writeln!(w, "kind = \"operator\"");
    let _ = writeln!(w, "parallelism = {p}");
    let _ = writeln!(
        w,
        "inputs = [{{ from = \"{SOURCE}\", partitioning = \"hash\" }}]  # keyBy(key)"
    );
    let _ = writeln!(w, "service_time = {service}");
    if o.op_cost_us > 0.0 {
        let _ = writeln!(
            w,
            "wait_time = \"{}us\"  # --opCostUs: slept off (parkNanos), holding the thread without a core",
            o.op_cost_us
        );
    }
    let _ = writeln!(w, "state = {{ bytes_per_key = \"{per_key}");
    let _ = writeln!(w);
    if o.chain {
        let _ = writeln!(
            w,
            "# DiscardingSink; chained with the map (forward, equal parallelism): one task"
        );
        let _ = writeln!(w, "# `stateful-map -> discard: Writer`.");
    } else {
        let _ = writeln!(
            w,
            "# DiscardingSink; --chain false: `stateful-map` and `discard: Writer` are separate tasks."
        );
    }
    let _ = writeln!(w, "[[operators]]");
    let _ = writeln!(w, "name = \"{SINK}\"");
    let _ = writeln!(
        w,
        "uid = \"{SINK}\"  # CheckpointBench sets uid(name): operator ids, and the order a chained task finalizes its snapshots"
    );
    let _ = writeln!(w, "kind = \"sink\"");
    let _ = writeln!(w, "parallelism = {p}");
    let _ = writeln!(w, "inputs = [{{ from = \"{MAP}\", partitioning = \"forward\" }}]");
    let _ = writeln!(w, "delivery_guarantee = \"none\"  # keeps nothing");
    let _ = writeln!(
        w,
        "service_time = \"0us\"  # in the map's: the CPU per record was calibrated on the chained task"
    );
}

/// An empirical latency distribution through `(quantile, ms)` points, as a scenario writes it.
fn empirical_ms(points: &[(f64, f64)]) -> String {
    let pts: Vec<String> = points
        .iter()
        .map(|(q, ms)| format!("[{q:.2}, \"{ms:.3}ms\"]"))
        .collect();
    format!("{{ dist = \"empirical\", percentiles = [{}] }}", pts.join(", "))
}
