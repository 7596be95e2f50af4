//! Where `ckptsim import` finds each REST response: one JSON file per REST path, as
//! `curl -o DIR/<path>.json http://host:port/<path>` saves it, under one directory.
//!
//! ```text
//! DIR/jobs/<jid>.json                                         GET /jobs/<jid>             (plan, vertices)
//! DIR/jobs/<jid>/config.json                                  GET /jobs/<jid>/config      (optional)
//! DIR/jobs/<jid>/checkpoints.json                             GET /jobs/<jid>/checkpoints
//! DIR/jobs/<jid>/checkpoints/config.json                      GET /jobs/<jid>/checkpoints/config
//! DIR/jobs/<jid>/checkpoints/details/<cid>.json               GET /jobs/<jid>/checkpoints/details/<cid>
//! DIR/jobs/<jid>/checkpoints/details/<cid>/subtasks/<vid>.json  GET .../details/<cid>/subtasks/<vid>
//! DIR/jobs/<jid>/vertices/<vid>.json                          GET /jobs/<jid>/vertices/<vid>
//! DIR/jobs/<jid>/vertices/<vid>/subtasks/metrics*.json        GET .../subtasks/metrics?get=<METRICS>&agg=min,max,avg,sum
//! DIR/jobmanager/config.json                                  GET /jobmanager/config      (optional)
//! ```
//!
//! The metrics may be sampled more than once (`metrics.json`, `metrics.1.json`, ...): the
//! importer takes the median of the samples.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::ImportError;

/// The vertex metrics the importer reads, as `?get=` names them.
pub const METRICS: &[&str] = &[
    "numRecordsInPerSecond",
    "numRecordsOutPerSecond",
    "numBytesInPerSecond",
    "numBytesOutPerSecond",
    "busyTimeMsPerSecond",
    "backPressuredTimeMsPerSecond",
];

/// The REST paths (relative, without the leading `/`) of one job, and where each is saved.
pub struct Layout {
    pub dir: PathBuf,
    pub job_id: String,
}

impl Layout {
    /// The job in `dir`: `job_id`, or the only `jobs/<jid>.json` there is.
    pub fn open(dir: &Path, job_id: Option<&str>) -> Result<Layout, ImportError> {
        let job_id = match job_id {
            Some(j) => j.to_string(),
            None => only_job(dir)?,
        };
        Ok(Layout {
            dir: dir.to_path_buf(),
            job_id,
        })
    }

    pub fn job(&self) -> String {
        format!("jobs/{}", self.job_id)
    }
    pub fn job_config(&self) -> String {
        format!("jobs/{}/config", self.job_id)
    }
    pub fn checkpoints(&self) -> String {
        format!("jobs/{}/checkpoints", self.job_id)
    }
    pub fn checkpoint_config(&self) -> String {
        format!("jobs/{}/checkpoints/config", self.job_id)
    }
    pub fn details(&self, cid: u64) -> String {
        format!("jobs/{}/checkpoints/details/{cid}", self.job_id)
    }
    pub fn subtask_details(&self, cid: u64, vid: &str) -> String {
        format!("jobs/{}/checkpoints/details/{cid}/subtasks/{vid}", self.job_id)
    }
    pub fn vertex(&self, vid: &str) -> String {
        format!("jobs/{}/vertices/{vid}", self.job_id)
    }
    /// The metrics query of one vertex, as the REST address asks it.
    pub fn metrics_query(&self, vid: &str) -> String {
        format!(
            "jobs/{}/vertices/{vid}/subtasks/metrics?get={}&agg=min,max,avg,sum",
            self.job_id,
            METRICS.join(",")
        )
    }
    pub const JOBMANAGER_CONFIG: &'static str = "jobmanager/config";

    /// The file a REST path is saved as: `DIR/<path>.json` (a query string is not part of it;
    /// the metrics are `metrics.json`).
    pub fn file(&self, rest_path: &str) -> PathBuf {
        let plain = rest_path.split('?').next().unwrap_or(rest_path);
        self.dir.join(format!("{plain}.json"))
    }

    /// Every saved sample of a vertex's metrics, in name order.
    pub fn metrics_files(&self, vid: &str) -> Result<Vec<PathBuf>, ImportError> {
        let dir = self.dir.join(format!("jobs/{}/vertices/{vid}/subtasks", self.job_id));
        let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(rd) => rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("metrics") && n.ends_with(".json"))
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        files.sort();
        if files.is_empty() {
            return Err(ImportError::Missing {
                file: dir.join("metrics.json"),
                what: format!("the vertex metrics (GET /{})", self.metrics_query(vid)),
            });
        }
        Ok(files)
    }

    /// The saved response of `rest_path`.
    pub fn read(&self, rest_path: &str) -> Result<Doc, ImportError> {
        Doc::read(&self.file(rest_path), rest_path)
    }

    /// As [`Layout::read`], `None` when the file does not exist.
    pub fn read_optional(&self, rest_path: &str) -> Result<Option<Doc>, ImportError> {
        let f = self.file(rest_path);
        if f.exists() {
            Doc::read(&f, rest_path).map(Some)
        } else {
            Ok(None)
        }
    }
}

/// The one job under `DIR/jobs/`, when `--job` is not given.
fn only_job(dir: &Path) -> Result<String, ImportError> {
    let jobs = dir.join("jobs");
    let mut ids: Vec<String> = std::fs::read_dir(&jobs)
        .map_err(|e| ImportError::Missing {
            file: jobs.clone(),
            what: format!("the saved REST responses ({e})"),
        })?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let n = e.file_name().to_str()?.to_string();
            n.strip_suffix(".json").map(str::to_string)
        })
        .collect();
    ids.sort();
    match ids.len() {
        1 => Ok(ids.remove(0)),
        0 => Err(ImportError::Missing {
            file: jobs.join("<jid>.json"),
            what: "a job (GET /jobs/<jid>)".into(),
        }),
        _ => Err(ImportError::Malformed {
            file: jobs,
            field: "<jid>".into(),
            message: format!("{} jobs saved ({}); name one with --job", ids.len(), ids.join(", ")),
        }),
    }
}

