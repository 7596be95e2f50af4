//! The catalogue's entries for `[simulation]` and `[checkpoint]`, in the order the reference lists them.

use super::Def::*;
use super::JOB;
use super::Unit::*;
use super::{FieldDoc, f};

pub(super) const FIELDS: &[FieldDoc] = &[
    f("description", Text, Value("\"\""), JOB, "Free text shown in reports."),
    f("simulation.duration", Duration, Required, JOB, "Simulated time to run."),
    f(
        "pipeline.operator_chaining",
        Bool,
        Value("true"),
        JOB,
        "`pipeline.operator-chaining.enabled` (Flink's default true): operators joined by a forward edge with equal parallelism run as one task (one thread, no network hop, one barrier handler), named as Flink names the chain (`map -> sink: Writer`).",
    ),
    f(
        "simulation.seed",
        Integer,
        Value("1"),
        JOB,
        "Master seed; `--seed` overrides it. Same seed, same bytes.",
    ),
    f(
        "simulation.warmup",
        Duration,
        Value("\"0s\""),
        JOB,
        "Throughput, latency and back-pressure statistics ignore this initial period.",
    ),
    f(
        "simulation.start_epoch_ms",
        Integer,
        Value("1704067200000"),
        JOB,
        "Epoch milliseconds of simulated time zero, for the timestamps of `checkpoints.json` (default 2024-01-01T00:00:00Z; never the real clock). `--start-epoch-ms` overrides it.",
    ),
    f(
        "simulation.records_per_bundle",
        Integer,
        Value("1"),
        JOB,
        "The fast path, opt-in: each simulated record stands for this many of the job's records (a bundle), so a run does that many times less per-record work. A bundle arrives when its last record would (Poisson gaps summed as one Erlang draw), costs the sum of its records' service and wait times, weighs their bytes, and is keyed as a record is (keyed edges split bundles as they split records), its state going to blocks of that many keys; counts and rates are reported in records. 1 (the default) is the record-level model; at most 1024, and a bundle at most a quarter of a network buffer. The verdict warns when one bundle's service at the slowest operator is above 1 ms. Its error against the record-level model is measured in the README (the fast path); the exactly-once checks run record by record.",
    ),
    f(
        "checkpoint.interval",
        Duration,
        Absent("periodic checkpoints off"),
        JOB,
        "Time between periodic checkpoint triggers.",
    ),
    f(
        "checkpoint.timeout",
        Duration,
        Value("\"10min\""),
        "per checkpoint",
        "A checkpoint not complete after this long expires (`CHECKPOINT_EXPIRED`).",
    ),
    f(
        "checkpoint.min_pause",
        Duration,
        Value("\"0s\""),
        JOB,
        "Least time from a checkpoint's completion to the next trigger.",
    ),
    f(
        "checkpoint.max_concurrent",
        Integer,
        Value("1"),
        JOB,
        "Checkpoints in progress at once.",
    ),
    f(
        "checkpoint.tolerable_failed",
        Integer,
        Value("0"),
        JOB,
        "Consecutive failed checkpoints tolerated before the job fails over.",
    ),
    f(
        "checkpoint.mode",
        Enum,
        Value("\"exactly_once\""),
        JOB,
        "Exactly-once aligns barriers; at-least-once only counts them.",
    ),
    f(
        "checkpoint.num_retained",
        Integer,
        Value("1"),
        JOB,
        "Completed checkpoints kept; older ones are discarded (and their shared files released).",
    ),
    f(
        "checkpoint.trigger_latency",
        DurationDist,
        Value("\"0s\""),
        "per checkpoint",
        "JobManager time from the trigger timer to the trigger RPCs leaving (not a Flink option): `startTriggeringCheckpoint`'s checkpoint ID, `chk-N` directory and source coordinators' snapshots, which every source of a checkpoint waits for. Default 0 (the trigger RPC's default latency stands for the whole way). On Flink 2.3 on one 2-core host it is most of a source's start delay: 4 sources on 2 TaskManagers start within 1 ms of each other at the median, against 4 ms of start delay (tests/fidelity run c08_trigger_split).",
    ),
    f(
        "checkpoint.first_trigger_delay",
        Duration,
        Absent(
            "at the job's start min_pause after every task runs (Flink 2.3's scheduler spends its random initial delay on a start it cancels as the tasks are scheduled); after a restart min_pause after the first restarted task runs if every task runs by then, else whole intervals after that attempt, as Flink 2.3 is measured",
        ),
        JOB,
        "Delay of the first periodic checkpoint after a (re)start, counted from when every task runs; fixed values place checkpoints at fixed offsets from every (re)start.",
    ),
    f(
        "checkpoint.unaligned",
        Bool,
        Value("false"),
        JOB,
        "Unaligned checkpoints: barriers overtake in-flight data, which is persisted.",
    ),
    f(
        "checkpoint.aligned_checkpoint_timeout",
        Duration,
        Value("\"0s\""),
        JOB,
        "With `unaligned`: start aligned, switch to unaligned this long after the trigger; 0 = always unaligned.",
    ),
    f(
        "checkpoint.max_subtasks_per_channel_state_file",
        Integer,
        Value("5"),
        "per TaskManager",
        "With `unaligned`: subtasks of a TaskManager sharing one channel-state writer and file; a subtask's channel state completes when that file closes.",
    ),
    f(
        "checkpoint.savepoint_times",
        Duration,
        Value("[]"),
        JOB,
        "Times at which a savepoint is triggered (a list).",
    ),
    f(
        "checkpoint.history_size",
        Integer,
        Value("10"),
        JOB,
        "The newest checkpoints whose entries and details `checkpoints.json` and `checkpoint_details.json` keep, as Flink's REST API does; counts and summaries cover all, `checkpoints.csv` lists all.",
    ),
];
