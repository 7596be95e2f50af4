//! ckptsim held to real Flink 2.3. Every configuration of `tests/fidelity/configs.tsv` was run
//! twice on a real Flink MiniCluster on this kind of machine (`tests/fidelity/measure.sh`,
//! Flink's own REST statistics in `tests/fidelity/real/`); here each is run as the scenario
//! its harness options translate to (`tests/fidelity/scenarios/`), with the same warm-up cut,
//! and compared figure by figure. A row is green when its p50 end-to-end duration and p50
//! map start delay are within ±25 % or ±2 ms and its phases and sizes within twice the real
//! run-to-run spread (at least 2 ms or 20 kB). What is not green yet is pinned in
//! `tests/fidelity/known_gaps.csv`: printed on every run, failing only if it gets worse.
//!
//! The same holds for a second measuring pass, the replication (`tests/fidelity/replication/`):
//! calibrated on its own day's runs and compared with its own day's table, with its own pins.
//!
//! `FIDELITY_WRITE=1` rewrites the scenarios from the configurations; `FIDELITY_PIN=1` rewrites
//! the known gaps from the current results (after a change that closes or moves a gap).

mod fidelity_support;

use std::fmt::Write as _;
use std::sync::OnceLock;

use rayon::prelude::*;

use fidelity_support::calibrate::Calibration;
use fidelity_support::compare::{Comparison, compare_row};
use fidelity_support::configs::{self, Config};
use fidelity_support::figures::{Figure, Figures, Window, real_figures, sim_figures};
use fidelity_support::gaps::{self, Gap};
use fidelity_support::real::RealRuns;
use fidelity_support::translate::scenario_toml;
use fidelity_support::{Day, fmt_figure, simulate};

struct Row {
    cfg: Config,
    real: [Figures; 2],
    sim: Figures,
    comparisons: Vec<Comparison>,
    real_completed: [f64; 2],
    /// Per seed, on average.
    sim_completed: f64,
}

impl Row {
    /// Green: both headline figures and every other compared figure within tolerance.
    fn green(&self) -> bool {
        self.comparisons.iter().all(Comparison::within)
            && Figure::CHECKPOINT
                .iter()
                .filter(|f| f.is_headline())
                .all(|f| self.comparisons.iter().any(|c| c.figure == *f))
    }

    fn ratio(&self, figure: Figure) -> String {
        self.comparisons
            .iter()
            .find(|c| c.figure == figure)
            .map_or("-".into(), |c| format!("{:.2}", c.ratio()))
    }
}

struct Suite {
    day: Day,
    calibration: Calibration,
    rows: Vec<Row>,
}

fn table_configs() -> Vec<Config> {
    configs::load().into_iter().filter(|c| !c.is_calibration()).collect()
}

/// Simulated time that triggers as many checkpoints as the real run: up to the last real
/// trigger, plus one interval.
fn duration_s(real: &RealRuns, cfg: &Config) -> u64 {
    let last = cfg
        .runs()
        .iter()
        .flat_map(|r| real.trigger_times_s(r))
        .fold(0.0f64, f64::max);
    (last + cfg.options.interval_ms as f64 / 1000.0).ceil() as u64
}

/// The warm-up of the configuration's measured runs (s), the same for all of them.
fn warmup_s(real: &RealRuns, cfg: &Config) -> u64 {
    let runs = cfg.runs();
    let first = real.warmup_s(&runs[0]);
    for run in &runs {
        assert_eq!(
            real.warmup_s(run),
            first,
            "{run}: measured with another warm-up than {}",
            runs[0]
        );
    }
    first.round() as u64
}

fn scenario_path(day: &Day, cfg: &Config) -> std::path::PathBuf {
    day.scenarios_dir().join(format!("{}.toml", cfg.name))
}

/// The committed scenario; with FIDELITY_WRITE=1 it is first rewritten from the configuration.
fn committed_scenario(day: &Day, cfg: &Config, text: &str) -> String {
    let path = scenario_path(day, cfg);
    if std::env::var_os("FIDELITY_WRITE").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
    }
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e} (FIDELITY_WRITE=1 writes it)", path.display()))
}

