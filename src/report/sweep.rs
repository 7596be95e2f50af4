//! The report of a sweep directory: what was varied and how often, a table of every point (the
//! swept values, then mean ± 95 % half-width of each charted metric over the replications, from
//! points.csv) and the charts.

use std::path::{Path, PathBuf};

use super::page::{Block, Report, Section};
use super::{ReportError, read_charts, read_csv, write_report};
use crate::layout::REPORT_HTML;
use crate::layout::sweep::{MANIFEST_JSON, POINTS_CSV};
use crate::plot::catalog;
use crate::plot::grouping::series_parameters;
use crate::plot::sweep_dir::DEFAULT_METRICS;
use crate::sweep_manifest::{Manifest, Mode};

/// Writes `DIR/report.html` for the finished sweep in `dir`.
pub fn write_sweep_report(dir: &Path) -> Result<PathBuf, ReportError> {
    write_report(&dir.join(REPORT_HTML), &sweep_report(dir)?)
}

pub fn sweep_report(dir: &Path) -> Result<Report, ReportError> {
    let manifest_path = dir.join(MANIFEST_JSON);
    let bad = |path: &Path, message: String| ReportError::BadInput {
        path: path.to_path_buf(),
        message,
    };
    let (m, _) = Manifest::read(dir)
        .map_err(|e| bad(&manifest_path, e.to_string()))?
        .ok_or_else(|| bad(&manifest_path, "no sweep manifest".into()))?;
    let points_path = dir.join(POINTS_CSV);
    let (header, rows) = read_csv(&points_path)?;
    let runs = m.points.len() * m.replications as usize;
    let mode = match m.mode {
        Mode::Grid => "grid: every combination",
        Mode::Zip => "zip: the i-th values together",
    };
    let mut verdict = vec![format!(
        "{} points ({mode}) x {} replications = {runs} simulated runs of `{}`.",
        m.points.len(),
        m.replications,
        m.scenario
    )];
    for p in &m.parameters {
        let mut values: Vec<&str> = Vec::new();
        for v in &p.values {
            if !values.contains(&v.as_str()) {
                values.push(v);
            }
        }
        verdict.push(format!("Varied `{}`: {}.", p.path, values.join(", ")));
    }
    if m.replications < crate::plot::sweep_dir::MIN_REPLICATIONS_FOR_BAND {
        verdict.push(format!(
            "{} replications per point: too few for a 95 % confidence interval worth drawing; the charts show means only.",
            m.replications
        ));
    }

    // The table: swept values as written, then the charted metrics.
    let metrics: Vec<String> = if m.plot.metrics.is_empty() {
        DEFAULT_METRICS.iter().map(|s| s.to_string()).collect()
    } else {
        m.plot.metrics.clone()
    };
    let col = |name: &str| header.iter().position(|h| h == name);
    let metric_cols: Vec<(String, usize, Option<usize>)> = metrics
        .iter()
        .filter_map(|k| Some((k.clone(), col(&format!("{k}.mean"))?, col(&format!("{k}.ci95")))))
        .collect();
    let point_col = col("point").ok_or_else(|| bad(&points_path, "no `point` column".into()))?;
    let mut table_header = vec!["point".to_string()];
    table_header.extend(m.parameters.iter().map(|p| p.path.clone()));
    table_header.extend(metric_cols.iter().map(|(k, _, _)| format!("{k} (mean ± 95 %)")));
    let mut table_rows = Vec::with_capacity(rows.len());
    for r in &rows {
        let Some(p) = r
            .get(point_col)
            .and_then(|c| c.parse::<usize>().ok())
            .filter(|&p| p < m.points.len())
        else {
            continue;
        };
        let mut cells = vec![p.to_string()];
        cells.extend((0..m.parameters.len()).map(|j| m.value(p, j).to_string()));
        for (_, mean, ci) in &metric_cols {
            let mean = r.get(*mean).map(String::as_str).unwrap_or("");
            let ci = ci.and_then(|c| r.get(c)).map(String::as_str).unwrap_or("");
            cells.push(match (mean.parse::<f64>(), ci.parse::<f64>()) {
                (Ok(a), Ok(b)) => format!("{} ± {}", number(a), number(b)),
                (Ok(a), Err(_)) => number(a),
                _ => super::run::EMPTY_CELL.to_string(),
            });
        }
        table_rows.push(cells);
    }

    let x_index = m
        .plot
        .x
        .as_ref()
        .and_then(|x| m.parameters.iter().position(|p| &p.path == x))
        .unwrap_or(0);
    let x = &m.parameters[x_index].path;
    let series: Vec<String> = series_parameters(&m, x_index, &m.plot.series)
        .into_iter()
        .map(|j| format!("`{}`", m.parameters[j].path))
        .collect();
    let series = if series.is_empty() {
        "configuration".to_string()
    } else {
        series.join(" x ")
    };
    let charts: Vec<Block> = read_charts(dir, &["young_daly", "comparison"])?
        .into_iter()
        .map(|(stem, png)| Block::Chart {
            caption: format!("{stem}: {}", catalog::sweep_figure(&stem, x, &series)),
            png,
        })
        .collect();
    let mut sections = Vec::new();
    if !charts.is_empty() {
        sections.push(Section {
            id: "charts".into(),
            heading: "Charts".into(),
            blocks: charts,
        });
    }
    sections.push(Section {
        id: "points".into(),
        heading: "Every point".into(),
        blocks: vec![
            Block::Paragraph(format!(
                "Mean over the replications of each point and the half-width of its 95 % confidence interval \
                 ({POINTS_CSV}; every metric is there, and every run in runs.csv)."
            )),
            Block::Table {
                class: "points".into(),
                header: table_header,
                rows: table_rows,
            },
        ],
    });
    Ok(Report {
        title: format!("Sweep report — {}", m.scenario),
        verdict,
        sections,
    })
}

/// Four significant digits, plain for everyday magnitudes.
fn number(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 {
        "0".into()
    } else if !(1e-3..1e7).contains(&a) {
        format!("{v:.3e}")
    } else {
        let decimals = (3 - a.log10().floor() as i32).max(0) as usize;
        format!("{v:.decimals$}")
    }
}

#[cfg(test)]
mod tests {
    use super::number;

    #[test]
    fn numbers_keep_four_significant_digits() {
        assert_eq!(number(1234.5678), "1235");
        assert_eq!(number(0.0123456), "0.01235");
        assert_eq!(number(12.0), "12.00");
        assert_eq!(number(2.5e9), "2.500e9");
    }
}
