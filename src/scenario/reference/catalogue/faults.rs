//! The catalogue's entries for `[faults]`: one [`FaultDoc`] per fault type, with the sentence of
//! its table, its fields and an example entry, kept together so that a fault type is documented
//! in one place. Listed in the order the reference shows them.

use super::Def::*;
use super::FAULT;
use super::Unit::*;
use super::{FieldDoc, f};

/// One fault type's part of the reference.
#[derive(Clone, Copy, Debug)]
pub struct FaultDoc {
    /// A sentence for each of its tables, its own first (`faults.storage` has three lists).
    pub sections: &'static [(&'static str, &'static str)],
    pub fields: &'static [FieldDoc],
    /// One entry as a scenario file writes it: every required field set and no field that has
    /// a documented default. `tests/scenario_reference.rs` builds its full scenario from these,
    /// so every field of every fault type is checked there.
    pub example: &'static str,
}

/// The sentence of the `[faults]` table itself.
pub(super) const SECTION: (&str, &str) = ("faults", "Injected failures; none when absent.");

/// Every fault type, in the reference's order.
pub const FAULTS: &[FaultDoc] = &[
    TASK_CRASH,
    TASKMANAGER_LOSS,
    NETWORK_PARTITION,
    CONNECTION_LOSS,
    STORAGE,
    STRAGGLER,
    JOBMANAGER_FAILOVER,
];

/// The fields of every fault type, in the reference's order.
pub(super) fn fields() -> impl Iterator<Item = &'static FieldDoc> {
    FAULTS.iter().flat_map(|d| d.fields.iter())
}

/// The sentences of every fault type's tables, after [`SECTION`].
pub(super) fn sections() -> impl Iterator<Item = (&'static str, &'static str)> {
    FAULTS.iter().flat_map(|d| d.sections.iter().copied())
}

/// A `[faults]` section with one example entry of every fault type.
pub fn examples() -> String {
    FAULTS.iter().map(|d| d.example).collect()
}

const TASK_CRASH: FaultDoc = FaultDoc {
    sections: &[("faults.task_crash[]", "A task throws: detected at once.")],
    fields: &[
        f(
            "faults.task_crash[].at",
            Duration,
            Value("[]"),
            FAULT,
            "Fixed crash times (a list); give these or `mtbf`.",
        ),
        f(
            "faults.task_crash[].mtbf",
            Duration,
            Absent("no random crashes"),
            FAULT,
            "Mean time between crashes of a Poisson process.",
        ),
        f(
            "faults.task_crash[].per",
            Enum,
            Value("\"job\""),
            FAULT,
            "Whose MTBF `mtbf` is: the job's, or each subtask's (`task`).",
        ),
        f(
            "faults.task_crash[].operator",
            Text,
            Absent("any subtask of the job"),
            FAULT,
            "Only this operator's subtasks crash.",
        ),
        f(
            "faults.task_crash[].subtask",
            Integer,
            Absent("a uniformly drawn one per crash"),
            FAULT,
            "With `operator`: exactly this subtask.",
        ),
    ],
    example: r#"[[faults.task_crash]]
mtbf = "1h"
"#,
};

