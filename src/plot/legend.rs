//! A panel's legend, drawn in a column of its own right of the plot: inside the plot it hid the
//! points under it (the last point of a line usually sits in the upper right corner).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::canvas::draw_err;
use super::fonts::{FAMILY, register_fonts};
use super::panel_spec::{Panel, Stroke};
use super::style::{LABEL_PX, color};

/// What a legend line shows before its label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Glyph {
    /// A line sample, dashed or not, with a dot for measured points.
    Line {
        dashed: bool,
        dot: bool,
    },
    /// A filled box (a bar).
    Box,
    Dot,
    Ring,
    Cross,
}

/// One line of the legend.
#[derive(Clone, Debug, PartialEq)]
pub struct LegendEntry {
    pub label: String,
    pub color: RGBColor,
    pub glyph: Glyph,
}

/// Width of the sample line, and the gaps around it, in pixels.
const SAMPLE_PX: i32 = 26;
const GAP_PX: i32 = 8;
const ROW_PX: i32 = 22;
/// An upper bound of DejaVu Sans' advance at `LABEL_PX`, should a label fail to be measured.
const CHAR_PX: u32 = 7;
const LEGEND_MAX_PX: u32 = 1000;

/// The labelled series, then each distinct marker label, in drawing order.
pub fn legend_entries(panel: &Panel) -> Vec<LegendEntry> {
    let mut out: Vec<LegendEntry> = panel
        .series
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.label.is_empty())
        .map(|(i, s)| LegendEntry {
            label: s.label.clone(),
            color: s.color.unwrap_or_else(|| color(i)),
            glyph: Glyph::Line {
                dashed: s.stroke == Stroke::Dashed,
                dot: s.dots,
            },
        })
        .collect();
    for m in panel.markers.iter().filter(|m| !m.label.is_empty()) {
        if !out.iter().any(|e| e.label == m.label) {
            out.push(LegendEntry {
                label: m.label.clone(),
                color: m.color,
                glyph: Glyph::Line {
                    dashed: m.stroke == Stroke::Dashed,
                    dot: false,
                },
            });
        }
    }
    out
}

/// Pixels the legend column of `panel` takes; 0 without a legend.
pub fn legend_width_px(panel: &Panel) -> u32 {
    entries_width_px(&legend_entries(panel))
}

/// Pixels a legend column of `entries` takes; 0 for none. The labels are measured in the
/// embedded font (the same on every machine), so the column fits its longest label.
pub fn entries_width_px(entries: &[LegendEntry]) -> u32 {
    register_fonts();
    let font = (FAMILY, LABEL_PX).into_font();
    let text_px = entries
        .iter()
        .filter(|e| !e.label.is_empty())
        .map(|e| {
            font.box_size(&e.label)
                .map(|(w, _)| w)
                .unwrap_or(e.label.chars().count() as u32 * CHAR_PX)
        })
        .max();
    match text_px {
        None => 0,
        Some(w) => (w + (SAMPLE_PX + 4 * GAP_PX) as u32).min(LEGEND_MAX_PX),
    }
}

pub fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, entries: &[LegendEntry]) -> Result<(), String> {
    let font = (FAMILY, LABEL_PX).into_font().color(&BLACK);
    // Level with the top of the plot (the chart's margin), one row per entry.
    let top = 20;
    for (i, e) in entries.iter().enumerate() {
        let y = top + ROW_PX * i as i32;
        let (x0, x1) = (GAP_PX, GAP_PX + SAMPLE_PX);
        let mid = (x0 + x1) / 2;
        let c = e.color;
        match e.glyph {
            Glyph::Line { dashed, dot } => {
                let style = c.stroke_width(2);
                if dashed {
                    for (a, b) in [(x0, x0 + 8), (x0 + 13, x0 + 21)] {
                        area.draw(&PathElement::new(vec![(a, y), (b.min(x1), y)], style))
                            .map_err(draw_err)?;
                    }
                } else {
                    area.draw(&PathElement::new(vec![(x0, y), (x1, y)], style))
                        .map_err(draw_err)?;
                }
                if dot {
                    area.draw(&Circle::new((mid, y), 3, c.filled())).map_err(draw_err)?;
                }
            }
            Glyph::Box => area
                .draw(&Rectangle::new([(mid - 7, y - 5), (mid + 7, y + 5)], c.filled()))
                .map_err(draw_err)?,
            Glyph::Dot => area.draw(&Circle::new((mid, y), 4, c.filled())).map_err(draw_err)?,
            Glyph::Ring => area
                .draw(&Circle::new((mid, y), 4, c.stroke_width(2)))
                .map_err(draw_err)?,
            Glyph::Cross => area
                .draw(&Cross::new((mid, y), 6, c.stroke_width(3)))
                .map_err(draw_err)?,
        }
        area.draw(&Text::new(
            e.label.clone(),
            (x1 + GAP_PX, y - LABEL_PX as i32 / 2 - 1),
            font.clone(),
        ))
        .map_err(draw_err)?;
    }
    Ok(())
}
