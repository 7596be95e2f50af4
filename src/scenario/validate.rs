//! Range and reference checks that serde cannot express. Returns the first problem as
//! (dotted field path, message); the loader turns the path into a line number.

use super::schema::*;
use crate::time::NS_PER_MS;

pub(super) type Problem = (String, String);

pub(super) fn fail<T>(path: impl Into<String>, msg: impl Into<String>) -> Result<T, Problem> {
    Err((path.into(), msg.into()))
}

/// Upper bounds keep a typo from asking for a run that cannot fit in memory.
pub const PARALLELISM_MAX: u32 = 4096;
pub const KEY_COUNT_MAX: u64 = 50_000_000;
/// Checkpoints kept in the REST-shaped history: every one of a long run's would make the files
/// large without telling more than `checkpoints.csv`.
pub const HISTORY_SIZE_MAX: u32 = 100_000;
/// The last millisecond of year 9999: epoch milliseconds stay far from overflowing.
pub const START_EPOCH_MS_MAX: u64 = 253_402_300_799_999;
/// A TaskManager pair is numbered `a * n + b` in a `u32`.
pub const TASKMANAGERS_MAX: u32 = 65_535;
/// Records carry their size in a `u32`: sizes must stay below 4 GiB.
pub const RECORD_BYTES_BELOW: f64 = 4_294_967_296.0;
/// One record in 30 years: slower sources never emit, and their arrival times leave the clock.
pub const RECORDS_PER_SECOND_MIN: f64 = 1e-9;
/// Records out per record in, at most: a flatMap splitting a line into its words, say. More
/// is a typo sooner than a job, and would multiply the run's work by as much per operator.
pub const SELECTIVITY_MAX: f64 = 100.0;
/// Operator names become parts of file names (charts) and column names: identifiers only.
pub const OPERATOR_NAME_BYTES_MAX: usize = 64;

/// `[A-Za-z_][A-Za-z0-9_-]*`, at most [`OPERATOR_NAME_BYTES_MAX`] bytes: safe in a file name, a
/// CSV header, a `--set operators.NAME.field` path and a chart legend.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= OPERATOR_NAME_BYTES_MAX
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

pub fn validate(s: &Scenario) -> Result<(), Problem> {
    if s.simulation.duration.value < 1.0 {
        return fail("simulation.duration", "must be > 0");
    }
    if s.simulation.warmup.value >= s.simulation.duration.value {
        return fail("simulation.warmup", "must be shorter than simulation.duration");
    }
    if s.simulation.start_epoch_ms > START_EPOCH_MS_MAX {
        return fail(
            "simulation.start_epoch_ms",
            format!("must be at most {START_EPOCH_MS_MAX} (9999-12-31T23:59:59.999Z)"),
        );
    }
    super::validate_bundle::validate_bundle(s)?;
    validate_checkpoint(&s.checkpoint)?;
    validate_savepoints(s)?;
    validate_state_backend(&s.state_backend)?;
    validate_cluster(s)?;
    validate_network(&s.network)?;
    validate_debloat(&s.network)?;
    validate_storage(&s.storage)?;
    validate_operators(s)?;
    super::restart::validate_restart_and_recovery(s)?;
    super::faults::validate_faults(s)
}

fn validate_checkpoint(c: &CheckpointCfg) -> Result<(), Problem> {
    if let Some(i) = &c.interval
        && i.value < NS_PER_MS as f64
    {
        return fail(
            "checkpoint.interval",
            "must be at least 1ms (Flink's minimum checkpoint interval is 10ms)",
        );
    }
    if c.timeout.value < NS_PER_MS as f64 {
        return fail("checkpoint.timeout", "must be at least 1ms");
    }
    if c.max_concurrent == 0 {
        return fail("checkpoint.max_concurrent", "must be at least 1");
    }
    if c.num_retained == 0 {
        return fail("checkpoint.num_retained", "must be at least 1");
    }
    if c.history_size > HISTORY_SIZE_MAX {
        return fail("checkpoint.history_size", format!("must be at most {HISTORY_SIZE_MAX}"));
    }
    if c.max_subtasks_per_channel_state_file == 0 {
        return fail("checkpoint.max_subtasks_per_channel_state_file", "must be at least 1");
    }
    if c.aligned_checkpoint_timeout.value < 0.0 {
        return fail("checkpoint.aligned_checkpoint_timeout", "must be >= 0");
    }
    if c.aligned_checkpoint_timeout.value > 0.0 && !c.unaligned {
        return fail(
            "checkpoint.aligned_checkpoint_timeout",
            "only applies with unaligned = true (the timeout switches an aligned checkpoint to unaligned)",
        );
    }
    if c.unaligned && !c.mode.aligns_barriers() {
        return fail(
            "checkpoint.unaligned",
            "unaligned checkpoints need mode = \"exactly_once\" (at-least-once never aligns)",
        );
    }
    Ok(())
}

