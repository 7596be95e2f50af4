//! `ckptsim import`: a calibrated scenario from a running Flink job's REST API.
//!
//! The REST responses are read from a directory, one JSON file per REST path
//! ([`layout`] gives the layout), or fetched first from a REST address ([`fetch`]). Every
//! line of the scenario written names its source (REST path, field, statistic); what REST
//! cannot tell (key counts, the cores behind a TaskManager, the source connector) is marked
//! `# ASSUMPTION: edit.`. The scenario's `[imported]` table keeps the job's own medians, which
//! `ckptsim run` sets beside the simulated ones (the calibration report).

pub mod derive;
pub mod fetch;
pub mod fit;
pub mod layout;
pub mod plan;
pub mod rest_model;
pub mod write;

use std::path::{Path, PathBuf};

pub use layout::Layout;

/// A problem with the saved or fetched REST responses, naming the file (or address) and field.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}: missing: {what}", file.display())]
    Missing { file: PathBuf, what: String },
    #[error("{}: field `{field}`: {message}", file.display())]
    Malformed {
        file: PathBuf,
        field: String,
        message: String,
    },
    #[error("fetching {url}: {message}")]
    Fetch { url: String, message: String },
    #[error("{}: {source}", file.display())]
    Io {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// What the user tells the importer that REST cannot (each written as an assumption).
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// The job (`jobs/<jid>.json`); default: the only one saved.
    pub job_id: Option<String>,
    /// Distinct keys of the keyed streams.
    pub keys: Option<u64>,
    /// Cores behind each TaskManager.
    pub cores_per_taskmanager: Option<f64>,
    /// TaskManagers sharing one host's cores.
    pub taskmanagers_per_host: Option<u32>,
}

/// The scenario derived from one job, before it is written.
pub struct Imported {
    pub job_id: String,
    pub job_name: String,
    /// Completed checkpoints the figures come from.
    pub checkpoints: usize,
    /// Checkpoints the job had in all (the history may keep fewer).
    pub history_total: u64,
    pub sections: Vec<write::Section>,
    /// `(statistic, task, the job's median)` for the calibration report.
    pub medians: Vec<(String, Option<String>, f64)>,
    pub plan_summary: String,
}

impl Imported {
    /// The scenario file's text; `from` says where the REST responses came from.
    pub fn to_toml(&self, from: &str) -> String {
        let header = vec![
            format!("Imported by `ckptsim import` from {from}: Flink job `{}` ({}).", self.job_name, self.job_id),
            format!("Tasks: {}.", self.plan_summary),
            format!(
                "Figures from its {} most recent completed checkpoints ({} in the job's history in all).",
                self.checkpoints, self.history_total
            ),
            "Every line names its source; lines marked `ASSUMPTION: edit.` are what REST cannot tell.".into(),
            "`ckptsim run` on this file prints a calibration report: the job's medians ([imported]) beside the simulated ones.".into(),
        ];
        let top = vec![write::Line {
            key: "description".into(),
            value: write::quote(&format!("Flink job {} imported from its REST API", self.job_name)),
            comment: "/jobs/<jid> name".into(),
            assumption: false,
        }];
        let mut sections: Vec<&write::Section> = self.sections.iter().collect();
        let imported = self.imported_section(from);
        // [imported] goes before the operators (after [state_backend]).
        let at = sections
            .iter()
            .position(|s| s.header == "[[operators]]")
            .unwrap_or(sections.len());
        sections.insert(at, &imported);
        let owned: Vec<write::Section> = sections
            .into_iter()
            .map(|s| write::Section {
                header: s.header.clone(),
                notes: s.notes.clone(),
                lines: s
                    .lines
                    .iter()
                    .map(|l| write::Line {
                        key: l.key.clone(),
                        value: l.value.clone(),
                        comment: l.comment.clone(),
                        assumption: l.assumption,
                    })
                    .collect(),
            })
            .collect();
        write::render(&header, &top, &owned)
    }

    fn imported_section(&self, from: &str) -> write::Section {
        let mut s = write::Section::new("[imported]");
        s.note("The job's own medians over the imported checkpoints, for the calibration report of `ckptsim run`.");
        s.note("Checkpoint statistics from /jobs/<jid>/checkpoints history[]; per-task ones over every acknowledged subtask");
        s.note("of /jobs/<jid>/checkpoints/details/<cid>/subtasks/<vid> (linear interpolation, as numpy).");
        s.put("from", write::quote(from), "where the REST responses were read");
        s.put("job_id", write::quote(&self.job_id), "/jobs/<jid> jid");
        s.put(
            "checkpoints",
            self.checkpoints.to_string(),
            "completed checkpoints the medians are over",
        );
        let rows: Vec<String> = self
            .medians
            .iter()
            .filter(|(_, _, v)| v.is_finite())
            .map(|(stat, task, v)| match task {
                Some(t) => format!(
                    "  {{ statistic = {}, task = {}, value = {v:.3} }},",
                    write::quote(stat),
                    write::quote(t)
                ),
                None => format!("  {{ statistic = {}, value = {v:.3} }},", write::quote(stat)),
            })
            .collect();
        s.put(
            "medians",
            format!("[\n{}\n]", rows.join("\n")),
            "ms for durations, bytes for sizes",
        );
        s
    }
}

/// Reads the REST responses saved in `dir` and derives the scenario.
pub fn import_dir(dir: &Path, opts: &ImportOptions) -> Result<Imported, ImportError> {
    let layout = Layout::open(dir, opts.job_id.as_deref())?;
    derive::derive(&layout, opts)
}
