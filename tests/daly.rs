//! Blocking checkpoints against Daly (2006), validation-theory.md §2: sources stop for a fixed
//! checkpoint cost delta every tau of computation, failures strike at any time (Poisson, mean
//! M), including during checkpoints and restarts, a restart takes R, and the job rolls back to
//! its last completed checkpoint. Daly's expected wall time to finish T_s of work is
//! T_w(tau) = M e^{R/M} (e^{(tau+delta)/M} - 1) T_s / tau, minimal at
//! tau* = M [1 + W0(-e^{-(1 + delta/M)})].
//!
//! Daly's published cases: T_s = 500 h, R = 10 min, delta = 5 min; M = 24 h, 6 h and 15 min.

mod common;
mod theory;

use ckptsim::model::world::World;
use rayon::prelude::*;
use theory::{daly_optimal_interval, daly_wall_time};

const HOUR: f64 = 3600.0;
const TS: f64 = 500.0 * HOUR;
const DELTA: f64 = 300.0;
const R: f64 = 600.0;
/// Work per record, as a share of Daly's optimum tau*: Daly's work is continuous, ours comes in
/// records. A trigger waits for the record in progress (a mailbox action runs between records),
/// so the cut includes it and no partial record is lost; the granularity only rounds the last
/// segment.
const RECORDS_PER_TAU_STAR: f64 = 100.0;

fn scenario(tau_s: f64, mtbf_s: f64) -> String {
    let record_s = daly_optimal_interval(DELTA, mtbf_s).unwrap() / RECORDS_PER_TAU_STAR;
    let records = (TS / record_s) as u64;
    format!(
        r#"
[simulation]
duration = "{horizon}s"
[checkpoint]
# The first checkpoint after every (re)start after tau of work, then every tau + delta:
# Daly's segments of tau work followed by delta of checkpoint.
interval = "{period}s"
first_trigger_delay = "{tau}s"
timeout = "100h"
[cluster]
taskmanagers = 1
slots_per_taskmanager = 1
rpc_latency = "0s"
[network]
buffer_timeout = "0s"
local_latency = "0s"
[storage]
request_latency = "0s"
metadata_latency = "0s"
[restart]
strategy = "fixed-delay"
attempts = 2000000000
delay = "{r}s"
[recovery]
deployment_time = "0s"
[[faults.task_crash]]
mtbf = "{mtbf}s"
per = "job"
operator = "source"
[[operators]]
name = "source"
kind = "source"
parallelism = 1
rate = {{ process = "constant", records_per_second = 1000000 }}
max_records = {records}
service_time = "{record}s"
sync_time = "{delta}s"
[[operators]]
name = "sink"
kind = "sink"
parallelism = 1
inputs = [{{ from = "source", partitioning = "forward" }}]
service_time = "0s"
sync_time = "0s"
"#,
        horizon = 20.0 * TS,
        period = tau_s + DELTA,
        tau = tau_s,
        r = R,
        mtbf = mtbf_s,
        record = record_s,
        delta = DELTA,
    )
}

/// Wall time to finish the work, per seed, and the failures seen.
fn wall_times(tau_s: f64, mtbf_s: f64, seeds: std::ops::Range<u64>) -> Vec<(f64, usize)> {
    let s = common::scenario(&scenario(tau_s, mtbf_s));
    seeds
        .into_par_iter()
        .map(|seed| {
            let mut w = World::new(&ckptsim::compile::world_config(&s), seed, "daly");
            w.stop_when_input_processed();
            w.run_to_end();
            let done = w
                .input_processed_at()
                .expect("the job finishes within the horizon")
                .as_secs_f64();
            let failures = w.finish().failures.len();
            (done, failures)
        })
        .collect()
}

fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

#[test]
fn blocking_checkpoints_reproduce_dalys_expected_wall_time() {
    // M = 6 h at Daly's optimum: 40 runs, about 4000 failures.
    let m = 6.0 * HOUR;
    let tau = daly_optimal_interval(DELTA, m).unwrap();
    let runs = wall_times(tau, m, 0..40);
    let (mean, se) = mean_se(&runs.iter().map(|r| r.0).collect::<Vec<_>>());
    let theory = daly_wall_time(tau, DELTA, R, m, TS).unwrap();
    let failures: usize = runs.iter().map(|r| r.1).sum();
    println!(
        "M = 6 h, tau* = {:.2} min: T_w = {:.1} +- {:.1} h, Daly {:.1} h ({failures} failures)",
        tau / 60.0,
        mean / HOUR,
        se / HOUR,
        theory / HOUR
    );
    assert!(
        (mean - theory).abs() < 2.0 * se,
        "T_w = {:.2} h +- {:.2} (1 se), Daly {:.2} h",
        mean / HOUR,
        se / HOUR,
        theory / HOUR
    );
}

/// Least-squares fit of W(tau) = a / tau + b tau + c; the fitted optimum is sqrt(a / b).
fn fitted_optimum(points: &[(f64, f64)]) -> f64 {
    // Normal equations for the basis (1/tau, tau, 1).
    let mut ata = [[0.0f64; 3]; 3];
    let mut atb = [0.0f64; 3];
    for (tau, w) in points {
        let row = [1.0 / tau, *tau, 1.0];
        for i in 0..3 {
            for j in 0..3 {
                ata[i][j] += row[i] * row[j];
            }
            atb[i] += row[i] * w;
        }
    }
    // Gaussian elimination with partial pivoting.
    let mut m = ata;
    let mut v = atb;
    for col in 0..3 {
        let p = (col..3)
            .max_by(|a, b| m[*a][col].abs().total_cmp(&m[*b][col].abs()))
            .unwrap();
        m.swap(col, p);
        v.swap(col, p);
        for r in col + 1..3 {
            let f = m[r][col] / m[col][col];
            let pivot_row = m[col];
            for (x, p) in m[r].iter_mut().zip(pivot_row).skip(col) {
                *x -= f * p;
            }
            v[r] -= f * v[col];
        }
    }
    let mut x = [0.0; 3];
    for r in (0..3).rev() {
        x[r] = (v[r] - (r + 1..3).map(|c| m[r][c] * x[c]).sum::<f64>()) / m[r][r];
    }
    (x[0] / x[1]).sqrt()
}

