//! The catalogue's entries for `[restart]` and `[recovery]`, in the order the reference lists them.

use super::Def::*;
use super::JOB;
use super::Unit::*;
use super::{FieldDoc, f};

pub(super) const FIELDS: &[FieldDoc] = &[
    f(
        "restart.strategy",
        Enum,
        Required,
        JOB,
        "Restart strategy, with Flink's spellings.",
    ),
    f(
        "restart.attempts",
        Integer,
        Absent("1"),
        JOB,
        "fixed-delay: restarts before the job fails.",
    ),
    f(
        "restart.delay",
        Duration,
        Absent("1 s"),
        JOB,
        "fixed-delay and failure-rate: delay before a restart.",
    ),
    f(
        "restart.initial_backoff",
        Duration,
        Absent("1 s"),
        JOB,
        "exponential-delay: first backoff.",
    ),
    f(
        "restart.max_backoff",
        Duration,
        Absent("1 min"),
        JOB,
        "exponential-delay: largest backoff.",
    ),
    f(
        "restart.backoff_multiplier",
        Number,
        Absent("1.5"),
        JOB,
        "exponential-delay: backoff growth per failure.",
    ),
    f(
        "restart.jitter_factor",
        Number,
        Absent("0.1"),
        JOB,
        "exponential-delay: random part of each backoff.",
    ),
    f(
        "restart.reset_backoff_threshold",
        Duration,
        Absent("1 h"),
        JOB,
        "exponential-delay: failure-free time that resets the backoff.",
    ),
    f(
        "restart.attempts_before_reset_backoff",
        Integer,
        Absent("unlimited"),
        JOB,
        "exponential-delay: restarts before the job fails.",
    ),
    f(
        "restart.max_failures_per_interval",
        Integer,
        Absent("1"),
        JOB,
        "failure-rate: failures tolerated per interval.",
    ),
    f(
        "restart.failure_rate_interval",
        Duration,
        Absent("1 min"),
        JOB,
        "failure-rate: the interval.",
    ),
    f(
        "recovery.failover",
        Enum,
        Value("\"region\""),
        JOB,
        "Restart the failed pipelined region or the whole job.",
    ),
    f(
        "recovery.local",
        Bool,
        Value("false"),
        JOB,
        "Keyed state is read from the TaskManager's local copy when the task returns to it.",
    ),
    f(
        "recovery.restore_bandwidth",
        Rate,
        Absent("the storage bandwidth"),
        JOB,
        "Download bandwidth for restoring state.",
    ),
    f(
        "recovery.local_restore_bandwidth",
        Rate,
        Value("\"200MB/s\""),
        "per TaskManager",
        "Read bandwidth of the local copy.",
    ),
    f(
        "recovery.deployment_time",
        DurationDist,
        Value("\"129ms\""),
        "per restart",
        "Scheduling and deployment of restarted tasks (not a Flink option; cluster-dependent, \
         single-host default).",
    ),
    f(
        "recovery.task_failure_report_delay",
        DurationDist,
        Value("\"17ms\""),
        "per failure",
        "A failed task's cleanup and FAILED report to the JobManager, which then moves the job to \
         RESTARTING (not a Flink option; single-host default).",
    ),
];
