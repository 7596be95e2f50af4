//! A RocksDB flush writes each key's newest version only: the memtable fills with every
//! version written, and the L0 file its flush makes holds one entry per distinct key. With
//! incremental checkpoints that file is what a checkpoint without a compaction uploads, so on
//! skewed keys (a few hot keys updated over and over) the checkpointed size follows the keys
//! touched per interval, not the records.
//!
//! Theory: `n` records drawn independently from key probabilities `p_k` touch
//! `E[D] = sum_k 1 - (1 - p_k)^n` distinct keys. A 1 s interval at a constant rate holds a
//! fixed `n`. D's standard deviation is at most `sqrt(sum_k P(k touched) P(k not))` (the
//! indicators are negatively correlated): 1.1 % of E[D] for the Zipf job, 0.7 % for the
//! uniform one; the median of 25 checkpoints has about 1.25 / 5 of that, 0.28 % at most, and
//! the tolerance (1 %) is 3.6 of those. Every checkpoint
//! also carries the instance's small files, inlined into `_metadata` but counted in its size:
//! CURRENT and OPTIONS (8 KiB in all, the model's constants) and the MANIFEST (421 B + 132 B per
//! file written: under 8 KB in these 30 s), added to the theory's figure.
//!
//! Before this model (the flush writing every version), the hot-key job uploaded
//! 20 000 x 100 B = 2.0 MB per checkpoint, 4.3 times the theory's figure: the test's negative
//! control, run by hand.

mod common;

const RECORDS_PER_S: u64 = 20_000;
const BYTES_PER_KEY: u64 = 100;
const KEYS: u64 = 100_000;

/// source (`keys`) -> process (keyed, RocksDB, incremental) -> sink, parallelism 1, a 1 s
/// interval; more cores than threads.
fn job(keys: &str) -> String {
    format!(
        r#"
[simulation]
duration = "30s"
warmup = "5s"
[checkpoint]
interval = "1s"
[cluster]
taskmanagers = 1
slots_per_taskmanager = 1
cores_per_taskmanager = 8
[state_backend]
kind = "rocksdb"
incremental = true
[[operators]]
name = "source"
kind = "source"
parallelism = 1
rate = {{ process = "constant", records_per_second = {RECORDS_PER_S} }}
keys = {keys}
[[operators]]
name = "process"
kind = "operator"
parallelism = 1
inputs = [{{ from = "source", partitioning = "hash" }}]
service_time = "2us"
state = {{ bytes_per_key = "{BYTES_PER_KEY}B" }}
[[operators]]
name = "sink"
kind = "sink"
parallelism = 1
inputs = [{{ from = "process", partitioning = "forward" }}]
"#
    )
}

/// The process subtask's median checkpointed size (most checkpoints upload the flush's file
/// alone; one in four also uploads an L0 -> L1 compaction's output).
fn median_checkpointed_bytes(toml: &str) -> f64 {
    let out = ckptsim::run::run(&common::scenario(toml), 1);
    let mut sizes: Vec<f64> = out
        .subtasks
        .iter()
        .filter(|r| r.task.starts_with("process"))
        .map(|r| r.checkpointed_size as f64)
        .collect();
    assert!(sizes.len() >= 20, "{} checkpoints", sizes.len());
    sizes.sort_by(f64::total_cmp);
    sizes[sizes.len() / 2]
}

/// `E[D]` for `n` draws from weights `w` (normalised here).
fn expected_distinct(w: &[f64], n: u64) -> f64 {
    let total: f64 = w.iter().sum();
    w.iter().map(|x| 1.0 - (1.0 - x / total).powf(n as f64)).sum()
}

/// CURRENT and OPTIONS, uploaded (inlined) with every checkpoint.
const CURRENT_AND_OPTIONS_BYTES: f64 = 8192.0;
/// The MANIFEST's most in these runs.
const MANIFEST_MAX_BYTES: f64 = 8000.0;

fn assert_near(sim: f64, theory: f64, what: &str) {
    let sst = sim - CURRENT_AND_OPTIONS_BYTES;
    println!(
        "{what}: simulated {sim:.0} B, of which SST and MANIFEST {sst:.0} B; theory {theory:.0} B of SST ({:+.2} %)",
        100.0 * (sst - theory) / theory
    );
    assert!(
        sst >= 0.99 * theory && sst <= 1.01 * theory + MANIFEST_MAX_BYTES,
        "{what}: simulated {sst:.0} B of SST and MANIFEST against {theory:.0} B"
    );
}

/// Zipf keys (s = 1.1): a few keys take most writes, and a flush writes far fewer entries
/// than the memtable got.
#[test]
fn a_hot_key_job_uploads_the_keys_it_touched_not_its_records() {
    let s = 1.1;
    let weights: Vec<f64> = (1..=KEYS).map(|k| (k as f64).powf(-s)).collect();
    let theory = expected_distinct(&weights, RECORDS_PER_S) * BYTES_PER_KEY as f64;
    let sim = median_checkpointed_bytes(&job(&format!(
        r#"{{ count = {KEYS}, distribution = "zipf", exponent = {s} }}"#
    )));
    assert_near(sim, theory, "zipf 1.1");
    assert!(
        sim < 0.5 * (RECORDS_PER_S * BYTES_PER_KEY) as f64,
        "well under the records' bytes"
    );
}

/// Uniform keys over a space 50 times the records per interval: about 1 % of the writes hit a
/// key already in the memtable.
#[test]
fn a_uniform_job_uploads_nearly_every_write() {
    let keys = 50 * RECORDS_PER_S;
    let weights = vec![1.0; keys as usize];
    let theory = expected_distinct(&weights, RECORDS_PER_S) * BYTES_PER_KEY as f64;
    let sim = median_checkpointed_bytes(&job(&format!(r#"{{ count = {keys}, distribution = "uniform" }}"#)));
    assert_near(sim, theory, "uniform over 1 M keys");
}
