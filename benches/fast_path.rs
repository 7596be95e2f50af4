//! The fast path's error against the record-level model: every bundled scenario
//! (`scenarios/*.toml` but the sweeps) and every fidelity-suite scenario
//! (`tests/fidelity/scenarios/*.toml`), and the production shape of `benches/scenarios/` cut to
//! its first 150 s, run with `simulation.records_per_bundle = K` and with 1,
//! on the same seeds, and compared figure by figure.
//!
//! `cargo bench --bench fast_path [-- K [SEEDS [FILTER]]]` (defaults 16, 3, all). Each figure is
//! the mean over the seeds; the error is the fast path's mean over the record-level mean minus
//! one, and it is "within noise" when the difference of the means lies inside its 95 %
//! confidence interval (Welch, from the seed-to-seed spread of each). A difference outside the
//! noise is material when it is also above 5 % and, for a time, above 1 ms: 5 % is a fifth of
//! the fidelity suite's ±25 % tolerance against Flink, and 1 ms is the resolution of Flink's
//! REST statistics, so an error below either cannot change what the suite or a planner reads.
//! The speed-up is the
//! record-level model's thread CPU time over the fast path's, summed over the seeds. Writes
//! `results/fast_path/error_k{K}.csv` beside the table.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use ckptsim::metrics::RunOutput;
use ckptsim::scenario::{self, Override};

/// The figures compared, as a planner reads them.
const FIGURES: &[&str] = &[
    "end_to_end_duration p50 (ms)",
    "checkpointed_size avg (B)",
    "start_delay p50 (ms)",
    "alignment_duration p99 (ms)",
    "sync_duration avg (ms)",
    "async_duration avg (ms)",
    "completed checkpoints",
    "source records/s",
    "latency p50 (ms)",
    "busiest operator busy (ms/s)",
    "most back-pressured operator (ms/s)",
];

fn figures_of(out: &RunOutput) -> Vec<f64> {
    let s = &out.summary;
    let stat = |name: &str, f: &dyn Fn(&ckptsim::metrics::StatsSummary) -> f64| {
        s.summary.get(name).filter(|x| x.count > 0).map_or(f64::NAN, f)
    };
    let ops = &s.job.operators;
    // The job graph lists its sources first.
    let sources = ops.first().map_or(f64::NAN, |o| o.records_per_second);
    vec![
        stat("end_to_end_duration", &|x| x.p50),
        stat("checkpointed_size", &|x| x.avg),
        stat("start_delay", &|x| x.p50),
        stat("alignment_duration", &|x| x.p99),
        stat("sync_duration", &|x| x.avg),
        stat("async_duration", &|x| x.avg),
        s.counts.completed as f64,
        sources,
        if s.job.latency_ms.count > 0 {
            s.job.latency_ms.p50
        } else {
            f64::NAN
        },
        ops.iter().map(|o| o.busy_time_ms_per_second).fold(0.0, f64::max),
        ops.iter()
            .map(|o| o.back_pressured_time_ms_per_second)
            .fold(0.0, f64::max),
    ]
}

/// CPU time of the calling thread so far (s): user + system from `/proc/thread-self/stat`.
fn thread_cpu_s() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    // Fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| f.get(i).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0);
    let ticks = field(11) + field(12);
    ticks as f64 / 100.0
}

struct Runs {
    figures: Vec<Vec<f64>>,
    cpu_s: f64,
    /// The verdict warns that bundles are too coarse for the job (a bundle's service above
    /// `BUNDLE_SERVICE_WARNING_MS`).
    warned: bool,
}

/// The production shape (`benches/scenarios/`) runs its first 150 s: five checkpoints.
const BENCH_SCENARIO_SECONDS: u32 = 150;

fn run_all(loaded: &scenario::LoadedScenario, k: u32, seeds: u64) -> Result<Runs, String> {
    let mut set = vec![Override::parse(&format!("simulation.records_per_bundle={k}"))?];
    if loaded.file.contains("benches/scenarios") {
        set.push(Override::parse(&format!(
            "simulation.duration=\"{BENCH_SCENARIO_SECONDS}s\""
        ))?);
    }
    let s = loaded.with_overrides(&set).map_err(|e| e.to_string())?;
    let warned = ckptsim::verdict::BundleShape::of(&s).is_some_and(|b| b.too_coarse());
    let runs: Vec<(Vec<f64>, f64)> = (1..=seeds)
        .into_par_iter()
        .map(|seed| {
            let t0 = thread_cpu_s();
            let out = ckptsim::run::run(&s, seed);
            (figures_of(&out), thread_cpu_s() - t0)
        })
        .collect();
    Ok(Runs {
        warned,
        cpu_s: runs.iter().map(|r| r.1).sum(),
        figures: runs.into_iter().map(|r| r.0).collect(),
    })
}

fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let var = if xs.len() > 1 {
        xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (m, var.sqrt())
}

/// Two-sided 95 % quantile of Student's t with `df` degrees of freedom.
fn t95(df: f64) -> f64 {
    ckptsim::confidence::student_t_quantile(0.975, df.max(1.0))
}

