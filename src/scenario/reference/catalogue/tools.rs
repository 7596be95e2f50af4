//! The catalogue's entries for `[sweep]`, `[advise]` and `[flink]`, in the order the reference lists them.

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
];
