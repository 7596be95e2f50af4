//! Chart (c): what a checkpoint interval costs, from the simulated runs of a sweep over the
//! interval. The upper panel is the simulated total cost per configuration (checkpointing
//! overhead plus work lost to failures, each run's sum averaged over replications) with its
//! minimum marked; the Young/Daly optimum sqrt(2 c M) (Young 1974; Daly 2006, first order) and
//! its waste model c/T + T/(2M) are drawn dashed, as a reference to compare with, for a
//! checkpoint cost c and a mean time between failures M. The lower panel shows the two parts.

use std::path::{Path, PathBuf};

use super::canvas::render_both;
use super::error::PlotError;
use super::panel::{Panel, PanelChart, Series, Stroke, VMarker, XY};
use super::style::color;

pub fn young_daly_optimum_s(checkpoint_cost_s: f64, mtbf_s: f64) -> f64 {
    (2.0 * checkpoint_cost_s * mtbf_s).sqrt()
}

/// The c that fits overhead ≈ c / T best in the least-squares sense: minimising
/// sum (y_i - c/T_i)^2 gives c = sum(y_i/T_i) / sum(1/T_i^2). `None` without usable points.
pub fn fit_checkpoint_cost_s(points: &[XY]) -> Option<f64> {
    let usable = points
        .iter()
        .filter(|p| p.x > 0.0 && p.x.is_finite() && p.y.is_finite());
    let (num, den) = usable.fold((0.0, 0.0), |(n, d), p| (n + p.y / p.x, d + 1.0 / (p.x * p.x)));
    (den > 0.0 && num > 0.0).then(|| num / den)
}

/// One configuration: x values are intervals in seconds, y values fractions of time.
#[derive(Clone, Debug, PartialEq)]
pub struct OverheadSeries {
    /// Names the configuration in the legend; may be empty when there is only one.
    pub label: String,
    /// Measured overhead (e.g. `checkpoint_time_fraction`), with confidence half-widths.
    pub overhead: Vec<XY>,
    /// Measured lost work; empty until the scenario injects failures.
    pub lost_work: Vec<XY>,
    /// Simulated total cost: per run overhead plus lost work, mean and confidence half-width over
    /// the replications of each interval (the overhead alone when no lost work is measured).
    pub total: Vec<XY>,
    pub checkpoint_cost_s: f64,
    /// `checkpoint_cost_s` was fitted to the overhead (see [`fit_checkpoint_cost_s`]).
    pub checkpoint_cost_fitted: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OverheadInput {
    pub title: String,
    /// Names the overhead metric in the legend.
    pub overhead_name: String,
    /// Names the lost-work metric; `None` when the sweep measures none (no failures simulated).
    pub lost_work_name: Option<String>,
    pub series: Vec<OverheadSeries>,
    pub mtbf_s: f64,
}

/// The interval of the smallest simulated total cost of a configuration.
pub fn simulated_minimum(total: &[XY]) -> Option<XY> {
    total
        .iter()
        .copied()
        .filter(|p| p.x.is_finite() && p.y.is_finite())
        .min_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)))
}

const CURVE_POINTS: usize = 120;
/// Fractions of time and their sums cannot be negative. They can exceed 1: the overhead is the
/// mean checkpoint duration over the interval, and lost work is summed over failures.
const NON_NEGATIVE: (f64, f64) = (0.0, f64::INFINITY);

