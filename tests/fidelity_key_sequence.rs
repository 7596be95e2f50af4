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
//! eight real runs lies from their mean in that bin (their own run-to-run spread, 10-31 kB),
//! Flink's checkpoints binned on ckptsim's clock (the job's time less the run's start-up). It
//! reads +5.5 to +11.3 kB. The negative control draws the keys at random and must be caught
//! (-15 to -27 kB, out in three bins).

mod fidelity_support;

use std::collections::BTreeMap;

use ckptsim::vocab::KeyDistribution;
use fidelity_support::figures::completed_after_warmup;
use fidelity_support::real::RealRuns;
use fidelity_support::suite_dir;
use fidelity_support::translate::is_map_task;

/// Every measuring pass with real runs of f07: the referee day, the third pass's boot (twice),
/// the replication day.
const PASSES: [&str; 4] = [
    "real",
    "probes/after_the_walk/real",
    "replication/2026-12-05/real",
    "replication/2026-12-06/real",
];
const ROW: &str = "f07_bp_unaligned_remote";
/// The 10 s bins of job time (by checkpoint trigger) across which map 1 drains.
const FIRST_BIN_S: f64 = 90.0;
const BINS: usize = 5;
const SEEDS: std::ops::RangeInclusive<u64> = 1..=4;

type Bins = [f64; BINS];

/// Per bin, the mean of the persisted data (kB) of map subtask 1's acknowledgements, given as
/// (trigger time in s, subtask index, bytes).
fn binned(acks: impl Iterator<Item = (f64, u32, f64)>) -> Bins {
    let mut sums: BTreeMap<usize, (f64, u32)> = BTreeMap::new();
    for (t, _, bytes) in acks.filter(|a| a.1 == 1) {
        let b = ((t - FIRST_BIN_S) / 10.0).floor();
        if (0.0..BINS as f64).contains(&b) {
            let e = sums.entry(b as usize).or_insert((0.0, 0));
            e.0 += bytes / 1000.0;
            e.1 += 1;
        }
    }
    let mut out = [f64::NAN; BINS];
    for (b, (sum, n)) in sums {
        out[b] = sum / n as f64;
    }
    out
}

/// One real run: its map's acknowledgements of completed checkpoints, binned by trigger on
/// ckptsim's clock: the job's time less its start-up (its first trigger, as the suite's
/// `Window::of_runs` aligns them; f07 has no minimum pause).
fn real_run(runs: &RealRuns, run: &str) -> Bins {
    let trigger: BTreeMap<String, f64> = runs
        .run_rows(run, "checkpoints.csv")
        .iter()
        .filter_map(|r| Some((r["checkpoint_id"].clone(), r["t_since_job_start_s"].parse().ok()?)))
        .collect();
    let startup_s = trigger.values().copied().fold(f64::INFINITY, f64::min);
    let trigger: BTreeMap<String, f64> = trigger.into_iter().map(|(id, t)| (id, t - startup_s)).collect();
    let rows = runs.subtask_rows(run, "stateful-map", 0.0);
    binned(rows.iter().map(|r| {
        let id = format!("{}", r["checkpoint_id"]);
        (trigger[&id], r["subtask"] as u32, r["persisted_b"])
    }))
}

/// ckptsim's map, over seeds 1-4, with the scenario's keys or `keys`.
fn simulated(keys: Option<KeyDistribution>) -> Bins {
    let path = suite_dir().join("scenarios").join(format!("{ROW}.toml"));
    let mut scenario = ckptsim::scenario::load_file(&path).expect("scenario").scenario;
    if let Some(k) = keys {
        scenario.operators[0]
            .keys
            .as_mut()
            .expect("the source's keys")
            .distribution = k;
    }
    let outs: Vec<_> = SEEDS.map(|seed| ckptsim::run::run(&scenario, seed)).collect();
    binned(outs.iter().flat_map(|out| {
        let trigger: BTreeMap<u64, f64> = completed_after_warmup(out, 0.0)
            .iter()
            .map(|c| (c.id, c.trigger_timestamp / 1000.0))
            .collect();
        out.subtasks
            .iter()
            .filter(|s| is_map_task(&s.task))
            .filter_map(move |s| Some((*trigger.get(&s.checkpoint_id)?, s.index, s.persisted_data as f64)))
    }))
}

/// The real runs' mean per bin and the farthest any run lies from it.
fn real() -> (Bins, Bins) {
    let runs: Vec<Bins> = PASSES
        .iter()
        .flat_map(|pass| {
            let runs = RealRuns::load(&suite_dir().join(pass));
            ["r1", "r2"].map(|r| real_run(&runs, &format!("{ROW}.{r}")))
        })
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
        let from = FIRST_BIN_S as u64 + 10 * b as u64;
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
