//! One chart to a PNG or an SVG file, chosen by the path's extension. Both are written to a
//! temporary name and renamed, so that a reader never sees half an image.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::error::PlotError;
use super::fonts::register_fonts;

/// Pixel size of every chart.
pub const SIZE: (u32, u32) = (1000, 600);

/// Something that draws itself on any plotters backend.
pub trait Chart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String>;

    /// Pixel size; charts of several panels are taller.
    fn size(&self) -> (u32, u32) {
        SIZE
    }
}

/// Turns a plotters error into text (the backend error types differ per backend).
pub fn draw_err<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> String {
    e.to_string()
}

/// Draws `chart` into `path` (`.png` or `.svg`).
pub fn render(chart: &impl Chart, path: &Path, size: (u32, u32)) -> Result<(), PlotError> {
    register_fonts();
    let draw_error = |message: String| PlotError::Draw {
        path: path.to_path_buf(),
        message,
    };
    match path.extension().and_then(|e| e.to_str()) {
        Some("png") => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|cause| PlotError::Io {
                    path: dir.to_path_buf(),
                    cause,
                })?;
            }
            // The encoder picks the format from the extension, so the temporary name keeps `.png`.
            let tmp = path.with_extension("tmp.png");
            {
                let root = BitMapBackend::new(&tmp, size).into_drawing_area();
                chart.draw(&root).map_err(draw_error)?;
                root.present().map_err(|e| draw_error(draw_err(e)))?;
            }
            std::fs::rename(&tmp, path).map_err(|cause| PlotError::Io {
                path: path.to_path_buf(),
                cause,
            })
        }
        Some("svg") => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
                chart.draw(&root).map_err(draw_error)?;
                root.present().map_err(|e| draw_error(draw_err(e)))?;
            }
            crate::files::write_atomic(path, svg.as_bytes())?;
            Ok(())
        }
        _ => Err(PlotError::Format {
            path: path.to_path_buf(),
        }),
    }
}

/// Draws `chart` as `<base>.png` and `<base>.svg`.
pub fn render_both(chart: &impl Chart, base: &Path) -> Result<Vec<PathBuf>, PlotError> {
    let mut out = Vec::with_capacity(2);
    for ext in [".png", ".svg"] {
        // Appended, not `with_extension`: chart names contain dots (`summary.sync_duration.p99`).
        let mut name = base.as_os_str().to_owned();
        name.push(ext);
        let path = PathBuf::from(name);
        render(chart, &path, chart.size())?;
        out.push(path);
    }
    Ok(out)
}