/// The simulated checkpoints that are the measured runs' (`Window::of_runs`).
fn window(real: &RealRuns, cfg: &Config) -> Window {
    let o = &cfg.options;
    Window::of_runs(
        real,
        &cfg.runs(),
        o.interval_ms as f64 / 1000.0,
        o.min_pause_ms as f64 / 1000.0,
    )
    .unwrap_or_else(|| panic!("{}: no checkpoint after the warm-up", cfg.name))
}

fn evaluate(day: &Day, cfg: &Config, real: &RealRuns, sim_text: &str) -> Row {
    let runs = cfg.runs();
    let reps = [real_figures(real, &runs[0]), real_figures(real, &runs[1])];
    let file = scenario_path(day, cfg).display().to_string();
    let outs = simulate(sim_text, &file, 0);
    let window = window(real, cfg);
    let sim = sim_figures(&outs, window);
    // The same figures on the next seeds: a pinned gap may move by as much without a change.
    let sim_other = sim_figures(&simulate(sim_text, &file, 1), window);
    let mut figures: Vec<Figure> = Figure::CHECKPOINT.to_vec();
    if cfg.has_backpressure() {
        figures.push(Figure::MapRecordsPerS);
    }
    if cfg.has_failure() {
        figures.extend(Figure::RECOVERY);
    }
    let comparisons = compare_row(&cfg.name, &reps, &sim, &sim_other, &figures);
    Row {
        real_completed: [
            real.summary(&runs[0], "n_completed").unwrap_or(0.0),
            real.summary(&runs[1], "n_completed").unwrap_or(0.0),
        ],
        sim_completed: outs
            .iter()
            .map(|o| fidelity_support::figures::completed_in(o, window).len())
            .sum::<usize>() as f64
            / outs.len() as f64,
        cfg: cfg.clone(),
        real: reps,
        sim,
        comparisons,
    }
}

/// A measuring pass: calibrated on its own `c…` runs, its table rows simulated and compared.
fn measure_day(day: Day) -> Suite {
    let real = RealRuns::load(&day.real_dir());
    let calibration = Calibration::measure(&configs::load(), &real);
    let rows = table_configs()
        .par_iter()
        .map(|cfg| {
            let text = scenario_toml(cfg, &calibration, duration_s(&real, cfg), warmup_s(&real, cfg));
            let committed = committed_scenario(&day, cfg, &text);
            assert_eq!(
                committed,
                text,
                "{} is not the translation of its configuration and the calibrated constants \
                 (FIDELITY_WRITE=1 rewrites it)",
                scenario_path(&day, cfg).display()
            );
            evaluate(&day, cfg, &real, &committed)
        })
        .collect();
    Suite { day, calibration, rows }
}

/// The referee pass (2026-12-03).
fn suite() -> &'static Suite {
    static SUITE: OnceLock<Suite> = OnceLock::new();
    SUITE.get_or_init(|| measure_day(Day::referee()))
}

/// The replication pass (2026-12-05).
fn replication() -> &'static Suite {
    static SUITE: OnceLock<Suite> = OnceLock::new();
    SUITE.get_or_init(|| measure_day(Day::replication()))
}

/// The third pass (2026-12-06).
fn third_pass() -> &'static Suite {
    static SUITE: OnceLock<Suite> = OnceLock::new();
    SUITE.get_or_init(|| measure_day(Day::third_pass()))
}

/// The fourth pass (2026-12-07).
fn fourth_pass() -> &'static Suite {
    static SUITE: OnceLock<Suite> = OnceLock::new();
    SUITE.get_or_init(|| measure_day(Day::fourth_pass()))
}

/// Which issue owns a gap: the network model (channels, chaining, sources) or the cost model
/// (CPU, snapshot costs including the channel-state write, statistics definitions, recovery
/// timing). A snapshot phase is a cost on every row, and so is an unaligned checkpoint's end
/// to end, which its channel-state write (the async phase) decides: f07's came 0.002 ms past
/// its tolerance once Flink's floored phases were read as such, with its async phase 5 against
/// 7.5 ms. Otherwise issue 11's criteria (every back-pressured row within tolerance on end to
/// end and start delay, the orderings, alignment where Flink shows it) are met; what the
/// network model still misses beyond them is pinned as residual.
fn owner(row: &str, what: &str) -> &'static str {
    let cost_ordering = what.contains("incremental") || what.contains("rocksdb");
    let snapshot_phase = what.starts_with("sync") || what.starts_with("async");
    let unaligned_e2e = row.contains("_unaligned_") && what == "e2e_ms";
    if snapshot_phase || unaligned_e2e || !(row.contains("_bp_") || (row == "ordering" && !cost_ordering)) {
        "costs (issue 12)"
    } else {
        "network (residual beyond issue 11's criteria)"
    }
}

