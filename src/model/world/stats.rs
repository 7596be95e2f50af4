//! Statistics collection: the timeline, the warm-up baseline, and the run's final report.

use std::collections::BTreeMap;

use super::{Event, World};
use crate::metrics::RunOutput;
use crate::metrics::summary::EngineStats;
use crate::metrics::{CheckpointCounts, CheckpointLog, JobStats, OperatorStats, RunSummary, StatsSummary, TaskStats};
use crate::time::{NS_PER_S, SimTime};

impl World {
    pub(crate) fn on_sample(&mut self, now: SimTime) {
        let src: u64 = self.endpoints.sources().iter().map(|s| self.tasks.records_in(*s)).sum();
        let snk: u64 = self.endpoints.sinks().iter().map(|s| self.tasks.records_in(*s)).sum();
        let period_s = self.set.sample_period_ns as f64 / NS_PER_S as f64;
        let lag_ns = self
            .endpoints
            .sources()
            .iter()
            .map(|s| self.tasks.source_lag_ns(*s, now))
            .max()
            .unwrap_or(0);
        let k = self.run.records_per_bundle;
        self.stats
            .sample(now, period_s, (src * k, snk * k), lag_ns, self.net.in_flight_bytes());
        let subtasks = self.graph.subtasks.len() as u32;
        self.buffer_metrics.sample(
            now,
            self.set.warmup,
            (0..subtasks).map(|s| self.net.buffer_gauges(s, &self.graph)),
        );
        self.check_liveness(now);
        self.queue.schedule(now + self.set.sample_period_ns, Event::Sample);
    }

    pub(crate) fn on_warmup_end(&mut self, now: SimTime) {
        self.tasks.mark_warmup_end(now);
        let subtasks = self.graph.subtasks.len() as u32;
        self.buffer_metrics
            .mark_warmup_end((0..subtasks).map(|s| self.net.read_counters(s)));
    }

    /// Turns the run's counters into the report.
    pub fn finish(mut self) -> RunOutput {
        self.panic_on_broken_invariant();
        // A finished job's run ends when it finished: rates are over the job's life.
        let end = self
            .jm
            .job_finished_at()
            .filter(|t| *t > self.set.warmup)
            .unwrap_or(self.set.end);
        let window_s = end.since(self.set.warmup) as f64 / NS_PER_S as f64;
        let mut tasks = self.tasks.task_stats(end, window_s, &self.graph);
        // Reported in records, not in the bundles simulated.
        for (s, (_, t, _)) in tasks.iter_mut().enumerate() {
            t.records_in *= self.run.records_per_bundle;
            t.records_out *= self.run.records_per_bundle;
            self.buffer_metrics
                .fill(s, window_s, self.net.read_counters(s as u32), t);
        }
        let job = JobStats {
            operators: operator_stats(&self.graph, &tasks, window_s),
            tasks: tasks.into_iter().map(|(_, t, _)| t).collect(),
            latency_ms: self.stats.latency_ms(),
            visible_latency_ms: self.stats.visible_latency_ms(),
        };
        let report = self.stats.checkpoint_report(self.backend_cfg.changelog.is_some());
        let failures = self.failure_records();
        let summary = self.run_summary(end, report.counts, report.savepoints, report.summary, &failures, job);
        RunOutput {
            summary,
            checkpoints: report.checkpoints,
            subtasks: report.subtasks,
            timeline: self.stats.take_timeline(),
            failures,
            checkpoint_log: CheckpointLog {
                start_epoch_ms: self.run.start_epoch_ms,
                checkpoint_dir: self.run.checkpoint_dir.clone(),
                history_size: self.run.history_size,
                ..self.stats.checkpoint_log()
            },
        }
    }

    /// A broken invariant is a bug in the simulator, not in the scenario (unless a negative
    /// control broke it on purpose).
    fn panic_on_broken_invariant(&self) {
        if let Some(v) = self
            .invariant_violations()
            .first()
            .filter(|_| !self.checks.negative_control())
        {
            panic!(
                "internal invariant broken in run '{}' (seed {}): {v}",
                self.run.label, self.run.seed
            );
        }
    }

