//! `ckptsim plot DIR`: draws what fits the directory. A run directory (checkpoints.csv,
//! timeline.csv) gets the checkpoint timeline and the job timeline; a sweep directory (sweep.json,
//! points.csv) gets one chart per metric against the x parameter, the two-configuration
//! comparison when the sweep has exactly two series, and the Young/Daly chart when it sweeps
//! `checkpoint.interval` and `[sweep.plot] mtbf` is set. Charts go to `DIR/plots/`.

use std::path::{Path, PathBuf};

use super::checkpoint_timeline::plot_checkpoint_timeline;
use super::comparison::{Comparison, ComparisonPanel, plot_comparison};
use super::error::PlotError;
use super::metric_chart::{MetricChart, plot_metric};
use super::panel::{Series, XY};
use super::read::{Table, read_rows};
use super::recovery_timeline::plot_recovery_timeline;
use super::young_daly::{OverheadInput, OverheadSeries, fit_checkpoint_cost_s, plot_overhead_vs_interval};
use crate::metrics::{CheckpointRecord, FailureRecord, TimelineSample};
use crate::output::{CHECKPOINTS_CSV, FAILURES_CSV, TIMELINE_CSV, child_path};
use crate::sweep::layout::{MANIFEST_JSON, PLOTS_DIR, POINTS_CSV};
use crate::sweep::manifest::Manifest;
use crate::sweep::value::NumericKind;

/// Charts drawn for a sweep when `[sweep.plot] metrics` is not given (those present).
pub const DEFAULT_METRICS: [&str; 7] = [
    "summary.end_to_end_duration.avg",
    "summary.end_to_end_duration.p99",
    "checkpoint_time_fraction",
    "summary.alignment_duration.avg",
    "summary.persisted_data.avg",
    "job.latency_ms.p99",
    "counts.failed",
];

/// Panels of the two-series comparison (aligned vs unaligned: duration and persisted data).
pub const COMPARISON_METRICS: [&str; 2] = ["summary.end_to_end_duration.avg", "summary.persisted_data.avg"];

pub const DEFAULT_OVERHEAD: &str = "checkpoint_time_fraction";

/// A run directory or a sweep directory, whichever `dir` is.
pub fn plot_dir(dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    if dir.join(MANIFEST_JSON).is_file() {
        plot_sweep_dir(dir)
    } else {
        plot_run_dir(dir)
    }
}

fn dir_name(dir: &Path) -> String {
    dir.file_name().and_then(|n| n.to_str()).unwrap_or("run").to_string()
}

pub fn plot_run_dir(dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    plot_run_dir_as(dir, &dir_name(dir))
}

/// As [`plot_run_dir`], titling the charts with `name` (a run written into a staging directory
/// is titled with the name it will have).
pub fn plot_run_dir_as(dir: &Path, name: &str) -> Result<Vec<PathBuf>, PlotError> {
    let (cp, tl) = (dir.join(CHECKPOINTS_CSV), dir.join(TIMELINE_CSV));
    if !cp.is_file() && !tl.is_file() {
        return Err(PlotError::NothingToPlot {
            dir: dir.to_path_buf(),
            message: format!("neither {CHECKPOINTS_CSV} nor {TIMELINE_CSV} nor {MANIFEST_JSON}"),
        });
    }
    let plots = dir.join(PLOTS_DIR);
    let mut files = Vec::new();
    if cp.is_file() {
        let records: Vec<CheckpointRecord> = read_rows(&cp)?;
        if !records.is_empty() {
            files.extend(plot_checkpoint_timeline(
                &records,
                &format!("Checkpoints — {name}"),
                &plots.join("checkpoints"),
            )?);
        }
    }
    if tl.is_file() {
        let samples: Vec<TimelineSample> = read_rows(&tl)?;
        if !samples.is_empty() {
            // Failures are marked where `failures.csv` has them (older run dirs have no such file).
            let fl = dir.join(FAILURES_CSV);
            let failure_times_s: Vec<f64> = if fl.is_file() {
                let rows: Vec<FailureRecord> = read_rows(&fl)?;
                rows.iter().map(|f| f.failure_timestamp / 1e3).collect()
            } else {
                vec![]
            };
            files.extend(plot_recovery_timeline(
                &format!("Job timeline — {name}"),
                &samples,
                &failure_times_s,
                &plots.join("timeline"),
            )?);
        }
    }
    Ok(files)
}

/// The x axis of a sweep: per point a position, and names when the values are not quantities.
struct XAxis {
    param: usize,
    x_of_point: Vec<f64>,
    label: String,
    categories: Option<Vec<String>>,
}

