//! The Flink configuration keys ckptsim models, each with the scenario field it sets and the
//! type Flink reads it as. The single list that `[flink]`, `--flink-conf` and the generated
//! reference (`scenarios/REFERENCE.md`) share.

/// How Flink reads the option's value (`ConfigOptions.key(..).durationType()` and so on).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlinkType {
    /// `TimeUtils.parseDuration`: `30 s`, `1 min`, a bare number is milliseconds.
    Duration,
    /// `MemorySize.parse`: `32 kb` (1,024 bytes each), a bare number is bytes.
    MemorySize,
    /// A whole number (Java `int`); ckptsim's fields are counts, so not negative.
    Integer,
    /// A floating-point number (Java `double`).
    Double,
    /// `true` or `false`, in any case.
    Boolean,
    /// One of Flink's spellings, in any case, and the scenario value it stands for.
    Enum(&'static [(&'static str, &'static str)]),
}

impl FlinkType {
    /// How the reference describes the value.
    pub fn describe(self) -> String {
        match self {
            FlinkType::Duration => "duration (`30 s`, `1 min`; bare number = ms)".into(),
            FlinkType::MemorySize => "memory size (`32 kb` = 32768 B; bare number = bytes)".into(),
            FlinkType::Integer => "integer".into(),
            FlinkType::Double => "number".into(),
            FlinkType::Boolean => "`true` / `false`".into(),
            FlinkType::Enum(values) => {
                let mut names: Vec<&str> = values.iter().map(|(f, _)| *f).collect();
                names.dedup();
                names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" / ")
            }
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct FlinkKey {
    pub key: &'static str,
    /// Older names Flink still reads.
    pub deprecated: &'static [&'static str],
    pub ty: FlinkType,
    /// The scenario field set; `[*]` sets it in every element of that list.
    pub path: &'static str,
    /// For `restart-strategy.<strategy>.*`: the strategy the option belongs to.
    pub strategy: Option<&'static str>,
}

const fn key(key: &'static str, ty: FlinkType, path: &'static str) -> FlinkKey {
    FlinkKey {
        key,
        deprecated: &[],
        ty,
        path,
        strategy: None,
    }
}

const fn old(mut k: FlinkKey, deprecated: &'static [&'static str]) -> FlinkKey {
    k.deprecated = deprecated;
    k
}

const fn of_strategy(mut k: FlinkKey, strategy: &'static str) -> FlinkKey {
    k.strategy = Some(strategy);
    k
}

use FlinkType::*;

const MODES: &[(&str, &str)] = &[("exactly_once", "exactly_once"), ("at_least_once", "at_least_once")];
const BACKENDS: &[(&str, &str)] = &[("hashmap", "heap"), ("rocksdb", "rocksdb")];
const FAILOVER: &[(&str, &str)] = &[("region", "region"), ("full", "full")];
/// `RestartBackoffTimeStrategyFactoryLoader`'s accepted names.
const RESTART: &[(&str, &str)] = &[
    ("none", "none"),
    ("off", "none"),
    ("disable", "none"),
    ("fixed-delay", "fixed-delay"),
    ("fixeddelay", "fixed-delay"),
    ("exponential-delay", "exponential-delay"),
    ("exponentialdelay", "exponential-delay"),
    ("failure-rate", "failure-rate"),
    ("failurerate", "failure-rate"),
];