/// Savepoints beyond the request queue's capacity (`CheckpointRequestDecider`, 1000) would be
/// refused by the coordinator anyway.
pub const SAVEPOINTS_MAX: usize = 1000;

fn validate_savepoints(s: &Scenario) -> Result<(), Problem> {
    let times = &s.checkpoint.savepoint_times;
    if times.len() > SAVEPOINTS_MAX {
        return fail(
            "checkpoint.savepoint_times",
            format!("at most {SAVEPOINTS_MAX} savepoints"),
        );
    }
    for (i, t) in times.iter().enumerate() {
        let path = format!("checkpoint.savepoint_times[{i}]");
        if !(t.value >= 0.0 && t.value < s.simulation.duration.value) {
            return fail(path, "must be >= 0 and before the end of simulation.duration");
        }
        if i > 0 && t.value < times[i - 1].value {
            return fail(path, "savepoint times must be in ascending order");
        }
    }
    Ok(())
}

fn validate_state_backend(b: &StateBackendCfg) -> Result<(), Problem> {
    if !(b.memtable_size.value >= 1024.0 && b.memtable_size.value <= (1u64 << 40) as f64) {
        return fail("state_backend.memtable_size", "must be between 1KiB and 1TiB");
    }
    if b.local_disk_bandwidth.value <= 0.0 {
        return fail("state_backend.local_disk_bandwidth", "must be > 0");
    }
    if b.heap_serialize_bandwidth.value <= 0.0 {
        return fail("state_backend.heap_serialize_bandwidth", "must be > 0");
    }
    if !(b.flush_throughput.value > 0.0 && b.flush_throughput.value.is_finite()) {
        return fail("state_backend.flush_throughput", "must be > 0");
    }
    if !(b.flush_cpu_per_entry.value.is_finite() && b.flush_cpu_per_entry.value <= 1e9) {
        return fail("state_backend.flush_cpu_per_entry", "must be at most 1s");
    }
    if !(b.native_checkpoint_time.value.is_finite() && b.native_checkpoint_time.value <= 60e9) {
        return fail("state_backend.native_checkpoint_time", "must be at most 1min");
    }
    if !(b.flush_sync_time.value.is_finite() && b.flush_sync_time.value <= b.native_checkpoint_time.value) {
        return fail(
            "state_backend.flush_sync_time",
            "must be at most native_checkpoint_time (it is a part of it)",
        );
    }
    if !(b.instance_age.value.is_finite() && b.instance_age.value <= 3650.0 * 86_400e9) {
        return fail("state_backend.instance_age", "must be at most 3650d");
    }
    if !(b.max_manifest_file_size.value >= 64.0 * 1024.0 && b.max_manifest_file_size.value <= 1024f64.powi(5)) {
        return fail("state_backend.max_manifest_file_size", "must be between 64KiB and 1PiB");
    }
    if !(1..=1024).contains(&b.transfer_threads) {
        return fail("state_backend.transfer_threads", "must be between 1 and 1024");
    }
    if !(1..=1024).contains(&b.background_threads) {
        return fail("state_backend.background_threads", "must be between 1 and 1024");
    }
    if !(b.heap_serialize_per_entry.value.is_finite() && b.heap_serialize_per_entry.value <= 1e9) {
        return fail("state_backend.heap_serialize_per_entry", "must be at most 1s");
    }
    if b.incremental && b.kind != StateBackendKind::Rocksdb {
        return fail(
            "state_backend.incremental",
            "incremental checkpoints need kind = \"rocksdb\" (the heap backend always writes full snapshots)",
        );
    }
    let c = &b.compaction;
    if !(2..=1000).contains(&c.level0_file_num_compaction_trigger) {
        return fail(
            "state_backend.compaction.level0_file_num_compaction_trigger",
            "must be between 2 and 1000",
        );
    }
    if !(2..=100).contains(&c.level_multiplier) {
        return fail("state_backend.compaction.level_multiplier", "must be between 2 and 100");
    }
    if !(c.target_file_size_base.value >= 1024.0 && c.target_file_size_base.value <= (1u64 << 40) as f64) {
        return fail(
            "state_backend.compaction.target_file_size_base",
            "must be between 1KiB and 1TiB",
        );
    }
    if !(c.max_size_level_base.value >= c.target_file_size_base.value
        && c.max_size_level_base.value <= (1u64 << 50) as f64)
    {
        return fail(
            "state_backend.compaction.max_size_level_base",
            "must be at least target_file_size_base and at most 1PiB",
        );
    }
    let cl = &b.changelog;
    if cl.periodic_materialize_interval.value < NS_PER_MS as f64 {
        return fail(
            "state_backend.changelog.periodic_materialize_interval",
            "must be at least 1ms",
        );
    }
    if cl.persist_delay.value < 0.0 {
        return fail("state_backend.changelog.persist_delay", "must be >= 0");
    }
    for (name, v) in [
        ("persist_size_threshold", cl.persist_size_threshold.value),
        ("preemptive_persist_threshold", cl.preemptive_persist_threshold.value),
    ] {
        if !(v >= 1.0 && v <= (1u64 << 40) as f64) {
            return fail(format!("state_backend.changelog.{name}"), "must be between 1B and 1TiB");
        }
    }
    Ok(())
}

