//! Sweep scaling: the same reference sweep (8 runs) with 1 and with 2 worker threads, each sample
//! into a fresh directory so that no run is skipped. The ratio of the two medians is the speed-up.
//!
//!     cargo bench --bench sweep

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use ckptsim::scenario::parse_str;
use ckptsim::sweep::{Plan, SweepOptions, plan, sweep};

fn main() {
    divan::main();
}

/// A 4-point x 2-replication sweep of a small keyed job; each run simulates 60 s.
const REFERENCE: &str = r#"
[simulation]
duration = "60s"
seed = 11
warmup = "1s"

[checkpoint]
interval = "1s"

[cluster]
taskmanagers = 2
slots_per_taskmanager = 2

[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = { process = "poisson", records_per_second = 10000 }
record_size = "100B"
keys = { count = 10000 }

[[operators]]
name = "map"
kind = "operator"
parallelism = 2
inputs = [{ from = "source", partitioning = "hash" }]
service_time = { dist = "exponential", mean = "40us" }
state = { bytes_per_key = "256B" }

[[operators]]
name = "sink"
kind = "sink"
parallelism = 2
inputs = [{ from = "map", partitioning = "forward" }]

[sweep]
replications = 2
[sweep.parameters]
"checkpoint.interval" = ["500ms", "1s", "2s", "4s"]
"#;

fn reference_plan() -> Plan {
    let loaded = parse_str(REFERENCE, "bench-sweep.toml").expect("reference scenario is valid");
    plan(&loaded, "bench-sweep").expect("reference sweep is valid")
}

/// An empty output directory, removed when dropped (outside the timed section: divan drops a
/// benchmark's output after timing it).
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn fresh_dir() -> TempDir {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "ckptsim-bench-sweep-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    TempDir(dir)
}

/// The whole sweep (8 runs, tables, no charts) into a fresh directory.
#[divan::bench(args = [1, 2], sample_count = 10, sample_size = 1)]
fn reference_sweep(bencher: divan::Bencher, threads: usize) {
    let plan = reference_plan();
    let opts = SweepOptions {
        threads: Some(threads),
        plots: false,
        ..SweepOptions::default()
    };
    bencher.with_inputs(fresh_dir).bench_local_values(|dir| {
        let report = sweep(&plan, &dir.0, &opts).expect("sweep runs");
        assert!(report.complete && report.runs_done_now == 8);
        dir
    });
}