fn print_rows(suite: &Suite) {
    let mut s = String::new();
    let _ = writeln!(s, "\n## the pass of {}", suite.day.name);
    let _ = writeln!(
        s,
        "\ncalibrated constants (one value for every row; from dedicated runs outside the table):"
    );
    for c in suite.calibration.constants() {
        let _ = writeln!(s, "  {:<52} {:>10.3} {:<5} from {}", c.name, c.value, c.unit, c.source);
    }
    let _ = writeln!(
        s,
        "\n| configuration | real p50 e2e (ms) | sim | ratio | real p50 start delay (ms) | sim | ratio | checkpoints real r1/r2, sim per seed | green |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|");
    for r in &suite.rows {
        let get = |f: Figure| r.comparisons.iter().find(|c| c.figure == f);
        let e = get(Figure::EndToEndMs);
        let d = get(Figure::MapStartDelayMs);
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {:.0}/{:.0}, {:.0} | {} |",
            r.cfg.name,
            e.map_or("-".into(), |c| fmt_figure(c.real, false)),
            e.map_or("-".into(), |c| fmt_figure(c.sim, false)),
            r.ratio(Figure::EndToEndMs),
            d.map_or("-".into(), |c| fmt_figure(c.real, false)),
            d.map_or("-".into(), |c| fmt_figure(c.sim, false)),
            r.ratio(Figure::MapStartDelayMs),
            r.real_completed[0],
            r.real_completed[1],
            r.sim_completed,
            if r.green() { "yes" } else { "no" }
        );
    }
    let _ = writeln!(
        s,
        "\nall figures (real = mean of r1 and r2, spread = |r1 - r2|; seeds = |sim - sim on the next seeds|):"
    );
    for r in &suite.rows {
        for c in &r.comparisons {
            let b = c.figure.is_bytes();
            let _ = writeln!(
                s,
                "  {:<32} {:<42} real {:>10} (spread {:>9}) sim {:>10} (seeds {:>9}) ratio {:>6} tol {:>9} {}",
                c.row,
                c.figure.key(),
                fmt_figure(c.real, b),
                fmt_figure(c.spread, b),
                fmt_figure(c.sim, b),
                fmt_figure(c.sim_spread, b),
                c.ratio_text(),
                fmt_figure(c.tolerance, b),
                if c.within() { "ok" } else { "OUT" }
            );
        }
    }
    println!("{s}");
}

fn figure_gaps(suite: &Suite) -> Vec<Gap> {
    suite
        .rows
        .iter()
        .flat_map(|r| r.comparisons.iter())
        .filter(|c| !c.within())
        .map(|c| Gap::of(c, owner(&c.row, c.figure.short())))
        .collect()
}

#[test]
fn every_configuration_is_within_tolerance_or_a_pinned_gap() {
    check_figures(suite());
}

#[test]
fn every_configuration_of_the_replication_is_within_tolerance_or_a_pinned_gap() {
    check_figures(replication());
}

#[test]
fn every_configuration_of_the_third_pass_is_within_tolerance_or_a_pinned_gap() {
    check_figures(third_pass());
}

#[test]
fn every_configuration_of_the_fourth_pass_is_within_tolerance_or_a_pinned_gap() {
    check_figures(fourth_pass());
}

fn check_figures(suite: &Suite) {
    print_rows(suite);
    let found = figure_gaps(suite);
    let path = suite.day.gaps_path();
    let pinned = gaps::load(&path);
    if std::env::var_os("FIDELITY_PIN").is_some() {
        let orderings = evaluate_orderings(suite).found;
        println!(
            "{} rewritten: {} figure gaps, {} orderings",
            path.display(),
            found.len(),
            orderings.len()
        );
        let mut all: Vec<Gap> = found;
        all.extend(orderings);
        gaps::write(&path, &all);
        return;
    }
    let spread = |g: &Gap| {
        suite
            .rows
            .iter()
            .flat_map(|r| r.comparisons.iter())
            .find(|c| c.row == g.row && c.figure.short() == g.what)
            .map_or(0.0, |c| c.spread + c.sim_spread)
    };
    println!("\nknown gaps:");
    let failures = gaps::check_against_pins(&found, &spread, &pinned);
    gaps::report_closed(&suite.day.gaps_path(), "FIDELITY_PIN", &pinned, &found, false);
    let green: Vec<&str> = suite
        .rows
        .iter()
        .filter(|r| r.green())
        .map(|r| r.cfg.name.as_str())
        .collect();
    println!(
        "\ngreen rows ({} of {}): {}",
        green.len(),
        suite.rows.len(),
        green.join(", ")
    );
    assert!(
        failures.is_empty(),
        "fidelity regressions ({}):\n{}",
        suite.day.name,
        failures.join("\n")
    );
}