fn validate_debloat(n: &NetworkCfg) -> Result<(), Problem> {
    let d = &n.debloat;
    if d.target.value < NS_PER_MS as f64 {
        return fail("network.debloat.target", "must be at least 1ms");
    }
    if d.period.value < NS_PER_MS as f64 {
        return fail("network.debloat.period", "must be at least 1ms");
    }
    if d.samples == 0 || d.samples > 100_000 {
        return fail("network.debloat.samples", "must be between 1 and 100000");
    }
    if d.threshold_percentages > 100 {
        return fail("network.debloat.threshold_percentages", "must be between 0 and 100");
    }
    if !(d.min_segment_size.value >= 1.0 && d.min_segment_size.value <= n.segment_size.value) {
        return fail(
            "network.debloat.min_segment_size",
            "must be at least 1B and at most network.segment_size",
        );
    }
    if !(d.starting_segment_size.value >= d.min_segment_size.value
        && d.starting_segment_size.value <= n.segment_size.value)
    {
        return fail(
            "network.debloat.starting_segment_size",
            "must be between min_segment_size and network.segment_size",
        );
    }
    Ok(())
}

fn validate_cluster(s: &Scenario) -> Result<(), Problem> {
    let c = &s.cluster;
    if c.taskmanagers == 0 {
        return fail("cluster.taskmanagers", "must be at least 1");
    }
    if c.taskmanagers > TASKMANAGERS_MAX {
        return fail("cluster.taskmanagers", format!("must be at most {TASKMANAGERS_MAX}"));
    }
    if c.slots_per_taskmanager == 0 {
        return fail("cluster.slots_per_taskmanager", "must be at least 1");
    }
    if let Some(cores) = c.cores_per_taskmanager
        && !(cores > 0.0 && cores <= 1e6)
    {
        return fail("cluster.cores_per_taskmanager", "must be > 0 and at most 1000000");
    }
    if c.taskmanagers_per_host == 0 {
        return fail("cluster.taskmanagers_per_host", "must be at least 1");
    }
    if let Some(nic) = &c.nic_bandwidth
        && !(nic.value > 0.0 && nic.value.is_finite())
    {
        return fail("cluster.nic_bandwidth", "must be > 0");
    }
    let max_par = s.operators.iter().map(|o| o.parallelism).max().unwrap_or(1);
    let slots = c.taskmanagers as u64 * c.slots_per_taskmanager as u64;
    if slots < max_par as u64 {
        return fail(
            "cluster.taskmanagers",
            format!(
                "{slots} slots cannot host the highest parallelism {max_par} (slot sharing needs one slot per parallel pipeline)"
            ),
        );
    }
    Ok(())
}

fn validate_network(n: &NetworkCfg) -> Result<(), Problem> {
    if !(64.0..=(1u64 << 30) as f64).contains(&n.segment_size.value) {
        return fail("network.segment_size", "must be between 64B and 1GiB");
    }
    if n.buffers_per_channel == 0 {
        return fail(
            "network.buffers_per_channel",
            "must be at least 1 (a channel without credit never sends)",
        );
    }
    if n.max_buffers_per_channel == 0 {
        return fail("network.max_buffers_per_channel", "must be at least 1");
    }
    if n.remote_bandwidth.value <= 0.0 {
        return fail("network.remote_bandwidth", "must be > 0");
    }
    Ok(())
}

