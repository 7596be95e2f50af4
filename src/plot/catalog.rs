//! One sentence per chart, saying what it shows: the text of `results/INDEX.md`. Kept next to the
//! code that draws the charts, so that a new chart gets its sentence in the same change.

/// Charts of a run directory (`ckptsim run`, `ckptsim plot RUN_DIR`), by file stem.
pub const RUN_FIGURES: [(&str, &str); 2] = [
    (
        "checkpoints",
        "every checkpoint at its trigger time: a bar of its phases (largest start delay, alignment, \
         sync and async duration over the subtasks, stacked) and its end-to-end duration as a dot; \
         failed checkpoints are red crosses",
    ),
    (
        "timeline",
        "the job once per simulated second: source and sink throughput, the sources' input lag and \
         the bytes in network buffers (failures marked when the scenario injects them)",
    ),
];

/// What a metric of `runs.csv` measures, for the sentence of its chart against a swept parameter.
/// A metric not listed here gets its column name.
pub const METRICS: [(&str, &str); 17] = [
    (
        "summary.end_to_end_duration.avg",
        "mean end-to-end checkpoint duration (trigger to completion)",
    ),
    (
        "summary.end_to_end_duration.p99",
        "99th percentile of the end-to-end checkpoint duration",
    ),
    (
        "summary.end_to_end_duration.max",
        "longest end-to-end checkpoint duration of the run",
    ),
    (
        "checkpoint_time_fraction",
        "checkpoint overhead: the fraction of the run time with at least one checkpoint in progress",
    ),
    // The phase statistics are over subtask acknowledgements, as Flink's subtask summary.
    (
        "summary.alignment_duration.avg",
        "mean barrier alignment time over all subtask acknowledgements",
    ),
    (
        "summary.alignment_duration.max",
        "longest barrier alignment time of any subtask",
    ),
    (
        "summary.start_delay.avg",
        "mean start delay (trigger to first barrier) over all subtask acknowledgements",
    ),
    (
        "summary.start_delay.max",
        "longest start delay (trigger to first barrier) of any subtask",
    ),
    (
        "summary.sync_duration.avg",
        "mean synchronous snapshot phase over all subtask acknowledgements",
    ),
    (
        "summary.sync_duration.max",
        "longest synchronous snapshot phase of any subtask",
    ),
    (
        "summary.async_duration.avg",
        "mean asynchronous (upload) phase over all subtask acknowledgements",
    ),
    (
        "summary.async_duration.max",
        "longest asynchronous (upload) phase of any subtask",
    ),
    (
        "summary.persisted_data.avg",
        "in-flight bytes persisted per checkpoint (0 for aligned checkpoints)",
    ),
    (
        "summary.state_size.avg",
        "full state size of a checkpoint, all subtasks",
    ),
    (
        "summary.checkpointed_size.avg",
        "bytes a checkpoint writes to checkpoint storage, all subtasks",
    ),
    (
        "job.latency_ms.p99",
        "99th percentile of the record latency from source to sink",
    ),
    (
        "counts.failed",
        "number of failed checkpoints (timeouts, declines) in the run",
    ),
];

/// The sentence for a run chart, by file stem.
pub fn run_figure(stem: &str) -> Option<&'static str> {
    RUN_FIGURES.iter().find(|(s, _)| *s == stem).map(|(_, d)| *d)
}

pub fn metric(name: &str) -> Option<&'static str> {
    METRICS.iter().find(|(m, _)| *m == name).map(|(_, d)| *d)
}

/// The sentence for a sweep chart, by file stem: `comparison`, `young_daly` or a metric name.
/// `x` is the swept parameter on the x axis, `series` what tells the lines apart.
pub fn sweep_figure(stem: &str, x: &str, series: &str) -> String {
    match stem {
        "comparison" => format!(
            "the two configurations ({series}) side by side against `{x}`: mean checkpoint duration and, \
             when any was persisted, in-flight data, with 95 % confidence bands (from 3 replications up)"
        ),
        "young_daly" => format!(
            "what each `{x}` costs, from the simulated runs: checkpoint overhead plus work lost to failures \
             (mean over replications of each run's sum, 95 % band), its minimum marked, one line per {series}; \
             the Young/Daly optimum sqrt(2cM) and its model c/T + T/(2M) dashed as a reference (c fitted to the \
             overhead unless set); below, the two parts of the cost"
        ),
        metric_name => {
            let what = metric(metric_name)
                .map(str::to_string)
                .unwrap_or_else(|| format!("`{metric_name}`"));
            format!(
                "against `{x}`: {what} (mean over replications, 95 % confidence band from 3 replications up, cut \
                 to what the quantity can be), one line per {series}"
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::sweep_dir::DEFAULT_METRICS;

    #[test]
    fn every_default_chart_has_a_sentence() {
        for m in DEFAULT_METRICS {
            assert!(metric(m).is_some(), "no sentence for default metric `{m}`");
        }
        assert!(run_figure("checkpoints").is_some() && run_figure("timeline").is_some());
        assert!(sweep_figure("young_daly", "checkpoint.interval", "storage.bandwidth").contains("Young/Daly"));
        assert!(sweep_figure("young_daly", "checkpoint.interval", "storage.bandwidth").contains("minimum"));
    }
}