/// `low` is below `high` by at least `factor` (low x factor < high) in figure `figure`.
struct Ordering {
    name: &'static str,
    figure: Figure,
    low: &'static str,
    high: &'static str,
    factor: f64,
}

/// The orderings real Flink shows, each with a difference beyond twice the run-to-run spread.
const ORDERINGS: &[Ordering] = &[
    Ordering {
        name: "remote_slower_than_local_aligned_bp",
        figure: Figure::EndToEndMs,
        low: "f04_bp_aligned_local",
        high: "f05_bp_aligned_remote",
        factor: 1.0,
    },
    Ordering {
        name: "unaligned_far_faster_than_aligned_local",
        figure: Figure::EndToEndMs,
        low: "f06_bp_unaligned_local",
        high: "f04_bp_aligned_local",
        factor: 3.0,
    },
    Ordering {
        name: "unaligned_far_faster_than_aligned_remote",
        figure: Figure::EndToEndMs,
        low: "f07_bp_unaligned_remote",
        high: "f05_bp_aligned_remote",
        factor: 3.0,
    },
    Ordering {
        // The end-to-end difference is within twice the unaligned row's spread; the start
        // delay (the aligned phase the timeout waits out) is not.
        name: "timeout_starts_later_than_unaligned_remote",
        figure: Figure::MapStartDelayMs,
        low: "f07_bp_unaligned_remote",
        high: "f08_bp_timeout_remote",
        factor: 1.0,
    },
    Ordering {
        name: "timeout_faster_than_aligned_remote",
        figure: Figure::EndToEndMs,
        low: "f08_bp_timeout_remote",
        high: "f05_bp_aligned_remote",
        factor: 1.0,
    },
    Ordering {
        name: "map_persisted_local_far_below_remote",
        figure: Figure::MapPersistedB,
        low: "f06_bp_unaligned_local",
        high: "f07_bp_unaligned_remote",
        factor: 3.0,
    },
    Ordering {
        name: "debloating_shortens_aligned_remote",
        figure: Figure::EndToEndMs,
        low: "f09_bp_debloat_remote",
        high: "f05_bp_aligned_remote",
        factor: 1.0,
    },
    Ordering {
        name: "rocksdb_sync_longer_than_heap",
        figure: Figure::MapSyncMs,
        low: "f11_heap_state",
        high: "f12_rocks_full",
        factor: 1.0,
    },
    Ordering {
        name: "incremental_async_shorter_than_full",
        figure: Figure::MapAsyncMs,
        low: "f13_rocks_incremental",
        high: "f12_rocks_full",
        factor: 1.0,
    },
    Ordering {
        name: "incremental_uploads_smaller_than_full",
        figure: Figure::CheckpointedSizeB,
        low: "f13_rocks_incremental",
        high: "f12_rocks_full",
        factor: 1.0,
    },
];

/// How far `low x factor < high` is from holding: low x factor / high (below 1: it holds).
fn shortfall(low: f64, high: f64, factor: f64) -> f64 {
    if high <= 0.0 {
        f64::INFINITY
    } else {
        low * factor / high
    }
}

struct OrderingResults {
    /// Orderings ckptsim misses.
    found: Vec<Gap>,
    /// Orderings the real runs themselves do not show.
    failures: Vec<String>,
    /// Per ordering, the difference of its shortfall between the two real repetitions.
    slack: std::collections::BTreeMap<&'static str, f64>,
}

