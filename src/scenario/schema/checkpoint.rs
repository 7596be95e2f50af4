//! `[checkpoint]`: Flink's `execution.checkpointing.*` keys, with Flink's defaults.

use super::{dur, five, one, zero_dist, zero_duration};
use crate::protocol::CheckpointingMode;
use crate::sim::dist::{Duration, DurationDist};
use crate::time::NS_PER_S;
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointCfg {
    /// `execution.checkpointing.interval`; absent means periodic checkpointing is off.
    #[serde(default)]
    pub interval: Option<Duration>,
    /// `execution.checkpointing.timeout` (10 min).
    #[serde(default = "default_timeout")]
    pub timeout: Duration,
    /// `execution.checkpointing.min-pause` (0), measured from the last completion.
    #[serde(default = "zero_duration")]
    pub min_pause: Duration,
    /// `execution.checkpointing.max-concurrent-checkpoints` (1).
    #[serde(default = "one")]
    pub max_concurrent: u32,
    /// `execution.checkpointing.tolerable-failed-checkpoints` (0).
    #[serde(default)]
    pub tolerable_failed: u32,
    /// `execution.checkpointing.mode`.
    #[serde(default = "default_mode")]
    pub mode: CheckpointingMode,
    /// `execution.checkpointing.num-retained` (1).
    #[serde(default = "one")]
    pub num_retained: u32,
    /// Time the JobManager spends between the trigger timer firing and the trigger RPCs leaving
    /// (checkpoint ID counter, storage location, coordinator snapshots).
    #[serde(default = "zero_dist")]
    pub trigger_latency: DurationDist,
    /// Delay of the first periodic checkpoint after the job starts or restarts. Default: as
    /// Flink 2.3, `min_pause` after every task runs (after a restart, on the schedule of an
    /// attempt made as the first restarted task runs). A fixed value places checkpoints at
    /// fixed offsets, as the checkpoint/restart models (Young, Daly) assume.
    #[serde(default)]
    pub first_trigger_delay: Option<Duration>,
    /// `execution.checkpointing.unaligned.enabled` (false).
    #[serde(default)]
    pub unaligned: bool,
    /// `execution.checkpointing.aligned-checkpoint-timeout` (0s): with `unaligned`, a checkpoint
    /// starts aligned and switches to unaligned once this long has passed since its trigger;
    /// 0 means always unaligned.
    #[serde(default = "zero_duration")]
    pub aligned_checkpoint_timeout: Duration,
    /// `execution.checkpointing.unaligned.max-subtasks-per-channel-state-file` (5): on each
    /// TaskManager, the job's subtasks share channel-state writers, this many per writer; a
    /// writer puts their channel state of a checkpoint into one file, and a subtask's
    /// channel state is complete when that file is closed, after all of theirs.
    #[serde(default = "five")]
    pub max_subtasks_per_channel_state_file: u32,
    /// Times at which a savepoint is triggered (manual `triggerSavepoint`), e.g. `["20s"]`.
    #[serde(default)]
    pub savepoint_times: Vec<Duration>,
    /// `web.checkpoints.history` (10): the most recent checkpoints whose entries and details
    /// `checkpoints.json` and `checkpoint_details.json` keep, as Flink's REST API keeps them
    /// (counts and summaries cover every checkpoint; `checkpoints.csv` lists them all).
    #[serde(default = "default_history_size")]
    pub history_size: u32,
}

fn default_history_size() -> u32 {
    10
}

fn default_timeout() -> Duration {
    dur(10 * 60 * NS_PER_S)
}
fn default_mode() -> CheckpointingMode {
    CheckpointingMode::ExactlyOnce
}

impl Default for CheckpointCfg {
    fn default() -> Self {
        CheckpointCfg {
            interval: None,
            timeout: default_timeout(),
            min_pause: zero_duration(),
            max_concurrent: 1,
            tolerable_failed: 0,
            mode: default_mode(),
            num_retained: 1,
            trigger_latency: zero_dist(),
            first_trigger_delay: None,
            unaligned: false,
            aligned_checkpoint_timeout: zero_duration(),
            max_subtasks_per_channel_state_file: five(),
            savepoint_times: Vec::new(),
            history_size: default_history_size(),
        }
    }
}
