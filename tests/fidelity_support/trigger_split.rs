//! A source's start delay in two parts, as Flink's `CheckpointCoordinator` spends it: the
//! trigger pipeline that every source of a checkpoint waits for (the checkpoint ID, the `chk-N`
//! directory, the source coordinators' snapshots, then `triggerTasks`), and each
//! `triggerCheckpoint` call's own way to its task (the RPC, the TaskExecutor's main thread, the
//! source's mailbox). A run at parallelism 1 shows only their sum; with several sources, the
//! checkpoint's earliest source start delay bounds the shared part and each source's delay
//! beyond it is its call's own.

use super::real::RealRuns;
use std::collections::BTreeMap;

/// Samples of the two parts, in ms (Flink's timestamps are whole ms).
pub struct TriggerSplit {
    /// Per checkpoint: the earliest start delay among its sources.
    pub shared_ms: Vec<f64>,
    /// Per source and checkpoint: its start delay beyond that checkpoint's earliest.
    pub per_call_ms: Vec<f64>,
}

/// The split over `run`'s checkpoints after `warmup_s`, each counted only when every one of
/// its `sources` acknowledged (a missing source would make the earliest one too late).
pub fn measure(real: &RealRuns, run: &str, sources: u32, warmup_s: f64) -> TriggerSplit {
    let mut by_checkpoint: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
    for row in real.subtask_rows(run, "Source", warmup_s) {
        let (Some(id), Some(delay)) = (row.get("checkpoint_id"), row.get("start_delay_ms")) else {
            continue;
        };
        by_checkpoint.entry(*id as u64).or_default().push(*delay);
    }
    let mut split = TriggerSplit {
        shared_ms: Vec::new(),
        per_call_ms: Vec::new(),
    };
    for delays in by_checkpoint.values().filter(|d| d.len() == sources as usize) {
        let earliest = delays.iter().copied().fold(f64::INFINITY, f64::min);
        split.shared_ms.push(earliest);
        split.per_call_ms.extend(delays.iter().map(|d| d - earliest));
    }
    split
}