fn evaluate_orderings(suite: &Suite) -> OrderingResults {
    let row = |name: &str| {
        suite
            .rows
            .iter()
            .find(|r| r.cfg.name == name)
            .unwrap_or_else(|| panic!("no row {name}"))
    };
    let mut res = OrderingResults {
        found: Vec::new(),
        failures: Vec::new(),
        slack: Default::default(),
    };
    for o in ORDERINGS {
        let (lo, hi) = (row(o.low), row(o.high));
        let rep = |r: &Row, i: usize| r.real[i].get(&o.figure).copied().unwrap_or(f64::NAN);
        let real_each = [0, 1].map(|i| shortfall(rep(lo, i), rep(hi, i), o.factor));
        let (real_lo, real_hi) = ((rep(lo, 0) + rep(lo, 1)) / 2.0, (rep(hi, 0) + rep(hi, 1)) / 2.0);
        let real = shortfall(real_lo, real_hi, o.factor);
        let sim_v = |r: &Row| r.sim.get(&o.figure).copied().unwrap_or(f64::NAN);
        let sim = shortfall(sim_v(lo), sim_v(hi), o.factor);
        let b = o.figure.is_bytes();
        println!(
            "ordering {:<44} {}: real {} x{} < {} (shortfall {:.3}; r1 {:.3}, r2 {:.3}); sim {} vs {} ({:.3}) {}",
            o.name,
            o.figure.key(),
            fmt_figure(real_lo, b),
            o.factor,
            fmt_figure(real_hi, b),
            real,
            real_each[0],
            real_each[1],
            fmt_figure(sim_v(lo), b),
            fmt_figure(sim_v(hi), b),
            sim,
            if sim < 1.0 { "holds" } else { "DOES NOT HOLD" }
        );
        // The measurement itself must show the ordering in both repetitions, by more than twice
        // the run-to-run spread of either side, or it is no fact to hold ckptsim to.
        let spread = (rep(lo, 0) - rep(lo, 1)).abs().max((rep(hi, 0) - rep(hi, 1)).abs());
        if !(real_each[0] < 1.0 && real_each[1] < 1.0 && real_hi - real_lo * o.factor > 2.0 * spread) {
            res.failures.push(format!(
                "{}: the real runs do not show it beyond twice their spread (shortfalls {real_each:?}, spread {spread})",
                o.name
            ));
        }
        res.slack.insert(o.name, (real_each[0] - real_each[1]).abs());
        // NaN (a figure ckptsim did not produce) counts as missing the ordering.
        if sim.is_nan() || sim >= 1.0 {
            res.found.push(Gap {
                row: "ordering".into(),
                what: o.name.into(),
                real,
                sim,
                error: if sim.is_nan() { f64::INFINITY } else { sim - real },
                owner: owner("ordering", o.name).into(),
            });
        }
    }
    res
}

#[test]
fn orderings_real_flink_shows_hold_or_are_pinned() {
    check_orderings(suite());
}

#[test]
fn orderings_of_the_replication_hold_or_are_pinned() {
    check_orderings(replication());
}

#[test]
fn orderings_of_the_third_pass_hold_or_are_pinned() {
    check_orderings(third_pass());
}

#[test]
fn orderings_of_the_fourth_pass_hold_or_are_pinned() {
    check_orderings(fourth_pass());
}

fn check_orderings(suite: &Suite) {
    if std::env::var_os("FIDELITY_PIN").is_some() {
        return; // check_figures re-pins both kinds
    }
    println!("\n## orderings, the pass of {}", suite.day.name);
    let OrderingResults {
        found,
        mut failures,
        slack,
    } = evaluate_orderings(suite);
    let pinned = gaps::load(&suite.day.gaps_path());
    let slack_of = |g: &Gap| slack.get(g.what.as_str()).copied().unwrap_or(0.0);
    failures.extend(gaps::check_against_pins(&found, &slack_of, &pinned));
    gaps::report_closed(&suite.day.gaps_path(), "FIDELITY_PIN", &pinned, &found, true);
    assert!(
        failures.is_empty(),
        "orderings ({}):\n{}",
        suite.day.name,
        failures.join("\n")
    );
}

