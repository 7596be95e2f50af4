//! Trouble the exactly-once property cases add beside their crashes: checkpoints that expire,
//! overlap or pause, a checkpoint storage that fails, stalls or slows, a network partition, a
//! slow TaskManager, buffer debloating, and one channel-state file per subtask. These paths decline, abort and re-trigger
//! checkpoints, which the crash schedules alone rarely reach.

use proptest::prelude::*;

/// How the checkpoints themselves are configured (in both the failure-free and the faulty run).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checkpoints {
    /// The case's interval, one at a time, Flink's 10 min timeout.
    Plain,
    /// A 150 ms timeout: back-pressured aligned checkpoints expire, and are tolerated.
    Expiring,
    /// Two checkpoints may be in flight at once (`max-concurrent-checkpoints: 2`).
    Concurrent,
    /// A 250 ms minimum pause after each completed checkpoint.
    Paused,
}

/// The checkpoint storage's trouble (faulty run only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Storage {
    /// Each upload request fails with [`Trouble::upload_failure_probability`]: the subtask
    /// declines.
    UploadsFail,
    /// Unreachable for 400 ms from the given time.
    Outage(u32),
    /// A twentieth of its bandwidth for 500 ms.
    Throttled(u32),
    /// Requests 20 times slower for 500 ms.
    Slow(u32),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Trouble {
    pub checkpoints: Checkpoints,
    pub storage: Option<Storage>,
    /// A 300 ms partition between the two TaskManagers from this time; `true`: the
    /// connections are declared dead after 100 ms (the readers fail).
    pub partition: Option<(u32, bool)>,
    /// TaskManager 0 processes 4 times slower for 500 ms from this time.
    pub straggler_ms: Option<u32>,
    /// `taskmanager.network.memory.buffer-debloat.enabled`.
    pub debloat: bool,
    /// One channel-state file per subtask
    /// (`execution.checkpointing.unaligned.max-subtasks-per-channel-state-file: 1`) instead of
    /// up to 5 subtasks of a TaskManager sharing one.
    pub channel_state_file_per_subtask: bool,
    /// `execution.checkpointing.tolerable-failed-checkpoints` when uploads fail and the
    /// checkpoints do not expire: 0, so that `CheckpointFailureManager` fails the job over at
    /// each declined checkpoint (the case keeps it under light load only).
    /// `None`: 1000, never exceeded.
    pub tolerable_failed: Option<u32>,
    /// The chance that one upload fails, with [`Storage::UploadsFail`]: 0.02, or 0.01 when the
    /// case's backend is RocksDB (set by the case). With nothing inlined, a heap checkpoint of
    /// a dozen subtasks is a dozen uploads; a RocksDB one uploads every live SST file, about 30,
    /// so that at 0.02 half of its checkpoints fail, and a bounded job whose last ten all
    /// failed did not end in the run's time. At 0.1 almost none completed.
    pub upload_failure_probability: f64,
}

impl Trouble {
    /// None at all: what the fixed cases use.
    pub const NONE: Trouble = Trouble {
        checkpoints: Checkpoints::Plain,
        storage: None,
        partition: None,
        straggler_ms: None,
        debloat: false,
        channel_state_file_per_subtask: false,
        tolerable_failed: None,
        upload_failure_probability: 0.02,
    };

    /// Fault times moved with the input's end (`at`, as the case moves its crashes).
    pub fn scaled(self, at: impl Fn(u32) -> u32) -> Trouble {
        Trouble {
            storage: self.storage.map(|s| match s {
                Storage::UploadsFail => Storage::UploadsFail,
                Storage::Outage(t) => Storage::Outage(at(t)),
                Storage::Throttled(t) => Storage::Throttled(at(t)),
                Storage::Slow(t) => Storage::Slow(at(t)),
            }),
            partition: self.partition.map(|(t, dead)| (at(t), dead)),
            straggler_ms: self.straggler_ms.map(at),
            ..self
        }
    }

    /// Lines for the `[checkpoint]` table. Failed checkpoints are tolerated whenever some
    /// can fail for reasons other than a task's failure, so that the bounded job still ends,
    /// unless the case asks for a low tolerance.
    pub fn checkpoint_toml(&self) -> String {
        let mut t = match self.checkpoints {
            Checkpoints::Plain => String::new(),
            Checkpoints::Expiring => "\ntimeout = \"150ms\"".to_string(),
            Checkpoints::Concurrent => "\nmax_concurrent = 2".to_string(),
            Checkpoints::Paused => "\nmin_pause = \"250ms\"".to_string(),
        };
        if self.channel_state_file_per_subtask {
            t.push_str("\nmax_subtasks_per_channel_state_file = 1");
        }
        if let Some(n) = self.tolerable_failed {
            t.push_str(&format!("\ntolerable_failed = {n}"));
        } else if self.checkpoints == Checkpoints::Expiring || self.storage.is_some() {
            t.push_str("\ntolerable_failed = 1000");
        }
        t
    }

