//! The real-Flink fidelity suite's machinery: the configurations measured on a real Flink 2.3
//! (`tests/fidelity/configs.tsv`), Flink's own statistics of those runs (`tests/fidelity/real/`),
//! the constants calibrated on dedicated runs, the translation of a configuration into a
//! scenario, the figures compared on both sides, and the pinned known gaps.

#![allow(dead_code)]

pub mod calibrate;
pub mod compare;
pub mod configs;
pub mod figures;
pub mod gaps;
pub mod manifest_growth;
pub mod real;
pub mod rocksdb_entry;
pub mod translate;
pub mod trigger_split;

use std::path::PathBuf;

/// `tests/fidelity/`, where the suite's data and scenarios live.
pub fn suite_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fidelity")
}

/// One measuring pass of the suite (`measure.sh`, every configuration on one day): its real
/// runs, the scenarios translated with the constants calibrated on its own `c…` runs, and its
/// pinned gaps. This host runs the same job 2-6 times faster on one day than on another, so a
/// pass is judged only against itself: calibrated on its day, compared with its day.
#[derive(Clone, Debug)]
pub struct Day {
    /// What the suite prints for it.
    pub name: &'static str,
    /// Holds `real/`, `scenarios/` and `known_gaps.csv`.
    pub root: PathBuf,
}

impl Day {
    /// The pass of 2026-12-03, the referee: `tests/fidelity/real/`. The model's calibrated
    /// defaults (the input hand-off, the recovery delays, the MANIFEST's growth) are its
    /// figures, and the tests that hold them to the calibration read it.
    pub fn referee() -> Day {
        Day {
            name: "2026-12-03 (referee)",
            root: suite_dir(),
        }
    }

    /// The pass of 2026-12-05 (`tests/fidelity/replication/2026-12-05/`), the same script and
    /// configurations on a day when this host ran them 2-6 times faster: whether calibrating
    /// on a day's own runs predicts that day's table.
    pub fn replication() -> Day {
        Day {
            name: "2026-12-05 (replication)",
            root: suite_dir().join("replication").join("2026-12-05"),
        }
    }

    /// The pass of 2026-12-06 (`tests/fidelity/replication/2026-12-06/`), the same script and
    /// configurations on a third boot of this host: which greens and which gaps hold again.
    pub fn third_pass() -> Day {
        Day {
            name: "2026-12-06 (third pass)",
            root: suite_dir().join("replication").join("2026-12-06"),
        }
    }

    /// The pass of 2026-12-07 (`tests/fidelity/replication/2026-12-07/`), registered before it
    /// ran: the same script and configurations on a fourth boot, with no model change since the
    /// third: how often each row holds from one boot to the next.
    pub fn fourth_pass() -> Day {
        Day {
            name: "2026-12-07 (fourth pass)",
            root: suite_dir().join("replication").join("2026-12-07"),
        }
    }

    pub fn real_dir(&self) -> PathBuf {
        self.root.join("real")
    }

    pub fn scenarios_dir(&self) -> PathBuf {
        self.root.join("scenarios")
    }

    pub fn gaps_path(&self) -> PathBuf {
        self.root.join("known_gaps.csv")
    }
}

/// Percentile with linear interpolation between closest ranks, as the harness's `summarize.py`
/// computes Flink's side (numpy's default), so both sides are summarised alike: the one the
/// importer's calibration report uses.
pub use ckptsim::metrics::calibration::percentile;

/// A translated scenario run with its own seed and the next ones, `figures::SIM_SEEDS` in all,
/// after skipping `skip` sets of them (`file` names it in errors).
pub fn simulate(text: &str, file: &str, skip: u64) -> Vec<ckptsim::run::RunOutput> {
    let loaded = ckptsim::scenario::parse_str(text, file).unwrap_or_else(|e| panic!("{e}"));
    let first = loaded.scenario.simulation.seed + skip * figures::SIM_SEEDS;
    (first..first + figures::SIM_SEEDS)
        .map(|seed| ckptsim::run::run(&loaded.scenario, seed))
        .collect()
}

/// A figure as the suite's tables print it: `-` for none, bytes in kB or MB, else one decimal.
pub fn fmt_figure(v: f64, bytes: bool) -> String {
    if v.is_nan() {
        "-".into()
    } else if bytes && v.abs() >= 1e6 {
        format!("{:.2} MB", v / 1e6)
    } else if bytes && v.abs() >= 1e3 {
        format!("{:.1} kB", v / 1e3)
    } else {
        format!("{v:.1}")
    }
}