pub fn overhead_chart(input: &OverheadInput) -> PanelChart {
    let m = input.mtbf_s;
    let optima: Vec<f64> = input
        .series
        .iter()
        .map(|s| young_daly_optimum_s(s.checkpoint_cost_s, m))
        .collect();
    let xs: Vec<f64> = input
        .series
        .iter()
        .flat_map(|s| s.overhead.iter().chain(&s.lost_work).chain(&s.total).map(|p| p.x))
        .chain(optima.iter().copied())
        .filter(|x| *x > 0.0 && x.is_finite())
        .collect();
    let lo = xs.iter().copied().fold(f64::INFINITY, f64::min) * 0.8;
    let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max) * 1.2;
    // Log-spaced, so that the steep c/T end is as smooth as the flat end.
    let grid: Vec<f64> = if lo.is_finite() && hi > lo {
        (0..CURVE_POINTS)
            .map(|i| lo * (hi / lo).powf(i as f64 / (CURVE_POINTS - 1) as f64))
            .collect()
    } else {
        vec![]
    };
    let curve = |f: &dyn Fn(f64) -> f64| grid.iter().map(|&t| XY::new(t, f(t))).collect::<Vec<_>>();
    let n = input.series.len();
    let named = |what: &str, s: &OverheadSeries| {
        if s.label.is_empty() {
            what.to_string()
        } else {
            format!("{what}, {}", s.label)
        }
    };
    let (total_name, total_title) = match &input.lost_work_name {
        Some(l) => (
            "simulated total cost",
            format!("Simulated total cost = {} + {l}, and its minimum", input.overhead_name),
        ),
        None => (
            "simulated cost",
            format!(
                "Simulated cost = {} (no failures simulated: set [sweep.plot] lost_work)",
                input.overhead_name
            ),
        ),
    };
    let (mut totals, mut parts, mut markers) = (Vec::new(), Vec::new(), Vec::new());
    for (i, (s, &t_opt)) in input.series.iter().zip(&optima).enumerate() {
        let c_i = color(i);
        let c = s.checkpoint_cost_s;
        let fitted = if s.checkpoint_cost_fitted { " fitted" } else { "" };
        totals.push(Series {
            color: Some(c_i),
            ..Series::measured(named(total_name, s), s.total.clone()).limited(NON_NEGATIVE)
        });
        totals.push(Series::model(
            format!("reference: model c/T + T/2M, c = {}{fitted}", secs(c)),
            curve(&|t| c / t + t / (2.0 * m)),
            c_i,
        ));
        if let Some(best) = simulated_minimum(&s.total) {
            markers.push(VMarker {
                x: best.x,
                label: named(&format!("simulated minimum, T = {}", secs(best.x)), s),
                color: c_i,
                stroke: Stroke::Solid,
            });
        }
        markers.push(VMarker {
            x: t_opt,
            label: format!("reference: Young/Daly √(2cM) = {}", secs(t_opt)),
            color: c_i,
            stroke: Stroke::Dashed,
        });
        parts.push(Series {
            color: Some(c_i),
            ..Series::measured(named(&input.overhead_name, s), s.overhead.clone()).limited(NON_NEGATIVE)
        });
        if let Some(l) = &input.lost_work_name
            && !s.lost_work.is_empty()
        {
            parts.push(Series {
                color: Some(color(n + i)),
                ..Series::measured(named(l, s), s.lost_work.clone()).limited(NON_NEGATIVE)
            });
        }
    }
    let panel = |title: String, series: Vec<Series>, markers: Vec<VMarker>| Panel {
        title: Some(title),
        x_label: "checkpoint interval T (s)".into(),
        y_label: "fraction of time".into(),
        series,
        markers,
        x_categories: None,
        y_from_zero: true,
    };
    PanelChart {
        title: input.title.clone(),
        panels: vec![
            panel(format!("{total_title} (M = {})", secs(m)), totals, markers),
            panel("The two parts of the cost".into(), parts, vec![]),
        ],
    }
}

fn secs(s: f64) -> String {
    if s >= 100.0 || s == s.round() {
        format!("{s:.0} s")
    } else {
        format!("{s:.3} s")
    }
}

/// Draws `<base>.png` and `<base>.svg`.
pub fn plot_overhead_vs_interval(input: &OverheadInput, base: &Path) -> Result<Vec<PathBuf>, PlotError> {
    render_both(&overhead_chart(input), base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optimum_and_fit_follow_the_formulas() {
        assert_eq!(young_daly_optimum_s(2.0, 3600.0), (14400.0f64).sqrt());
        let pts: Vec<XY> = [5.0, 10.0, 20.0].iter().map(|&t| XY::new(t, 0.3 / t)).collect();
        assert!((fit_checkpoint_cost_s(&pts).unwrap() - 0.3).abs() < 1e-12);
        assert_eq!(fit_checkpoint_cost_s(&[]), None);
    }

    fn one(label: &str, c: f64) -> OverheadSeries {
        let total = vec![XY::new(5.0, 0.3), XY::new(10.0, 0.1), XY::new(20.0, 0.2)];
        OverheadSeries {
            label: label.into(),
            overhead: vec![XY::new(5.0, c / 5.0), XY::new(10.0, c / 10.0)],
            lost_work: vec![],
            total,
            checkpoint_cost_s: c,
            checkpoint_cost_fitted: false,
        }
    }

    #[test]
    fn chart_marks_each_optimum_at_the_minimum_of_its_model_curve() {
        let input = OverheadInput {
            title: "t".into(),
            overhead_name: "overhead".into(),
            lost_work_name: Some("lost work".into()),
            series: vec![one("a", 0.3), one("b", 1.2)],
            mtbf_s: 3600.0,
        };
        let panel = &overhead_chart(&input).panels[0];
        let references: Vec<&VMarker> = panel.markers.iter().filter(|m| m.stroke == Stroke::Dashed).collect();
        for (k, c) in [0.3, 1.2].into_iter().enumerate() {
            let t_opt = young_daly_optimum_s(c, 3600.0);
            assert_eq!(references[k].x, t_opt);
            let model = panel
                .series
                .iter()
                .filter(|s| s.label.contains("model c/T + T/2M"))
                .nth(k)
                .unwrap();
            let best = model.points.iter().min_by(|a, b| a.y.total_cmp(&b.y)).unwrap();
            assert!((best.x / t_opt - 1.0).abs() < 0.05, "{} vs {t_opt}", best.x);
        }
    }

    #[test]
    fn the_simulated_minimum_is_marked_where_the_total_cost_is_smallest() {
        let input = OverheadInput {
            title: "t".into(),
            overhead_name: "overhead".into(),
            lost_work_name: None,
            series: vec![one("", 0.3)],
            mtbf_s: 3600.0,
        };
        let panel = &overhead_chart(&input).panels[0];
        let minimum = panel.markers.iter().find(|m| m.stroke == Stroke::Solid).unwrap();
        assert_eq!(minimum.x, 10.0);
        assert!(
            minimum.label.contains("simulated minimum, T = 10 s"),
            "{}",
            minimum.label
        );
        assert_eq!(panel.series[0].label, "simulated cost");
        assert!(panel.title.as_deref().unwrap_or("").contains("no failures simulated"));
    }
}