    /// The run's summary over the measured window ending at `end`.
    fn run_summary(
        &self,
        end: SimTime,
        counts: CheckpointCounts,
        savepoints: CheckpointCounts,
        summary: BTreeMap<String, StatsSummary>,
        failures: &[crate::metrics::FailureRecord],
        job: JobStats,
    ) -> RunSummary {
        RunSummary {
            scenario: self.run.label.clone(),
            seed: self.run.seed,
            simulated_seconds: end.as_secs_f64(),
            checkpoint_interval_ms: self.run.checkpoint_interval_ns.map(|i| i as f64 / 1e6),
            counts,
            verdict: Vec::new(),
            failure_reasons: self.stats.failure_reasons(self.jm.failovers_requested()),
            summary,
            checkpoint_time_fraction: self
                .stats
                .checkpoint_time_fraction(end, self.run.checkpoint_interval_ns.is_some()),
            savepoints: (savepoints.total > 0).then_some(savepoints),
            in_flight_bytes_max: self.net.debloat().map(|_| self.stats.in_flight_bytes_max()),
            retained_checkpoints: (self.jm.num_retained() > 1).then(|| crate::metrics::summary::RetainedCheckpoints {
                num_retained: self.jm.num_retained(),
                ids: self.jm.retained_checkpoints(),
                storage_bytes: self.jm.retained_checkpoint_bytes(),
            }),
            job_finished_s: self.jm.job_finished_at().map(|t| t.as_secs_f64()),
            job_status: self.jm.job_status().into(),
            job_failed_s: self.jm.job_failed_at().map(|t| t.as_secs_f64()),
            failure_costs: failure_costs(failures),
            lost_work_fraction: lost_work_fraction(failures, end),
            // Folded from +0.0: `Sum` of no f64 is -0.0, which printed as "-0.0".
            downtime_fraction: failures.iter().filter_map(|f| f.downtime).fold(0.0, |a, b| a + b)
                / 1e3
                / end.as_secs_f64(),
            failures: self.failover.failures().len() as u64,
            job,
            engine: EngineStats {
                events_processed: self.queue.processed(),
                trace_hash: format!("{:016x}", self.trace.value()),
            },
            calibration: Vec::new(),
            records_per_bundle: (self.run.records_per_bundle > 1).then_some(self.run.records_per_bundle),
        }
    }
}

/// Summaries of what the failures cost, over the failures whose recovery finished.
fn failure_costs(failures: &[crate::metrics::FailureRecord]) -> BTreeMap<String, StatsSummary> {
    let mut m = BTreeMap::new();
    let done: Vec<_> = failures.iter().filter(|f| !f.taken_over).collect();
    let of = |xs: Vec<f64>| StatsSummary::of(&xs);
    m.insert(
        "lost_work".into(),
        of(done.iter().filter_map(|f| f.lost_work).collect()),
    );
    m.insert(
        "records_replayed".into(),
        of(done.iter().map(|f| f.records_replayed as f64).collect()),
    );
    m.insert("downtime".into(), of(done.iter().filter_map(|f| f.downtime).collect()));
    m.insert(
        "restore_duration".into(),
        of(done.iter().filter_map(|f| f.restore_duration).collect()),
    );
    m.insert(
        "catch_up_time".into(),
        of(done.iter().filter_map(|f| f.catch_up_time).collect()),
    );
    m
}

/// Flink's per-operator metrics: rates summed over the subtasks, times averaged.
fn operator_stats(
    graph: &crate::model::graph::JobGraph,
    tasks: &[(usize, TaskStats, u64)],
    window_s: f64,
) -> Vec<OperatorStats> {
    graph
        .vertices
        .iter()
        .enumerate()
        .map(|(v, vx)| {
            let mine: Vec<_> = tasks.iter().filter(|(tv, _, _)| *tv == v).collect();
            let n = mine.len() as f64;
            OperatorStats {
                name: vx.name.clone(),
                parallelism: vx.parallelism,
                records_per_second: mine.iter().map(|(_, t, _)| t.records_in).sum::<u64>() as f64 / window_s,
                bytes_per_second: mine.iter().map(|(_, _, b)| *b).sum::<u64>() as f64 / window_s,
                back_pressured_time_ms_per_second: mine
                    .iter()
                    .map(|(_, t, _)| t.back_pressured_time_ms_per_second)
                    .sum::<f64>()
                    / n,
                busy_time_ms_per_second: mine.iter().map(|(_, t, _)| t.busy_time_ms_per_second).sum::<f64>() / n,
                idle_time_ms_per_second: mine.iter().map(|(_, t, _)| t.idle_time_ms_per_second).sum::<f64>() / n,
                slowed_by_snapshots_ms_per_second: mine
                    .iter()
                    .map(|(_, t, _)| t.slowed_by_snapshots_ms_per_second)
                    .sum::<f64>()
                    / n,
                waiting_for_cores_ms_per_second: mine
                    .iter()
                    .map(|(_, t, _)| t.waiting_for_cores_ms_per_second)
                    .sum::<f64>()
                    / n,
                out_pool_usage: mine.iter().map(|(_, t, _)| t.out_pool_usage).sum::<f64>() / n,
                in_pool_usage: mine.iter().map(|(_, t, _)| t.in_pool_usage).sum::<f64>() / n,
            }
        })
        .collect()
}

/// Work lost to failures (from the restored checkpoint to the failure), as a fraction of the
/// run; a failure taken over by a later one loses nothing of its own.
fn lost_work_fraction(failures: &[crate::metrics::FailureRecord], end: SimTime) -> f64 {
    failures
        .iter()
        .filter(|f| !f.taken_over)
        .filter_map(|f| f.lost_work)
        .fold(0.0, |a, b| a + b)
        / 1e3
        / end.as_secs_f64()
}