fn x_axis(m: &Manifest) -> XAxis {
    let param = m
        .plot
        .x
        .as_ref()
        .and_then(|x| m.parameters.iter().position(|p| &p.path == x))
        .unwrap_or(0);
    let p = &m.parameters[param];
    let (x_of_point, label, categories) = match &p.numeric {
        Some(n) => {
            // Sizes and rates read better in MB than in bytes on an axis.
            let (unit, scale) = match n.kind {
                NumericKind::Bytes => ("MB", 1e-6),
                NumericKind::BytesPerSecond => ("MB/s", 1e-6),
                other => (other.unit_label(), 1.0),
            };
            let label = if unit.is_empty() {
                p.path.clone()
            } else {
                format!("{} ({unit})", p.path)
            };
            (
                m.points
                    .iter()
                    .map(|pt| n.values[pt.value_indices[param]] * scale)
                    .collect(),
                label,
                None,
            )
        }
        None => (
            m.points.iter().map(|pt| pt.value_indices[param] as f64).collect(),
            p.path.clone(),
            Some(p.values.clone()),
        ),
    };
    XAxis {
        param,
        x_of_point,
        label,
        categories,
    }
}

/// Points grouped into series by the values of every parameter except x (or of the parameters
/// `[sweep.plot] series` names), in plan order.
fn series_groups(m: &Manifest, x_param: usize) -> Vec<(String, Vec<usize>)> {
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for pt in &m.points {
        let label = m
            .parameters
            .iter()
            .enumerate()
            .filter(|(j, p)| *j != x_param && (m.plot.series.is_empty() || m.plot.series.contains(&p.path)))
            .map(|(j, p)| format!("{}={}", p.path, p.values[pt.value_indices[j]]))
            .collect::<Vec<_>>()
            .join(", ");
        match groups.iter_mut().find(|(l, _)| *l == label) {
            Some((_, pts)) => pts.push(pt.index),
            None => groups.push((label, vec![pt.index])),
        }
    }
    groups
}

/// Axis label and scale of a metric, from its name: sizes in MB, durations already in ms.
fn y_axis(metric: &str) -> (String, f64) {
    let metric = short(metric);
    let bytes = ["_size", "_data", "bytes"].iter().any(|k| metric.contains(k));
    if bytes && metric.contains("per_second") {
        (format!("{metric} (MB/s)"), 1e-6)
    } else if bytes && !metric.ends_with(".count") {
        (format!("{metric} (MB)"), 1e-6)
    } else if (metric.contains("duration") || metric.contains("_ms")) && !metric.ends_with(".count") {
        (format!("{metric} (ms)"), 1.0)
    } else {
        (metric.to_string(), 1.0)
    }
}

/// A metric's name for titles and axes: `summary.` adds length, not meaning.
fn short(metric: &str) -> &str {
    metric.strip_prefix("summary.").unwrap_or(metric)
}

