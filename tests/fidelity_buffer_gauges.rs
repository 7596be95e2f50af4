//! The model's queues against Flink's, per subtask, where they are back-pressured: Flink's
//! `outPoolUsage`, `outputQueueLength` and `inPoolUsage` as a real Flink 2.3 reported them
//! (`tests/fidelity/probes/buffer_fill/real/`, read from its REST API every 2 s on the
//! replication day, 2026-12-05) beside ckptsim's for the same configurations (that day's
//! scenarios, seeds 1-6), both averaged over the samples after the 90 s warm-up.
//!
//! Output gauges are held where Flink shows the output back-pressured (`outPoolUsage` above
//! 0.5: the sources'); elsewhere Flink keeps each subpartition's segment being filled and the
//! model does not (`probes/README.md`), which is printed, not held.
//!
//! Tolerances, each with its origin. They guard the agreement measured; they were set after
//! the measurement, not derived before it:
//! - 10 % for the sources' two gauges and for the input pool of the map that holds the
//!   backpressure (the map whose pool Flink shows fullest): the largest unpinned difference the
//!   probe measured is 7 % (f07's second source's queue), and Flink's two f05 runs differ by up
//!   to 1.2 % on the sources and 4.3 % on the maps, so a change that moves a gauge by more than
//!   about its run-to-run spread fails.
//! - 25 % for the input pool of the other, less loaded map: a known gap, 11-18 % low in the
//!   probe (`tests/fidelity/probes/README.md`, "Where the buffers sit"), held so that it cannot
//!   widen unseen.
//! - [`PINNED`]: gaps beyond those, each at the ratio it has, with its reason; one that grows by
//!   more than 0.05 fails.
//!
//! The negative control gives the map's gate 10 floating buffers, the pool the newest
//! `GateBuffersSpec` reading would allow a gate with one local and one remote channel (Flink's
//! own gauges say its pool holds 10 buffers in all, 8 of them floating): the check must fail.

use std::collections::BTreeMap;
use std::path::Path;

const PROBE: &str = "tests/fidelity/probes/buffer_fill/real";
const SCENARIOS: &str = "tests/fidelity/replication/2026-12-05/scenarios";
const WARMUP_S: f64 = 90.0;
const SEEDS: std::ops::RangeInclusive<u64> = 1..=6;

/// The back-pressured configurations the probe measured.
const CONFIGS: [&str; 7] = [
    "f04_bp_aligned_local",
    "f05_bp_aligned_remote",
    "f06_bp_unaligned_local",
    "f07_bp_unaligned_remote",
    "f08_bp_timeout_remote",
    "f09_bp_debloat_remote",
    "f10_bp_aligned_local_unchained",
];

/// Known gaps beyond the tolerances: (configuration, task, subtask, gauge, ckptsim / Flink,
/// why).
const PINNED: [(&str, &str, u32, &str, f64, &str); 3] = [
    (
        "f09_bp_debloat_remote",
        "stateful-map",
        0,
        "inPoolUsage",
        1.11,
        "the debloated buffers, 17.6 kB against Flink's 16 (1.08 before the debloater counted \
         buffers in use as Flink's getBuffersInUseCount does, when they were 18.7 kB)",
    ),
    (
        "f09_bp_debloat_remote",
        "stateful-map",
        1,
        "inPoolUsage",
        0.68,
        "the debloated buffers: 0.80 before aligned barriers reported no backlog, 0.60 after, \
         0.68 since the debloater counts buffers in use as Flink does",
    ),
    (
        "f05_bp_aligned_remote",
        "stateful-map",
        1,
        "inPoolUsage",
        0.70,
        "map 1 of the aligned remote row reads low although its drain, at the end of the key \
         groups' drift, now comes when Flink's does (probes: key_sequence): 0.62 with drawn keys, \
         whose drift ended earlier; f07's and f08's map 1, pinned at 0.71 and 0.68 then, now \
         read 0.94 and 0.91, inside the 25 % of the less loaded map",
    ),
];

