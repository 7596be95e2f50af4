//! The charts of a finished sweep directory (sweep.json, points.csv, runs.csv): one chart per
//! metric against the x parameter, the two-configuration comparison when the sweep has exactly
//! two lines, and the interval cost chart when it sweeps `checkpoint.interval` and
//! `[sweep.plot] mtbf` is set. The x axis, the series and the metrics come from `[sweep.plot]`
//! unless [`PlotOptions`] chooses them, so a finished sweep is redrawn without running it again.

use std::path::{Path, PathBuf};

use super::comparison::{Comparison, ComparisonPanel, plot_comparison};
use super::error::PlotError;
use super::grouping::{series_groups, series_parameters};
use super::metric_chart::{MetricChart, plot_metric};
use super::panel::{Series, UNBOUNDED, XY};
use super::read::Table;
use super::young_daly::{OverheadInput, OverheadSeries, fit_checkpoint_cost_s, plot_overhead_vs_interval};
use crate::confidence::estimate;
use crate::files::child_path;
use crate::layout::PLOTS_DIR;
use crate::layout::sweep::{MANIFEST_JSON, POINTS_CSV, RUNS_CSV};
use crate::sweep_manifest::{Manifest, NumericKind, PlotSpec};

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

/// Fewer replications give a 95 % interval so wide (t = 12.7 for two) that the band says more
/// about the sample size than about the simulator: below this, no band is drawn.
pub const MIN_REPLICATIONS_FOR_BAND: u32 = 3;

/// What `ckptsim plot` may choose instead of `[sweep.plot]`; empty fields keep its settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlotOptions {
    /// The parameter on the x axis.
    pub x: Option<String>,
    /// Parameters whose values tell the lines apart.
    pub series: Vec<String>,
    /// Metrics (numeric columns of runs.csv) to draw against x.
    pub metrics: Vec<String>,
}

impl PlotOptions {
    pub fn is_empty(&self) -> bool {
        *self == PlotOptions::default()
    }

    /// The sweep's settings with these options in place.
    pub fn apply(&self, spec: &PlotSpec) -> PlotSpec {
        let mut out = spec.clone();
        if let Some(x) = &self.x {
            out.x = Some(x.clone());
            // The series named for another x may include the new x: chosen again below.
            if self.series.is_empty() {
                out.series.clear();
            }
        }
        if !self.series.is_empty() {
            out.series = self.series.clone();
        }
        if !self.metrics.is_empty() {
            out.metrics = self.metrics.clone();
        }
        out
    }
}

/// The x axis of a sweep: per point a position, and names when the values are not quantities.
struct XAxis {
    param: usize,
    x_of_point: Vec<f64>,
    label: String,
    categories: Option<Vec<String>>,
}