/// The 95 % half-width of the difference of two means (Welch-Satterthwaite).
fn diff_half_width(a: (f64, f64), b: (f64, f64), n: f64) -> f64 {
    let (va, vb) = (a.1 * a.1 / n, b.1 * b.1 / n);
    let se = (va + vb).sqrt();
    if se == 0.0 {
        return 0.0;
    }
    let df = (va + vb).powi(2) / (va * va / (n - 1.0) + vb * vb / (n - 1.0)).max(1e-300);
    t95(df) * se
}

fn scenario_files(root: &Path, filter: Option<&str>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["scenarios", "tests/fidelity/scenarios", "benches/scenarios"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        let mut v: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with("sweep_"))
            .filter(|p| filter.is_none_or(|f| p.to_string_lossy().contains(f)))
            .collect();
        v.sort();
        files.extend(v);
    }
    files
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let k: u32 = args.first().and_then(|a| a.parse().ok()).unwrap_or(16);
    let seeds: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(3).max(2);
    let filter = args.get(2).map(String::as_str);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let n = seeds as f64;
    let mut csv = String::from(
        "scenario,records_per_bundle,figure,record_level_mean,record_level_sd,fast_mean,fast_sd,error,diff_ci95_half_width,within_noise,material\n",
    );
    let mut speed: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    let mut outside: Vec<(bool, String)> = Vec::new();
    println!("records_per_bundle = {k}, seeds 1..={seeds}; error = fast / record-level - 1 of the means over seeds\n");
    for path in scenario_files(root, filter) {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let loaded = match scenario::load_file(&path) {
            Ok(l) => l,
            Err(e) => {
                println!("{name}: not loaded: {e}\n");
                continue;
            }
        };
        // Where bundles of K would be above a quarter of a network buffer, the largest power
        // of two below K that is not.
        let mut used = k;
        let fast = loop {
            match run_all(&loaded, used, seeds) {
                Ok(f) => break Some(f),
                Err(_) if used > 2 => used /= 2,
                Err(e) => {
                    println!("{name}: no bundle fits: {e}\n");
                    break None;
                }
            }
        };
        let Some(fast) = fast else { continue };
        let exact = match run_all(&loaded, 1, seeds) {
            Ok(e) => e,
            Err(e) => {
                println!("{name}: {e}\n");
                continue;
            }
        };
        speed.insert(name.clone(), (exact.cpu_s, fast.cpu_s));
        let mut table = String::new();
        let _ = writeln!(
            table,
            "{name}  (records_per_bundle {used}{}; CPU {:.1} s record-level, {:.1} s fast: {:.1}x)",
            if fast.warned {
                ", the verdict warns: too coarse"
            } else {
                ""
            },
            exact.cpu_s,
            fast.cpu_s,
            exact.cpu_s / fast.cpu_s.max(1e-3)
        );
        for (i, fig) in FIGURES.iter().enumerate() {
            let col = |r: &Runs| r.figures.iter().map(|f| f[i]).collect::<Vec<f64>>();
            let (a, b) = (col(&exact), col(&fast));
            if a.iter().chain(&b).any(|x| x.is_nan()) {
                continue;
            }
            let (ma, mb) = (mean_sd(&a), mean_sd(&b));
            let hw = diff_half_width(ma, mb, n);
            let diff = mb.0 - ma.0;
            let within = diff.abs() <= hw;
            let err = if ma.0 != 0.0 {
                mb.0 / ma.0 - 1.0
            } else if mb.0 == 0.0 {
                0.0
            } else {
                f64::INFINITY
            };
            let material = !within && err.abs() > 0.05 && !(fig.ends_with("(ms)") && diff.abs() <= 1.0);
            let _ = writeln!(
                table,
                "  {fig:<38} {:>12.4} ±{:<10.3} {:>12.4} ±{:<10.3} {:>+8.1} %  {}",
                ma.0,
                ma.1,
                mb.0,
                mb.1,
                err * 100.0,
                if within {
                    "within noise"
                } else if material {
                    "MATERIAL"
                } else {
                    "outside noise, immaterial"
                }
            );
            let _ = writeln!(
                csv,
                "{name},{used},{fig},{},{},{},{},{},{},{},{}",
                ma.0, ma.1, mb.0, mb.1, err, hw, within, material
            );
            if material {
                outside.push((fast.warned, format!("{name}: {fig} {:+.1} %", err * 100.0)));
            }
        }
        println!("{table}");
    }
    let (e, f) = speed.values().fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    println!(
        "all: CPU {e:.1} s record-level, {f:.1} s fast ({:.1}x); {} material differences (outside the seed noise, above 5 % and 1 ms):",
        e / f.max(1e-3),
        outside.len()
    );
    for warned in [false, true] {
        println!(
            "{}",
            if warned {
                "  where the verdict warns that bundles are too coarse:"
            } else {
                "  where the verdict does not warn:"
            }
        );
        for (_, o) in outside.iter().filter(|(w, _)| *w == warned) {
            println!("    {o}");
        }
    }
    let dir = root.join("results/fast_path");
    if filter.is_none() && std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join(format!("error_k{k}.csv")), csv);
    }
}
