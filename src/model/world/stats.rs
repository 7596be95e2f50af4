//! Statistics collection: the timeline, the warm-up baseline, and the run's final report.

use std::collections::BTreeMap;

use super::{Baseline, Event, World};
use crate::metrics::RunOutput;
use crate::metrics::summary::EngineStats;
use crate::metrics::{
    CheckpointCounts, CheckpointLog, JobStats, OperatorStats, RunSummary, StatsSummary, TaskStats, TimelineSample,
};
use crate::time::{NS_PER_S, SimTime};

impl World {
    pub(crate) fn on_sample(&mut self, now: SimTime) {
        let src: u64 = self.sources.iter().map(|s| self.tasks[*s as usize].records_in).sum();
        let snk: u64 = self.sinks.iter().map(|s| self.tasks[*s as usize].records_in).sum();
        let period_s = self.set.sample_period_ns as f64 / NS_PER_S as f64;
        let lag_ns = self
            .sources
            .iter()
            .map(|s| self.source_lag_ns(now, *s))
            .max()
            .unwrap_or(0);
        self.timeline.push(TimelineSample {
            time_s: now.as_secs_f64(),
            source_records_per_second: (src - self.last_sample.0) as f64 / period_s,
            sink_records_per_second: (snk - self.last_sample.1) as f64 / period_s,
            input_lag_ms: lag_ns as f64 / 1e6,
            in_flight_bytes: self.in_flight_bytes,
        });
        if now >= self.set.warmup {
            self.in_flight_bytes_max = self.in_flight_bytes_max.max(self.in_flight_bytes);
        }
        self.last_sample = (src, snk);
        self.check_liveness(now);
        self.queue.schedule(now + self.set.sample_period_ns, Event::Sample);
    }

    /// How far a source is behind its input: now minus the arrival of the oldest record it has
    /// not yet emitted.
    pub(crate) fn source_lag_ns(&self, now: SimTime, s: u32) -> u64 {
        let t = &self.tasks[s as usize];
        let src = t.source.as_ref().expect("source");
        if src.max_records.is_some_and(|m| src.arrivals.offset() >= m) && t.batch.is_none() {
            return 0;
        }
        let oldest = match &t.batch {
            Some(b) if b.next < b.records.len() => b.records[b.next].origin_ns,
            _ => src.arrivals.peek_arrival_ns(),
        };
        now.as_ns().saturating_sub(oldest)
    }

    pub(crate) fn on_warmup_end(&mut self, now: SimTime) {
        for (t, b) in self.tasks.iter_mut().zip(self.baseline.iter_mut()) {
            if let Some(since) = t.back_pressured_since {
                t.back_pressured_ns += now.since(since);
                t.back_pressured_since = Some(now);
            }
            *b = Baseline {
                busy_ns: t.busy_ns,
                back_pressured_ns: t.back_pressured_ns,
                records_in: t.records_in,
                records_out: t.records_out,
                bytes_in: t.bytes_in,
            };
        }
    }

