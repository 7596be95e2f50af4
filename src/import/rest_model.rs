//! The parts of Flink's REST responses the importer reads, taken out of the saved JSON with
//! every problem named by file and field. Written against Flink 2.3's shapes (the same the
//! REST export in `output::flink_rest` writes), with the differences of other versions:
//! the history entry's type discriminator (`className` in 2.3, `@class` or `clazz` in others)
//! and undefined per-subtask percentiles written as the string `"NaN"` (`Node::f64`).

use std::collections::BTreeMap;

use super::ImportError;
use super::layout::{Doc, Layout, Node};

/// One vertex (task) of the job graph, with the edges into it from the plan.
#[derive(Clone, Debug)]
pub struct Vertex {
    pub id: String,
    pub name: String,
    pub parallelism: u32,
    pub max_parallelism: u32,
    /// `(upstream vertex id, ship strategy)`, from `plan.nodes[].inputs[]`.
    pub inputs: Vec<(String, String)>,
}

/// `GET /jobs/<jid>`: the job's name and vertices, in the order the job lists them.
#[derive(Clone, Debug)]
pub struct Job {
    pub id: String,
    pub name: String,
    pub vertices: Vec<Vertex>,
    /// `timestamps.RUNNING`: when the job last turned RUNNING (epoch ms), if it has.
    pub running_since_ms: Option<u64>,
}

fn u32_of(n: &Node) -> Result<u32, ImportError> {
    let v = n.u64()?;
    u32::try_from(v).map_err(|_| n.error(format!("{v} is too large")))
}

impl Job {
    pub fn read(layout: &Layout) -> Result<Job, ImportError> {
        let doc = layout.read(&layout.job())?;
        let r = doc.root();
        let mut inputs: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for node in r.get("plan")?.get("nodes")?.items()? {
            let id = node.get("id")?.str()?.to_string();
            let mut ins = Vec::new();
            if let Some(list) = node.opt("inputs") {
                for i in list.items()? {
                    ins.push((
                        i.get("id")?.str()?.to_string(),
                        i.get("ship_strategy")?.str()?.to_string(),
                    ));
                }
            }
            inputs.insert(id, ins);
        }
        let mut vertices = Vec::new();
        for v in r.get("vertices")?.items()? {
            let id = v.get("id")?.str()?.to_string();
            let max_p = match v.opt("maxParallelism") {
                Some(m) => u32_of(&m)?,
                None => 128,
            };
            let parallelism = u32_of(&v.get("parallelism")?)?;
            if parallelism == 0 {
                return Err(v.get("parallelism")?.error("parallelism 0"));
            }
            vertices.push(Vertex {
                inputs: inputs
                    .remove(&id)
                    .ok_or_else(|| r.error(format!("vertex {id} is in `vertices` but not in `plan.nodes`")))?,
                name: v.get("name")?.str()?.to_string(),
                parallelism,
                max_parallelism: if max_p == 0 { 128 } else { max_p },
                id,
            });
        }
        if vertices.is_empty() {
            return Err(r.get("vertices")?.error("no vertices"));
        }
        Ok(Job {
            id: r.get("jid")?.str()?.to_string(),
            name: r
                .opt("name")
                .map(|n| n.str().map(str::to_string))
                .transpose()?
                .unwrap_or_default(),
            vertices,
            running_since_ms: match r.opt("timestamps").and_then(|t| t.opt("RUNNING")) {
                Some(n) => Some(n.u64()?).filter(|ms| *ms > 0),
                None => None,
            },
        })
    }
}

/// `GET /jobs/<jid>/checkpoints/config`.
#[derive(Clone, Debug)]
pub struct CheckpointConfig {
    pub file: std::path::PathBuf,
    pub mode: String,
    /// `None` when periodic checkpoints are off (Flink reports `interval` = `Long.MAX_VALUE`).
    pub interval_ms: Option<u64>,
    pub timeout_ms: u64,
    pub min_pause_ms: u64,
    pub max_concurrent: u64,
    pub tolerable_failed: u64,
    pub unaligned: bool,
    pub aligned_timeout_ms: u64,
    pub state_backend: String,
    pub changelog: bool,
}

