//! The charts behind the answers, one per question, each drawn so a planner can put it on a
//! slide: what was simulated as points, targets and references dashed, the answer marked.

use std::path::{Path, PathBuf};

use plotters::style::RGBColor;

use super::{Advice, human_ms};
use crate::plot::canvas::render_both;
use crate::plot::panel::{Panel, PanelChart};
use crate::plot::style::{FAILED, MARKER};
use crate::plot::{PlotError, Series, Stroke, VMarker, XY};

const TARGET: RGBColor = RGBColor(120, 120, 120);
const TODAY: RGBColor = RGBColor(44, 160, 44);

fn panel(x_label: &str, y_label: &str, series: Vec<Series>, markers: Vec<VMarker>, cats: Option<Vec<String>>) -> Panel {
    Panel {
        title: None,
        x_label: x_label.into(),
        y_label: y_label.into(),
        series,
        markers,
        x_categories: cats,
        y_from_zero: true,
    }
}

/// One point per item at x = its index, on a categorical axis whose categories are the items.
fn by_index<T>(items: &[T], f: impl Fn(&T) -> f64) -> Vec<XY> {
    items.iter().enumerate().map(|(i, t)| XY::new(i as f64, f(t))).collect()
}

fn chart(title: String, panels: Vec<Panel>, base: &Path) -> Result<Vec<PathBuf>, PlotError> {
    render_both(&PanelChart { title, panels }, base)
}

fn marker(x: f64, label: String, stroke: Stroke, c: RGBColor) -> VMarker {
    VMarker {
        x,
        label,
        color: c,
        stroke,
    }
}

/// Runs cut at their end before the output was live: lower bounds, dashed red and apart from
/// the times that were measured.
fn cut_runs(label: &str, pts: Vec<XY>) -> Series {
    Series {
        stroke: Stroke::Dashed,
        color: Some(FAILED),
        ..Series::measured(label, pts)
    }
}

/// A mode's fault to live output if its run was (`censored`: was not) cut at its end first, else
/// NaN (no point).
fn live_ms(m: &super::mode::ModePoint, censored: bool) -> f64 {
    match m.back_live_ms {
        Some(ms) if m.back_live_censored == censored => ms,
        _ => f64::NAN,
    }
}

