//! What the run reports, as one component: Flink's checkpoint statistics (the
//! `CheckpointStatsTracker`), the latency histograms, the failure reasons, and the timeline.
//!
//! Its state is private. Others hand it what happened (a report from the coordinator, a record
//! reaching a sink, a commit, a timeline sample); at the end it summarizes what it holds. The
//! per-task counters stay with the tasks; the world joins both into the run's output.

use std::collections::BTreeMap;

use crate::ids::CheckpointId;
use crate::metrics::histogram::LogHistogram;
use crate::metrics::{
    CheckpointCounts, CheckpointLog, CheckpointRecord, CheckpointStatsTracker, StatsSummary, SubtaskRecord,
    TimelineSample,
};
use crate::protocol::coordinator::StatsReport;
use crate::time::SimTime;

pub(crate) struct Statistics {
    tracker: CheckpointStatsTracker,
    /// Source arrival to a sink processing the record, after warm-up.
    latency: LogHistogram,
    /// Source arrival to visibility (commit) of sink output, after warm-up.
    visible_latency: LogHistogram,
    /// Failed checkpoints and refused triggers, by Flink's failure reason.
    failure_reasons: BTreeMap<String, u64>,
    timeline: Vec<TimelineSample>,
    /// Records read by the sources and processed by the sinks at the previous sample.
    last_sample: (u64, u64),
    /// Largest in-flight bytes sampled after warm-up (debloating bounds it).
    in_flight_bytes_max: u64,
    warmup: SimTime,
}

/// The checkpoint statistics of a finished run: Flink's history plus their summaries.
pub(crate) struct CheckpointReport {
    pub checkpoints: Vec<CheckpointRecord>,
    pub subtasks: Vec<SubtaskRecord>,
    pub counts: CheckpointCounts,
    pub savepoints: CheckpointCounts,
    pub summary: BTreeMap<String, StatsSummary>,
}

impl Statistics {
    pub fn new(tracker: CheckpointStatsTracker, warmup: SimTime) -> Self {
        Statistics {
            tracker,
            latency: LogHistogram::default(),
            visible_latency: LogHistogram::default(),
            failure_reasons: BTreeMap::new(),
            timeline: Vec::new(),
            last_sample: (0, 0),
            in_flight_bytes_max: 0,
            warmup,
        }
    }

    pub fn tracker(&self) -> &CheckpointStatsTracker {
        &self.tracker
    }

    // ---- what happened ----

    pub fn report(&mut self, r: StatsReport) {
        self.tracker.report(r)
    }

    pub fn mark_discarded(&mut self, checkpoint: CheckpointId) {
        self.tracker.mark_discarded(checkpoint)
    }

    pub fn mark_unaligned(&mut self, checkpoint: CheckpointId, subtask: u32) {
        self.tracker.mark_unaligned(checkpoint, subtask)
    }

    pub fn add_changelog_replay(&mut self, checkpoint: CheckpointId, bytes: u64) {
        self.tracker.add_changelog_replay(checkpoint, bytes)
    }

    pub fn report_restored(&mut self, now: SimTime, checkpoint: CheckpointId) {
        self.tracker.report_restored(now, checkpoint)
    }

    /// One more checkpoint failure (or refused trigger) for `reason`.
    pub fn count_failure(&mut self, reason: &str) {
        *self.failure_reasons.entry(reason.to_string()).or_default() += 1;
    }

    /// A sink processed a record at `done_ns` that arrived at its source at `origin_ns`.
    #[inline]
    pub fn record_processed(&mut self, done_ns: u64, origin_ns: u64) {
        if done_ns >= self.warmup.as_ns() {
            self.latency.record(done_ns.saturating_sub(origin_ns));
        }
    }

    /// A commit made records visible at `now`: their arrival times at the sources.
    pub fn record_visible(&mut self, now: SimTime, origins_ns: impl IntoIterator<Item = u64>) {
        if now >= self.warmup {
            for origin in origins_ns {
                self.visible_latency.record(now.as_ns().saturating_sub(origin));
            }
        }
    }

    /// A timeline row. `records` are the totals read by the sources and processed by the
    /// sinks so far; the row holds the rates since the previous one.
    pub fn sample(&mut self, now: SimTime, period_s: f64, records: (u64, u64), lag_ns: u64, in_flight_bytes: u64) {
        let (src, snk) = records;
        self.timeline.push(TimelineSample {
            time_s: now.as_secs_f64(),
            source_records_per_second: (src - self.last_sample.0) as f64 / period_s,
            sink_records_per_second: (snk - self.last_sample.1) as f64 / period_s,
            input_lag_ms: lag_ns as f64 / 1e6,
            in_flight_bytes,
        });
        if now >= self.warmup {
            self.in_flight_bytes_max = self.in_flight_bytes_max.max(in_flight_bytes);
        }
        self.last_sample = (src, snk);
    }

    // ---- the report ----

