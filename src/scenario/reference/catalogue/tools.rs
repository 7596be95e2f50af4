//! The catalogue's entries for `[sweep]`, `[advise]`, `[flink]` and `[imported]`, in the order the reference lists them.

use super::Def::*;
use super::JOB;
use super::Unit::*;
use super::{FieldDoc, f};

pub(super) const FIELDS: &[FieldDoc] = &[
    f(
        "sweep",
        Table,
        Absent("no sweep"),
        JOB,
        "Parameter sweep, read by `ckptsim sweep` (see the README).",
    ),
    f(
        "advise",
        Table,
        Absent("no questions"),
        JOB,
        "The planner's questions `ckptsim advise` answers for this job by default, and `ckptsim reproduce` answers into results/advice_<name>/ (keys as advise's options: questions, mtbf, mtbf_per, failure, target_share, catch_up, spike, spike_length, verify_runs, verify_mtbfs).",
    ),
    f(
        "flink",
        Table,
        Absent("none"),
        JOB,
        "Flink configuration keys, mapped onto the fields above (see \"Flink keys\" below).",
    ),
    f(
        "imported.from",
        Text,
        Required,
        JOB,
        "Where `ckptsim import` read the job's REST responses (a directory or a REST address). With `[imported]`, `ckptsim run` prints a calibration report and writes it to summary.json (`calibration`).",
    ),
    f(
        "imported.job_id",
        Text,
        Value("\"\""),
        JOB,
        "The imported Flink job's id.",
    ),
    f(
        "imported.checkpoints",
        Integer,
        Value("0"),
        JOB,
        "Completed checkpoints of the job the medians are over.",
    ),
    f(
        "imported.medians[].statistic",
        Enum,
        Required,
        JOB,
        "A statistic of the job's checkpoints (end_to_end_duration, state_size, checkpointed_size, persisted_data) or of a task's subtasks (start_delay, alignment_duration, sync_duration, async_duration), as Flink's REST API names it.",
    ),
    f(
        "imported.medians[].task",
        Text,
        Absent("a checkpoint statistic"),
        JOB,
        "The task (as the run names it, `map -> sink: Writer`) of a per-subtask statistic.",
    ),
    f(
        "imported.medians[].value",
        Number,
        Required,
        JOB,
        "The job's own median, but the mean for `state_size` and `checkpointed_size` (on RocksDB they saw-tooth with compaction, and a median is one of the levels): milliseconds for durations, bytes for sizes. The report sets the run's figure alike (checkpoints triggered after the warm-up) beside it, with their ratio.",
    ),
];