fn x_axis(m: &Manifest, param: usize) -> XAxis {
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

/// What a metric can physically be, from its name: the shares of time the job is down and has a
/// checkpoint in progress lie in [0, 1]; durations, sizes, counts, rates, latencies and the
/// other fractions are not negative (`lost_work_fraction` is a sum over failures and can exceed
/// 1). Anything else is not limited.
pub fn physical_limits(metric: &str) -> (f64, f64) {
    let m = short(metric);
    if m == "downtime_fraction" || m == "checkpoint_time_fraction" {
        return (0.0, 1.0);
    }
    let non_negative = [
        "duration",
        "delay",
        "_size",
        "_data",
        "bytes",
        "count",
        "latency",
        "_ms",
        "per_second",
        "records",
        "time",
        "failures",
        "lost_work",
        "downtime",
        "_fraction",
    ];
    if non_negative.iter().any(|k| m.contains(k)) {
        (0.0, f64::INFINITY)
    } else {
        UNBOUNDED
    }
}

/// A metric's name for titles and axes: `summary.` adds length, not meaning.
fn short(metric: &str) -> &str {
    metric.strip_prefix("summary.").unwrap_or(metric)
}

fn bad_input(path: &Path, message: String) -> PlotError {
    PlotError::BadInput {
        path: path.to_path_buf(),
        message,
    }
}

/// The index of the parameter `path`, or an error naming the sweep's parameters.
fn parameter_index(m: &Manifest, path: &str, what: &str, manifest_path: &Path) -> Result<usize, PlotError> {
    m.parameters.iter().position(|p| p.path == path).ok_or_else(|| {
        let known: Vec<String> = m.parameters.iter().map(|p| format!("`{}`", p.path)).collect();
        bad_input(
            manifest_path,
            format!(
                "{what} `{path}` is not a swept parameter (the sweep varies {})",
                known.join(", ")
            ),
        )
    })
}

pub fn plot_sweep_dir(dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    plot_sweep_dir_with(dir, &PlotOptions::default())
}

/// Charts of the sweep in `dir`, with `options` in place of its `[sweep.plot]` settings. The
/// charts of earlier settings in `DIR/plots/` are removed: what is there is what was asked now.
pub fn plot_sweep_dir_with(dir: &Path, options: &PlotOptions) -> Result<Vec<PathBuf>, PlotError> {
    let manifest_path = dir.join(MANIFEST_JSON);
    let (m, _) = Manifest::read(dir)
        .map_err(|e| bad_input(&manifest_path, e.to_string()))?
        .ok_or_else(|| PlotError::NothingToPlot {
            dir: dir.to_path_buf(),
            message: format!("no {MANIFEST_JSON}"),
        })?;
    let spec = options.apply(&m.plot);
    let x_param = match &spec.x {
        Some(x) => parameter_index(&m, x, "the x axis", &manifest_path)?,
        None => 0,
    };
    for s in &spec.series {
        if parameter_index(&m, s, "the series parameter", &manifest_path)? == x_param {
            return Err(bad_input(
                &manifest_path,
                format!("`{s}` is on the x axis; it cannot also tell the lines apart"),
            ));
        }
    }
    let points_path = dir.join(POINTS_CSV);
    if !points_path.is_file() {
        return Err(PlotError::NothingToPlot {
            dir: dir.to_path_buf(),
            message: format!("no {POINTS_CSV}: the sweep is not complete (rerun it, or merge its shards)"),
        });
    }
    let table = Table::read(&points_path)?;
    let point_col = table
        .column("point")
        .ok_or_else(|| bad_input(&points_path, "no `point` column".into()))?;
    let mut row_of_point: Vec<Option<usize>> = vec![None; m.points.len()];
    for (row, cells) in table.rows.iter().enumerate() {
        if let Some(p) = cells.get(point_col).and_then(|c| c.parse::<usize>().ok())
            && p < row_of_point.len()
        {
            row_of_point[p] = Some(row);
        }
    }
    let x = x_axis(&m, x_param);
    let groups = series_groups(&m, &series_parameters(&m, x.param, &spec.series));
    let bands = m.replications >= MIN_REPLICATIONS_FOR_BAND;
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
                                ci: table.number(row, ci).filter(|_| bands).map(|c| c * scale),
                            })
                        })
                        .collect();
                    Series::measured(label.clone(), xy).limited(physical_limits(metric))
                })
                .collect(),
        )
    };

    let metrics: Vec<String> = if spec.metrics.is_empty() {
        DEFAULT_METRICS
            .iter()
            .filter(|k| table.column(&format!("{k}.mean")).is_some())
            .map(|k| k.to_string())
            .collect()
    } else {
        for k in &spec.metrics {
            if table.column(&format!("{k}.mean")).is_none() {
                return Err(bad_input(
                    &points_path,
                    format!("metric `{k}` is not a numeric column of runs.csv"),
                ));
            }
        }
        spec.metrics.clone()
    };
    let plots = dir.join(PLOTS_DIR);
    remove_charts(&plots)?;
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
        // The metric comes from the manifest or the command line and names a column, which may
        // hold an operator name: it becomes a file name only if it stays inside `plots/`.
        files.extend(plot_metric(&chart, &child_path(&plots, metric)?)?);
    }

    if groups.len() == 2 && x.categories.is_none() {
        let panels: Vec<ComparisonPanel> = COMPARISON_METRICS
            .iter()
            .filter_map(|metric| {
                let (y_label, scale) = y_axis(metric);
                let s = series_of(metric, scale)?;
                if says_nothing(&s[..2]) {
                    return None;
                }
                Some(ComparisonPanel {
                    y_label,
                    series: [s[0].points.clone(), s[1].points.clone()],
                    y_limits: physical_limits(metric),
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
    if let (true, Some(mtbf_s)) = (interval_swept, spec.mtbf_s) {
        let overhead_metric = spec.overhead.clone().unwrap_or_else(|| DEFAULT_OVERHEAD.to_string());
        let overhead = series_of(&overhead_metric, 1.0).ok_or_else(|| {
            bad_input(
                &points_path,
                format!("overhead metric `{overhead_metric}` is not a numeric column of runs.csv"),
            )
        })?;
        let lost_work = match &spec.lost_work {
            Some(k) => series_of(k, 1.0).ok_or_else(|| {
                bad_input(
                    &points_path,
                    format!("lost-work metric `{k}` is not a numeric column of runs.csv"),
                )
            })?,
            None => vec![],
        };
        let totals = total_cost(dir, &m, &overhead_metric, spec.lost_work.as_deref(), bands)?;
        let series: Vec<OverheadSeries> = overhead
            .iter()
            .zip(&groups)
            .enumerate()
            .filter_map(|(i, (o, (_, pts)))| {
                let (checkpoint_cost_s, checkpoint_cost_fitted) = match spec.checkpoint_cost_s {
                    Some(c) => (c, false),
                    None => (fit_checkpoint_cost_s(&o.points)?, true),
                };
                let total = pts
                    .iter()
                    .filter_map(|&p| {
                        let (y, ci) = totals[p]?;
                        Some(XY {
                            x: x.x_of_point[p],
                            y,
                            ci,
                        })
                    })
                    .collect();
                Some(OverheadSeries {
                    label: o.label.clone(),
                    overhead: o.points.clone(),
                    lost_work: lost_work.get(i).map(|l| l.points.clone()).unwrap_or_default(),
                    total,
                    checkpoint_cost_s,
                    checkpoint_cost_fitted,
                })
            })
            .collect();
        if !series.is_empty() {
            let input = OverheadInput {
                title: format!("Checkpoint interval: simulated cost — {}", m.scenario),
                overhead_name: overhead_metric,
                lost_work_name: spec.lost_work.clone(),
                series,
                mtbf_s,
            };
            files.extend(plot_overhead_vs_interval(&input, &plots.join("young_daly"))?);
        }
    }
    Ok(files)
}

/// A mean and, when there are enough replications, its 95 % half-width.
type MeanCi = (f64, Option<f64>);

/// Per point, the mean over replications of each run's overhead plus lost work (from runs.csv,
/// so that the interval is that of the sum, not a sum of intervals) and its 95 % half-width.
fn total_cost(
    dir: &Path,
    m: &Manifest,
    overhead: &str,
    lost_work: Option<&str>,
    bands: bool,
) -> Result<Vec<Option<MeanCi>>, PlotError> {
    let path = dir.join(RUNS_CSV);
    let runs = Table::read(&path)?;
    let column = |name: &str| {
        runs.column(name)
            .ok_or_else(|| bad_input(&path, format!("no `{name}` column")))
    };
    let (point_col, overhead_col) = (column("point")?, column(overhead)?);
    let lost_col = lost_work.map(column).transpose()?;
    let mut per_point: Vec<Vec<f64>> = vec![Vec::new(); m.points.len()];
    for row in 0..runs.rows.len() {
        let Some(p) = runs.rows[row].get(point_col).and_then(|c| c.parse::<usize>().ok()) else {
            continue;
        };
        let lost = match lost_col {
            Some(c) => runs.number(row, c),
            None => Some(0.0),
        };
        if let (Some(o), Some(l)) = (runs.number(row, overhead_col), lost)
            && p < per_point.len()
        {
            per_point[p].push(o + l);
        }
    }
    Ok(per_point
        .iter()
        .map(|xs| {
            estimate(xs).map(|e| {
                let ci = e.ci95_half_width.filter(|_| bands);
                (e.mean, ci)
            })
        })
        .collect())
}

/// Removes the PNG and SVG charts in `plots` (and nothing else).
fn remove_charts(plots: &Path) -> Result<(), PlotError> {
    let io = |cause| PlotError::Io {
        path: plots.to_path_buf(),
        cause,
    };
    let entries = match std::fs::read_dir(plots) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(cause) => return Err(io(cause)),
    };
    let mut charts: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let path = entry.map_err(io)?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "png" || e == "svg") {
            charts.push(path);
        }
    }
    charts.sort();
    for c in charts {
        std::fs::remove_file(&c).map_err(|cause| PlotError::Io { path: c.clone(), cause })?;
    }
    Ok(())
}

/// A metric that is zero at every point of every series (no in-flight data persisted by aligned
/// checkpoints) has nothing to show: its comparison panel is left out rather than drawn flat.
fn says_nothing(series: &[Series]) -> bool {
    series.iter().all(|s| s.points.iter().all(|p| p.y == 0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comparison_panel_of_zeros_is_left_out() {
        let s = |ys: &[f64]| Series::measured("x", ys.iter().enumerate().map(|(i, &y)| XY::new(i as f64, y)).collect());
        assert!(says_nothing(&[s(&[0.0, 0.0]), s(&[0.0, 0.0])]));
        assert!(!says_nothing(&[s(&[0.0, 0.0]), s(&[0.0, 3.0])]));
    }

    #[test]
    fn limits_follow_what_a_metric_measures() {
        assert_eq!(physical_limits("downtime_fraction"), (0.0, 1.0));
        assert_eq!(physical_limits("checkpoint_time_fraction"), (0.0, 1.0));
        assert_eq!(physical_limits("summary.end_to_end_duration.avg"), (0.0, f64::INFINITY));
        assert_eq!(physical_limits("summary.persisted_data.avg"), (0.0, f64::INFINITY));
        assert_eq!(physical_limits("counts.failed"), (0.0, f64::INFINITY));
        assert_eq!(physical_limits("something_else"), UNBOUNDED);
    }

    #[test]
    fn options_replace_the_sweep_settings_they_name() {
        let spec = PlotSpec {
            x: Some("a".into()),
            series: vec!["b".into()],
            metrics: vec!["m".into()],
            ..PlotSpec::default()
        };
        assert_eq!(PlotOptions::default().apply(&spec), spec);
        let o = PlotOptions {
            x: Some("b".into()),
            ..PlotOptions::default()
        };
        let got = o.apply(&spec);
        assert_eq!(
            (got.x.as_deref(), got.series.len(), got.metrics.len()),
            (Some("b"), 0, 1)
        );
    }
}
