//! The readable summary `ckptsim run` prints, and the run's report page shows: the verdict, the
//! checkpoint counts and statistics, each operator's throughput and backpressure. A module of its
//! own below both the run-directory writer (`output`) and the report, which both show it, so
//! that neither imports the other for it; it reads only the summary and the verdict's sentences.

use std::fmt::Write;

use crate::metrics::{RunOutput, RunSummary};

pub fn render_summary(out: &RunOutput) -> String {
    render_summary_of(&out.summary)
}

/// As [`render_summary`], from the summary alone (as `summary.json` holds it).
pub fn render_summary_of(s: &RunSummary) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "scenario {}  seed {}  simulated {:.1}s",
        s.scenario, s.seed, s.simulated_seconds
    );
    if let Some(k) = s.records_per_bundle {
        let _ = writeln!(
            t,
            "fast path: {k} records per simulated record (simulation.records_per_bundle); counts are in records"
        );
    }
    let _ = writeln!(
        t,
        "checkpoints: {} triggered, {} completed, {} failed, {} in progress",
        s.counts.total, s.counts.completed, s.counts.failed, s.counts.in_progress
    );
    if !s.verdict.is_empty() {
        t.push('\n');
        t.push_str(&crate::verdict::render(&s.verdict));
        t.push('\n');
    }
    if let Some(at) = s.job_failed_s {
        let _ = writeln!(
            t,
            "job FAILED at {at:.1} s: the restart strategy gave up; every task was cancelled and the run stopped there"
        );
    }
    if let Some(at) = s.job_finished_s {
        // Without periodic checkpoints there is no final checkpoint to wait for (FLIP-147).
        let after = if s.checkpoint_interval_ms.is_some() {
            " after its final checkpoint"
        } else {
            ""
        };
        let _ = writeln!(
            t,
            "job FINISHED at {at:.3} s: every task finished{after}; the run stopped there"
        );
    }
    for (reason, n) in &s.failure_reasons {
        let _ = writeln!(t, "  {reason}: {n}");
    }
    if let Some(f) = s.checkpoint_time_fraction {
        let interval = s.checkpoint_interval_ms.map_or_else(
            || "no periodic checkpoints".to_string(),
            |i| format!("interval {i:.0} ms"),
        );
        let _ = writeln!(
            t,
            "{interval}; at least one checkpoint in progress {:.1} % of the run time",
            f * 100.0
        );
    }
    // As Flink's web UI: the checkpoint summary is over completed checkpoints, the subtask
    // phases over the subtasks' acknowledgements of them; two tables, never one.
    for (title, rows) in [
        (
            "per checkpoint (completed checkpoints)",
            &[
                ("end_to_end_duration", "ms"),
                ("checkpointed_size", "B"),
                ("state_size", "B"),
                ("processed_data", "B"),
                ("persisted_data", "B"),
            ][..],
        ),
        (
            "per subtask (acknowledgements of completed checkpoints)",
            &[
                ("start_delay", "ms"),
                ("alignment_duration", "ms"),
                ("sync_duration", "ms"),
                ("async_duration", "ms"),
            ][..],
        ),
    ] {
        summary_block(&mut t, s, title, rows);
    }
    // Chained tasks have long names (`map -> sink: Writer`): the column fits the longest.
    let w = s.job.operators.iter().map(|o| o.name.len()).max().unwrap_or(0).max(16);
    let _ = writeln!(
        t,
        "\n{:<w$} {:>4} {:>14} {:>14} {:>10} {:>10} {:>8} {:>8}",
        "operator", "par", "records/s", "MB/s", "bp ms/s", "busy ms/s", "outPool", "inPool"
    );
    for o in &s.job.operators {
        // Flink's outPoolUsage and inPoolUsage, as Flink's web UI shows them: in percent.
        let _ = writeln!(
            t,
            "{:<w$} {:>4} {:>14.1} {:>14.3} {:>10.1} {:>10.1} {:>7.0}% {:>7.0}%",
            o.name,
            o.parallelism,
            o.records_per_second,
            o.bytes_per_second / 1e6,
            o.back_pressured_time_ms_per_second,
            o.busy_time_ms_per_second,
            o.out_pool_usage * 100.0,
            o.in_pool_usage * 100.0
        );
    }
    if !s.calibration.is_empty() {
        t.push('\n');
        t.push_str(&crate::metrics::calibration::render(&s.calibration));
    }
    let l = &s.job.latency_ms;
    if l.count > 0 {
        let _ = writeln!(
            t,
            "\nrecord latency (ms): p50 {:.3}  p90 {:.3}  p99 {:.3}  max {:.3}",
            l.p50, l.p90, l.p99, l.max
        );
    }
    t
}

/// One labelled table of summary statistics, with the number of values each is over.
fn summary_block(t: &mut String, s: &RunSummary, title: &str, rows: &[(&str, &str)]) {
    let _ = writeln!(t, "\n{title}");
    let _ = writeln!(
        t,
        "{:<26} {:>8} {:>12} {:>12} {:>12} {:>12} {:>12}",
        "metric", "count", "min", "avg", "p50", "p99", "max"
    );
    for (key, unit) in rows {
        if let Some(v) = s.summary.get(*key) {
            // Over no values the statistics are undefined: blank, not zeros.
            let f = |x: f64| if v.count == 0 { String::new() } else { fmt(x) };
            let _ = writeln!(
                t,
                "{:<26} {:>8} {:>12} {:>12} {:>12} {:>12} {:>12}",
                format!("{key} ({unit})"),
                v.count,
                f(v.min),
                f(v.avg),
                f(v.p50),
                f(v.p99),
                f(v.max)
            );
        }
    }
}

fn fmt(v: f64) -> String {
    if v.abs() >= 1e6 {
        format!("{:.3e}", v)
    } else {
        format!("{:.3}", v)
    }
}