/// Fits Daly's own form T_w(tau) = C (e^{(tau + delta) / m} - 1) / tau, with the scale C and
/// the MTBF m free, by relative least squares (C in closed form, m by a log-grid search refined
/// by golden sections); the fitted optimum is Daly's tau* for the fitted m. Unlike the
/// three-term fit, this family contains the exact curve, so it has no bias at high waste.
fn fitted_optimum_daly_form(points: &[(f64, f64)]) -> f64 {
    let cost = |m: f64| {
        let r: Vec<f64> = points
            .iter()
            .map(|(tau, tw)| ((tau + DELTA) / m).exp_m1() / tau / tw)
            .collect();
        let c = r.iter().sum::<f64>() / r.iter().map(|x| x * x).sum::<f64>();
        r.iter().map(|x| (c * x - 1.0).powi(2)).sum::<f64>()
    };
    // Coarse: m from 1 min to 1000 h, 400 log steps; then golden sections around the best.
    let (lo, hi) = (60f64.ln(), (1000.0 * HOUR).ln());
    let step = (hi - lo) / 400.0;
    let best = (0..=400)
        .map(|i| lo + i as f64 * step)
        .min_by(|a, b| cost(a.exp()).total_cmp(&cost(b.exp())))
        .unwrap();
    let (mut a, mut b) = (best - step, best + step);
    let g = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..60 {
        let (x1, x2) = (b - g * (b - a), a + g * (b - a));
        if cost(x1.exp()) < cost(x2.exp()) {
            b = x2;
        } else {
            a = x1;
        }
    }
    daly_optimal_interval(DELTA, ((a + b) / 2.0).exp()).unwrap()
}

/// Sweeps tau over {0.4 .. 2.5} tau*, as validation-theory.md §2 describes, with enough runs for
/// thousands of failures per point: the fitted optimum's 1-sigma error is then about 1 % (the
/// document measured 2.3 % at 1000 failures and 0.8 % at 5000), so 5 % is a 4-sigma bound.
fn fitted_ratio(m: f64, runs_per_point: u64) -> (f64, f64, usize) {
    let tau_star = daly_optimal_interval(DELTA, m).unwrap();
    let mut points = Vec::new();
    let mut failures = 0;
    for k in [0.4, 0.6, 0.8, 1.0, 1.25, 1.6, 2.5] {
        let tau = k * tau_star;
        let runs = wall_times(tau, m, 100..100 + runs_per_point);
        failures += runs.iter().map(|r| r.1).sum::<usize>();
        let (tw, _) = mean_se(&runs.iter().map(|r| r.0).collect::<Vec<_>>());
        let theory = daly_wall_time(tau, DELTA, R, m, TS).unwrap();
        println!(
            "  tau = {k} tau*: T_w = {:.1} h, Daly {:.1} h",
            tw / HOUR,
            theory / HOUR
        );
        points.push((tau, tw));
    }
    let waste: Vec<(f64, f64)> = points.iter().map(|(tau, tw)| (*tau, 1.0 - TS / tw)).collect();
    (
        fitted_optimum(&waste) / tau_star,
        fitted_optimum_daly_form(&points) / tau_star,
        failures,
    )
}

/// Daly's three published cases. The three-term fit a / tau + b tau + c, the usual quick
/// estimate, is asserted where it is unbiased (M = 24 h and 6 h): fitted to Daly's exact T_w at
/// these seven points it gives 0.990 tau* (24 h), 0.982 tau* (6 h) but 0.940 tau* (15 min, waste
/// 80 %, where the curve is far from that form). The fit of Daly's own form is asserted for all
/// three. Runs per point give thousands of failures per point.
#[test]
fn the_fitted_optimum_interval_matches_dalys_for_his_published_cases() {
    for (label, m, runs, expected_min, three_term) in [
        ("24 h", 24.0 * HOUR, 160u64, 116.69, true),
        ("6 h", 6.0 * HOUR, 40, 56.71, true),
        ("15 min", 0.25 * HOUR, 3, 9.17, false),
    ] {
        let tau_star = daly_optimal_interval(DELTA, m).unwrap();
        assert!(
            (tau_star / 60.0 - expected_min).abs() < 0.01,
            "Daly's tau* for M = {label}: {:.3} min",
            tau_star / 60.0
        );
        let (ratio, ratio_daly_form, failures) = fitted_ratio(m, runs);
        println!(
            "M = {label}: fitted tau / tau* = {ratio:.4} (three-term), {ratio_daly_form:.4} (Daly's form); {failures} failures over 7 points"
        );
        assert!(
            (ratio_daly_form - 1.0).abs() < 0.05,
            "M = {label}: Daly-form fitted optimum {:.2} min vs Daly's {:.2} min",
            ratio_daly_form * tau_star / 60.0,
            tau_star / 60.0
        );
        if three_term {
            assert!(
                (ratio - 1.0).abs() < 0.05,
                "M = {label}: fitted optimum {:.2} min vs Daly's {:.2} min",
                ratio * tau_star / 60.0,
                tau_star / 60.0
            );
        }
    }
}