/// Negative control: the suite must catch a wrong parameter. The green row with the tightest
/// end-to-end tolerance is run again with each trigger call 20 ms slower; its end-to-end
/// duration must then fall out of tolerance. (A back-pressured row's second-long checkpoints have
/// a tolerance far above what 20 ms of RPC moves them.)
#[test]
fn a_wrong_rpc_latency_turns_a_green_row_red() {
    let suite = suite();
    let real = RealRuns::load(&suite.day.real_dir());
    let e2e_tolerance = |r: &&_| -> f64 {
        let r: &Row = r;
        r.comparisons
            .iter()
            .find(|c| c.figure == Figure::EndToEndMs)
            .map_or(f64::INFINITY, |c| c.tolerance)
    };
    let green = suite
        .rows
        .iter()
        .filter(|r| r.green())
        .min_by(|a, b| e2e_tolerance(a).total_cmp(&e2e_tolerance(b)))
        .expect("no green row: the suite has nothing a regression could break");
    let text = std::fs::read_to_string(scenario_path(&suite.day, &green.cfg)).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("trigger_rpc_latency"))
        .expect("trigger_rpc_latency line");
    let rpc_ms = suite.calibration.trigger_call_percentiles_ms[3].1 + 20.0;
    let wrong = text.replace(
        line,
        &format!("trigger_rpc_latency = \"{rpc_ms:.3}ms\"  # deliberately wrong"),
    );
    let row = evaluate(&suite.day, &green.cfg, &real, &wrong);
    let e2e = row.comparisons.iter().find(|c| c.figure == Figure::EndToEndMs).unwrap();
    println!(
        "{} with a 20 ms slower RPC: p50 end-to-end real {:.1} ms, sim {:.1} ms (tolerance {:.1} ms)",
        green.cfg.name, e2e.real, e2e.sim, e2e.tolerance
    );
    assert!(!row.green(), "{} stayed green with a wrong RPC latency", green.cfg.name);
    assert!(!e2e.within());
}

/// `network.input_handoff_latency` defaults to what the calibration runs measure: the default
/// in the schema is these points, so a new measurement that moves them fails here until the
/// default follows.
#[test]
fn the_default_input_handoff_is_the_calibrated_one() {
    let suite = suite();
    let measured = &suite.calibration.handoff_percentiles_ms;
    let default = ckptsim::scenario::schema::DEFAULT_INPUT_HANDOFF_PERCENTILES_MS;
    assert_eq!(measured.len(), default.len());
    for ((q, ms), (dq, dms)) in measured.iter().zip(default.iter()) {
        assert!(
            (q - dq).abs() < 1e-9 && (ms - dms).abs() < 1e-3,
            "calibrated hand-off {measured:?} != the schema's default {default:?}"
        );
    }
}

/// The MANIFEST's growth in the RocksDB model is c09's, rounded (to 10 B at open, to 1 B per
/// file): a new measurement that moves it fails here until the model's constants follow.
#[test]
fn the_manifest_growth_is_the_calibrated_one() {
    use ckptsim::model::backend::manifest::{MANIFEST_BASE_BYTES, MANIFEST_BYTES_PER_FILE_WRITTEN};
    let cal = &suite().calibration;
    assert!(
        (cal.manifest_base_bytes - MANIFEST_BASE_BYTES as f64).abs() <= 5.0
            && (cal.manifest_bytes_per_file - MANIFEST_BYTES_PER_FILE_WRITTEN as f64).abs() <= 0.5,
        "calibrated MANIFEST {:.1} B + {:.1} B per file != the model's {MANIFEST_BASE_BYTES} + {MANIFEST_BYTES_PER_FILE_WRITTEN}",
        cal.manifest_base_bytes,
        cal.manifest_bytes_per_file
    );
}

/// A pass's fsync samples read back as the lognormal they came from: p10 and p90 lie 1.2816
/// sigma either side of the median, and the median of the samples' medians is taken.
#[test]
fn the_pass_fsync_reads_a_lognormal_back() {
    use fidelity_support::calibrate::PassFsync;
    let sample = |median: f64, sigma: f64| {
        let k = (1.2816f64 * sigma).exp();
        (median / k, median, median * k)
    };
    let f = PassFsync::of(&[sample(0.6, 0.5), sample(0.8, 0.5), sample(2.0, 0.5)]).expect("samples");
    assert!((f.median_ms - 0.8).abs() < 1e-12, "{f:?}");
    assert!((f.sigma - 0.5).abs() < 1e-9, "{f:?}");
    assert_eq!(f.samples, 3);
    assert!(PassFsync::of(&[]).is_none());
}