const TASKMANAGER_LOSS: FaultDoc = FaultDoc {
    sections: &[(
        "faults.taskmanager_loss[]",
        "A TaskManager is lost: its tasks fail; noticed by heartbeat or connection drop.",
    )],
    fields: &[
        f(
            "faults.taskmanager_loss[].at",
            Duration,
            Value("[]"),
            FAULT,
            "Fixed loss times (a list); give these or `mtbf`.",
        ),
        f(
            "faults.taskmanager_loss[].mtbf",
            Duration,
            Absent("no random losses"),
            FAULT,
            "Mean time between losses.",
        ),
        f(
            "faults.taskmanager_loss[].per",
            Enum,
            Value("\"job\""),
            FAULT,
            "Whose MTBF `mtbf` is: the job's, or each TaskManager's.",
        ),
        f(
            "faults.taskmanager_loss[].taskmanager",
            Integer,
            Absent("a uniformly drawn one per loss"),
            FAULT,
            "The TaskManager lost.",
        ),
        f(
            "faults.taskmanager_loss[].detection",
            Enum,
            Value("\"heartbeat\""),
            FAULT,
            "Noticed after the heartbeat timeout (hung) or the connection drop (dead).",
        ),
        f(
            "faults.taskmanager_loss[].heartbeat_timeout",
            Duration,
            Value("\"50s\""),
            FAULT,
            "Heartbeat timeout of the JobManager.",
        ),
        f(
            "faults.taskmanager_loss[].heartbeat_interval",
            Duration,
            Value("\"10s\""),
            FAULT,
            "The last heartbeat was up to one interval before the loss.",
        ),
        f(
            "faults.taskmanager_loss[].connection_drop_delay",
            Duration,
            Value("\"100ms\""),
            FAULT,
            "Connection drop to the JobManager knowing (detection = connection_drop).",
        ),
        f(
            "faults.taskmanager_loss[].replacement_delay",
            Duration,
            Value("\"0s\""),
            FAULT,
            "Until a replacement TaskManager registers its slots (0: spare slots).",
        ),
    ],
    example: r#"[[faults.taskmanager_loss]]
mtbf = "1h"
"#,
};

const NETWORK_PARTITION: FaultDoc = FaultDoc {
    sections: &[(
        "faults.network_partition[]",
        "The network between two TaskManagers is cut for a while.",
    )],
    fields: &[
        f(
            "faults.network_partition[].start",
            Duration,
            Absent("give start or mtbf"),
            FAULT,
            "Start of one partition.",
        ),
        f(
            "faults.network_partition[].mtbf",
            Duration,
            Absent("give start or mtbf"),
            FAULT,
            "Partitions starting as a Poisson process with this mean gap.",
        ),
        f(
            "faults.network_partition[].duration",
            Duration,
            Required,
            FAULT,
            "How long a partition lasts.",
        ),
        f(
            "faults.network_partition[].between",
            Integer,
            Required,
            FAULT,
            "The two TaskManagers (a list of two).",
        ),
        f(
            "faults.network_partition[].fail_after",
            Duration,
            Absent("traffic waits for the heal"),
            FAULT,
            "A partition this long breaks the connections then: tasks reading across them fail.",
        ),
    ],
    example: r#"[[faults.network_partition]]
start = "10s"
duration = "1s"
between = [0, 1]
"#,
};

const CONNECTION_LOSS: FaultDoc = FaultDoc {
    sections: &[(
        "faults.connection_loss[]",
        "The TCP connection between two TaskManagers drops: tasks reading across it fail.",
    )],
    fields: &[
        f(
            "faults.connection_loss[].at",
            Duration,
            Value("[]"),
            FAULT,
            "Fixed drop times (a list); give these or `mtbf`.",
        ),
        f(
            "faults.connection_loss[].mtbf",
            Duration,
            Absent("no random drops"),
            FAULT,
            "Mean time between drops.",
        ),
        f(
            "faults.connection_loss[].between",
            Integer,
            Absent("a uniformly drawn pair per drop"),
            FAULT,
            "The two TaskManagers (a list of two).",
        ),
    ],
    example: r#"[[faults.connection_loss]]
mtbf = "1h"
"#,
};

