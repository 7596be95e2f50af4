//! The building block of the line charts: one panel with axes, lines with 95 % confidence bands,
//! dashed model curves and vertical markers. Sweep charts, the Young/Daly chart, the aligned vs
//! unaligned comparison and the recovery timeline are one or more panels.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::canvas::{Chart, draw_err};
use super::fonts::FAMILY;
use super::legend::{draw_legend, legend_entries, legend_width_px};
use super::style::{CAPTION_PX, DESC_PX, LABEL_PX, PANEL_CAPTION_PX, color, padded_range, tick};

use super::panel_spec::band_edge;
pub use super::panel_spec::{Panel, Series, Stroke, UNBOUNDED, VMarker, XY};

/// Panels stacked vertically under a title.
#[derive(Clone, Debug, PartialEq)]
pub struct PanelChart {
    pub title: String,
    pub panels: Vec<Panel>,
}

impl Chart for PanelChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(draw_err)?;
        let area = root.titled(&self.title, (FAMILY, CAPTION_PX)).map_err(draw_err)?;
        let areas = area.split_evenly((self.panels.len().max(1), 1));
        // One legend width for every panel, so that their x axes line up.
        let legend_px = self.panels.iter().map(legend_width_px).max().unwrap_or(0);
        for (panel, area) in self.panels.iter().zip(&areas) {
            draw_panel_with_legend(area, panel, legend_px)?;
        }
        Ok(())
    }

    fn size(&self) -> (u32, u32) {
        let n = self.panels.len().max(1) as u32;
        // The legend gets a column of its own beside the plot, so the plot keeps its width.
        let legend_px = self.panels.iter().map(legend_width_px).max().unwrap_or(0);
        (1000 + legend_px, if n == 1 { 600 } else { 40 + 300 * n })
    }
}

pub fn draw_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, panel: &Panel) -> Result<(), String> {
    draw_panel_with_legend(area, panel, legend_width_px(panel))
}