impl CheckpointConfig {
    pub fn read(layout: &Layout) -> Result<CheckpointConfig, ImportError> {
        let doc = layout.read(&layout.checkpoint_config())?;
        let r = doc.root();
        let interval = r.get("interval")?.u64()?;
        Ok(CheckpointConfig {
            file: doc.file.clone(),
            mode: r.get("mode")?.str()?.to_lowercase(),
            interval_ms: (interval > 0 && interval < i64::MAX as u64 / 2).then_some(interval),
            timeout_ms: r.get("timeout")?.u64()?,
            min_pause_ms: r.get("min_pause")?.u64()?,
            max_concurrent: r.get("max_concurrent")?.u64()?,
            tolerable_failed: match r.opt("tolerable_failed_checkpoints") {
                Some(n) => n.u64()?,
                None => 0,
            },
            unaligned: match r.opt("unaligned_checkpoints") {
                Some(n) => n.bool()?,
                None => false,
            },
            aligned_timeout_ms: match r.opt("aligned_checkpoint_timeout") {
                Some(n) => n.u64()?,
                None => 0,
            },
            state_backend: r.get("state_backend")?.str()?.to_string(),
            changelog: match r.opt("state_changelog_enabled") {
                Some(n) => n.bool()?,
                None => false,
            },
        })
    }
}

/// The kind of a history entry: Flink 2.3 writes `className`, others `@class` or `clazz`;
/// without any of them, the entry's `status`.
pub fn entry_kind(n: &Node) -> Result<String, ImportError> {
    for key in ["className", "@class", "clazz"] {
        if let Some(k) = n.opt(key) {
            return Ok(k.str()?.to_lowercase());
        }
    }
    match n.opt("status") {
        Some(s) => Ok(s.str()?.to_lowercase()),
        None => Err(n.error("no `className`, `@class`, `clazz` or `status`: cannot tell the entry's kind")),
    }
}

/// One completed checkpoint of the history, with the figures the calibration uses.
#[derive(Clone, Debug)]
pub struct HistoryEntry {
    pub id: u64,
    pub trigger_ms: u64,
    pub end_to_end_ms: f64,
    pub state_size: f64,
    pub checkpointed_size: f64,
    pub persisted_data: f64,
}

/// `GET /jobs/<jid>/checkpoints`: the completed checkpoints (not savepoints) of its history,
/// oldest first, and how many the job had in all (a default server keeps 10 in the history).
pub struct History {
    pub file: std::path::PathBuf,
    pub completed: Vec<HistoryEntry>,
    pub total_count: u64,
    /// `latest.restored.restore_timestamp`: the job's last restore from a checkpoint (epoch ms).
    pub restored_ms: Option<u64>,
}

impl History {
    pub fn read(layout: &Layout) -> Result<History, ImportError> {
        let doc = layout.read(&layout.checkpoints())?;
        let r = doc.root();
        let total_count = match r.opt("counts") {
            Some(c) => c.get("total")?.u64()?,
            None => 0,
        };
        let mut completed = Vec::new();
        for e in r.get("history")?.items()? {
            let kind = entry_kind(&e)?;
            let savepoint = match e.opt("is_savepoint") {
                Some(s) => s.bool()?,
                None => false,
            };
            if kind != "completed" || savepoint {
                continue;
            }
            completed.push(HistoryEntry {
                id: e.get("id")?.u64()?,
                trigger_ms: e.get("trigger_timestamp")?.u64()?,
                end_to_end_ms: e.get("end_to_end_duration")?.f64()?,
                state_size: e.get("state_size")?.f64()?,
                checkpointed_size: match e.opt("checkpointed_size") {
                    Some(n) => n.f64()?,
                    None => e.get("state_size")?.f64()?,
                },
                persisted_data: match e.opt("persisted_data") {
                    Some(n) => n.f64()?,
                    None => 0.0,
                },
            });
        }
        completed.sort_by_key(|e| e.id);
        let restored = r.opt("latest").and_then(|l| l.opt("restored"));
        let restored_ms = match restored {
            Some(n) => Some(n.get("restore_timestamp")?.u64()?),
            None => None,
        };
        Ok(History {
            file: doc.file.clone(),
            completed,
            restored_ms,
            total_count: total_count.max(r.get("history")?.items()?.len() as u64),
        })
    }
}

