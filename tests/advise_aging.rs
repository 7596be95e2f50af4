//! `ckptsim advise --question aging`: how a RocksDB job's checkpoints grow with its uptime. The
//! answer must follow the MANIFEST and nothing else: the bundled incremental RocksDB job uploads
//! more the longer its instances have been open, and the same job with RocksDB's
//! `max_manifest_file_size` set below Flink's inline threshold (the MANIFEST rolls before it is
//! ever uploaded) shows no growth at all: the negative control. A heap job is refused.

use std::path::Path;

use ckptsim::advise::{AdviseOptions, Question, advise};
use ckptsim::scenario::{Override, load_file};

fn aging(file: &str, overrides: &[&str]) -> Result<ckptsim::advise::Advice, ckptsim::advise::AdviseError> {
    let loaded = load_file(Path::new(file)).unwrap_or_else(|e| panic!("{e}"));
    let user: Vec<Override> = overrides.iter().map(|o| Override::parse(o).unwrap()).collect();
    let opts = AdviseOptions {
        questions: vec![Question::Aging],
        threads: Some(2),
        ..AdviseOptions::default()
    };
    advise(&loaded, &user, "test", None, &opts)
}

const ROCKS: &str = "scenarios/backend_rocksdb_incremental.toml";

#[test]
fn a_rocksdb_job_uploads_more_the_longer_it_runs_without_a_restart() {
    let a = aging(ROCKS, &[]).expect("a RocksDB job").aging.expect("asked");
    let sizes: Vec<f64> = a.points.iter().map(|p| p.checkpointed_avg_bytes).collect();
    assert!(
        sizes.windows(2).all(|w| w[1] > w[0]),
        "grows with every age tried: {sizes:?}"
    );
    assert!(a.bytes_per_day > 1e6, "megabytes a day: {}", a.bytes_per_day);
    let p50: Vec<f64> = a.points.iter().map(|p| p.p50_ms).collect();
    assert!(p50[4] > 2.0 * p50[0], "90 days of edits slow it: {p50:?}");
    assert!(a.sentence.contains("max_manifest_file_size"), "{}", a.sentence);
}

#[test]
fn a_manifest_that_rolls_before_it_is_uploaded_does_not_age_the_checkpoints() {
    let capped = aging(ROCKS, &["state_backend.max_manifest_file_size=\"64KiB\""])
        .expect("a RocksDB job")
        .aging
        .expect("asked");
    let sizes: Vec<f64> = capped.points.iter().map(|p| p.checkpointed_avg_bytes).collect();
    // At most the 64 KiB file itself per instance, in or out of the upload.
    let spread = sizes.iter().cloned().fold(f64::MIN, f64::max) - sizes.iter().cloned().fold(f64::MAX, f64::min);
    assert!(
        spread < 2.0 * 64.0 * 1024.0,
        "no growth beyond the capped file: {sizes:?}"
    );
}

#[test]
fn a_heap_job_is_refused() {
    let Err(e) = aging("scenarios/backend_heap.toml", &[]) else {
        panic!("heap has no MANIFEST: the question must be refused");
    };
    assert!(e.to_string().contains("only RocksDB"), "{e}");
}