const STORAGE: FaultDoc = FaultDoc {
    sections: &[
        ("faults.storage", "Checkpoint storage failures."),
        (
            "faults.storage.latency_spikes[]",
            "Request latency multiplied during a window.",
        ),
        ("faults.storage.outages[]", "Storage unreachable during a window."),
        (
            "faults.storage.throttling[]",
            "Storage bandwidth multiplied during a window.",
        ),
    ],
    fields: &[
        f(
            "faults.storage.upload_failure_probability",
            Number,
            Value("0.0"),
            "per upload",
            "Each checkpoint upload fails (a declined checkpoint) with this probability.",
        ),
        f(
            "faults.storage.latency_spikes[].start",
            Duration,
            Absent("give start or mtbf"),
            FAULT,
            "Start of one window.",
        ),
        f(
            "faults.storage.latency_spikes[].mtbf",
            Duration,
            Absent("give start or mtbf"),
            FAULT,
            "Windows starting as a Poisson process with this mean gap.",
        ),
        f(
            "faults.storage.latency_spikes[].duration",
            Duration,
            Required,
            FAULT,
            "Length of a window.",
        ),
        f(
            "faults.storage.latency_spikes[].factor",
            Number,
            Required,
            FAULT,
            "Request latency multiplier (>= 1).",
        ),
        f(
            "faults.storage.outages[].start",
            Duration,
            Absent("give start or mtbf"),
            FAULT,
            "Start of one outage.",
        ),
        f(
            "faults.storage.outages[].mtbf",
            Duration,
            Absent("give start or mtbf"),
            FAULT,
            "Outages starting as a Poisson process with this mean gap.",
        ),
        f(
            "faults.storage.outages[].duration",
            Duration,
            Required,
            FAULT,
            "Length of an outage.",
        ),
        f(
            "faults.storage.throttling[].start",
            Duration,
            Absent("give start or mtbf"),
            FAULT,
            "Start of one window.",
        ),
        f(
            "faults.storage.throttling[].mtbf",
            Duration,
            Absent("give start or mtbf"),
            FAULT,
            "Windows starting as a Poisson process with this mean gap.",
        ),
        f(
            "faults.storage.throttling[].duration",
            Duration,
            Required,
            FAULT,
            "Length of a window.",
        ),
        f(
            "faults.storage.throttling[].factor",
            Number,
            Required,
            FAULT,
            "Bandwidth multiplier in (0, 1].",
        ),
    ],
    example: r#"[faults.storage]
latency_spikes = [{ start = "1s", duration = "1s", factor = 2 }]
outages = [{ start = "2s", duration = "1s" }]
throttling = [{ start = "3s", duration = "1s", factor = 0.5 }]
"#,
};

const STRAGGLER: FaultDoc = FaultDoc {
    sections: &[("faults.straggler[]", "A slow TaskManager or disk during a window.")],
    fields: &[
        f(
            "faults.straggler[].kind",
            Enum,
            Required,
            FAULT,
            "Slow tasks (`taskmanager`) or a slow local disk (`disk`).",
        ),
        f(
            "faults.straggler[].taskmanager",
            Integer,
            Required,
            FAULT,
            "The slow TaskManager.",
        ),
        f(
            "faults.straggler[].start",
            Duration,
            Absent("give start or mtbf"),
            FAULT,
            "Start of one window.",
        ),
        f(
            "faults.straggler[].mtbf",
            Duration,
            Absent("give start or mtbf"),
            FAULT,
            "Windows starting as a Poisson process with this mean gap.",
        ),
        f(
            "faults.straggler[].duration",
            Duration,
            Required,
            FAULT,
            "Length of a window.",
        ),
        f(
            "faults.straggler[].slowdown",
            Number,
            Required,
            FAULT,
            "Service-time multiplier or disk-bandwidth divisor (>= 1).",
        ),
    ],
    example: r#"[[faults.straggler]]
kind = "disk"
taskmanager = 0
start = "4s"
duration = "1s"
slowdown = 2
"#,
};

const JOBMANAGER_FAILOVER: FaultDoc = FaultDoc {
    sections: &[("faults.jobmanager_failover", "The JobManager fails over to a standby.")],
    fields: &[
        f(
            "faults.jobmanager_failover.at",
            Duration,
            Value("[]"),
            FAULT,
            "Fixed failover times (a list); give these or `mtbf`.",
        ),
        f(
            "faults.jobmanager_failover.mtbf",
            Duration,
            Absent("no random failovers"),
            FAULT,
            "Mean time between failovers.",
        ),
        f(
            "faults.jobmanager_failover.leader_election_time",
            Duration,
            Value("\"15s\""),
            FAULT,
            "Leader election and job recovery by the new JobManager.",
        ),
    ],
    example: r#"[faults.jobmanager_failover]
mtbf = "1h"
"#,
};