/// One subtask's acknowledgement of one checkpoint
/// (`GET .../checkpoints/details/<cid>/subtasks/<vid>`, `subtasks[]`).
#[derive(Clone, Debug)]
pub struct SubtaskAck {
    pub checkpoint_id: u64,
    pub index: u32,
    pub end_to_end_ms: f64,
    pub start_delay_ms: f64,
    pub alignment_ms: f64,
    pub sync_ms: f64,
    pub async_ms: f64,
    pub state_size: f64,
    pub checkpointed_size: f64,
    /// In-flight data persisted by an unaligned checkpoint (`alignment.persisted`), part of
    /// the state size Flink reports.
    pub persisted: f64,
}

/// The acknowledged subtasks of vertex `vid` in checkpoint `cid` (pending ones are skipped).
pub fn subtask_acks(layout: &Layout, cid: u64, vid: &str) -> Result<Vec<SubtaskAck>, ImportError> {
    let doc: Doc = layout.read(&layout.subtask_details(cid, vid))?;
    let r = doc.root();
    let mut acks = Vec::new();
    for s in r.get("subtasks")?.items()? {
        let kind = match entry_kind(&s) {
            Ok(k) => k,
            Err(_) => "completed".into(),
        };
        if kind != "completed" {
            continue;
        }
        let ck = s.get("checkpoint")?;
        let al = s.get("alignment")?;
        acks.push(SubtaskAck {
            checkpoint_id: cid,
            index: u32_of(&s.get("index")?)?,
            end_to_end_ms: s.get("end_to_end_duration")?.f64()?,
            start_delay_ms: s.get("start_delay")?.f64()?,
            alignment_ms: al.get("duration")?.f64()?,
            sync_ms: ck.get("sync")?.f64()?,
            async_ms: ck.get("async")?.f64()?,
            state_size: s.get("state_size")?.f64()?,
            checkpointed_size: match s.opt("checkpointed_size") {
                Some(n) => n.f64()?,
                None => s.get("state_size")?.f64()?,
            },
            persisted: match al.opt("persisted") {
                Some(n) => n.f64()?,
                None => 0.0,
            },
        });
    }
    Ok(acks)
}

/// Checks that the details of checkpoint `cid` exist and are that checkpoint's.
pub fn check_details(layout: &Layout, cid: u64) -> Result<(), ImportError> {
    let doc = layout.read(&layout.details(cid))?;
    let id = doc.root().get("id")?;
    if id.u64()? != cid {
        return Err(id.error(format!("holds checkpoint {}, not {cid}", id.u64()?)));
    }
    Ok(())
}

/// `GET /jobs/<jid>/vertices/<vid>`: which TaskManager runs each subtask, and its I/O and time
/// counters since it started running.
pub struct VertexDetails {
    pub taskmanagers: Vec<String>,
    /// Sums over the subtasks: records and bytes read and written, busy and backpressured
    /// milliseconds (`metrics.read-records`, ..., `accumulated-busy-time`, ...).
    pub read_records: f64,
    pub write_records: f64,
    pub write_bytes: f64,
    pub busy_ms: f64,
    pub backpressured_ms: f64,
    /// Sum over the subtasks of their time RUNNING (`status-duration.RUNNING`, else `duration`).
    pub running_ms: f64,
    /// The shortest time a subtask has been running.
    pub running_ms_min: f64,
}

