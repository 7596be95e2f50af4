//! The report of a run directory: verdict lines from summary.json, the summary table `ckptsim run`
//! prints, the charts, and the checkpoint history (checkpoints.csv, one row per checkpoint, each
//! number exactly as the file holds it) with each checkpoint's subtask acknowledgements
//! (subtasks.csv) in a `<details>` element below its row.

use std::path::{Path, PathBuf};

use super::html::escape;
use super::page::{Block, Report, Section};
use super::{ReportError, read_charts, read_csv, write_report};
use crate::layout::REPORT_HTML;
use crate::layout::run::{CHECKPOINTS_CSV, SUBTASKS_CSV, SUMMARY_JSON};
use crate::metrics::RunSummary;
use crate::plot::catalog;

/// Columns of the history table: the checkpoints.csv column and its heading, in the order of
/// Flink's checkpoint history tab.
pub const HISTORY_COLUMNS: [(&str, &str); 12] = [
    ("id", "ID"),
    ("status", "Status"),
    ("trigger_timestamp", "Trigger time (ms)"),
    ("latest_ack_timestamp", "Latest acknowledgement (ms)"),
    ("end_to_end_duration", "End to end duration (ms)"),
    ("checkpointed_size", "Checkpointed data size (B)"),
    ("state_size", "Full checkpoint data size (B)"),
    ("processed_data", "Processed in-flight data (B)"),
    ("persisted_data", "Persisted in-flight data (B)"),
    ("num_acknowledged_subtasks", "Acknowledged subtasks"),
    ("num_subtasks", "Subtasks"),
    ("failure_reason", "Failure reason"),
];

/// Columns of a checkpoint's subtask table, from subtasks.csv.
pub const SUBTASK_COLUMNS: [(&str, &str); 11] = [
    ("task", "Task"),
    ("index", "Subtask"),
    ("ack_timestamp", "Acknowledged (ms)"),
    ("end_to_end_duration", "End to end duration (ms)"),
    ("start_delay", "Start delay (ms)"),
    ("alignment_duration", "Alignment (ms)"),
    ("sync_duration", "Sync (ms)"),
    ("async_duration", "Async (ms)"),
    ("checkpointed_size", "Checkpointed data size (B)"),
    ("processed_data", "Processed in-flight data (B)"),
    ("persisted_data", "Persisted in-flight data (B)"),
];

/// Shown for an empty cell (no end-to-end duration yet, no failure).
pub const EMPTY_CELL: &str = "—";

/// Writes `DIR/report.html` for the run in `dir`, titled with `name`.
pub fn write_run_report(dir: &Path, name: &str) -> Result<PathBuf, ReportError> {
    write_report(&dir.join(REPORT_HTML), &run_report(dir, name)?)
}

pub fn run_report(dir: &Path, name: &str) -> Result<Report, ReportError> {
    let summary_path = dir.join(SUMMARY_JSON);
    let bytes = std::fs::read(&summary_path).map_err(|cause| ReportError::Io {
        path: summary_path.clone(),
        cause,
    })?;
    let summary: RunSummary = serde_json::from_slice(&bytes).map_err(|e| ReportError::BadInput {
        path: summary_path.clone(),
        message: e.to_string(),
    })?;
    let mut sections = vec![Section {
        id: "summary".into(),
        heading: "Summary".into(),
        blocks: vec![Block::Preformatted(crate::summary_table::render_summary_of(&summary))],
    }];
    let charts: Vec<Block> = read_charts(dir, &["checkpoints", "timeline"])?
        .into_iter()
        .map(|(stem, png)| Block::Chart {
            caption: catalog::run_figure(&stem)
                .map(|s| format!("{stem}: {s}"))
                .unwrap_or(stem),
            png,
        })
        .collect();
    if !charts.is_empty() {
        sections.push(Section {
            id: "charts".into(),
            heading: "Charts".into(),
            blocks: charts,
        });
    }
    let cp = dir.join(CHECKPOINTS_CSV);
    // A run that triggered no checkpoint has an empty checkpoints.csv, without even a header.
    let checkpoints = if cp.is_file() { Some(read_csv(&cp)?) } else { None };
    if checkpoints.as_ref().is_some_and(|(_, rows)| rows.is_empty()) {
        sections.push(Section {
            id: "history".into(),
            heading: "Checkpoint history".into(),
            blocks: vec![Block::Paragraph("No checkpoint was triggered in this run.".into())],
        });
    } else if let Some(checkpoints) = checkpoints {
        let st = dir.join(SUBTASKS_CSV);
        let subtasks = if st.is_file() { Some(read_csv(&st)?) } else { None };
        sections.push(Section {
            id: "history".into(),
            heading: "Checkpoint history".into(),
            blocks: vec![
                Block::Paragraph(format!(
                    "One row per checkpoint of {CHECKPOINTS_CSV}, each number as the file holds it (times in \
                     milliseconds since the start of the run, sizes in bytes; {EMPTY_CELL} where the file has \
                     none). Below each row, the acknowledgement of each subtask ({SUBTASKS_CSV})."
                )),
                Block::Html(history_html(&cp, &checkpoints, subtasks.as_ref())?),
            ],
        });
    }
    Ok(Report {
        title: format!("Run report — {name}"),
        verdict: verdict(&summary),
        sections,
    })
}