    /// A `[storage]` table, if the trouble needs one: with uploads failing, every state goes to
    /// storage (`execution.checkpointing.data-inline-threshold: 0`), since the cases' small
    /// heap states would otherwise be inlined into the metadata and never fail.
    pub fn storage_toml(&self) -> &'static str {
        if self.storage == Some(Storage::UploadsFail) {
            "\n[storage]\ninline_threshold = \"0B\""
        } else {
            ""
        }
    }

    /// Lines for the `[network]` table.
    pub fn network_toml(&self) -> &'static str {
        if self.debloat {
            "\ndebloat = { enabled = true, target = \"100ms\" }"
        } else {
            ""
        }
    }

    /// Fault tables of the faulty run.
    pub fn faults_toml(&self) -> String {
        let mut t = String::new();
        if let Some(s) = self.storage {
            t.push_str("[faults.storage]\n");
            t.push_str(&match s {
                Storage::UploadsFail => format!("upload_failure_probability = {}\n", self.upload_failure_probability),
                Storage::Outage(at) => format!("outages = [{{ start = \"{at}ms\", duration = \"400ms\" }}]\n"),
                Storage::Throttled(at) => {
                    format!("throttling = [{{ start = \"{at}ms\", duration = \"500ms\", factor = 0.05 }}]\n")
                }
                Storage::Slow(at) => {
                    format!("latency_spikes = [{{ start = \"{at}ms\", duration = \"500ms\", factor = 20.0 }}]\n")
                }
            });
        }
        if let Some((at, dead)) = self.partition {
            t.push_str(&format!(
                "[[faults.network_partition]]\nstart = \"{at}ms\"\nduration = \"300ms\"\nbetween = [0, 1]\n{}",
                if dead { "fail_after = \"100ms\"\n" } else { "" }
            ));
        }
        if let Some(at) = self.straggler_ms {
            t.push_str(&format!(
                "[[faults.straggler]]\nkind = \"taskmanager\"\ntaskmanager = 0\nstart = \"{at}ms\"\nduration = \"500ms\"\nslowdown = 4.0\n"
            ));
        }
        t
    }
}

/// Most cases get no trouble of a kind, so that the crash schedules keep their share.
pub fn trouble() -> impl Strategy<Value = Trouble> {
    (
        prop_oneof![
            4 => Just(Checkpoints::Plain),
            1 => Just(Checkpoints::Expiring),
            1 => Just(Checkpoints::Concurrent),
            1 => Just(Checkpoints::Paused),
        ],
        prop_oneof![
            4 => Just(None),
            1 => Just(Some(Storage::UploadsFail)),
            1 => (300u32..2800).prop_map(|t| Some(Storage::Outage(t))),
            1 => (300u32..2800).prop_map(|t| Some(Storage::Throttled(t))),
            1 => (300u32..2800).prop_map(|t| Some(Storage::Slow(t))),
        ],
        prop_oneof![4 => Just(None), 1 => (300u32..2800, any::<bool>()).prop_map(Some)],
        prop_oneof![4 => Just(None), 1 => (300u32..2800).prop_map(Some)],
        prop_oneof![3 => Just(false), 1 => Just(true)],
        prop_oneof![3 => Just(false), 1 => Just(true)],
        any::<bool>(),
    )
        .prop_map(
            |(checkpoints, storage, partition, straggler_ms, debloat, channel_state_file_per_subtask, strict)| {
                // Failed uploads decline a checkpoint now and then, and with no tolerance each
                // one fails the job over. Expiring checkpoints under backpressure would fail it
                // over on every attempt, and the bounded job would never end. (An outage stalls
                // requests until it ends: alone it fails no checkpoint.)
                let tolerable_failed = match storage {
                    Some(Storage::UploadsFail) if strict && checkpoints != Checkpoints::Expiring => Some(0),
                    _ => None,
                };
                Trouble {
                    checkpoints,
                    storage,
                    partition,
                    straggler_ms,
                    debloat,
                    channel_state_file_per_subtask,
                    tolerable_failed,
                    upload_failure_probability: 0.02,
                }
            },
        )
}