pub fn vertex_details(layout: &Layout, vid: &str) -> Result<VertexDetails, ImportError> {
    let doc = layout.read(&layout.vertex(vid))?;
    let mut d = VertexDetails {
        taskmanagers: Vec::new(),
        read_records: 0.0,
        write_records: 0.0,
        write_bytes: 0.0,
        busy_ms: 0.0,
        backpressured_ms: 0.0,
        running_ms: 0.0,
        running_ms_min: f64::INFINITY,
    };
    let subtasks = doc.root().get("subtasks")?.items()?;
    if subtasks.is_empty() {
        return Err(doc.root().get("subtasks")?.error("no subtasks"));
    }
    for s in subtasks {
        let tm = ["taskmanager-id", "endpoint", "host"]
            .iter()
            .find_map(|k| s.opt(k))
            .ok_or_else(|| s.error("no `taskmanager-id`, `endpoint` or `host`"))?;
        d.taskmanagers.push(tm.str()?.to_string());
        let m = s.get("metrics")?;
        d.read_records += m.get("read-records")?.f64()?;
        d.write_records += m.get("write-records")?.f64()?;
        d.write_bytes += m.get("write-bytes")?.f64()?;
        d.busy_ms += finite_or_zero(m.opt("accumulated-busy-time"))?;
        d.backpressured_ms += finite_or_zero(m.opt("accumulated-backpressured-time"))?;
        let running = match s.opt("status-duration").and_then(|sd| sd.opt("RUNNING")) {
            Some(r) => r.f64()?,
            None => s.get("duration")?.f64()?,
        };
        d.running_ms += running;
        d.running_ms_min = d.running_ms_min.min(running);
    }
    Ok(d)
}

fn finite_or_zero(n: Option<Node>) -> Result<f64, ImportError> {
    match n {
        Some(n) => Ok(n.f64().map(|v| if v.is_finite() { v } else { 0.0 })?),
        None => Ok(0.0),
    }
}

/// A vertex's metrics: per metric, the `avg` over its subtasks in each saved sample.
pub struct VertexMetrics {
    pub files: Vec<std::path::PathBuf>,
    pub avg_samples: BTreeMap<String, Vec<f64>>,
}

impl VertexMetrics {
    /// The saved samples; `None` when none are saved.
    pub fn read(layout: &Layout, vid: &str) -> Result<Option<VertexMetrics>, ImportError> {
        let Ok(files) = layout.metrics_files(vid) else {
            return Ok(None);
        };
        let mut avg_samples: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for f in &files {
            let doc = Doc::read(f, &layout.metrics_query(vid))?;
            for m in doc.root().items()? {
                let id = m.get("id")?.str()?.to_string();
                let avg = m.get("avg")?.f64()?;
                if avg.is_finite() {
                    avg_samples.entry(id).or_default().push(avg);
                }
            }
        }
        Ok(Some(VertexMetrics { files, avg_samples }))
    }

    /// The median over the samples of the subtasks' average of `metric`.
    pub fn median_avg(&self, metric: &str) -> Result<f64, ImportError> {
        self.avg_samples
            .get(metric)
            .and_then(|xs| super::fit::median(xs))
            .ok_or_else(|| ImportError::Malformed {
                file: self.files[0].clone(),
                field: format!("[id = {metric}].avg"),
                message: "missing in every sample (ask for it with ?get=)".into(),
            })
    }
}

/// `GET /jobmanager/config` (a list of `{key, value}`): one key's value, if saved.
pub fn jobmanager_key(layout: &Layout, key: &str) -> Result<Option<String>, ImportError> {
    let Some(doc) = layout.read_optional(Layout::JOBMANAGER_CONFIG)? else {
        return Ok(None);
    };
    for e in doc.root().items()? {
        if e.get("key")?.str()? == key {
            return Ok(Some(e.get("value")?.str()?.to_string()));
        }
    }
    Ok(None)
}