    /// Turns the run's counters into the report.
    pub fn finish(mut self) -> RunOutput {
        // A broken invariant is a bug in the simulator, not in the scenario.
        if let Some(v) = self.invariant_violations().first().filter(|_| !self.negative_control) {
            panic!(
                "internal invariant broken in run '{}' (seed {}): {v}",
                self.label, self.seed
            );
        }
        let end = self.set.end;
        let window_s = end.since(self.set.warmup) as f64 / NS_PER_S as f64;
        let mut tasks = Vec::new();
        for (i, t) in self.tasks.iter_mut().enumerate() {
            if let Some(since) = t.back_pressured_since.take() {
                t.back_pressured_ns += end.since(since);
            }
            let b = self.baseline[i];
            // Busy time is booked when a batch starts; cap at the window for the last batch.
            let busy = ((t.busy_ns - b.busy_ns) as f64 / 1e6 / window_s).min(1000.0);
            let bp = ((t.back_pressured_ns - b.back_pressured_ns) as f64 / 1e6 / window_s).min(1000.0 - busy);
            let st = &self.graph.subtasks[i];
            tasks.push((
                st.vertex.index(),
                TaskStats {
                    task: self.graph.vertices[st.vertex.index()].name.clone(),
                    subtask_index: st.index,
                    records_in: t.records_in - b.records_in,
                    records_out: t.records_out - b.records_out,
                    back_pressured_time_ms_per_second: bp,
                    busy_time_ms_per_second: busy,
                    idle_time_ms_per_second: (1000.0 - busy - bp).max(0.0),
                },
                t.bytes_in - b.bytes_in,
            ));
        }
        let operators = self
            .graph
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
                }
            })
            .collect();
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
        // Savepoints are not checkpoints: they stay out of the counts and the summaries.
        let completed: Vec<_> = checkpoints
            .iter()
            .filter(|c| c.status == "COMPLETED" && c.checkpoint_type != "SAVEPOINT")
            .collect();
        let completed_ids: Vec<u64> = completed.iter().map(|c| c.id).collect();
        let mut summary = BTreeMap::new();
        let of = |f: &dyn Fn(&crate::metrics::CheckpointRecord) -> f64| {
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
        if self.backend_cfg.changelog.is_some() {
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
        let ofs = |f: &dyn Fn(&crate::metrics::SubtaskRecord) -> f64| {
            StatsSummary::of(&acks.iter().map(|s| f(s)).collect::<Vec<_>>())
        };
        summary.insert("start_delay".into(), ofs(&|s| s.start_delay));
        summary.insert("alignment_duration".into(), ofs(&|s| s.alignment_duration));
        summary.insert("sync_duration".into(), ofs(&|s| s.sync_duration));
        summary.insert("async_duration".into(), ofs(&|s| s.async_duration));
        let interval_ms = self.checkpoint_interval_ns.map(|i| i as f64 / 1e6);
        let fraction = self.checkpoint_time_fraction(end);
        let visible_latency_ms = summarize_ms(&self.visible_latency);
        let h = &self.latency;
        let latency_ms = StatsSummary {
            count: h.count(),
            min: h.min() as f64 / 1e6,
            max: h.max() as f64 / 1e6,
            avg: h.mean() / 1e6,
            p50: h.quantile(0.5) as f64 / 1e6,
            p90: h.quantile(0.9) as f64 / 1e6,
            p95: h.quantile(0.95) as f64 / 1e6,
            p99: h.quantile(0.99) as f64 / 1e6,
            p999: h.quantile(0.999) as f64 / 1e6,
        };
        let mut failure_reasons = self.failure_reasons.clone();
        if self.job_failovers_requested > 0 {
            failure_reasons.insert(
                "EXCEEDED_CHECKPOINT_TOLERABLE_FAILURE (job failover requested)".into(),
                self.job_failovers_requested,
            );
        }
        let failures = self.failure_records();
        let summary = RunSummary {
            scenario: self.label.clone(),
            seed: self.seed,
            simulated_seconds: end.as_secs_f64(),
            checkpoint_interval_ms: interval_ms,
            counts,
            failure_reasons,
            summary,
            checkpoint_time_fraction: fraction,
            savepoints: (savepoints.total > 0).then_some(savepoints),
            in_flight_bytes_max: self.debloat.map(|_| self.in_flight_bytes_max),
            job_finished_s: self.finished_at.map(|t| t.as_secs_f64()),
            job_status: self.job_status().into(),
            job_failed_s: self.job_failed_at.map(|t| t.as_secs_f64()),
            failure_costs: failure_costs(&failures),
            // Folded from +0.0: `Sum` of no f64 is -0.0, which printed as "-0.0".
            lost_work_fraction: failures
                .iter()
                .filter(|f| !f.taken_over)
                .map(|f| f.lost_work)
                .fold(0.0, |a, b| a + b)
                / 1e3
                / end.as_secs_f64(),
            downtime_fraction: failures.iter().filter_map(|f| f.downtime).fold(0.0, |a, b| a + b)
                / 1e3
                / end.as_secs_f64(),
            failures: self.failures.len() as u64,
            job: JobStats {
                operators,
                tasks: tasks.into_iter().map(|(_, t, _)| t).collect(),
                latency_ms,
                visible_latency_ms,
            },
            engine: EngineStats {
                events_processed: self.queue.processed(),
                trace_hash: format!("{:016x}", self.trace.value()),
            },
        };
        RunOutput {
            summary,
            checkpoints,
            subtasks,
            timeline: std::mem::take(&mut self.timeline),
            failures,
            checkpoint_log: CheckpointLog {
                start_epoch_ms: self.start_epoch_ms,
                checkpoint_dir: self.checkpoint_dir.clone(),
                history_size: self.history_size,
                ..self.tracker.log()
            },
        }
    }
}

impl World {
    /// The share of the run with at least one checkpoint (not a savepoint) in progress, from
    /// trigger to completion or failure; `None` when checkpointing is off and none ran.
    fn checkpoint_time_fraction(&self, end: SimTime) -> Option<f64> {
        let spans: Vec<(u64, u64)> = self
            .tracker
            .spans_ns()
            .filter(|(kind, _, _)| *kind != "SAVEPOINT")
            .map(|(_, trigger, done)| (trigger, done.unwrap_or(end.as_ns())))
            .collect();
        if self.checkpoint_interval_ns.is_none() && spans.is_empty() {
            return None;
        }
        crate::metrics::in_progress::time_fraction_in_progress(spans, end.as_ns())
    }
}

fn summarize_ms(h: &crate::metrics::histogram::LogHistogram) -> StatsSummary {
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

/// Summaries of what the failures cost, over the failures whose recovery finished.
fn failure_costs(failures: &[crate::metrics::FailureRecord]) -> BTreeMap<String, StatsSummary> {
    let mut m = BTreeMap::new();
    let done: Vec<_> = failures.iter().filter(|f| !f.taken_over).collect();
    let of = |xs: Vec<f64>| StatsSummary::of(&xs);
    m.insert("lost_work".into(), of(done.iter().map(|f| f.lost_work).collect()));
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
