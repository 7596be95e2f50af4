//! One simulated figure against the two real repetitions, with the tolerance the suite allows
//! and where that tolerance comes from.

use ckptsim::verdict::thresholds::FIDELITY_TOLERANCE;

use super::figures::{Figure, Figures};

#[derive(Clone, Debug)]
pub struct Comparison {
    pub row: String,
    pub figure: Figure,
    /// Mean of the two repetitions' figures.
    pub real: f64,
    /// |r1 - r2|: the run-to-run spread of the real figure.
    pub spread: f64,
    pub sim: f64,
    /// |sim - the same figure on the next `SIM_SEEDS` seeds|: how far the simulated figure
    /// moves when nothing but the seeds changes (a run's phases among them).
    pub sim_spread: f64,
    pub tolerance: f64,
    pub rule: &'static str,
}

impl Comparison {
    pub fn error(&self) -> f64 {
        (self.sim - self.real).abs()
    }

    pub fn within(&self) -> bool {
        self.error() <= self.tolerance
    }

    /// The ratio as the tables print it: two decimals, `-` where real is 0.
    pub fn ratio_text(&self) -> String {
        if self.ratio().is_nan() {
            "-".into()
        } else {
            format!("{:.2}", self.ratio())
        }
    }

    /// sim / real, or NaN where real is 0.
    pub fn ratio(&self) -> f64 {
        if self.real == 0.0 {
            f64::NAN
        } else {
            self.sim / self.real
        }
    }
}

/// The tolerance of a figure:
/// - headline figures (p50 end-to-end duration and start delay), throughput and recovery
///   times: ±25 % or ±2 ms, the accuracy a capacity planner asks of a sizing tool (the
///   suite's definition of green);
/// - the phases and sizes: twice the real run-to-run spread, at least 2 ms or 20 kB (the
///   resolution below which two real repetitions of one configuration already differ).
pub fn tolerance(figure: Figure, real: f64, spread: f64) -> (f64, &'static str) {
    let ms = !figure.is_bytes() && figure != Figure::MapRecordsPerS;
    if figure.is_headline() || figure == Figure::MapRecordsPerS || Figure::RECOVERY.contains(&figure) {
        let floor = if ms { 2.0 } else { 0.0 };
        ((FIDELITY_TOLERANCE * real.abs()).max(floor), "±25 % or ±2 ms")
    } else {
        let floor = if figure.is_bytes() { 20_000.0 } else { 2.0 };
        ((2.0 * spread).max(floor), "max(2 x spread, 2 ms | 20 kB)")
    }
}

/// Compares every figure both repetitions measured; `sim_other` is the simulated side on other
/// seeds, for its spread.
pub fn compare_row(
    row: &str,
    reps: &[Figures; 2],
    sim: &Figures,
    sim_other: &Figures,
    figures: &[Figure],
) -> Vec<Comparison> {
    figures
        .iter()
        .filter_map(|&figure| {
            let (a, b) = (reps[0].get(&figure)?, reps[1].get(&figure)?);
            let real = (a + b) / 2.0;
            let spread = (a - b).abs();
            let (tolerance, rule) = tolerance(figure, real, spread);
            let sim_value = sim.get(&figure).copied().unwrap_or(f64::NAN);
            let sim_spread = sim_other.get(&figure).map_or(0.0, |o| (o - sim_value).abs());
            Some(Comparison {
                row: row.to_string(),
                figure,
                real,
                spread,
                sim: sim_value,
                sim_spread: if sim_spread.is_nan() { 0.0 } else { sim_spread },
                tolerance,
                rule,
            })
        })
        .collect()
}