fn validate_storage(st: &StorageCfg) -> Result<(), Problem> {
    if crate::vocab::storage_profile_figures(&st.profile).is_none() {
        return fail(
            "storage.profile",
            format!(
                "unknown profile `{}` (use {})",
                st.profile,
                crate::vocab::storage_profile_names()
            ),
        );
    }
    for (name, r) in [
        ("storage.bandwidth", &st.bandwidth),
        ("storage.per_request_bandwidth", &st.per_request_bandwidth),
    ] {
        if let Some(r) = r
            && r.value <= 0.0
        {
            return fail(name, "must be > 0");
        }
    }
    Ok(())
}

fn validate_operators(s: &Scenario) -> Result<(), Problem> {
    if s.operators.is_empty() {
        return fail("operators", "a job needs at least one operator");
    }
    if !s.operators.iter().any(|o| o.kind == OperatorKind::Source) {
        return fail("operators", "a job needs at least one operator with kind = \"source\"");
    }
    for (i, op) in s.operators.iter().enumerate() {
        let p = |f: &str| format!("operators[{i}].{f}");
        if op.name.is_empty() {
            return fail(p("name"), "must not be empty");
        }
        if !is_identifier(&op.name) {
            return fail(
                p("name"),
                format!(
                    "{:?} is not an identifier: use letters, digits, `_` and `-`, starting with a letter or `_`, \
                     at most {OPERATOR_NAME_BYTES_MAX} bytes",
                    op.name
                ),
            );
        }
        if s.operators[..i].iter().any(|o| o.name == op.name) {
            return fail(p("name"), format!("`{}` is used by an earlier operator", op.name));
        }
        if let Some(uid) = &op.uid {
            if uid.is_empty() {
                return fail(p("uid"), "must not be empty");
            }
            // Flink refuses a job whose operators share a uid.
            if s.operators[..i].iter().any(|o| o.uid.as_ref() == Some(uid)) {
                return fail(p("uid"), format!("`{uid}` is used by an earlier operator"));
            }
        }
        if op.parallelism == 0 || op.parallelism > PARALLELISM_MAX {
            return fail(p("parallelism"), format!("must be between 1 and {PARALLELISM_MAX}"));
        }
        validate_selectivity(op, &p)?;
        if op.delivery_guarantee.is_some() && op.kind != OperatorKind::Sink {
            return fail(p("delivery_guarantee"), "only sinks take this field");
        }
        match op.kind {
            OperatorKind::Source => validate_source(op, &p)?,
            _ => {
                if op.inputs.is_empty() {
                    return fail(
                        p("inputs"),
                        format!("a {:?} needs at least one input", op.kind).to_lowercase(),
                    );
                }
                for field in [
                    ("connector", op.connector.is_some()),
                    ("rate", op.rate.is_some()),
                    ("keys", op.keys.is_some()),
                    ("max_records", op.max_records.is_some()),
                    ("record_size", op.record_size.is_some()),
                ] {
                    if field.1 {
                        return fail(p(field.0), "only sources take this field");
                    }
                }
            }
        }
        for (j, input) in op.inputs.iter().enumerate() {
            let ip = format!("operators[{i}].inputs[{j}].from");
            let Some(up) = s.operators[..i].iter().find(|o| o.name == input.from) else {
                let later = s.operators[i..].iter().any(|o| o.name == input.from);
                return fail(
                    ip,
                    if later {
                        format!(
                            "`{}` must be defined before `{}` (operators are listed upstream first)",
                            input.from, op.name
                        )
                    } else {
                        format!("no operator named `{}`", input.from)
                    },
                );
            };
            if up.kind == OperatorKind::Sink {
                return fail(ip, format!("`{}` is a sink and has no output", up.name));
            }
            if input.partitioning == Partitioning::Forward && up.parallelism != op.parallelism {
                return fail(
                    format!("operators[{i}].inputs[{j}].partitioning"),
                    format!(
                        "forward needs equal parallelism, but `{}` has {} and `{}` has {}",
                        up.name, up.parallelism, op.name, op.parallelism
                    ),
                );
            }
        }
        if let Some(b) = &op.state.bytes_per_key
            && b.value > 1e9
        {
            return fail(p("state.bytes_per_key"), "must be at most 1GB");
        }
        if let Some(size) = &op.output_record_size {
            record_size_fits(&size.dist, &p("output_record_size"))?;
        }
    }
    Ok(())
}