/// (task, subtask, gauge) -> mean; tasks by their first word (`gen`, `stateful-map`).
type Gauges = BTreeMap<(String, u32, &'static str), f64>;

const OUT_POOL: &str = "outPoolUsage";
const QUEUE: &str = "outputQueueLength";
const IN_POOL: &str = "inPoolUsage";

fn task_key(name: &str) -> String {
    name.trim_start_matches("Source: ")
        .split([' ', ':'])
        .next()
        .unwrap_or(name)
        .to_string()
}

/// Flink's gauges of one configuration: per run the mean over the samples after the warm-up,
/// then the mean over its runs.
fn flink(config: &str) -> Gauges {
    let mut runs = Vec::new();
    for entry in std::fs::read_dir(PROBE).expect("probe data") {
        let dir = entry.expect("probe entry").path();
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        if !name.starts_with(&format!("{config}.p")) {
            continue;
        }
        let mut sums: BTreeMap<(String, u32, &'static str), (f64, u32)> = BTreeMap::new();
        let mut rdr = csv::Reader::from_path(dir.join("subtask_metrics.csv")).expect("subtask_metrics.csv");
        for row in rdr.records() {
            let row = row.expect("a row");
            let (t, vertex, subtask, metric, value) = (&row[0], &row[1], &row[2], &row[3], &row[4]);
            let gauge = match metric {
                "Shuffle.Netty.Output.Buffers.outPoolUsage" => OUT_POOL,
                "Shuffle.Netty.Output.Buffers.outputQueueLength" => QUEUE,
                "Shuffle.Netty.Input.Buffers.inPoolUsage" => IN_POOL,
                _ => continue,
            };
            if t.parse::<f64>().expect("t_rel_s") < WARMUP_S {
                continue;
            }
            let e = sums
                .entry((task_key(vertex), subtask.parse().expect("subtask"), gauge))
                .or_default();
            e.0 += value.parse::<f64>().expect("value");
            e.1 += 1;
        }
        runs.push(
            sums.into_iter()
                .map(|(k, (s, n))| (k, s / n as f64))
                .collect::<Gauges>(),
        );
    }
    assert!(!runs.is_empty(), "no probe runs of {config}");
    mean(&runs)
}

fn mean(runs: &[Gauges]) -> Gauges {
    let mut out = Gauges::new();
    for (k, _) in runs[0].iter() {
        let v: Vec<f64> = runs.iter().filter_map(|r| r.get(k).copied()).collect();
        out.insert(k.clone(), v.iter().sum::<f64>() / v.len() as f64);
    }
    out
}

/// ckptsim's gauges of one configuration, over seeds 1-6; `floating` overrides the gates'
/// floating buffers (the negative control).
fn simulated(config: &str, floating: Option<u32>) -> Gauges {
    let path = Path::new(SCENARIOS).join(format!("{config}.toml"));
    let mut scenario = ckptsim::scenario::load_file(&path).expect("scenario").scenario;
    if let Some(n) = floating {
        scenario.network.floating_buffers_per_gate = n;
    }
    let runs: Vec<Gauges> = SEEDS
        .map(|seed| {
            let out = ckptsim::run::run(&scenario, seed);
            let mut g = Gauges::new();
            for t in &out.summary.job.tasks {
                let key = task_key(&t.task);
                g.insert((key.clone(), t.subtask_index, OUT_POOL), t.out_pool_usage);
                g.insert((key.clone(), t.subtask_index, QUEUE), t.output_queue_length);
                g.insert((key, t.subtask_index, IN_POOL), t.in_pool_usage);
            }
            g
        })
        .collect();
    mean(&runs)
}

/// The gauges outside their tolerance, one line each; every comparison made is printed.
fn misses(config: &str, real: &Gauges, sim: &Gauges) -> Vec<String> {
    let mut out = Vec::new();
    // The map holding the backpressure: the fullest input pool.
    let fullest = real
        .iter()
        .filter(|((_, _, g), _)| *g == IN_POOL)
        .map(|(_, v)| *v)
        .fold(0.0, f64::max);
    for ((task, subtask, gauge), r) in real {
        // Flink reports 0 for a pool a task does not have (a source's input, a map's output,
        // local channels' input buffers).
        if *r == 0.0 {
            continue;
        }
        let s = sim.get(&(task.clone(), *subtask, *gauge)).copied().unwrap_or(f64::NAN);
        let ratio = s / r;
        // An output Flink does not show back-pressured (f10's map into its unchained sink):
        // there Flink keeps each subpartition's segment being filled, the model only while it
        // holds unread records (a known difference in how a flush is modelled, with nothing
        // waiting on it); printed, not held.
        let out_pool = real.get(&(task.clone(), *subtask, OUT_POOL)).copied().unwrap_or(0.0);
        if *gauge != IN_POOL && out_pool < 0.5 {
            println!(
                "{config:<24} {task:<13} {subtask} {gauge:<18} Flink {r:7.3} ckptsim {s:7.3} ratio {ratio:5.2} not back-pressured"
            );
            continue;
        }
        let pinned = PINNED
            .iter()
            .find(|p| (p.0, p.1, p.2, p.3) == (config, task.as_str(), *subtask, *gauge));
        let (ok, bound) = match pinned {
            Some(p) => (
                (ratio - 1.0).abs() <= (p.4 - 1.0).abs() + 0.05,
                format!("pinned {:.2}", p.4),
            ),
            None => {
                let tolerance = if *gauge == IN_POOL && *r < fullest { 0.25 } else { 0.10 };
                ((ratio - 1.0).abs() <= tolerance, format!("tol {tolerance:.2}"))
            }
        };
        println!(
            "{config:<24} {task:<13} {subtask} {gauge:<18} Flink {r:7.3} ckptsim {s:7.3} ratio {ratio:5.2} {bound} {}",
            if ok { "ok" } else { "OUT" }
        );
        if !ok {
            out.push(format!(
                "{config} {task}[{subtask}] {gauge}: Flink {r:.3}, ckptsim {s:.3}"
            ));
        }
    }
    out
}

#[test]
fn under_backpressure_the_models_queues_are_flinks() {
    let mut all = Vec::new();
    for config in CONFIGS {
        let real = flink(config);
        all.extend(misses(config, &real, &simulated(config, None)));
    }
    assert!(all.is_empty(), "gauges out of tolerance:\n{}", all.join("\n"));
}

#[test]
fn negative_control_a_gate_with_flinks_maximum_pool_is_caught() {
    let config = "f05_bp_aligned_remote";
    let caught = misses(config, &flink(config), &simulated(config, Some(10)));
    assert!(
        caught.iter().any(|m| m.contains(IN_POOL)),
        "a gate of 2 exclusive and 10 floating buffers must miss Flink's inPoolUsage: {caught:?}"
    );
}