/// The run's own verdict (`summary.json`), or for a summary written before runs were judged,
/// the facts it holds.
fn verdict(s: &RunSummary) -> Vec<String> {
    if !s.verdict.is_empty() {
        return s
            .verdict
            .iter()
            .map(|f| format!("{}: {}", f.status.label(), f.text))
            .collect();
    }
    let c = &s.counts;
    let mut v = vec![format!(
        "{} checkpoints triggered in {:.1} s of simulated time (seed {}): {} completed, {} failed, {} in progress \
         at the end.",
        c.total, s.simulated_seconds, s.seed, c.completed, c.failed, c.in_progress
    )];
    if let Some(e) = s.summary.get("end_to_end_duration")
        && e.count > 0
    {
        v.push(format!(
            "End-to-end duration: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms.",
            e.p50, e.p99, e.max
        ));
    }
    if let (Some(i), Some(f)) = (s.checkpoint_interval_ms, s.checkpoint_time_fraction) {
        v.push(format!(
            "Every {:.0} ms a checkpoint is triggered; one is in progress {:.1} % of the time.",
            i,
            f * 100.0
        ));
    }
    if let Some(sz) = s.summary.get("checkpointed_size")
        && sz.count > 0
    {
        v.push(format!(
            "Checkpointed data per checkpoint: p50 {:.1} MB, max {:.1} MB.",
            sz.p50 / 1e6,
            sz.max / 1e6
        ));
    }
    if !s.failure_reasons.is_empty() {
        let reasons: Vec<String> = s.failure_reasons.iter().map(|(r, n)| format!("{r} ({n})")).collect();
        v.push(format!("Failed checkpoints by reason: {}.", reasons.join(", ")));
    }
    if s.failures > 0 {
        v.push(format!(
            "{} job failures: {:.2} % of the time down, work lost amounting to {:.2} % of the time.",
            s.failures,
            s.downtime_fraction * 100.0,
            s.lost_work_fraction * 100.0
        ));
    }
    v
}

fn cell(text: &str) -> &str {
    if text.is_empty() { EMPTY_CELL } else { text }
}

/// The history table: a row per checkpoint (`tr.checkpoint`; each header cell names its CSV
/// column in `data-col`, so a reader or a test maps cells to the file), then a row holding its
/// subtasks behind a `<details>`. Data cells carry no attribute: a day's run has 10^5 of them.
fn history_html(
    path: &Path,
    (header, rows): &(Vec<String>, Vec<Vec<String>>),
    subtasks: Option<&(Vec<String>, Vec<Vec<String>>)>,
) -> Result<String, ReportError> {
    let col = |h: &[String], name: &str| h.iter().position(|c| c == name);
    let columns: Vec<(usize, &str, &str)> = HISTORY_COLUMNS
        .iter()
        .filter_map(|(name, heading)| Some((col(header, name)?, *name, *heading)))
        .collect();
    let id_col = col(header, "id").ok_or_else(|| ReportError::BadInput {
        path: path.to_path_buf(),
        message: "no `id` column".into(),
    })?;
    let status_col = col(header, "status");
    // Subtask rows by checkpoint id, in file order.
    let (sub_header, sub_rows) = match subtasks {
        Some((h, r)) => (h.as_slice(), r.as_slice()),
        None => (&[][..], &[][..]),
    };
    let sub_id = col(sub_header, "checkpoint_id");
    let sub_columns: Vec<(usize, &str, &str)> = SUBTASK_COLUMNS
        .iter()
        .filter_map(|(name, heading)| Some((col(sub_header, name)?, *name, *heading)))
        .collect();

    let mut out = String::from(
        "<p><button type=\"button\" data-details=\"open\">Expand all</button> \
         <button type=\"button\" data-details=\"close\">Collapse all</button></p>\n\
         <div class=\"scroll\">\n<table class=\"history\" id=\"history-table\">\n<thead><tr>",
    );
    for (_, name, heading) in &columns {
        out.push_str(&format!("<th data-col=\"{}\">{}</th>", escape(name), escape(heading)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        let get = |i: usize| row.get(i).map(String::as_str).unwrap_or("");
        let id = get(id_col);
        let status = status_col.map(get).unwrap_or("");
        out.push_str(&format!(
            "<tr class=\"checkpoint {}\" data-id=\"{}\">",
            escape(status),
            escape(id)
        ));
        for (i, _, _) in &columns {
            out.push_str(&format!("<td>{}</td>", escape(cell(get(*i)))));
        }
        out.push_str("</tr>\n");
        let mine: Vec<&Vec<String>> = match sub_id {
            Some(c) => sub_rows
                .iter()
                .filter(|r| r.get(c).map(String::as_str) == Some(id))
                .collect(),
            None => vec![],
        };
        out.push_str(&format!(
            "<tr class=\"subtasks\" data-id=\"{}\"><td colspan=\"{}\"><details><summary>Checkpoint {}: {} subtask \
             acknowledgements</summary>\n",
            escape(id),
            columns.len(),
            escape(id),
            mine.len()
        ));
        if mine.is_empty() {
            out.push_str("<p>No subtask acknowledged this checkpoint.</p>");
        } else {
            out.push_str("<table class=\"subtask-table\">\n<thead><tr>");
            for (_, name, heading) in &sub_columns {
                out.push_str(&format!("<th data-col=\"{}\">{}</th>", escape(name), escape(heading)));
            }
            out.push_str("</tr></thead>\n<tbody>\n");
            for r in mine {
                out.push_str("<tr class=\"subtask\">");
                for (i, _, _) in &sub_columns {
                    let text = r.get(*i).map(String::as_str).unwrap_or("");
                    out.push_str(&format!("<td>{}</td>", escape(cell(text))));
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody>\n</table>\n");
        }
        out.push_str("</details></td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
    Ok(out)
}
