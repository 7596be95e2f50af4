//! From the REST responses to the scenario's sections: every value with the path, field and
//! statistic it came from. `derive()` reads the responses once into a `Ctx`; each section
//! has its own file.

mod backend;
mod channel_files;
mod cluster;
mod config;
mod operators;
mod rates;
mod rocks_state;
mod storage;

use super::fit::{mean, median};
use super::layout::Layout;
use super::plan::{Plan, plan};
use super::rest_model::{self as rest, CheckpointConfig, History, Job, SubtaskAck, VertexMetrics};
use super::{ImportError, ImportOptions, Imported};
use rates::Rates;

/// Keys per key group assumed when `--keys` is not given: enough that hash partitioning
/// spreads keys evenly, few enough that every key is seen within the warm-up, so the keyed
/// state reaches the measured size before statistics count.
const KEYS_PER_KEY_GROUP: u64 = 100;

/// `(statistic, task, the job's median)` for the calibration report.
type Median = (String, Option<String>, f64);

/// One vertex's acknowledgements over the imported checkpoints, TaskManagers and rates.
struct VertexData {
    acks: Vec<SubtaskAck>,
    tms: Vec<String>,
    rates: Rates,
}

/// The REST responses every section reads, and the names their comments cite.
struct Ctx<'a> {
    layout: &'a Layout,
    opts: &'a ImportOptions,
    job: Job,
    plan: Plan,
    cc: CheckpointConfig,
    history: History,
    /// The completed checkpoints imported, oldest first.
    cids: Vec<u64>,
    /// Per vertex, as `job.vertices`.
    data: Vec<VertexData>,
    /// The job id.
    j: String,
    /// `/jobs/<jid>/checkpoints/details/<cid>/subtasks/<vid>`.
    subs: String,
    /// `checkpoints <first>..<last> (<n>)`.
    cp_range: String,
    /// `/jobs/<jid>/checkpoints/config`.
    ccp: String,
    /// The largest maxParallelism of a keyed vertex.
    keyed_max_p: Option<u32>,
    /// Distinct keys: `--keys`, or [`KEYS_PER_KEY_GROUP`] per key group.
    keys: u64,
}

pub fn derive(layout: &Layout, opts: &ImportOptions) -> Result<Imported, ImportError> {
    let cx = Ctx::read(layout, opts)?;
    let mut sections = vec![
        config::simulation(&cx),
        config::checkpoint(&cx),
        cluster::cluster(&cx)?,
        storage::storage(&cx)?,
    ];
    let b = backend::Backend::read(&cx)?;
    // RocksDB's sync phase flushes the memtable: its throughput is fitted after the operators'
    // state is inverted.
    let sb_index = sections.len();
    sections.push(backend::state_backend(&cx, &b));
    let mut medians = job_medians(&cx);
    let (ops, rocks_sync) = operators::operators(&cx, &b, &mut medians);
    sections.extend(ops);
    if let Some(r) = rocks_sync {
        backend::put_flush_speed(&mut sections[sb_index], &r);
    }
    Ok(Imported {
        job_id: cx.job.id.clone(),
        job_name: cx.job.name.clone(),
        checkpoints: cx.cids.len(),
        history_total: cx.history.total_count,
        sections,
        medians,
        plan_summary: cx.plan.task_names.join(" => "),
    })
}

impl<'a> Ctx<'a> {
    fn read(layout: &'a Layout, opts: &'a ImportOptions) -> Result<Ctx<'a>, ImportError> {
        let job = Job::read(layout)?;
        let plan = plan(&job, &layout.file(&layout.job()))?;
        let cc = CheckpointConfig::read(layout)?;
        let history = History::read(layout)?;
        if history.completed.is_empty() {
            return Err(ImportError::Malformed {
                file: history.file.clone(),
                field: "history".into(),
                message: "no completed checkpoint: nothing to fit".into(),
            });
        }
        let cids: Vec<u64> = history.completed.iter().map(|e| e.id).collect();
        let data = vertex_data(layout, &job, &cids)?;
        let j = layout.job_id.clone();
        let n_cp = cids.len();
        let keyed_max_p = job
            .vertices
            .iter()
            .filter(|v| v.inputs.iter().any(|(_, s)| s.eq_ignore_ascii_case("HASH")))
            .map(|v| v.max_parallelism)
            .max();
        Ok(Ctx {
            layout,
            opts,
            subs: format!("/jobs/{j}/checkpoints/details/<cid>/subtasks/<vid>"),
            cp_range: format!("checkpoints {}..{} ({n_cp})", cids[0], cids[n_cp - 1]),
            ccp: format!("/jobs/{j}/checkpoints/config"),
            keys: opts
                .keys
                .unwrap_or(KEYS_PER_KEY_GROUP * u64::from(keyed_max_p.unwrap_or(128))),
            keyed_max_p,
            j,
            job,
            plan,
            cc,
            history,
            cids,
            data,
        })
    }

    fn interval_s(&self) -> Option<f64> {
        self.cc.interval_ms.map(|i| i as f64 / 1000.0)
    }

    fn no_acks(&self, sources: &[&str]) -> ImportError {
        ImportError::Malformed {
            file: self
                .layout
                .file(&self.layout.subtask_details(self.cids[0], "<source vid>")),
            field: "subtasks[].start_delay".into(),
            message: format!("no acknowledged subtask of the sources ({})", sources.join(", ")),
        }
    }
}

fn vertex_data(layout: &Layout, job: &Job, cids: &[u64]) -> Result<Vec<VertexData>, ImportError> {
    let mut data = Vec::new();
    for v in &job.vertices {
        let mut acks = Vec::new();
        for &cid in cids {
            rest::check_details(layout, cid)?;
            acks.extend(rest::subtask_acks(layout, cid, &v.id)?);
        }
        let details = rest::vertex_details(layout, &v.id)?;
        data.push(VertexData {
            acks,
            tms: details.taskmanagers.clone(),
            rates: rates::rates(&layout.job_id, &v.id, &details, VertexMetrics::read(layout, &v.id)?)?,
        });
    }
    Ok(data)
}

/// The job-level figures of the calibration report, from the history: medians, but the mean of
/// the sizes, which saw-tooth on RocksDB (`CalibrationStatistic::is_mean`).
fn job_medians(cx: &Ctx) -> Vec<Median> {
    let h = &cx.history;
    let mut medians = vec![
        (
            "end_to_end_duration".to_string(),
            None,
            median_of(h, |e| e.end_to_end_ms),
        ),
        ("state_size".into(), None, mean_of(h, |e| e.state_size)),
        ("checkpointed_size".into(), None, mean_of(h, |e| e.checkpointed_size)),
    ];
    if cx.cc.unaligned {
        medians.push(("persisted_data".into(), None, median_of(h, |e| e.persisted_data)));
    }
    medians
}

fn mean_of(h: &History, get: fn(&rest::HistoryEntry) -> f64) -> f64 {
    mean(&h.completed.iter().map(get).collect::<Vec<_>>()).unwrap_or(f64::NAN)
}

fn median_of(h: &History, get: fn(&rest::HistoryEntry) -> f64) -> f64 {
    median(&h.completed.iter().map(get).collect::<Vec<_>>()).unwrap_or(f64::NAN)
}

fn f(x: f64) -> String {
    format!("{x:.3}")
}
