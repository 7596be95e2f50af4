//! Chart (a): every checkpoint at its trigger time, as a bar of its phases (the largest start
//! delay, alignment, sync and async duration over its subtasks, stacked) with its end-to-end
//! duration as a dot (hollow when still in progress at the end of the run). The phases are maxima over different subtasks, so the stack shows where
//! the time went, not an exact decomposition of the end-to-end duration. FAILED checkpoints get
//! a red cross at their duration up to the failure.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::canvas::{Chart, SIZE, draw_err, render_both};
use super::error::PlotError;
use super::fonts::FAMILY;
use super::legend::{Glyph, LegendEntry, draw_legend};
use super::style::{CAPTION_PX, DESC_PX, FAILED, LABEL_PX, PALETTE, padded_range, tick};
use crate::metrics::CheckpointRecord;

pub struct CheckpointTimeline<'a> {
    pub title: String,
    pub records: &'a [CheckpointRecord],
}

/// The legend's column right of the plot, wide enough for its longest label (in progress ...).
const LEGEND_PX: u32 = 300;

const PHASES: [&str; 4] = ["start delay", "alignment", "sync phase", "async phase"];
/// Palette colours without the red that marks FAILED checkpoints.
const PHASE_COLORS: [RGBColor; 4] = [PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[4]];

fn phases(r: &CheckpointRecord) -> [f64; 4] {
    [
        r.max_start_delay,
        r.max_alignment_duration,
        r.max_sync_duration,
        r.max_async_duration,
    ]
    .map(|v| v.max(0.0))
}

impl Chart for CheckpointTimeline<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(draw_err)?;
        let t_s: Vec<f64> = self.records.iter().map(|r| r.trigger_timestamp / 1e3).collect();
        // Bars as wide as 60 % of the closest spacing, so that neighbours never overlap.
        let spacing = t_s
            .windows(2)
            .map(|w| w[1] - w[0])
            .filter(|d| *d > 0.0)
            .fold(f64::INFINITY, f64::min);
        let span = t_s.last().copied().unwrap_or(0.0) - t_s.first().copied().unwrap_or(0.0);
        let width = if spacing.is_finite() {
            0.6 * spacing
        } else {
            (span / 50.0).max(0.5)
        };
        let (x0, x1) = padded_range(t_s.iter().flat_map(|t| [t - width, t + width]), false);
        let tops = self
            .records
            .iter()
            .flat_map(|r| [phases(r).iter().sum::<f64>(), r.end_to_end_duration.unwrap_or(0.0)]);
        let (y0, y1) = padded_range(tops, true);

        let titled = root.titled(&self.title, (FAMILY, CAPTION_PX)).map_err(draw_err)?;
        let (w, _) = titled.dim_in_pixel();
        let (plot, side) = titled.split_horizontally(w.saturating_sub(LEGEND_PX));
        let mut legend = Vec::new();
        let mut chart = ChartBuilder::on(&plot)
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .x_desc("trigger time (s)")
            .y_desc("duration (ms)")
            .label_style((FAMILY, LABEL_PX))
            .axis_desc_style((FAMILY, DESC_PX))
            .light_line_style(RGBColor(238, 238, 238))
            .x_label_formatter(&|v| tick(*v))
            .y_label_formatter(&|v| tick(*v))
            .draw()
            .map_err(draw_err)?;

        for (k, name) in PHASES.iter().enumerate() {
            let c = PHASE_COLORS[k];
            let bars = self.records.iter().zip(&t_s).filter_map(|(r, &t)| {
                let p = phases(r);
                let base: f64 = p[..k].iter().sum();
                (p[k] > 0.0)
                    .then(|| Rectangle::new([(t - width / 2.0, base), (t + width / 2.0, base + p[k])], c.filled()))
            });
            chart.draw_series(bars).map_err(draw_err)?;
            legend.push(LegendEntry {
                label: name.to_string(),
                color: c,
                glyph: Glyph::Box,
            });
        }
        let completed: Vec<(f64, f64)> = self
            .records
            .iter()
            .zip(&t_s)
            .filter(|(r, _)| r.status == "COMPLETED")
            .filter_map(|(r, &t)| r.end_to_end_duration.map(|d| (t, d)))
            .collect();
        chart
            .draw_series(completed.iter().map(|&p| Circle::new(p, 4, BLACK.filled())))
            .map_err(draw_err)?;
        legend.push(LegendEntry {
            label: "end-to-end duration".into(),
            color: BLACK,
            glyph: Glyph::Dot,
        });
        let in_progress: Vec<(f64, f64)> = self
            .records
            .iter()
            .zip(&t_s)
            .filter(|(r, _)| r.status == "IN_PROGRESS")
            .filter_map(|(r, &t)| r.end_to_end_duration.map(|d| (t, d)))
            .collect();
        if !in_progress.is_empty() {
            chart
                .draw_series(in_progress.iter().map(|&p| Circle::new(p, 4, BLACK.stroke_width(2))))
                .map_err(draw_err)?;
            legend.push(LegendEntry {
                label: "in progress at the end (until latest ack)".into(),
                color: BLACK,
                glyph: Glyph::Ring,
            });
        }
        let failed: Vec<(f64, f64)> = self
            .records
            .iter()
            .zip(&t_s)
            .filter(|(r, _)| r.status == "FAILED")
            .map(|(r, &t)| (t, r.end_to_end_duration.unwrap_or(0.0)))
            .collect();
        if !failed.is_empty() {
            chart
                .draw_series(failed.iter().map(|&p| Cross::new(p, 7, FAILED.stroke_width(3))))
                .map_err(draw_err)?;
            legend.push(LegendEntry {
                label: "FAILED (duration until failure)".into(),
                color: FAILED,
                glyph: Glyph::Cross,
            });
        }
        draw_legend(&side, &legend)
    }

    fn size(&self) -> (u32, u32) {
        (SIZE.0 + LEGEND_PX, SIZE.1)
    }
}

/// Draws `<base>.png` and `<base>.svg`.
pub fn plot_checkpoint_timeline(
    records: &[CheckpointRecord],
    title: &str,
    base: &Path,
) -> Result<Vec<PathBuf>, PlotError> {
    render_both(
        &CheckpointTimeline {
            title: title.to_string(),
            records,
        },
        base,
    )
}
