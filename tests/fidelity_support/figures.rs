//! The figures compared, computed alike on both sides: medians over the checkpoints triggered
//! after the run's warm-up (and over the stateful map's subtask acknowledgements of those
//! checkpoints), throughput after warm-up, and recovery times of the first failure. A
//! subtask's durations are floored to whole ms on the simulated side, as Flink reports them
//! (`ckptsim::metrics::flink_resolution`).
//!
//! The simulated side pools several seeds (`SIM_SEEDS`): its figure estimates the model's
//! median, not one sample path's. One seed's median of ~50 checkpoints moves by about as much as
//! the effects the suite is asked to judge (f02's end to end: 12.5-13.7 ms over seeds 1-6,
//! sd 0.4 ms), and the tolerances have no term for it. Pooled, the checkpoints are six times
//! as many; throughput and recovery times are the seeds' mean.
//!
//! A checkpoint's state size and checkpointed size are compared by their mean, not their
//! median: RocksDB's sizes saw-tooth with compaction (four levels on f12 and f13, one per L0
//! file, 15.0 / 17.4 / 19.7 / 22.0 MB), and the median of ~49 checkpoints of such a cycle is
//! one of its levels, chosen by how many checkpoints of each phase the window happens to hold:
//! Flink's two runs of f13 both landed on the second level (17.4 MB), ckptsim's run on the
//! third (19.9 MB), a 14 % "gap" with per-subtask sizes 1-3 % apart. (Changed after that table
//! was seen, for that reason; the heap rows, whose sizes are flat, read the same either way.)

use std::collections::BTreeMap;

use ckptsim::metrics::flink_resolution::as_flink_reports_ms;
use ckptsim::run::RunOutput;

use super::percentile;
use super::real::RealRuns;
use super::translate::is_map_task;

/// A compared figure: its key, its unit, and whether it is a headline figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Figure {
    EndToEndMs,
    MapStartDelayMs,
    MapAlignmentMs,
    MapSyncMs,
    MapAsyncMs,
    StateSizeB,
    CheckpointedSizeB,
    PersistedDataB,
    MapPersistedB,
    MapRecordsPerS,
    FailToRestartingMs,
    FailToRunningMs,
    FailToProcessingMs,
    FailToFirstCheckpointMs,
}

impl Figure {
    pub const CHECKPOINT: [Figure; 9] = [
        Figure::EndToEndMs,
        Figure::MapStartDelayMs,
        Figure::MapAlignmentMs,
        Figure::MapSyncMs,
        Figure::MapAsyncMs,
        Figure::StateSizeB,
        Figure::CheckpointedSizeB,
        Figure::PersistedDataB,
        Figure::MapPersistedB,
    ];
    pub const RECOVERY: [Figure; 4] = [
        Figure::FailToRestartingMs,
        Figure::FailToRunningMs,
        Figure::FailToProcessingMs,
        Figure::FailToFirstCheckpointMs,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Figure::EndToEndMs => "p50 end_to_end_duration (ms)",
            Figure::MapStartDelayMs => "p50 map start_delay (ms)",
            Figure::MapAlignmentMs => "p50 map alignment_duration (ms)",
            Figure::MapSyncMs => "p50 map sync_duration (ms)",
            Figure::MapAsyncMs => "p50 map async_duration (ms)",
            Figure::StateSizeB => "mean state_size (B)",
            Figure::CheckpointedSizeB => "mean checkpointed_size (B)",
            Figure::PersistedDataB => "p50 persisted_data (B)",
            Figure::MapPersistedB => "p50 map persisted_data (B)",
            Figure::MapRecordsPerS => "map records in per s",
            Figure::FailToRestartingMs => "failure to RESTARTING (ms)",
            Figure::FailToRunningMs => "failure to RUNNING (ms)",
            Figure::FailToProcessingMs => "failure to processing again (ms)",
            Figure::FailToFirstCheckpointMs => "failure to first completed checkpoint (ms)",
        }
    }

    /// A short name for tables and the known-gaps file.
    pub fn short(self) -> &'static str {
        match self {
            Figure::EndToEndMs => "e2e_ms",
            Figure::MapStartDelayMs => "start_delay_ms",
            Figure::MapAlignmentMs => "alignment_ms",
            Figure::MapSyncMs => "sync_ms",
            Figure::MapAsyncMs => "async_ms",
            Figure::StateSizeB => "state_size_b",
            Figure::CheckpointedSizeB => "checkpointed_size_b",
            Figure::PersistedDataB => "persisted_data_b",
            Figure::MapPersistedB => "map_persisted_b",
            Figure::MapRecordsPerS => "map_records_per_s",
            Figure::FailToRestartingMs => "fail_to_restarting_ms",
            Figure::FailToRunningMs => "fail_to_running_ms",
            Figure::FailToProcessingMs => "fail_to_processing_ms",
            Figure::FailToFirstCheckpointMs => "fail_to_first_checkpoint_ms",
        }
    }

    pub fn from_short(s: &str) -> Option<Figure> {
        Figure::CHECKPOINT
            .iter()
            .chain(Figure::RECOVERY.iter())
            .chain([Figure::MapRecordsPerS].iter())
            .copied()
            .find(|f| f.short() == s)
    }

    pub fn is_bytes(self) -> bool {
        matches!(
            self,
            Figure::StateSizeB | Figure::CheckpointedSizeB | Figure::PersistedDataB | Figure::MapPersistedB
        )
    }

    /// The two figures a row must get within ±25 % (or ±2 ms) to be green.
    pub fn is_headline(self) -> bool {
        matches!(self, Figure::EndToEndMs | Figure::MapStartDelayMs)
    }

    /// Compared by the mean over the checkpoints rather than the median (see the module's note).
    fn is_mean_over_checkpoints(self) -> bool {
        matches!(self, Figure::StateSizeB | Figure::CheckpointedSizeB)
    }

    /// `summary.csv`'s column for this figure (recovery figures come from `recovery.csv`); for
    /// a mean over checkpoints, the run's `checkpoints.csv` column.
    fn real_column(self) -> &'static str {
        match self {
            Figure::EndToEndMs => "e2e_ms_median",
            Figure::MapStartDelayMs => "map_sub_start_delay_ms_median",
            Figure::MapAlignmentMs => "map_sub_alignment_ms_median",
            Figure::MapSyncMs => "map_sub_sync_ms_median",
            Figure::MapAsyncMs => "map_sub_async_ms_median",
            Figure::StateSizeB => "state_size_b",
            Figure::CheckpointedSizeB => "checkpointed_size_b",
            Figure::PersistedDataB => "persisted_data_b_median",
            Figure::MapPersistedB => "map_sub_persisted_b_median",
            Figure::MapRecordsPerS => "map_records_in_per_s_mean",
            Figure::FailToRestartingMs => "fail_to_job_RESTARTING_ms",
            Figure::FailToRunningMs => "fail_to_job_RUNNING_again_ms",
            Figure::FailToProcessingMs => "fail_to_all_map_subtasks_processing_ms",
            Figure::FailToFirstCheckpointMs => "fail_to_first_completed_cp_after_restore_ms",
        }
    }
}