pub fn plot_sweep_dir(dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    let manifest_path = dir.join(MANIFEST_JSON);
    let (m, _) = Manifest::read(dir)
        .map_err(|e| PlotError::BadInput {
            path: manifest_path.clone(),
            message: e.to_string(),
        })?
        .ok_or_else(|| PlotError::NothingToPlot {
            dir: dir.to_path_buf(),
            message: format!("no {MANIFEST_JSON}"),
        })?;
    let points_path = dir.join(POINTS_CSV);
    if !points_path.is_file() {
        return Err(PlotError::NothingToPlot {
            dir: dir.to_path_buf(),
            message: format!("no {POINTS_CSV}: the sweep is not complete (rerun it, or merge its shards)"),
        });
    }
    let table = Table::read(&points_path)?;
    let point_col = table.column("point").ok_or_else(|| PlotError::BadInput {
        path: points_path.clone(),
        message: "no `point` column".into(),
    })?;
    let mut row_of_point: Vec<Option<usize>> = vec![None; m.points.len()];
    for (row, cells) in table.rows.iter().enumerate() {
        if let Some(p) = cells.get(point_col).and_then(|c| c.parse::<usize>().ok())
            && p < row_of_point.len()
        {
            row_of_point[p] = Some(row);
        }
    }
    let x = x_axis(&m);
    let groups = series_groups(&m, x.param);
    let series_of = |metric: &str, scale: f64| -> Option<Vec<Series>> {
        let (mean, ci) = (
            table.column(&format!("{metric}.mean"))?,
            table.column(&format!("{metric}.ci95"))?,
        );
        Some(
            groups
                .iter()
                .map(|(label, pts)| {
                    let xy = pts
                        .iter()
                        .filter_map(|&p| {
                            let row = row_of_point[p]?;
                            let y = table.number(row, mean)?;
                            Some(XY {
                                x: x.x_of_point[p],
                                y: y * scale,
                                ci: table.number(row, ci).map(|c| c * scale),
                            })
                        })
                        .collect();
                    Series::measured(label.clone(), xy)
                })
                .collect(),
        )
    };

    let metrics: Vec<String> = if m.plot.metrics.is_empty() {
        DEFAULT_METRICS
            .iter()
            .filter(|k| table.column(&format!("{k}.mean")).is_some())
            .map(|k| k.to_string())
            .collect()
    } else {
        for k in &m.plot.metrics {
            if table.column(&format!("{k}.mean")).is_none() {
                return Err(PlotError::BadInput {
                    path: points_path.clone(),
                    message: format!("[sweep.plot] metric `{k}` is not a numeric column of runs.csv"),
                });
            }
        }
        m.plot.metrics.clone()
    };
    let plots = dir.join(PLOTS_DIR);
    let x_path = &m.parameters[x.param].path;
    let mut files = Vec::new();
    for metric in &metrics {
        let (y_label, scale) = y_axis(metric);
        let Some(series) = series_of(metric, scale) else {
            continue;
        };
        let chart = MetricChart {
            title: format!("{} vs {x_path} — {}", short(metric), m.scenario),
            x_label: x.label.clone(),
            y_label,
            series,
            x_categories: x.categories.clone(),
        };
        // The metric comes from the manifest and names a column, which may hold an operator
        // name: it becomes a file name only if it stays inside `plots/`.
        files.extend(plot_metric(&chart, &child_path(&plots, metric)?)?);
    }

    if groups.len() == 2 && x.categories.is_none() {
        let panels: Vec<ComparisonPanel> = COMPARISON_METRICS
            .iter()
            .filter_map(|metric| {
                let (y_label, scale) = y_axis(metric);
                let s = series_of(metric, scale)?;
                Some(ComparisonPanel {
                    y_label,
                    series: [s[0].points.clone(), s[1].points.clone()],
                })
            })
            .collect();
        if !panels.is_empty() {
            let c = Comparison {
                title: format!("Two configurations against {x_path} — {}", m.scenario),
                x_label: x.label.clone(),
                labels: [groups[0].0.clone(), groups[1].0.clone()],
                panels,
            };
            files.extend(plot_comparison(&c, &plots.join("comparison"))?);
        }
    }

    let interval_swept = x_path == "checkpoint.interval"
        && m.parameters[x.param]
            .numeric
            .as_ref()
            .is_some_and(|n| n.kind == NumericKind::Seconds);
    if let (true, Some(mtbf_s)) = (interval_swept, m.plot.mtbf_s) {
        let overhead_metric = m.plot.overhead.clone().unwrap_or_else(|| DEFAULT_OVERHEAD.to_string());
        let overhead = series_of(&overhead_metric, 1.0).ok_or_else(|| PlotError::BadInput {
            path: points_path.clone(),
            message: format!("overhead metric `{overhead_metric}` is not a numeric column of runs.csv"),
        })?;
        let lost_work = match &m.plot.lost_work {
            Some(k) => series_of(k, 1.0).ok_or_else(|| PlotError::BadInput {
                path: points_path.clone(),
                message: format!("lost-work metric `{k}` is not a numeric column of runs.csv"),
            })?,
            None => vec![],
        };
        let series: Vec<OverheadSeries> = overhead
            .iter()
            .enumerate()
            .filter_map(|(i, o)| {
                let (checkpoint_cost_s, checkpoint_cost_fitted) = match m.plot.checkpoint_cost_s {
                    Some(c) => (c, false),
                    None => (fit_checkpoint_cost_s(&o.points)?, true),
                };
                Some(OverheadSeries {
                    label: o.label.clone(),
                    overhead: o.points.clone(),
                    lost_work: lost_work.get(i).map(|l| l.points.clone()).unwrap_or_default(),
                    checkpoint_cost_s,
                    checkpoint_cost_fitted,
                })
            })
            .collect();
        if !series.is_empty() {
            let input = OverheadInput {
                title: format!("Checkpoint interval: overhead and lost work — {}", m.scenario),
                overhead_name: overhead_metric,
                lost_work_name: m.plot.lost_work.clone().unwrap_or_else(|| "lost work".into()),
                series,
                mtbf_s,
            };
            files.extend(plot_overhead_vs_interval(&input, &plots.join("young_daly"))?);
        }
    }
    Ok(files)
}
