//! The key groups' drift ends when Flink's does, with the keys the real job generates.
//!
//! The harness's source keys record `i` as `floorMod(h, keys)`, `h = i * 0x9E3779B97F4A7C15;
//! h ^= h >>> 29`, so every Flink run sends the same keys in the same order, and in f07
//! (unaligned, two TaskManagers, back-pressured) map 1's remote input drains in the same 10 s
//! bins in all eight real runs of three days: its persisted in-flight data per checkpoint falls
//! from about 250 kB at 90-100 s to about 90 kB at 130-140 s. The suite's scenarios take that key
//! sequence (`keys.distribution = "sequence_hash"`); with random keys the drain comes 20-40 kB
//! earlier in every bin and moves with the seed (`tests/fidelity/probes/key_sequence/`).
//!
//! Held here: ckptsim's mean over seeds 1-4, per bin, lies within the farthest any of the
//! eight real runs lies from their mean in that bin (their own run-to-run spread, 13-30 kB).
//! The negative control draws the keys at random and must be caught.

use std::collections::BTreeMap;
use std::path::Path;

use ckptsim::vocab::KeyDistribution;

const SCENARIO: &str = "tests/fidelity/scenarios/f07_bp_unaligned_remote.toml";
/// Every real run of f07: the referee day, the third pass's boot (twice), the replication day.
const RUNS: [&str; 4] = [
    "tests/fidelity/real",
    "tests/fidelity/probes/after_the_walk/real",
    "tests/fidelity/replication/2026-12-05/real",
    "tests/fidelity/replication/2026-12-06/real",
];
const ROW: &str = "f07_bp_unaligned_remote";
/// The 10 s bins of job time (by checkpoint trigger) across which map 1 drains.
const FIRST_BIN_S: u64 = 90;
const BINS: usize = 5;
const SEEDS: std::ops::RangeInclusive<u64> = 1..=4;

type Bins = [f64; BINS];

fn bin_of(t_s: f64) -> Option<usize> {
    let b = (t_s / 10.0).floor() as i64 - (FIRST_BIN_S / 10) as i64;
    (0..BINS as i64).contains(&b).then_some(b as usize)
}

fn means(sums: BTreeMap<usize, (f64, u32)>) -> Bins {
    let mut out = [f64::NAN; BINS];
    for (b, (sum, n)) in sums {
        out[b] = sum / n as f64;
    }
    out
}

/// Map subtask 1's mean persisted data (kB) per bin in one real run directory.
fn real_run(dir: &Path) -> Bins {
    let mut start = BTreeMap::new();
    let mut rdr = csv::Reader::from_path(dir.join("checkpoints.csv")).expect("checkpoints.csv");
    let h = rdr.headers().expect("header").clone();
    let col = |name: &str| h.iter().position(|c| c == name).expect(name);
    let (id, t) = (col("checkpoint_id"), col("t_since_job_start_s"));
    for row in rdr.records() {
        let row = row.expect("a row");
        start.insert(row[id].to_string(), row[t].parse::<f64>().expect("a time"));
    }
    let mut sums = BTreeMap::new();
    let mut rdr = csv::Reader::from_path(dir.join("subtasks.csv")).expect("subtasks.csv");
    let h = rdr.headers().expect("header").clone();
    let col = |name: &str| h.iter().position(|c| c == name).expect(name);
    let (id, vertex, subtask, status, bytes) = (
        col("checkpoint_id"),
        col("vertex"),
        col("subtask"),
        col("status"),
        col("persisted_b"),
    );
    for row in rdr.records() {
        let row = row.expect("a row");
        if !row[vertex].starts_with("stateful-map") || &row[subtask] != "1" || &row[status] != "completed" {
            continue;
        }
        if let Some(b) = start.get(&row[id]).and_then(|t| bin_of(*t)) {
            let e = sums.entry(b).or_insert((0.0, 0));
            e.0 += row[bytes].parse::<f64>().expect("bytes") / 1000.0;
            e.1 += 1;
        }
    }
    means(sums)
}

/// ckptsim's map subtask 1, per bin, over seeds 1-4, with the scenario's keys or `keys`.
fn simulated(keys: Option<KeyDistribution>) -> Bins {
    let mut scenario = ckptsim::scenario::load_file(Path::new(SCENARIO))
        .expect("scenario")
        .scenario;
    if let Some(k) = keys {
        scenario.operators[0]
            .keys
            .as_mut()
            .expect("the source's keys")
            .distribution = k;
    }
    let mut sums = BTreeMap::new();
    for seed in SEEDS {
        let out = ckptsim::run::run(&scenario, seed);
        let trigger: BTreeMap<u64, f64> = out
            .checkpoints
            .iter()
            .map(|c| (c.id, c.trigger_timestamp / 1000.0))
            .collect();
        for s in out
            .subtasks
            .iter()
            .filter(|s| s.task.starts_with("stateful-map") && s.index == 1)
        {
            if let Some(b) = trigger.get(&s.checkpoint_id).and_then(|t| bin_of(*t)) {
                let e = sums.entry(b).or_insert((0.0, 0));
                e.0 += s.persisted_data as f64 / 1000.0;
                e.1 += 1;
            }
        }
    }
    means(sums)
}

/// The real runs' mean per bin and the farthest any run lies from it.
fn real() -> (Bins, Bins) {
    let runs: Vec<Bins> = RUNS
        .iter()
        .flat_map(|d| ["r1", "r2"].map(|r| Path::new(d).join(format!("{ROW}.{r}"))))
        .map(|d| real_run(&d))
        .collect();
    assert_eq!(runs.len(), 8);
    let mut mean = [0.0; BINS];
    let mut spread = [0.0f64; BINS];
    for b in 0..BINS {
        mean[b] = runs.iter().map(|r| r[b]).sum::<f64>() / runs.len() as f64;
        spread[b] = runs.iter().map(|r| (r[b] - mean[b]).abs()).fold(0.0, f64::max);
    }
    (mean, spread)
}

/// The bins where `sim` lies farther from the real mean than the real runs' spread; every bin
/// is printed.
fn misses(label: &str, sim: &Bins) -> Vec<String> {
    let (mean, spread) = real();
    let mut out = Vec::new();
    for b in 0..BINS {
        let from = FIRST_BIN_S + 10 * b as u64;
        let off = sim[b] - mean[b];
        let ok = off.abs() <= spread[b];
        println!(
            "{label:<14} {from}-{} s: Flink {:6.1} kB (runs within {:4.1}), ckptsim {:6.1} ({off:+5.1}) {}",
            from + 10,
            mean[b],
            spread[b],
            sim[b],
            if ok { "ok" } else { "OUT" }
        );
        if !ok {
            out.push(format!(
                "{from}-{} s: {:.1} against {:.1} kB",
                from + 10,
                sim[b],
                mean[b]
            ));
        }
    }
    out
}

#[test]
fn map_1_drains_when_flinks_does_with_the_harnesss_keys() {
    let missed = misses("sequence_hash", &simulated(None));
    assert!(
        missed.is_empty(),
        "map 1's in-flight data off Flink's:\n{}",
        missed.join("\n")
    );
}

#[test]
fn negative_control_random_keys_drain_early_and_are_caught() {
    let missed = misses("uniform", &simulated(Some(KeyDistribution::Uniform)));
    assert!(!missed.is_empty(), "random keys must drain early enough to be caught");
}