/// RocksDB's block policy as the entry-size calibration counts it (`rocksdb_entry`).
#[test]
fn rocksdb_blocks_close_as_rocksdb_closes_them() {
    use fidelity_support::rocksdb_entry::entries_per_block;
    // 4 of 1019 B: 4084 B is past the limit and a fifth would pass 4096.
    assert_eq!(entries_per_block(1019.0), 4);
    // 9 of 419 B: 3779 B.
    assert_eq!(entries_per_block(419.0), 9);
    // Small entries fill the block to just under 4096 B.
    assert_eq!(entries_per_block(267.0), 15);
    assert_eq!(entries_per_block(2019.0), 2);
    // 24 of 168.8 B (150 B values, `e3`), 18 of 218.6 B (h05's 200 B).
    assert_eq!(entries_per_block(168.8), 24);
    assert_eq!(entries_per_block(218.6), 18);
}

/// The block model predicts the entry-size probe's check runs, which set nothing: `e2` (2000 B
/// values, 2 entries a block) within 2 B and `e3` (150 B, 24 entries, so past the 16 of one
/// restart point) within 0.3 B, by the rules registered in
/// `tests/fidelity/probes/rocksdb_entry_size/README.md` before each run. Each day's parts come
/// from its own c03 and `e1`; `e3`'s blocks carry a second restart point's 11 B (0.46 B an
/// entry), which the rule registered for it kept.
#[test]
fn rocksdb_entry_sizes_predict_the_check_runs() {
    use fidelity_support::rocksdb_entry::{self as entry, PROBE_DIR};
    let probe = fidelity_support::suite_dir().join(PROBE_DIR);
    let probe_configs = configs::load_from(&probe.join("configs.tsv"));
    let probe_real = RealRuns::load(&probe.join("real"));
    for suite in [suite(), replication(), third_pass(), fourth_pass()] {
        let cal = &suite.calibration;
        for (name, tolerance_b) in [("e2_rocks_value2000", 2.0), ("e3_rocks_value150", 0.3)] {
            let cfg = probe_configs
                .iter()
                .find(|c| c.name == name)
                .unwrap_or_else(|| panic!("{name} is not in {PROBE_DIR}/configs.tsv"));
            let value = cfg.options.state_bytes as f64;
            let measured = entry::bytes_per_entry(cal, cfg, &probe_real, &format!("{name}.r1"));
            let predicted = cal.rocksdb_entry.bytes_on_disk(value);
            println!(
                "{}: {name} measured {measured:.2} B per entry, the block model {predicted:.2}",
                suite.day.name
            );
            assert!(
                (measured - predicted).abs() <= tolerance_b,
                "{}: {name} measured {measured:.2} B per entry against the block model's \
                 {predicted:.2} (tolerance {tolerance_b} B)",
                suite.day.name
            );
            if name.starts_with("e3") {
                // The negative control: blocks with one restart point whatever they hold.
                let one_restart = entry::RocksdbEntry {
                    per_restart_point_bytes: 0.0,
                    ..cal.rocksdb_entry
                }
                .bytes_on_disk(value);
                assert!(
                    (measured - one_restart).abs() > tolerance_b,
                    "{}: {name} cannot tell one restart point a block ({one_restart:.2} B) \
                     from two ({predicted:.2}): measured {measured:.2}",
                    suite.day.name
                );
            }
        }
    }
}

/// Two value sizes give back a per-entry and a per-block part that made them.
#[test]
fn rocksdb_entry_parts_come_back_from_two_sizes() {
    use fidelity_support::rocksdb_entry::RocksdbEntry;
    // `solve` sets the restart points' bytes (the key format's, not solved for); any two
    // sizes give them.
    let truth = RocksdbEntry {
        per_entry_bytes: 16.0,
        per_block_bytes: 30.0,
        ..RocksdbEntry::solve((1000.0, 1020.0), (250.0, 270.0))
    };
    assert_eq!(truth.per_restart_point_bytes, 11.0);
    let at = |v: f64| (v, truth.bytes_on_disk(v));
    // The second pair's 150 B values fill blocks of 24 with two restart points.
    for (one, two) in [(1000.0, 250.0), (1000.0, 150.0)] {
        let solved = RocksdbEntry::solve(at(one), at(two));
        assert!((solved.per_entry_bytes - 16.0).abs() < 1e-6, "{one}, {two}: {solved:?}");
        assert!((solved.per_block_bytes - 30.0).abs() < 1e-6, "{one}, {two}: {solved:?}");
    }
}