pub type Figures = BTreeMap<Figure, f64>;

/// Flink's figures for one measured run.
pub fn real_figures(real: &RealRuns, run: &str) -> Figures {
    let mut f = Figures::new();
    let warmup_s = real.warmup_s(run);
    for fig in Figure::CHECKPOINT.iter().chain([Figure::MapRecordsPerS].iter()) {
        let v = if fig.is_mean_over_checkpoints() {
            real.checkpoint_mean(run, fig.real_column(), warmup_s)
        } else {
            real.summary(run, fig.real_column())
        };
        if let Some(v) = v {
            f.insert(*fig, v);
        }
    }
    for fig in Figure::RECOVERY {
        if let Some(v) = real.recovery(run, fig.real_column()) {
            f.insert(fig, v);
        }
    }
    f
}

/// The simulated checkpoints a comparison keeps: those triggered from `from_ms` to `to_ms` of
/// simulated time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    pub from_ms: f64,
    pub to_ms: f64,
}

impl Window {
    /// Every checkpoint triggered after `warmup_ms`.
    pub fn after(warmup_ms: f64) -> Window {
        Window {
            from_ms: warmup_ms,
            to_ms: f64::INFINITY,
        }
    }

    /// The simulated checkpoints that are measured runs' after their warm-up. ckptsim's clock
    /// starts with the job's tasks running and its first checkpoint (`min_pause_s` after them,
    /// as Flink's); Flink's trigger times count from the job's start, its deployment earlier
    /// (0.4-2.0 s in the suite's runs). So each run's triggers after its warm-up, less its own
    /// start-up (its first trigger less the pause), are simulated times, and the window spans
    /// them all, widened by half an interval on each side so that no trigger sits on its edge:
    /// both sides average the same checkpoints (a RocksDB state size saw-tooths over four of
    /// them). The start-up sets no simulated figure, only which are compared. `None` when no
    /// run triggered after its warm-up.
    pub fn of_runs(real: &RealRuns, runs: &[String], interval_s: f64, min_pause_s: f64) -> Option<Window> {
        let shifted: Vec<f64> = runs
            .iter()
            .filter(|r| real.has_run(r))
            .flat_map(|r| {
                let triggers = real.trigger_times_s(r);
                let startup_s = triggers.iter().copied().fold(f64::INFINITY, f64::min) - min_pause_s;
                let warmup_s = real.warmup_s(r);
                triggers
                    .into_iter()
                    .filter(move |t| *t >= warmup_s)
                    .map(move |t| t - startup_s)
            })
            .collect();
        let first = shifted.iter().copied().fold(f64::INFINITY, f64::min);
        let last = shifted.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        first.is_finite().then(|| Window {
            from_ms: 1000.0 * (first - interval_s / 2.0),
            to_ms: 1000.0 * (last + interval_s / 2.0),
        })
    }
}

/// A measured run's warm-up (`warmup_s` after the job's start) on ckptsim's clock, which starts
/// `startup_s` later, in whole ms.
pub fn sim_warmup_ms(warmup_s: f64, startup_s: f64) -> f64 {
    (1000.0 * (warmup_s - startup_s)).round()
}

