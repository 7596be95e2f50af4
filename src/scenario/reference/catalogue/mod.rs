//! What each scenario field means: unit, default, scope and a sentence. The structure (which
//! fields exist, enum values, lists) comes from the code (`trace`); this list adds what the
//! code cannot say, and a test keeps the two in step: every traced field has an entry here,
//! every entry is a traced field, and every default written here is the one the code applies.
//! The entries sit in one file per group of tables (`run.rs` for `[simulation]` and
//! `[checkpoint]`, `faults.rs` for `[faults]`, ...), listed in [`all`]'s order.

/// How a value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// `"250ms"`, `"1.5s"`, `"10min"`, Flink's `"30 s"`, `"2 hours"`; a bare number only 0.
    Duration,
    /// A duration, or a distribution of durations (`{ dist = "exponential", mean = "2ms" }`).
    DurationDist,
    /// `"32KiB"` (1024-based), `"1.5MB"` (1000-based) or a number of bytes.
    Bytes,
    /// A size, or a distribution of sizes.
    BytesDist,
    /// `"400MB/s"`, `"10Gbit/s"` or bytes per second.
    Rate,
    /// A `[time, factor]` pair: `["60s", 2.0]`.
    TimeFactor,
    Integer,
    Number,
    Bool,
    Text,
    /// One of the names the code accepts (listed from the schema).
    Enum,
    /// A table of its own syntax (`[sweep]`, `[flink]`).
    Table,
}

impl Unit {
    pub fn describe(self) -> &'static str {
        match self {
            Unit::Duration => "duration",
            Unit::DurationDist => "duration or distribution",
            Unit::Bytes => "bytes",
            Unit::BytesDist => "bytes or distribution",
            Unit::Rate => "bytes/s",
            Unit::TimeFactor => "[duration, factor]",
            Unit::Integer => "integer",
            Unit::Number => "number",
            Unit::Bool => "boolean",
            Unit::Text => "text",
            Unit::Enum => "one of",
            Unit::Table => "table",
        }
    }
}

/// A field's default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Def {
    /// Must be given.
    Required,
    /// May be left out; the text says what that means.
    Absent(&'static str),
    /// This TOML value, as if written (checked against the code by a test).
    Value(&'static str),
}

#[derive(Clone, Copy, Debug)]
pub struct FieldDoc {
    pub path: &'static str,
    pub unit: Unit,
    pub default: Def,
    /// What one value describes: the job, one operator, each subtask, each TaskManager, ...
    pub scope: &'static str,
    pub meaning: &'static str,
}

const fn f(path: &'static str, unit: Unit, default: Def, scope: &'static str, meaning: &'static str) -> FieldDoc {
    FieldDoc {
        path,
        unit,
        default,
        scope,
        meaning,
    }
}

/// A sentence per table, in the reference's order.
pub fn sections() -> impl Iterator<Item = (&'static str, &'static str)> {
    let job = SECTIONS_BEFORE_FAULTS.iter().copied();
    let faults = std::iter::once(faults::SECTION).chain(faults::sections());
    job.chain(faults).chain(SECTIONS_AFTER_FAULTS.iter().copied())
}

/// The sentences of the tables before `[faults]` (whose are in `faults.rs`, by fault type).
const SECTIONS_BEFORE_FAULTS: &[(&str, &str)] = &[
    ("", "Top level."),
    ("simulation", "How long to simulate, and the seed."),
    (
        "pipeline",
        "How the operators become tasks (`pipeline.*`): operator chaining.",
    ),
    (
        "checkpoint",
        "Flink's checkpointing options (`execution.checkpointing.*`), with Flink's defaults.",
    ),
    (
        "cluster",
        "TaskManagers and slots; subtask i of every operator runs in slot i (slot sharing).",
    ),
    (
        "network",
        "Flink's network stack: buffers, credits, flushing, latency and bandwidth.",
    ),
    (
        "network.debloat",
        "Buffer debloating (FLIP-183), `taskmanager.network.memory.buffer-debloat.*`.",
    ),
    (
        "storage",
        "Checkpoint storage: a profile (`local-disk`, `local-page-cache`, `hdfs`, `s3`) and overrides of its values.",
    ),
    ("state_backend", "The state backend and how it snapshots."),
    (
        "state_backend.compaction",
        "RocksDB leveled compaction, which decides the SST files incremental checkpoints upload.",
    ),
    ("state_backend.changelog", "The changelog state backend (FLIP-158)."),
    (
        "operators[]",
        "The job graph, upstream first: one table per operator (`[[operators]]`).",
    ),
    ("operators[].inputs[]", "An input edge of the operator."),
    (
        "operators[].rate",
        "Sources: the arrival process of the external input.",
    ),
    (
        "operators[].rate.profile",
        "Sources: the rate over time, as a factor on `records_per_second`: `steps` (each point's factor holds until the next), `linear` (ramps between points), or `daily` (a sinusoid from `trough` to `peak`, peaking at `peak_at` and every `period` after and before). Steps and ramps hold their last factor after the last point. Arrivals are mapped exactly through the cumulative rate (a Poisson process stays Poisson, with the profile's intensity); a factor of 0 means no arrivals. Points may come from a CSV file: a header line `time_s,factor`, then one point per line (time in seconds from the start of the run, factor >= 0), `#` comments and blank lines skipped; the path is relative to the scenario file. Example: `profile = { shape = \"steps\", points = [[\"0s\", 1.0], [\"60s\", 2.0], [\"120s\", 1.0]] }`.",
    ),
    ("operators[].keys", "Sources: the key space of the records."),
    ("operators[].state", "Keyed and operator state of the operator."),
    (
        "imported",
        "Written by `ckptsim import`: where the job's REST responses came from and the job's own medians. With it, `ckptsim run` prints a calibration report (the job's median, the run's, their ratio) and writes it to summary.json; the simulation ignores it.",
    ),
    ("imported.medians[]", "One median of the job."),
];

const SECTIONS_AFTER_FAULTS: &[(&str, &str)] = &[
    (
        "restart",
        "The restart strategy (`restart-strategy.*`); absent: Flink's default (exponential-delay with checkpointing, none without).",
    ),
    ("recovery", "Failover strategy and state restore."),
];

pub(super) const JOB: &str = "job";
pub(super) const OP: &str = "per operator";
pub(super) const SUB: &str = "per subtask";
pub(super) const SRC: &str = "per source subtask";
pub(super) const FAULT: &str = "per fault entry";

mod cluster;
pub mod faults;
mod operators;
mod recovery;
mod run;
mod state_backend;
mod tools;

/// The entries before and after `[faults]`, one slice per group of tables (a file each), in the
/// reference's order; `[faults]`'s are by fault type (`faults::FAULTS`).
const GROUPS_BEFORE_FAULTS: &[&[FieldDoc]] = &[run::FIELDS, cluster::FIELDS, state_backend::FIELDS, operators::FIELDS];
const GROUPS_AFTER_FAULTS: &[&[FieldDoc]] = &[recovery::FIELDS, tools::FIELDS];

/// Every entry, in the reference's order.
pub fn all() -> impl Iterator<Item = &'static FieldDoc> {
    let before = GROUPS_BEFORE_FAULTS.iter().flat_map(|g| g.iter());
    let after = GROUPS_AFTER_FAULTS.iter().flat_map(|g| g.iter());
    before.chain(faults::fields()).chain(after)
}

/// The entry for a path.
pub fn field(path: &str) -> Option<&'static FieldDoc> {
    all().find(|d| d.path == path)
}
