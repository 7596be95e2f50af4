//! Helpers for the sweep and plot tests: small inline scenarios, fresh temporary directories and
//! byte-exact snapshots of output directories.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A small job (3 operators, parallelism 2, a few simulated seconds) so that sweeps stay fast.
pub const BASE: &str = r#"
[simulation]
duration = "4s"
seed = 5
warmup = "500ms"

[checkpoint]
interval = "1s"

[cluster]
taskmanagers = 2
slots_per_taskmanager = 2

[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = { process = "poisson", records_per_second = 2000 }
record_size = "100B"
keys = { count = 1000 }

[[operators]]
name = "map"
kind = "operator"
parallelism = 2
inputs = [{ from = "source", partitioning = "hash" }]
service_time = { dist = "exponential", mean = "50us" }
state = { bytes_per_key = "1KiB", initial = "5MB" }

[[operators]]
name = "sink"
kind = "sink"
parallelism = 2
inputs = [{ from = "map", partitioning = "rebalance" }]
"#;

/// 2 intervals x 2 parallelisms x 2 replications = 8 runs.
pub const SWEEP: &str = r#"
[sweep]
replications = 2
[sweep.parameters]
"checkpoint.interval" = ["500ms", "1s"]
"operators.map.parallelism" = { from = 1, to = 2, step = 1 }
"#;

/// A directory under the system temp dir, unique to this process and call, empty.
pub fn fresh_dir(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "ckptsim-test-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// Writes `text` as `<dir>/<name>` and returns its path.
pub fn write_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write scenario");
    path
}

/// Every file under `dir`, by relative path, with its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).expect("under dir").to_path_buf();
                out.insert(rel, std::fs::read(&path).expect("read file"));
            }
        }
    }
    out
}

/// Asserts two snapshots hold the same files with the same bytes, naming the first difference.
pub fn assert_same_files(a: &BTreeMap<PathBuf, Vec<u8>>, b: &BTreeMap<PathBuf, Vec<u8>>) {
    let names_a: Vec<_> = a.keys().collect();
    let names_b: Vec<_> = b.keys().collect();
    assert_eq!(names_a, names_b, "the directories hold different files");
    for (name, bytes) in a {
        assert!(bytes == &b[name], "{} differs", name.display());
    }
}

/// Rows of a CSV file (header first) as text cells.
pub fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .expect("open csv");
    r.records()
        .map(|rec| rec.expect("csv record").iter().map(str::to_string).collect())
        .collect()
}

pub fn column(rows: &[Vec<String>], name: &str) -> usize {
    rows[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column `{name}` in {:?}", rows[0]))
}