/// Completed checkpoints the simulated side keeps: triggered in `window`.
pub fn completed_in(out: &RunOutput, window: Window) -> Vec<&ckptsim::metrics::CheckpointRecord> {
    out.checkpoints
        .iter()
        .filter(|c| {
            c.status == "COMPLETED"
                && !c.checkpoint_type.contains("SAVEPOINT")
                && c.trigger_timestamp >= window.from_ms
                && c.trigger_timestamp <= window.to_ms
        })
        .collect()
}

/// Completed checkpoints triggered after the warm-up (`warmup_ms`).
pub fn completed_after_warmup(out: &RunOutput, warmup_ms: f64) -> Vec<&ckptsim::metrics::CheckpointRecord> {
    completed_in(out, Window::after(warmup_ms))
}

/// How many seeds the simulated side pools: the scenario's own and the five after it.
pub const SIM_SEEDS: u64 = 6;

/// ckptsim's figures for the runs of a translated scenario (one per seed), pooled, each cut
/// to `window`.
pub fn sim_figures(outs: &[RunOutput], window: Window) -> Figures {
    let mut f = Figures::new();
    let done: Vec<_> = outs.iter().flat_map(|o| completed_in(o, window)).collect();
    let subs: Vec<_> = outs
        .iter()
        .flat_map(|out| {
            let ids: std::collections::BTreeSet<u64> = completed_in(out, window).iter().map(|c| c.id).collect();
            out.subtasks
                .iter()
                .filter(move |s| is_map_task(&s.task) && ids.contains(&s.checkpoint_id))
        })
        .collect();
    let cp = |get: &dyn Fn(&ckptsim::metrics::CheckpointRecord) -> f64| {
        percentile(&done.iter().map(|c| get(c)).collect::<Vec<_>>(), 0.5)
    };
    let sub = |get: &dyn Fn(&ckptsim::metrics::SubtaskRecord) -> f64| {
        percentile(&subs.iter().map(|s| get(s)).collect::<Vec<_>>(), 0.5)
    };
    let mut put = |fig, v: Option<f64>| {
        if let Some(v) = v {
            f.insert(fig, v);
        }
    };
    put(Figure::EndToEndMs, cp(&|c| c.end_to_end_duration.unwrap_or(f64::NAN)));
    let mean = |get: &dyn Fn(&ckptsim::metrics::CheckpointRecord) -> f64| {
        (!done.is_empty()).then(|| done.iter().map(|c| get(c)).sum::<f64>() / done.len() as f64)
    };
    put(Figure::StateSizeB, mean(&|c| c.state_size as f64));
    put(Figure::CheckpointedSizeB, mean(&|c| c.checkpointed_size as f64));
    put(Figure::PersistedDataB, cp(&|c| c.persisted_data as f64));
    // Flink reports these four floored to whole ms: so are the simulated ones, to compare alike.
    let floored = as_flink_reports_ms;
    put(Figure::MapStartDelayMs, sub(&|s| floored(s.start_delay)));
    put(Figure::MapAlignmentMs, sub(&|s| floored(s.alignment_duration)));
    put(Figure::MapSyncMs, sub(&|s| floored(s.sync_duration)));
    put(Figure::MapAsyncMs, sub(&|s| floored(s.async_duration)));
    put(Figure::MapPersistedB, sub(&|s| s.persisted_data as f64));
    for (fig, v) in outs.iter().map(one_run_figures).fold(BTreeMap::new(), |mut sums, one| {
        for (fig, v) in one {
            let e: &mut (f64, usize) = sums.entry(fig).or_default();
            e.0 += v;
            e.1 += 1;
        }
        sums
    }) {
        // A figure only some seeds have (a failure one run did not reach) is left out.
        if v.1 == outs.len() {
            put(fig, Some(v.0 / v.1 as f64));
        }
    }
    f
}

/// One run's throughput and recovery figures, which the seeds' mean pools.
fn one_run_figures(out: &RunOutput) -> Figures {
    let mut f = Figures::new();
    let mut put = |fig, v: Option<f64>| {
        if let Some(v) = v {
            f.insert(fig, v);
        }
    };
    put(
        Figure::MapRecordsPerS,
        out.summary
            .job
            .operators
            .iter()
            .find(|o| is_map_task(&o.name))
            .map(|o| o.records_per_second),
    );
    if let Some(fail) = out.failures.first() {
        let t = fail.failure_timestamp;
        put(Figure::FailToRestartingMs, fail.detection_delay);
        put(
            Figure::FailToRunningMs,
            fail.detection_delay.zip(fail.restart_delay).map(|(d, r)| d + r),
        );
        put(Figure::FailToProcessingMs, fail.downtime);
        let first = out
            .checkpoints
            .iter()
            .filter(|c| c.status == "COMPLETED" && c.trigger_timestamp > t)
            .filter_map(|c| c.latest_ack_timestamp)
            .fold(f64::INFINITY, f64::min);
        put(Figure::FailToFirstCheckpointMs, first.is_finite().then_some(first - t));
    }
    f
}
