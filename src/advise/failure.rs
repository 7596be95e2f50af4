//! The failure the answers are about: what fails (`--failure`), how often (`--mtbf`, per
//! TaskManager or per job), and how a run is made to suffer it, once at a chosen instant or at
//! random. The scenario's own `[faults]` are replaced: an answer is about this failure alone.

use super::variants::{Variant, dur};

/// What fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// A task throws: the JobManager learns it at once.
    Task,
    /// A TaskManager process dies: its connections close and the JobManager learns it within the
    /// connection drop delay (100 ms).
    TaskmanagerLost,
    /// A TaskManager hangs or its host becomes unreachable: only the heartbeat timeout (50 s)
    /// tells the JobManager.
    TaskmanagerUnreachable,
}

/// Whose MTBF `--mtbf` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MtbfPer {
    /// Each TaskManager fails independently; the job fails `taskmanagers` times as often.
    Taskmanager,
    /// The job as a whole.
    Job,
}

#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct FailureModel {
    pub kind: FailureKind,
    /// Mean time between failures of the job (s).
    pub job_mtbf_s: f64,
}

impl FailureModel {
    pub fn new(kind: FailureKind, mtbf_s: f64, per: MtbfPer, taskmanagers: u32) -> Self {
        let job_mtbf_s = match per {
            MtbfPer::Taskmanager => mtbf_s / taskmanagers.max(1) as f64,
            MtbfPer::Job => mtbf_s,
        };
        FailureModel { kind, job_mtbf_s }
    }

    /// Fault to the JobManager knowing it, as the scenario defaults model it (ms).
    pub fn detection_ms(&self) -> f64 {
        match self.kind {
            FailureKind::Task => 0.0,
            FailureKind::TaskmanagerLost => 100.0,
            // The last heartbeat came up to one 10 s interval before the loss: on average 5 s.
            FailureKind::TaskmanagerUnreachable => 45_000.0,
        }
    }

    /// One failure at `at_ns`. A lost TaskManager is the first: it always holds subtask 0 of
    /// every operator (slot i runs subtask i), where a random one may hold no task at all and
    /// cost nothing.
    pub fn once(&self, v: Variant, at_ns: f64) -> Variant {
        let at = format!("at = [{}]", dur(at_ns));
        match self.kind {
            FailureKind::Task => v.set("faults", self.table(&at)),
            _ => v.set("faults", self.table(&format!("{at}, taskmanager = 0"))),
        }
    }

    /// Failures at random with the job's MTBF.
    pub fn random(&self, v: Variant) -> Variant {
        v.set(
            "faults",
            self.table(&format!("mtbf = {}, per = \"job\"", dur(self.job_mtbf_s * 1e9))),
        )
    }

    fn table(&self, when: &str) -> String {
        match self.kind {
            FailureKind::Task => format!("{{ task_crash = [{{ {when} }}] }}"),
            FailureKind::TaskmanagerLost => {
                format!("{{ taskmanager_loss = [{{ {when}, detection = \"connection_drop\" }}] }}")
            }
            FailureKind::TaskmanagerUnreachable => {
                format!("{{ taskmanager_loss = [{{ {when}, detection = \"heartbeat\" }}] }}")
            }
        }
    }

    /// What fails, as a sentence names it.
    pub fn what(&self) -> &'static str {
        match self.kind {
            FailureKind::Task => "a task failure",
            FailureKind::TaskmanagerLost => "a lost TaskManager",
            FailureKind::TaskmanagerUnreachable => "an unreachable TaskManager (heartbeat timeout)",
        }
    }

    pub fn describe(&self) -> String {
        format!(
            "{} every {} on average (job-wide)",
            self.what(),
            super::human_s(self.job_mtbf_s)
        )
    }
}