/// One saved REST response, whose accessors name the file and the field of any problem.
pub struct Doc {
    pub file: PathBuf,
    pub value: Value,
}

impl Doc {
    pub fn read(file: &Path, rest_path: &str) -> Result<Doc, ImportError> {
        let text = std::fs::read_to_string(file).map_err(|e| ImportError::Missing {
            file: file.to_path_buf(),
            what: format!("GET /{rest_path} ({e})"),
        })?;
        let value = serde_json::from_str(&text).map_err(|e| ImportError::Malformed {
            file: file.to_path_buf(),
            field: format!("line {}, column {}", e.line(), e.column()),
            message: format!("not JSON: {e}"),
        })?;
        Ok(Doc {
            file: file.to_path_buf(),
            value,
        })
    }

    /// A view of the whole document.
    pub fn root(&self) -> Node<'_> {
        Node {
            file: &self.file,
            path: String::new(),
            value: &self.value,
        }
    }
}

/// A value inside a [`Doc`] with its field path (`vertices[1].parallelism`).
#[derive(Clone)]
pub struct Node<'a> {
    pub file: &'a Path,
    pub path: String,
    pub value: &'a Value,
}

impl<'a> Node<'a> {
    fn child_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    pub fn error(&self, message: impl Into<String>) -> ImportError {
        ImportError::Malformed {
            file: self.file.to_path_buf(),
            field: if self.path.is_empty() {
                "(the document)".into()
            } else {
                self.path.clone()
            },
            message: message.into(),
        }
    }

    /// The field `key`, which must be there.
    pub fn get(&self, key: &str) -> Result<Node<'a>, ImportError> {
        self.opt(key).ok_or_else(|| ImportError::Malformed {
            file: self.file.to_path_buf(),
            field: self.child_path(key),
            message: "missing".into(),
        })
    }

    /// The field `key`, absent or `null` as `None`.
    pub fn opt(&self, key: &str) -> Option<Node<'a>> {
        match self.value.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(Node {
                file: self.file,
                path: self.child_path(key),
                value: v,
            }),
        }
    }

    pub fn items(&self) -> Result<Vec<Node<'a>>, ImportError> {
        let arr = self.value.as_array().ok_or_else(|| self.error("not an array"))?;
        Ok(arr
            .iter()
            .enumerate()
            .map(|(i, v)| Node {
                file: self.file,
                path: format!("{}[{i}]", self.path),
                value: v,
            })
            .collect())
    }

    pub fn str(&self) -> Result<&'a str, ImportError> {
        self.value.as_str().ok_or_else(|| self.error("not a string"))
    }

    /// A number; Flink writes an undefined percentile as the string `"NaN"`, read as NaN.
    pub fn f64(&self) -> Result<f64, ImportError> {
        match self.value {
            Value::Number(n) => n.as_f64().ok_or_else(|| self.error("not a finite number")),
            Value::String(s) if s == "NaN" => Ok(f64::NAN),
            Value::String(s) => s
                .trim()
                .parse::<f64>()
                .map_err(|_| self.error(format!("`{s}` is not a number"))),
            _ => Err(self.error("not a number")),
        }
    }

    pub fn u64(&self) -> Result<u64, ImportError> {
        let v = self.f64()?;
        if v.is_finite() && v >= 0.0 && v.fract() == 0.0 {
            Ok(v as u64)
        } else {
            Err(self.error(format!("{v} is not a non-negative integer")))
        }
    }

    pub fn bool(&self) -> Result<bool, ImportError> {
        self.value.as_bool().ok_or_else(|| self.error("not true or false"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(json: &str) -> Doc {
        Doc {
            file: PathBuf::from("d/x.json"),
            value: serde_json::from_str(json).unwrap(),
        }
    }

    #[test]
    fn nan_strings_read_as_nan_and_other_strings_are_named_errors() {
        let d = doc(r#"{"s": {"p50": "NaN", "p90": "12.5", "p99": "many"}}"#);
        let s = d.root().get("s").unwrap();
        assert!(s.get("p50").unwrap().f64().unwrap().is_nan());
        assert_eq!(s.get("p90").unwrap().f64().unwrap(), 12.5);
        let e = s.get("p99").unwrap().f64().unwrap_err().to_string();
        assert!(
            e.contains("d/x.json") && e.contains("s.p99") && e.contains("many"),
            "{e}"
        );
    }

    #[test]
    fn a_missing_field_is_named_by_its_path() {
        let d = doc(r#"{"vertices": [{"id": "a"}]}"#);
        let v = &d.root().get("vertices").unwrap().items().unwrap()[0];
        let e = v.get("parallelism").err().unwrap().to_string();
        assert!(e.contains("vertices[0].parallelism") && e.contains("missing"), "{e}");
    }

    #[test]
    fn a_query_string_is_not_part_of_the_file_name() {
        let l = Layout {
            dir: PathBuf::from("d"),
            job_id: "j".into(),
        };
        assert_eq!(
            l.file(&l.metrics_query("v")),
            PathBuf::from("d/jobs/j/vertices/v/subtasks/metrics.json")
        );
        assert_eq!(
            l.file(&l.subtask_details(7, "v")),
            PathBuf::from("d/jobs/j/checkpoints/details/7/subtasks/v.json")
        );
    }
}