/// As [`draw_panel`], with a legend column `legend_px` wide (when the panel has a legend).
pub fn draw_panel_with_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    legend_px: u32,
) -> Result<(), String> {
    let xs = panel
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.x))
        .chain(panel.markers.iter().map(|m| m.x));
    let (x0, x1) = match &panel.x_categories {
        Some(c) => (-0.5, c.len().max(1) as f64 - 0.5),
        None => padded_range(xs, false),
    };
    let ys = panel.series.iter().flat_map(|s| {
        s.points.iter().flat_map(|p| {
            let ci = p.ci.filter(|c| c.is_finite()).unwrap_or(0.0);
            [band_edge(p.y - ci, s.y_limits), band_edge(p.y + ci, s.y_limits)]
        })
    });
    let (y0, y1) = padded_range(ys, panel.y_from_zero);

    let legend = legend_entries(panel);
    let (area, legend_area) = if legend.is_empty() {
        (area.clone(), None)
    } else {
        let (w, _) = area.dim_in_pixel();
        let (plot, side) = area.split_horizontally(w.saturating_sub(legend_px));
        (plot, Some(side))
    };
    let area = &area;
    let mut builder = ChartBuilder::on(area);
    builder.margin(12).x_label_area_size(42).y_label_area_size(78);
    if let Some(t) = &panel.title {
        builder.caption(t, (FAMILY, PANEL_CAPTION_PX));
    }
    let mut chart = builder.build_cartesian_2d(x0..x1, y0..y1).map_err(draw_err)?;
    let categories = panel.x_categories.clone();
    let x_fmt = move |v: &f64| match &categories {
        Some(c) => {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < c.len() {
                c[i as usize].clone()
            } else {
                String::new()
            }
        }
        None => tick(*v),
    };
    let y_fmt = |v: &f64| tick(*v);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(panel.x_label.as_str())
        .y_desc(panel.y_label.as_str())
        .label_style((FAMILY, LABEL_PX))
        .axis_desc_style((FAMILY, DESC_PX))
        .light_line_style(RGBColor(238, 238, 238))
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt);
    if let Some(c) = &panel.x_categories {
        mesh.x_labels(c.len() + 1);
    }
    // About one y tick per 45 pixels: short panels get fewer, legible labels.
    mesh.y_labels((area.dim_in_pixel().1 / 45).clamp(3, 10) as usize);
    mesh.draw().map_err(draw_err)?;

    for (i, s) in panel.series.iter().enumerate() {
        let c = s.color.unwrap_or_else(|| color(i));
        // Points inside the axes stay as they are; a value beyond what an axis can span (see
        // `padded_range`) is drawn at its edge rather than millions of pixels away.
        let mut pts: Vec<XY> = s
            .points
            .iter()
            .copied()
            .filter(|p| p.x.is_finite() && p.y.is_finite())
            .map(|p| XY {
                x: p.x.clamp(x0, x1),
                y: p.y.clamp(y0, y1),
                ci: p.ci,
            })
            .collect();
        pts.sort_by(|a, b| a.x.total_cmp(&b.x));
        let with_ci: Vec<&XY> = pts.iter().filter(|p| p.ci.is_some_and(f64::is_finite)).collect();
        let edge = |y: f64| band_edge(y, s.y_limits).clamp(y0, y1);
        if with_ci.len() >= 2 {
            let upper = with_ci.iter().map(|p| (p.x, edge(p.y + p.ci.unwrap_or(0.0))));
            let lower = with_ci.iter().rev().map(|p| (p.x, edge(p.y - p.ci.unwrap_or(0.0))));
            let band: Vec<(f64, f64)> = upper.chain(lower).collect();
            chart
                .draw_series(std::iter::once(Polygon::new(band, c.mix(0.18).filled())))
                .map_err(draw_err)?;
        } else if let Some(p) = with_ci.first() {
            let ci = p.ci.unwrap_or(0.0);
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(p.x, edge(p.y - ci)), (p.x, edge(p.y + ci))],
                    c.stroke_width(2),
                )))
                .map_err(draw_err)?;
        }
        let line: Vec<(f64, f64)> = pts.iter().map(|p| (p.x, p.y)).collect();
        // Dense lines (a long timeline) at 1 px: plotters joins wide segments with miters, and a
        // sharp spike between dense points would be drawn as a needle far outside the panel.
        let style = c.stroke_width(if line.len() > 500 { 1 } else { 2 });
        match s.stroke {
            Stroke::Solid => chart
                .draw_series(LineSeries::new(line.clone(), style))
                .map_err(draw_err)?,
            Stroke::Dashed => chart
                .draw_series(DashedLineSeries::new(line.clone(), 8, 6, style))
                .map_err(draw_err)?,
        };
        if s.dots {
            chart
                .draw_series(line.iter().map(|&p| Circle::new(p, 3, c.filled())))
                .map_err(draw_err)?;
        }
    }
    for m in &panel.markers {
        let style = m.color.stroke_width(2);
        let line = vec![(m.x, y0), (m.x, y1)];
        match m.stroke {
            Stroke::Solid => chart.draw_series(LineSeries::new(line, style)).map_err(draw_err)?,
            Stroke::Dashed => chart
                .draw_series(DashedLineSeries::new(line, 5, 5, style))
                .map_err(draw_err)?,
        };
    }
    if let Some(side) = legend_area {
        draw_legend(&side, &legend)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::prelude::SVGBackend;

    fn svg_of(series: Series) -> String {
        crate::plot::register_fonts();
        let chart = PanelChart {
            title: "t".into(),
            panels: vec![Panel {
                x_label: "x".into(),
                y_label: "y".into(),
                series: vec![series],
                ..Panel::default()
            }],
        };
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, chart.size()).into_drawing_area();
            chart.draw(&root).unwrap();
            root.present().unwrap();
        }
        svg
    }

    #[test]
    fn a_band_stops_at_what_the_quantity_can_be() {
        // Two replications' interval around small durations reaches far below zero.
        let points: Vec<XY> = (1..=3)
            .map(|i| XY {
                x: i as f64,
                y: 1.0,
                ci: Some(5.0),
            })
            .collect();
        let negative_tick = |svg: &str| svg.contains("\n-");
        assert!(negative_tick(&svg_of(Series::measured("d", points.clone()))));
        assert!(!negative_tick(&svg_of(
            Series::measured("d", points).limited((0.0, f64::INFINITY))
        )));
        assert_eq!(band_edge(-4.0, (0.0, 1.0)), 0.0);
        assert_eq!(band_edge(6.0, (0.0, 1.0)), 1.0);
    }
}
