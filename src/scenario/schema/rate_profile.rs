//! `rate.profile`: a source's rate over time, as the file writes it, and the model's profile
//! built from it (its checks and the CSV reader are `scenario::rate_profile`'s).

use serde::Deserialize;

use crate::rate_profile::RateProfile;
use crate::sim::dist::Duration;
use crate::time::NS_PER_S;

/// How the factor moves between points, or the daily curve.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProfileShape {
    /// Each point's factor holds until the next point.
    Steps,
    /// The factor moves linearly from one point to the next (ramps).
    Linear,
    /// A sinusoid from `trough` to `peak` and back, once per `period`.
    Daily,
}

/// `rate.profile`: the factor on `records_per_second` over simulated time.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateProfileCfg {
    pub shape: ProfileShape,
    /// Steps and linear: `[time, factor]` pairs, times ascending from `"0s"`; after the last
    /// point its factor holds.
    #[serde(default)]
    pub points: Vec<(Duration, f64)>,
    /// Steps and linear: a CSV file of the points instead (header `time_s,factor`, then one
    /// point a line, time in seconds), relative to the scenario file. Read when the scenario is
    /// loaded; its points then stand in `points`.
    #[serde(default)]
    pub file: Option<String>,
    /// Daily: the lowest factor.
    #[serde(default)]
    pub trough: Option<f64>,
    /// Daily: the highest factor.
    #[serde(default)]
    pub peak: Option<f64>,
    /// Daily: when (from the start of the run) the factor is at its peak.
    #[serde(default)]
    pub peak_at: Option<Duration>,
    /// Daily: the length of one cycle (24h).
    #[serde(default)]
    pub period: Option<Duration>,
}

/// A factor beyond this is more likely a typo (a rate written where a factor belongs) than a
/// spike: 1000× the base rate.
pub const FACTOR_MAX: f64 = 1000.0;
/// Points a profile may have (a CSV of one point a second for a day is 86,400).
pub const POINTS_MAX: usize = 1_000_000;
const DEFAULT_PERIOD_NS: u64 = 24 * 3600 * NS_PER_S;

impl RateProfileCfg {
    /// Steps through `(time ns, factor)` points; the first must be at 0.
    pub fn steps(points: &[(u64, f64)]) -> RateProfileCfg {
        RateProfileCfg {
            shape: ProfileShape::Steps,
            points: points.iter().map(|(t, f)| (Duration::new(*t as f64), *f)).collect(),
            file: None,
            trough: None,
            peak: None,
            peak_at: None,
            period: None,
        }
    }

    /// The base rate, times `factor` for `length_ns` from `at_ns`, then the base rate again:
    /// the traffic spike `ckptsim advise` imposes.
    pub fn spike(at_ns: u64, length_ns: u64, factor: f64) -> RateProfileCfg {
        let end_ns = at_ns.saturating_add(length_ns);
        if at_ns == 0 {
            RateProfileCfg::steps(&[(0, factor), (end_ns, 1.0)])
        } else {
            RateProfileCfg::steps(&[(0, 1.0), (at_ns, factor), (end_ns, 1.0)])
        }
    }

    /// The profile the model runs (the scenario was validated).
    pub fn model(&self) -> RateProfile {
        match self.shape {
            ProfileShape::Steps | ProfileShape::Linear => {
                let points: Vec<(f64, f64)> = self.points.iter().map(|(t, f)| (t.value, *f)).collect();
                RateProfile::piecewise(&points, self.shape == ProfileShape::Linear)
            }
            ProfileShape::Daily => RateProfile::daily(
                self.trough.expect("validated"),
                self.peak.expect("validated"),
                self.peak_at.expect("validated").value,
                self.period.map_or(DEFAULT_PERIOD_NS as f64, |p| p.value),
            ),
        }
    }
}
