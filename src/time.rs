//! Simulated time: integer nanoseconds, shared by the engine, the model and the protocol.
//!
//! Time is never a float. Distributions produce `f64` once, at sampling, and are rounded to whole
//! nanoseconds there; everything after that point is exact integer arithmetic.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// A point in simulated time, in nanoseconds since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

/// A span of simulated time in nanoseconds.
pub type DurationNs = u64;

pub const NS_PER_US: u64 = 1_000;
pub const NS_PER_MS: u64 = 1_000_000;
pub const NS_PER_S: u64 = 1_000_000_000;

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    pub const MAX: SimTime = SimTime(u64::MAX);

    pub fn as_ns(self) -> u64 {
        self.0
    }
    pub fn as_ms_f64(self) -> f64 {
        self.0 as f64 / NS_PER_MS as f64
    }
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NS_PER_S as f64
    }
    /// Time elapsed since `earlier`, zero if `earlier` is later (never wraps).
    pub fn since(self, earlier: SimTime) -> DurationNs {
        self.0.saturating_sub(earlier.0)
    }
}

impl Add<DurationNs> for SimTime {
    type Output = SimTime;
    fn add(self, rhs: DurationNs) -> SimTime {
        SimTime(self.0.saturating_add(rhs))
    }
}

impl AddAssign<DurationNs> for SimTime {
    fn add_assign(&mut self, rhs: DurationNs) {
        self.0 = self.0.saturating_add(rhs);
    }
}

impl Sub for SimTime {
    type Output = DurationNs;
    fn sub(self, rhs: SimTime) -> DurationNs {
        self.since(rhs)
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", format_duration_ns(self.0))
    }
}

/// Human-readable rendering of a duration, for tables and messages (not for data files).
pub fn format_duration_ns(ns: u64) -> String {
    if ns >= 60 * NS_PER_S {
        format!("{:.1}min", ns as f64 / (60.0 * NS_PER_S as f64))
    } else if ns >= NS_PER_S {
        format!("{:.3}s", ns as f64 / NS_PER_S as f64)
    } else if ns >= NS_PER_MS {
        format!("{:.3}ms", ns as f64 / NS_PER_MS as f64)
    } else if ns >= NS_PER_US {
        format!("{:.3}us", ns as f64 / NS_PER_US as f64)
    } else {
        format!("{ns}ns")
    }
}

/// Converts a non-negative floating-point number of nanoseconds to whole nanoseconds.
/// Rounds to nearest; negative and NaN inputs become 0, huge ones saturate.
pub fn ns_from_f64(ns: f64) -> DurationNs {
    if ns.is_nan() || ns <= 0.0 {
        0
    } else if ns >= u64::MAX as f64 {
        u64::MAX
    } else {
        round_half_away(ns)
    }
}

/// `x.round() as u64` for `0 < x < 2^64`, bit for bit, without the `round` library call: on
/// baseline x86-64 that call is a software routine, and every sampled duration goes through
/// here. Below 2^52 the signed cast truncates exactly (and costs less than the unsigned one),
/// and `x - t` is exact (the fraction of a float is representable), so ties round up, away
/// from zero, as `round` does. From 2^52 on every float is whole.
#[inline]
fn round_half_away(x: f64) -> u64 {
    const WHOLE_FROM: f64 = (1u64 << 52) as f64;
    if x >= WHOLE_FROM {
        return x as u64;
    }
    let t = x as i64;
    (if x - t as f64 >= 0.5 { t + 1 } else { t }) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_matches_f64_round() {
        let mut xs = vec![
            0.5,
            1.5,
            2.5,
            0.49999999999999994,
            4503599627370495.5, // 2^52 - 0.5
            4503599627370497.0,
            9007199254740993.0,
            1e19,
            18446744073709549568.0, // the largest float below 2^64
        ];
        // Values on and next to the halves, across magnitudes.
        let mut x: f64 = 1e-3;
        while x < 1e19 {
            for d in [-2.0, -1.0, 0.0, 1.0, 2.0] {
                let h = (x.floor() + 0.5) + d * f64::EPSILON * x;
                xs.extend([x, h, f64::from_bits(h.to_bits() + 1), f64::from_bits(h.to_bits() - 1)]);
            }
            x *= 1.37;
        }
        for x in xs.into_iter().filter(|x| *x > 0.0 && *x < u64::MAX as f64) {
            assert_eq!(ns_from_f64(x), x.round() as u64, "{x:e}");
        }
    }
}