    /// Flink's checkpoint history with counts and summaries over the completed checkpoints
    /// (savepoints are counted apart and stay out of the summaries). `changelog` adds the
    /// changelog replay summary.
    pub fn checkpoint_report(&self, changelog: bool) -> CheckpointReport {
        let checkpoints = self.tracker.checkpoints();
        let subtasks = self.tracker.subtasks().to_vec();
        let mut counts = CheckpointCounts::default();
        let mut savepoints = CheckpointCounts::default();
        for c in &checkpoints {
            let n = if c.checkpoint_type == "SAVEPOINT" {
                &mut savepoints
            } else {
                &mut counts
            };
            n.total += 1;
            match c.status.as_str() {
                "COMPLETED" => n.completed += 1,
                "FAILED" => n.failed += 1,
                _ => n.in_progress += 1,
            }
        }
        let completed: Vec<_> = checkpoints
            .iter()
            .filter(|c| c.status == "COMPLETED" && c.checkpoint_type != "SAVEPOINT")
            .collect();
        let completed_ids: Vec<u64> = completed.iter().map(|c| c.id).collect();
        let mut summary = BTreeMap::new();
        let of = |f: &dyn Fn(&CheckpointRecord) -> f64| {
            StatsSummary::of(&completed.iter().map(|c| f(c)).collect::<Vec<_>>())
        };
        summary.insert(
            "end_to_end_duration".into(),
            of(&|c| c.end_to_end_duration.unwrap_or(0.0)),
        );
        summary.insert("state_size".into(), of(&|c| c.state_size as f64));
        summary.insert("checkpointed_size".into(), of(&|c| c.checkpointed_size as f64));
        summary.insert("processed_data".into(), of(&|c| c.processed_data as f64));
        summary.insert("persisted_data".into(), of(&|c| c.persisted_data as f64));
        if changelog {
            let tracker = &self.tracker;
            summary.insert(
                "changelog_replay_bytes".into(),
                of(&|c| tracker.changelog_replay_bytes(c.id) as f64),
            );
        }
        let acks: Vec<_> = subtasks
            .iter()
            .filter(|s| completed_ids.binary_search(&s.checkpoint_id).is_ok())
            .collect();
        let ofs = |f: &dyn Fn(&SubtaskRecord) -> f64| StatsSummary::of(&acks.iter().map(|s| f(s)).collect::<Vec<_>>());
        summary.insert("start_delay".into(), ofs(&|s| s.start_delay));
        summary.insert("alignment_duration".into(), ofs(&|s| s.alignment_duration));
        summary.insert("sync_duration".into(), ofs(&|s| s.sync_duration));
        summary.insert("async_duration".into(), ofs(&|s| s.async_duration));
        CheckpointReport {
            checkpoints,
            subtasks,
            counts,
            savepoints,
            summary,
        }
    }

    /// Source-to-sink latency (ms).
    pub fn latency_ms(&self) -> StatsSummary {
        summarize_ms(&self.latency)
    }

    /// Source-to-visible (committed) latency (ms).
    pub fn visible_latency_ms(&self) -> StatsSummary {
        summarize_ms(&self.visible_latency)
    }

    /// Failure reasons, with the failovers the coordinator asked for as a reason of their own.
    pub fn failure_reasons(&self, failovers_requested: u64) -> BTreeMap<String, u64> {
        let mut reasons = self.failure_reasons.clone();
        if failovers_requested > 0 {
            reasons.insert(
                "EXCEEDED_CHECKPOINT_TOLERABLE_FAILURE (job failover requested)".into(),
                failovers_requested,
            );
        }
        reasons
    }

    /// The share of the run (to `end`) with at least one checkpoint (not a savepoint) in
    /// progress, from trigger to completion or failure; `None` when checkpointing is off
    /// (`periodic` false) and none ran.
    pub fn checkpoint_time_fraction(&self, end: SimTime, periodic: bool) -> Option<f64> {
        let spans: Vec<(u64, u64)> = self
            .tracker
            .spans_ns()
            .filter(|(kind, _, _)| *kind != "SAVEPOINT")
            .map(|(_, trigger, done)| (trigger, done.unwrap_or(end.as_ns())))
            .collect();
        if !periodic && spans.is_empty() {
            return None;
        }
        crate::metrics::in_progress::time_fraction_in_progress(spans, end.as_ns())
    }

    pub fn in_flight_bytes_max(&self) -> u64 {
        self.in_flight_bytes_max
    }

    pub fn take_timeline(&mut self) -> Vec<TimelineSample> {
        std::mem::take(&mut self.timeline)
    }

    /// The history in the shape Flink's REST API reports it (the caller adds where it lives).
    pub fn checkpoint_log(&self) -> CheckpointLog {
        self.tracker.log()
    }
}

fn summarize_ms(h: &LogHistogram) -> StatsSummary {
    let ms = |v: u64| v as f64 / 1e6;
    StatsSummary {
        count: h.count(),
        min: ms(h.min()),
        max: ms(h.max()),
        avg: h.mean() / 1e6,
        p50: ms(h.quantile(0.5)),
        p90: ms(h.quantile(0.9)),
        p95: ms(h.quantile(0.95)),
        p99: ms(h.quantile(0.99)),
        p999: ms(h.quantile(0.999)),
    }
}
