//! The readable summary `ckptsim run` prints.

use std::fmt::Write;

use crate::metrics::RunSummary;
use crate::run::RunOutput;

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
    let _ = writeln!(
        t,
        "checkpoints: {} triggered, {} completed, {} failed, {} in progress",
        s.counts.total, s.counts.completed, s.counts.failed, s.counts.in_progress
    );
    for (reason, n) in &s.failure_reasons {
        let _ = writeln!(t, "  {reason}: {n}");
    }
    if let (Some(i), Some(f)) = (s.checkpoint_interval_ms, s.checkpoint_time_fraction) {
        let _ = writeln!(
            t,
            "interval {:.0} ms; checkpoints in progress {:.1} % of the time",
            i,
            f * 100.0
        );
    }
    let _ = writeln!(
        t,
        "\n{:<22} {:>12} {:>12} {:>12} {:>12} {:>12}",
        "metric", "min", "avg", "p50", "p99", "max"
    );
    for (name, unit, key) in [
        ("end_to_end_duration", "ms", "end_to_end_duration"),
        ("start_delay", "ms", "start_delay"),
        ("alignment_duration", "ms", "alignment_duration"),
        ("sync_duration", "ms", "sync_duration"),
        ("async_duration", "ms", "async_duration"),
        ("checkpointed_size", "B", "checkpointed_size"),
        ("state_size", "B", "state_size"),
        ("processed_data", "B", "processed_data"),
        ("persisted_data", "B", "persisted_data"),
    ] {
        if let Some(v) = s.summary.get(key) {
            let _ = writeln!(
                t,
                "{:<22} {:>12} {:>12} {:>12} {:>12} {:>12}",
                format!("{name} ({unit})"),
                fmt(v.min),
                fmt(v.avg),
                fmt(v.p50),
                fmt(v.p99),
                fmt(v.max)
            );
        }
    }
    let _ = writeln!(
        t,
        "\n{:<16} {:>4} {:>14} {:>14} {:>10} {:>10}",
        "operator", "par", "records/s", "MB/s", "bp ms/s", "busy ms/s"
    );
    for o in &s.job.operators {
        let _ = writeln!(
            t,
            "{:<16} {:>4} {:>14.1} {:>14.3} {:>10.1} {:>10.1}",
            o.name,
            o.parallelism,
            o.records_per_second,
            o.bytes_per_second / 1e6,
            o.back_pressured_time_ms_per_second,
            o.busy_time_ms_per_second
        );
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

fn fmt(v: f64) -> String {
    if v.abs() >= 1e6 {
        format!("{:.3e}", v)
    } else {
        format!("{:.3}", v)
    }
}