pub const KEYS: &[FlinkKey] = &[
    key("execution.checkpointing.interval", Duration, "checkpoint.interval"),
    key(
        "pipeline.operator-chaining.enabled",
        Boolean,
        "pipeline.operator_chaining",
    ),
    key("web.checkpoints.history", Integer, "checkpoint.history_size"),
    key("execution.checkpointing.timeout", Duration, "checkpoint.timeout"),
    key("execution.checkpointing.min-pause", Duration, "checkpoint.min_pause"),
    key(
        "execution.checkpointing.max-concurrent-checkpoints",
        Integer,
        "checkpoint.max_concurrent",
    ),
    key(
        "execution.checkpointing.tolerable-failed-checkpoints",
        Integer,
        "checkpoint.tolerable_failed",
    ),
    key("execution.checkpointing.mode", Enum(MODES), "checkpoint.mode"),
    old(
        key(
            "execution.checkpointing.num-retained",
            Integer,
            "checkpoint.num_retained",
        ),
        &["state.checkpoints.num-retained"],
    ),
    old(
        key(
            "execution.checkpointing.unaligned.enabled",
            Boolean,
            "checkpoint.unaligned",
        ),
        &["execution.checkpointing.unaligned"],
    ),
    old(
        key(
            "execution.checkpointing.aligned-checkpoint-timeout",
            Duration,
            "checkpoint.aligned_checkpoint_timeout",
        ),
        &["execution.checkpointing.alignment-timeout"],
    ),
    key(
        "execution.checkpointing.unaligned.max-subtasks-per-channel-state-file",
        Integer,
        "checkpoint.max_subtasks_per_channel_state_file",
    ),
    key(
        "execution.checkpointing.data-inline-threshold",
        MemorySize,
        "storage.inline_threshold",
    ),
    old(
        key(
            "execution.checkpointing.incremental",
            Boolean,
            "state_backend.incremental",
        ),
        &["state.backend.incremental"],
    ),
    key("state.backend.type", Enum(BACKENDS), "state_backend.kind"),
    key(
        "state.backend.rocksdb.writebuffer.size",
        MemorySize,
        "state_backend.memtable_size",
    ),
    key(
        "state.backend.rocksdb.checkpoint.transfer.thread.num",
        Integer,
        "state_backend.transfer_threads",
    ),
    key(
        "state.backend.rocksdb.thread.num",
        Integer,
        "state_backend.background_threads",
    ),
    key(
        "state.backend.rocksdb.compaction.level.max-size-level-base",
        MemorySize,
        "state_backend.compaction.max_size_level_base",
    ),
    key(
        "state.backend.rocksdb.compaction.level.target-file-size-base",
        MemorySize,
        "state_backend.compaction.target_file_size_base",
    ),
    key(
        "state.backend.changelog.enabled",
        Boolean,
        "state_backend.changelog.enabled",
    ),
    key(
        "state.backend.changelog.periodic-materialize.interval",
        Duration,
        "state_backend.changelog.periodic_materialize_interval",
    ),
    key(
        "dstl.dfs.batch.persist-delay",
        Duration,
        "state_backend.changelog.persist_delay",
    ),
    key(
        "dstl.dfs.batch.persist-size-threshold",
        MemorySize,
        "state_backend.changelog.persist_size_threshold",
    ),
    key(
        "dstl.dfs.preemptive-persist-threshold",
        MemorySize,
        "state_backend.changelog.preemptive_persist_threshold",
    ),
    old(
        key("execution.state-recovery.from-local", Boolean, "recovery.local"),
        &["state.backend.local-recovery"],
    ),
    key(
        "jobmanager.execution.failover-strategy",
        Enum(FAILOVER),
        "recovery.failover",
    ),
    key(
        "taskmanager.numberOfTaskSlots",
        Integer,
        "cluster.slots_per_taskmanager",
    ),
    key("taskmanager.cpu.cores", Double, "cluster.cores_per_taskmanager"),
    key("taskmanager.memory.segment-size", MemorySize, "network.segment_size"),
    key(
        "taskmanager.memory.min-segment-size",
        MemorySize,
        "network.debloat.min_segment_size",
    ),
    key(
        "taskmanager.memory.starting-segment-size",
        MemorySize,
        "network.debloat.starting_segment_size",
    ),
    key(
        "taskmanager.network.memory.buffers-per-channel",
        Integer,
        "network.buffers_per_channel",
    ),
    key(
        "taskmanager.network.memory.floating-buffers-per-gate",
        Integer,
        "network.floating_buffers_per_gate",
    ),
    key(
        "taskmanager.network.memory.max-buffers-per-channel",
        Integer,
        "network.max_buffers_per_channel",
    ),
    old(
        key("execution.buffer-timeout.interval", Duration, "network.buffer_timeout"),
        &["execution.buffer-timeout"],
    ),
    key(
        "execution.buffer-timeout.enabled",
        Boolean,
        "network.buffer_timeout_enabled",
    ),
    key(
        "taskmanager.network.memory.buffer-debloat.enabled",
        Boolean,
        "network.debloat.enabled",
    ),
    key(
        "taskmanager.network.memory.buffer-debloat.target",
        Duration,
        "network.debloat.target",
    ),
    key(
        "taskmanager.network.memory.buffer-debloat.period",
        Duration,
        "network.debloat.period",
    ),
    key(
        "taskmanager.network.memory.buffer-debloat.samples",
        Integer,
        "network.debloat.samples",
    ),
    key(
        "taskmanager.network.memory.buffer-debloat.threshold-percentages",
        Integer,
        "network.debloat.threshold_percentages",
    ),
    key(
        "heartbeat.timeout",
        Duration,
        "faults.taskmanager_loss[*].heartbeat_timeout",
    ),
    key(
        "heartbeat.interval",
        Duration,
        "faults.taskmanager_loss[*].heartbeat_interval",
    ),
    key("restart-strategy.type", Enum(RESTART), "restart.strategy"),
    of_strategy(
        key("restart-strategy.fixed-delay.attempts", Integer, "restart.attempts"),
        "fixed-delay",
    ),
    of_strategy(
        key("restart-strategy.fixed-delay.delay", Duration, "restart.delay"),
        "fixed-delay",
    ),
    of_strategy(
        key(
            "restart-strategy.exponential-delay.initial-backoff",
            Duration,
            "restart.initial_backoff",
        ),
        "exponential-delay",
    ),
    of_strategy(
        key(
            "restart-strategy.exponential-delay.max-backoff",
            Duration,
            "restart.max_backoff",
        ),
        "exponential-delay",
    ),
    of_strategy(
        key(
            "restart-strategy.exponential-delay.backoff-multiplier",
            Double,
            "restart.backoff_multiplier",
        ),
        "exponential-delay",
    ),
    of_strategy(
        key(
            "restart-strategy.exponential-delay.jitter-factor",
            Double,
            "restart.jitter_factor",
        ),
        "exponential-delay",
    ),
    of_strategy(
        key(
            "restart-strategy.exponential-delay.reset-backoff-threshold",
            Duration,
            "restart.reset_backoff_threshold",
        ),
        "exponential-delay",
    ),
    of_strategy(
        key(
            "restart-strategy.exponential-delay.attempts-before-reset-backoff",
            Integer,
            "restart.attempts_before_reset_backoff",
        ),
        "exponential-delay",
    ),
    of_strategy(
        key(
            "restart-strategy.failure-rate.max-failures-per-interval",
            Integer,
            "restart.max_failures_per_interval",
        ),
        "failure-rate",
    ),
    of_strategy(
        key(
            "restart-strategy.failure-rate.failure-rate-interval",
            Duration,
            "restart.failure_rate_interval",
        ),
        "failure-rate",
    ),
    of_strategy(
        key("restart-strategy.failure-rate.delay", Duration, "restart.delay"),
        "failure-rate",
    ),
];

/// The modeled key named `name` (its current or a deprecated name), exactly as Flink matches
/// keys: case-sensitive.
pub fn lookup(name: &str) -> Option<&'static FlinkKey> {
    KEYS.iter().find(|k| k.key == name || k.deprecated.contains(&name))
}

/// The Flink keys that set the scenario field at `path` (list elements written `[]`, as in
/// `faults.taskmanager_loss[].heartbeat_timeout`).
pub fn for_field(path: &str) -> Vec<&'static FlinkKey> {
    KEYS.iter().filter(|k| k.path.replace("[*]", "[]") == path).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_debloat_keys_share_their_prefix() {
        let mut names: Vec<&str> = KEYS
            .iter()
            .flat_map(|k| std::iter::once(k.key).chain(k.deprecated.iter().copied()))
            .collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n, "a key is listed twice");
        let debloat = "taskmanager.network.memory.buffer-debloat.";
        assert!(
            KEYS.iter()
                .filter(|k| k.key.contains("debloat"))
                .all(|k| k.key.starts_with(debloat) && k.path.starts_with("network.debloat."))
        );
    }
}