fn validate_source(op: &OperatorCfg, p: &dyn Fn(&str) -> String) -> Result<(), Problem> {
    if !op.inputs.is_empty() {
        return fail(p("inputs"), "a source takes no inputs");
    }
    let Some(rate) = &op.rate else {
        return fail(
            p("rate"),
            "a source needs a rate, e.g. { process = \"poisson\", records_per_second = 1000 }",
        );
    };
    if !(rate.records_per_second >= RECORDS_PER_SECOND_MIN && rate.records_per_second <= 1e9) {
        return fail(
            p("rate.records_per_second"),
            "must be > 0 (at least 1e-9) and at most 1e9",
        );
    }
    if let Some(profile) = &rate.profile {
        super::rate_profile::validate_profile(profile, &p("rate.profile"))?;
    }
    if op.connector == Some(SourceConnector::Datagen) {
        // A Guava rate limiter hands out evenly spaced permits at one rate.
        if rate.process != ArrivalProcess::Constant {
            return fail(
                p("rate.process"),
                "a rate-limited generator (connector = \"datagen\") emits evenly at its limit: use process = \"constant\" \
                 (a poisson or bursty input is a log: leave `connector` out)",
            );
        }
        if rate.profile.is_some() {
            return fail(
                p("rate.profile"),
                "a rate-limited generator (connector = \"datagen\") has one rate (RateLimiterStrategy.perSecond): \
                 a rate that changes over time needs a log source (leave `connector` out)",
            );
        }
    }
    match rate.process {
        ArrivalProcess::Bursts => {
            if rate.on.is_none() || rate.off.is_none() {
                return fail(p("rate"), "process = \"bursts\" needs `on` and `off` durations");
            }
            if rate.on.as_ref().is_some_and(|d| d.dist.mean() <= 0.0) {
                return fail(p("rate.on"), "must have a mean > 0");
            }
        }
        _ => {
            if rate.on.is_some() || rate.off.is_some() {
                return fail(p("rate"), "`on` and `off` only apply to process = \"bursts\"");
            }
        }
    }
    if let Some(size) = &op.record_size {
        if size.dist.mean() < 1.0 {
            return fail(p("record_size"), "records must have at least 1 byte on average");
        }
        record_size_fits(&size.dist, &p("record_size"))?;
    }
    if let Some(k) = &op.keys {
        if k.count == 0 || k.count > KEY_COUNT_MAX {
            return fail(p("keys.count"), format!("must be between 1 and {KEY_COUNT_MAX}"));
        }
        if !(k.exponent > 0.0 && k.exponent.is_finite()) {
            return fail(p("keys.exponent"), "must be > 0");
        }
    }
    Ok(())
}

/// Records out per record in, for operators: a source's output is its rate, a sink emits none.
fn validate_selectivity(op: &OperatorCfg, p: &dyn Fn(&str) -> String) -> Result<(), Problem> {
    if op.selectivity == 1.0 {
        return Ok(());
    }
    if op.kind != OperatorKind::Operator {
        let what = if op.kind == OperatorKind::Source {
            "a source emits what it reads: set its rate instead"
        } else {
            "a sink emits no records"
        };
        return fail(p("selectivity"), format!("only operators take a selectivity ({what})"));
    }
    if !(op.selectivity > 0.0 && op.selectivity <= SELECTIVITY_MAX) {
        return fail(
            p("selectivity"),
            format!("must be > 0 and at most {SELECTIVITY_MAX} (records out per record in)"),
        );
    }
    Ok(())
}

/// A record's size is a `u32`: a distribution that draws 4 GiB or more (more often than once in
/// a billion records) would be cut short, so it is refused instead.
fn record_size_fits(d: &crate::sim::Dist, path: &str) -> Result<(), Problem> {
    let tail = d.upper_tail();
    if tail.is_nan() || tail >= RECORD_BYTES_BELOW {
        return fail(
            path,
            format!("records must be smaller than 4GiB, but this distribution draws up to {tail:.3e} bytes"),
        );
    }
    Ok(())
}

#[cfg(test)]
mod checkpointing_options_tests {
    use crate::scenario::{CheckpointingMode, ScenarioError, StateBackendKind, parse_str};

    const JOB: &str = r#"[simulation]
duration = "60s"
[cluster]
taskmanagers = 1
slots_per_taskmanager = 1
[[operators]]
name = "source"
kind = "source"
parallelism = 1
rate = { process = "poisson", records_per_second = 100 }
"#;