/// Every chart the advice has answers for, into `dir` (`DIR/plots/`).
pub fn draw(advice: &Advice, dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    let mut files = Vec::new();
    if let Some(a) = &advice.interval {
        // Candidates double: their index is a log2 axis, labelled with the interval.
        let x0 = a.points[0].interval_ms;
        let x = |ms: f64| (ms / x0).log2();
        let last = a.points.last().map_or(x0, |p| p.interval_ms);
        let cats: Vec<String> = (0..=x(last).floor() as i32)
            .map(|k| human_ms(x0 * 2f64.powi(k)))
            .collect();
        let min = a.points.iter().map(|p| p.total_share).fold(f64::INFINITY, f64::min);
        // Two panels: every candidate, then those within 4x of the minimum, where the choice is.
        let panel_of = |keep: &dyn Fn(&super::interval::IntervalPoint) -> bool| {
            let line = |label: &str, f: fn(&super::interval::IntervalPoint) -> f64, measured: bool| {
                let pts = a
                    .points
                    .iter()
                    .filter(|p| keep(p))
                    .map(|p| XY::new(x(p.interval_ms), f(p) * 100.0))
                    .collect();
                if measured {
                    Series::measured(label, pts)
                } else {
                    Series::line(label, pts)
                }
            };
            let mut markers = vec![marker(
                x(a.best_interval_ms),
                format!("advised: {}", human_ms(a.best_interval_ms)),
                Stroke::Solid,
                FAILED,
            )];
            if let Some(cur) = a.current_interval_ms {
                markers.push(marker(
                    x(cur),
                    format!("today: {}", human_ms(cur)),
                    Stroke::Dashed,
                    TODAY,
                ));
            }
            if a.young_interval_ms >= x0 && a.young_interval_ms <= last {
                markers.push(marker(
                    x(a.young_interval_ms),
                    format!("Young (reference): {}", human_ms(a.young_interval_ms)),
                    Stroke::Dashed,
                    MARKER,
                ));
            }
            panel(
                "checkpoint interval",
                "time lost (% of run time)",
                vec![
                    line("total (simulated)", |p| p.total_share, true),
                    line("to failures (stale output)", |p| p.failure_share, false),
                    line("to checkpoints (blocked)", |p| p.checkpoint_share, false),
                ],
                markers,
                Some(cats.clone()),
            )
        };
        let mut panels = vec![panel_of(&|_| true)];
        if a.points.iter().any(|p| p.total_share > 4.0 * min) {
            let mut zoom = panel_of(&|p| p.total_share <= 4.0 * min);
            zoom.title = Some("around the minimum".into());
            panels.push(zoom);
        }
        files.extend(chart(
            format!("Checkpoint interval: time lost, {}", a.failure.describe()),
            panels,
            &dir.join("advice_interval"),
        )?);
    }
    if let Some(a) = &advice.bandwidth {
        let x = |bw: f64| (bw / a.current_bytes_per_s).log2() + 4.0;
        let cats = (-4..=4)
            .map(|k| super::bandwidth::mb(a.current_bytes_per_s * 2f64.powi(k)))
            .collect();
        let pts = a
            .points
            .iter()
            .filter(|p| p.p99_ms.is_finite())
            .map(|p| XY::new(x(p.bandwidth_bytes_per_s), p.p99_ms / 1e3))
            .collect();
        let target = vec![XY::new(0.0, a.target_ms / 1e3), XY::new(8.0, a.target_ms / 1e3)];
        let mut markers = vec![marker(4.0, "as configured".into(), Stroke::Dashed, MARKER)];
        if let Some(n) = a.needed_bytes_per_s {
            markers.push(marker(
                x(n),
                format!("needed: {}", super::bandwidth::mb(n)),
                Stroke::Solid,
                FAILED,
            ));
        }
        files.extend(chart(
            "Storage bandwidth: p99 checkpoint duration".into(),
            vec![panel(
                "storage bandwidth (aggregate)",
                "p99 end-to-end duration (s)",
                vec![
                    Series::measured("p99 (simulated)", pts),
                    Series::model(
                        format!("target: {:.0} % of the interval", a.target_share * 100.0),
                        target,
                        TARGET,
                    ),
                ],
                markers,
                Some(cats),
            )],
            &dir.join("advice_bandwidth"),
        )?);
    }
    if let Some(a) = &advice.catch_up {
        // A run whose output never got live is cut at its end: its point is a lower bound.
        let pts = |censored: bool| {
            a.points
                .iter()
                .filter(|p| p.censored == censored)
                .map(|p| XY::new(p.input_factor, p.back_live_ms / 1e3))
                .collect::<Vec<_>>()
        };
        let (live, cut) = (pts(false), pts(true));
        let lo = a.points.first().map_or(0.0, |p| p.input_factor);
        let hi = a.points.last().map_or(1.0, |p| p.input_factor);
        let target = vec![XY::new(lo, a.target_ms / 1e3), XY::new(hi, a.target_ms / 1e3)];
        let mut markers = vec![marker(1.0, "today's input".into(), Stroke::Dashed, MARKER)];
        if let Some(f) = a.max_input_factor {
            markers.push(marker(f, format!("limit: {f:.2}x"), Stroke::Solid, FAILED));
        }
        files.extend(chart(
            "Catch-up: fault to live output against input".into(),
            vec![panel(
                "input rate (x today's)",
                "fault to live output (s)",
                [
                    (!live.is_empty()).then(|| Series::measured("simulated: live again", live)),
                    (!cut.is_empty()).then(|| cut_runs("simulated: not live by the run's end (at least)", cut)),
                    Some(Series::model("target", target, TARGET)),
                ]
                .into_iter()
                .flatten()
                .collect(),
                markers,
                None,
            )],
            &dir.join("advice_catch_up"),
        )?);
    }
    if let Some(a) = &advice.spike {
        let cats: Vec<String> = a.runs.iter().map(|r| r.name.clone()).collect();
        let pts = |f: fn(&super::spike::SpikeRun) -> f64| by_index(&a.runs, f);
        files.extend(chart(
            format!("Checkpoints under a {}x spike of {}", a.factor, human_ms(a.length_ms)),
            vec![
                panel(
                    "",
                    "checkpoints from the spike on",
                    vec![
                        Series::measured("completed", pts(|r| r.completed as f64)),
                        Series::measured("failed", pts(|r| r.failed as f64)),
                    ],
                    vec![],
                    Some(cats.clone()),
                ),
                panel(
                    "",
                    "longest checkpoint (s)",
                    vec![
                        Series::measured("longest completed", pts(|r| r.max_ms / 1e3)),
                        Series::model(
                            "timeout",
                            vec![
                                XY::new(0.0, a.timeout_ms / 1e3),
                                XY::new((cats.len() - 1) as f64, a.timeout_ms / 1e3),
                            ],
                            TARGET,
                        ),
                    ],
                    vec![],
                    Some(cats),
                ),
            ],
            &dir.join("advice_spike"),
        )?);
    }
    if let Some(a) = &advice.mode {
        let cats: Vec<String> = a.points.iter().map(|m| m.mode.clone()).collect();
        let pts = |f: fn(&super::mode::ModePoint) -> f64| by_index(&a.points, f);
        files.extend(chart(
            format!("Barrier mode (advised: {})", a.chosen),
            vec![
                panel(
                    "",
                    "checkpoint duration (s)",
                    vec![
                        Series::measured("p50", pts(|m| m.p50_ms / 1e3)),
                        Series::measured("p99", pts(|m| m.p99_ms / 1e3)),
                    ],
                    vec![],
                    Some(cats.clone()),
                ),
                panel(
                    "",
                    "after one failure (s)",
                    [
                        a.points.iter().any(|m| live_ms(m, false).is_finite()).then(|| {
                            Series::measured("fault to live output", pts(|m| live_ms(m, false) / 1e3))
                                .limited((0.0, f64::INFINITY))
                        }),
                        a.points
                            .iter()
                            .any(|m| m.back_live_censored)
                            .then(|| cut_runs("not live by the run's end (at least)", pts(|m| live_ms(m, true) / 1e3))),
                    ]
                    .into_iter()
                    .flatten()
                    .collect(),
                    vec![],
                    Some(cats),
                ),
            ],
            &dir.join("advice_mode"),
        )?);
    }
    if let Some(a) = &advice.aging {
        let cats: Vec<String> = a.points.iter().map(|p| format!("{:.0} d", p.age_days)).collect();
        let pts = |f: fn(&super::aging::AgingPoint) -> f64| by_index(&a.points, f);
        let last = (cats.len() - 1) as f64;
        files.extend(chart(
            "RocksDB checkpoints as the job runs without a restart".into(),
            vec![
                panel(
                    "RocksDB instances open for",
                    "checkpoint duration (s)",
                    vec![
                        Series::measured("p50", pts(|p| p.p50_ms / 1e3)),
                        Series::measured("p99", pts(|p| p.p99_ms / 1e3)),
                        Series::model(
                            format!("target: {}", human_ms(a.target_ms)),
                            vec![XY::new(0.0, a.target_ms / 1e3), XY::new(last, a.target_ms / 1e3)],
                            TARGET,
                        ),
                    ],
                    vec![],
                    Some(cats.clone()),
                ),
                panel(
                    "RocksDB instances open for",
                    "average checkpointed size (MB)",
                    vec![Series::measured(
                        "checkpointed",
                        pts(|p| p.checkpointed_avg_bytes / 1e6),
                    )],
                    vec![],
                    Some(cats),
                ),
            ],
            &dir.join("advice_aging"),
        )?);
    }
    if let Some(a) = &advice.cores {
        let cats: Vec<String> = a
            .points
            .iter()
            .map(|p| format!("{}", p.cores_per_taskmanager))
            .collect();
        let x_of = |c: f64| {
            a.points
                .iter()
                .position(|p| p.cores_per_taskmanager == c)
                .map(|i| i as f64)
        };
        let pts = |f: fn(&super::cores::CoresPoint) -> f64| by_index(&a.points, f);
        let last = (cats.len() - 1) as f64;
        // Busy 80 %: the 25 % spare throughput the answer asks for.
        let limit = 100.0 / (1.0 + crate::verdict::thresholds::HEADROOM_WARNING);
        let mut markers = Vec::new();
        if let Some(x) = x_of(a.current) {
            markers.push(marker(x, "as configured".into(), Stroke::Dashed, MARKER));
        }
        if let Some(n) = a.needed
            && let Some(x) = x_of(n)
        {
            markers.push(marker(
                x,
                format!("needed: {}", super::cores::cores_text(n)),
                Stroke::Solid,
                FAILED,
            ));
        }
        files.extend(chart(
            "Cores per TaskManager: the busiest subtask".into(),
            vec![panel(
                "cores per TaskManager (taskmanager.cpu.cores)",
                "share of the time (%)",
                vec![
                    Series::measured("busy", pts(|p| p.busy_ratio * 100.0)),
                    Series::measured(
                        "waiting for a core",
                        pts(|p| p.busy_ratio * p.waiting_for_cores_share * 100.0),
                    ),
                    Series::model(
                        format!(
                            "busy {limit:.0} %: {:.0} % spare throughput",
                            crate::verdict::thresholds::HEADROOM_WARNING * 100.0
                        ),
                        vec![XY::new(0.0, limit), XY::new(last, limit)],
                        TARGET,
                    ),
                ],
                markers,
                Some(cats),
            )],
            &dir.join("advice_cores"),
        )?);
    }
    Ok(files)
}