    fn with(extra: &str) -> Result<crate::scenario::LoadedScenario, ScenarioError> {
        parse_str(&format!("{JOB}{extra}"), "t.toml")
    }

    fn field_of(extra: &str) -> String {
        match with(extra) {
            Err(ScenarioError::Invalid { field, .. }) => field.unwrap_or_default(),
            Err(e) => panic!("unexpected error {e}"),
            Ok(_) => panic!("accepted: {extra}"),
        }
    }

    /// Flink's defaults (§2): exactly-once, aligned, no timeout, no debloating, heap, full
    /// checkpoints, changelog off with a 10 min materialization interval.
    #[test]
    fn defaults_are_flinks() {
        let s = with("").expect("valid").scenario;
        assert_eq!(s.checkpoint.mode, CheckpointingMode::ExactlyOnce);
        assert!(!s.checkpoint.unaligned);
        assert_eq!(s.checkpoint.aligned_checkpoint_timeout.value, 0.0);
        assert!(s.checkpoint.savepoint_times.is_empty());
        let d = &s.network.debloat;
        assert!(!d.enabled);
        assert_eq!((d.target.value, d.period.value), (1e9, 2e8));
        assert_eq!((d.samples, d.threshold_percentages), (20, 25));
        assert_eq!(
            (d.min_segment_size.value, d.starting_segment_size.value),
            (256.0, 1024.0)
        );
        let b = &s.state_backend;
        assert_eq!(b.kind, StateBackendKind::Heap);
        assert!(!b.incremental && !b.changelog.enabled);
        assert_eq!(b.changelog.periodic_materialize_interval.value, 600e9);
        assert_eq!(b.compaction.level0_file_num_compaction_trigger, 4);
    }

    #[test]
    fn the_new_options_parse() {
        let s = with(
            r#"[checkpoint]
mode = "exactly_once"
unaligned = true
aligned_checkpoint_timeout = "1s"
savepoint_times = ["20s", "40s"]
[network]
debloat = { enabled = true, target = "500ms" }
[state_backend]
kind = "rocksdb"
incremental = true
changelog = { enabled = true, periodic_materialize_interval = "3min" }
compaction = { level_multiplier = 8 }
"#,
        )
        .expect("valid")
        .scenario;
        assert_eq!(s.checkpoint.savepoint_times.len(), 2);
        assert!(s.network.debloat.enabled && s.state_backend.incremental && s.state_backend.changelog.enabled);
        let alo = with("[checkpoint]\nmode = \"at_least_once\"\n")
            .expect("valid")
            .scenario;
        assert_eq!(alo.checkpoint.mode, CheckpointingMode::AtLeastOnce);
    }

    #[test]
    fn bad_values_name_their_field() {
        for (extra, field) in [
            (
                "[checkpoint]\naligned_checkpoint_timeout = \"1s\"\n",
                "checkpoint.aligned_checkpoint_timeout",
            ),
            (
                "[checkpoint]\nunaligned = true\nmode = \"at_least_once\"\n",
                "checkpoint.unaligned",
            ),
            (
                "[checkpoint]\nsavepoint_times = [\"90s\"]\n",
                "checkpoint.savepoint_times[0]",
            ),
            (
                "[checkpoint]\nsavepoint_times = [\"9s\", \"5s\"]\n",
                "checkpoint.savepoint_times[1]",
            ),
            ("[state_backend]\nincremental = true\n", "state_backend.incremental"),
            (
                "[state_backend]\ncompaction = { level_multiplier = 1 }\n",
                "state_backend.compaction.level_multiplier",
            ),
            (
                "[state_backend]\nchangelog = { periodic_materialize_interval = \"0s\" }\n",
                "state_backend.changelog.periodic_materialize_interval",
            ),
            ("[network]\ndebloat = { samples = 0 }\n", "network.debloat.samples"),
            (
                "[network]\ndebloat = { threshold_percentages = 101 }\n",
                "network.debloat.threshold_percentages",
            ),
            (
                "[network]\nsegment_size = \"1KiB\"\ndebloat = { starting_segment_size = \"2KiB\" }\n",
                "network.debloat.starting_segment_size",
            ),
        ] {
            assert_eq!(field_of(extra), field, "{extra}");
        }
        assert!(
            with("[network]\ndebloat = { enabeld = true }\n").is_err(),
            "unknown fields are rejected"
        );
    }
}
