//! A source's rate over time, as a factor on its `records_per_second`, and the time change that
//! realises it exactly: the arrival process runs in operational time τ, and an arrival at τ
//! happens on the clock at t = Λ⁻¹(τ), where Λ(t) = ∫₀ᵗ factor(s) ds is the cumulative
//! intensity. A Poisson process at rate r mapped so is a Poisson process of intensity
//! r·factor(t) (the time-change theorem); a constant process stays evenly spaced in Λ, so it
//! follows the factor deterministically. No random draw depends on the profile, so a source
//! without one draws exactly what it drew before profiles existed.
//!
//! Λ is kept in nanoseconds of operational time. Piecewise factors (steps, linear ramps) give a
//! piecewise linear or quadratic Λ, inverted in closed form; the daily sinusoid's Λ is inverted
//! by safeguarded Newton iteration to well below a nanosecond.
//!
//! It stands below both `model` and `scenario`: the model's sources draw their arrivals through
//! it, and the scenario's run budget reads its mean factor over the run, without either naming
//! the other. It knows neither the scenario file's schema nor the simulated world.

/// Arrivals that never come (a factor that drops to 0 for good) stand this far out: far past
/// any run, and far enough from `u64::MAX` that adding service times cannot overflow.
pub const NEVER_NS: f64 = 4.0e18;

/// The factor over time.
#[derive(Clone, Debug, PartialEq)]
pub enum RateProfile {
    /// Points joined by steps (the factor holds until the next point) or linearly (ramps);
    /// after the last point its factor holds for good.
    Piecewise(Piecewise),
    /// `mean + amplitude·cos(2π(t − peak_at)/period)`: trough at half a period from the peak.
    Daily(Daily),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Piecewise {
    /// Point times (ns), strictly ascending, the first 0.
    times_ns: Vec<f64>,
    factors: Vec<f64>,
    linear: bool,
    /// Λ at each point.
    cumulative_ns: Vec<f64>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Daily {
    mean: f64,
    amplitude: f64,
    peak_at_ns: f64,
    period_ns: f64,
}

impl RateProfile {
    /// Points `(time ns, factor)`, times strictly ascending from 0, factors finite and >= 0
    /// (validated by the scenario); `linear` joins them by ramps instead of steps.
    pub fn piecewise(points: &[(f64, f64)], linear: bool) -> RateProfile {
        assert!(
            !points.is_empty() && points[0].0 == 0.0,
            "validated: the first point is at 0"
        );
        let times_ns: Vec<f64> = points.iter().map(|p| p.0).collect();
        let factors: Vec<f64> = points.iter().map(|p| p.1).collect();
        let mut cumulative_ns = Vec::with_capacity(points.len());
        let mut acc = 0.0;
        cumulative_ns.push(0.0);
        for i in 1..points.len() {
            let h = times_ns[i] - times_ns[i - 1];
            acc += if linear {
                (factors[i - 1] + factors[i]) / 2.0 * h
            } else {
                factors[i - 1] * h
            };
            cumulative_ns.push(acc);
        }
        RateProfile::Piecewise(Piecewise {
            times_ns,
            factors,
            linear,
            cumulative_ns,
        })
    }

    /// A sinusoid between `trough` and `peak` (0 <= trough <= peak, peak > 0), peaking at
    /// `peak_at_ns` and every `period_ns` after and before.
    pub fn daily(trough: f64, peak: f64, peak_at_ns: f64, period_ns: f64) -> RateProfile {
        RateProfile::Daily(Daily {
            mean: (peak + trough) / 2.0,
            amplitude: (peak - trough) / 2.0,
            peak_at_ns,
            period_ns,
        })
    }

    /// The factor at `t_ns`.
    pub fn factor_at(&self, t_ns: f64) -> f64 {
        match self {
            RateProfile::Piecewise(p) => {
                let i = p.segment_of(t_ns);
                p.factors[i] + p.slope(i) * (t_ns - p.times_ns[i])
            }
            RateProfile::Daily(d) => d.mean + d.amplitude * d.phase(t_ns).cos(),
        }
    }

    /// Λ(t): operational nanoseconds elapsed by clock time `t_ns`.
    pub fn cumulative_ns(&self, t_ns: f64) -> f64 {
        if t_ns <= 0.0 {
            return 0.0;
        }
        match self {
            RateProfile::Piecewise(p) => {
                let i = p.segment_of(t_ns);
                let x = t_ns - p.times_ns[i];
                p.cumulative_ns[i] + p.factors[i] * x + p.slope(i) * x * x / 2.0
            }
            RateProfile::Daily(d) => d.cumulative_ns(t_ns),
        }
    }

    /// Λ⁻¹(τ): the earliest clock time by which `tau_ns` operational nanoseconds have elapsed;
    /// [`NEVER_NS`] if they never do.
    pub fn clock_ns(&self, tau_ns: f64) -> f64 {
        if tau_ns <= 0.0 {
            return 0.0;
        }
        let t = match self {
            RateProfile::Piecewise(p) => p.clock_ns(tau_ns),
            RateProfile::Daily(d) => d.clock_ns(tau_ns),
        };
        t.min(NEVER_NS)
    }

    /// The mean factor over `[0, t_ns]` (the factor at 0 for an empty interval).
    pub fn mean_factor(&self, t_ns: f64) -> f64 {
        if t_ns <= 0.0 {
            return self.factor_at(0.0);
        }
        self.cumulative_ns(t_ns) / t_ns
    }

    /// The largest factor at any time (a safe bound for per-instant rates).
    pub fn max_factor(&self) -> f64 {
        match self {
            RateProfile::Piecewise(p) => p.factors.iter().copied().fold(0.0, f64::max),
            RateProfile::Daily(d) => d.mean + d.amplitude,
        }
    }
}

impl Piecewise {
    /// The segment `[times[i], times[i+1])` holding `t_ns` (the last one extends for good).
    fn segment_of(&self, t_ns: f64) -> usize {
        self.times_ns.partition_point(|t| *t <= t_ns).saturating_sub(1)
    }

    /// Rate of change of the factor over segment `i`.
    fn slope(&self, i: usize) -> f64 {
        if !self.linear || i + 1 >= self.times_ns.len() {
            return 0.0;
        }
        (self.factors[i + 1] - self.factors[i]) / (self.times_ns[i + 1] - self.times_ns[i])
    }

    fn clock_ns(&self, tau_ns: f64) -> f64 {
        // The last point at which less than τ had elapsed: Λ reaches τ within its segment.
        // Segments where the factor is 0 throughout add nothing to Λ and are skipped so.
        let i = self.cumulative_ns.partition_point(|c| *c < tau_ns).saturating_sub(1);
        let d = tau_ns - self.cumulative_ns[i];
        let (f, s) = (self.factors[i], self.slope(i));
        // Solve f·x + s·x²/2 = d for the smallest x >= 0. The form 2d / (f + √(f² + 2sd)) is
        // exact for s = 0 and does not cancel for s < 0 (a falling ramp).
        let root = (f * f + 2.0 * s * d).max(0.0).sqrt();
        let x = if f + root > 0.0 {
            2.0 * d / (f + root)
        } else {
            f64::INFINITY // the factor is 0 from here on
        };
        let t = self.times_ns[i] + x;
        match self.times_ns.get(i + 1) {
            // Rounding must not carry an arrival past the end of its segment.
            Some(next) => t.min(*next),
            None => t,
        }
    }
}

impl Daily {
    fn phase(&self, t_ns: f64) -> f64 {
        std::f64::consts::TAU * (t_ns - self.peak_at_ns) / self.period_ns
    }

    fn cumulative_ns(&self, t_ns: f64) -> f64 {
        let k = self.amplitude * self.period_ns / std::f64::consts::TAU;
        self.mean * t_ns + k * (self.phase(t_ns).sin() - self.phase(0.0).sin())
    }

    fn clock_ns(&self, tau_ns: f64) -> f64 {
        if self.mean <= 0.0 {
            return f64::INFINITY;
        }
        // Λ(t + period) = Λ(t) + mean·period: whole periods first, then the rest within one.
        let per_period = self.mean * self.period_ns;
        let periods = (tau_ns / per_period).floor();
        let rest = tau_ns - periods * per_period;
        let (mut lo, mut hi) = (0.0, self.period_ns);
        let mut x = (rest / self.mean).clamp(lo, hi);
        // Newton's steps, kept inside the bracket, falling back to bisection where the factor
        // is near 0 (a trough at 0): converges in a few steps, never diverges.
        for _ in 0..200 {
            let g = self.cumulative_ns(x) - rest;
            if g > 0.0 {
                hi = x;
            } else {
                lo = x;
            }
            let f = self.mean + self.amplitude * self.phase(x).cos();
            let newton = x - g / f;
            let next = if f > 0.0 && newton > lo && newton < hi {
                newton
            } else {
                (lo + hi) / 2.0
            };
            if (next - x).abs() < 1e-3 || hi - lo < 1e-3 {
                x = next;
                break;
            }
            x = next;
        }
        periods * self.period_ns + x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: f64 = 1e9;

    #[test]
    fn steps_invert_their_cumulative_intensity() {
        let p = RateProfile::piecewise(&[(0.0, 1.0), (60.0 * S, 2.0), (120.0 * S, 1.0)], false);
        assert_eq!(p.cumulative_ns(60.0 * S), 60.0 * S);
        assert_eq!(p.cumulative_ns(120.0 * S), 180.0 * S);
        assert_eq!(p.clock_ns(60.0 * S), 60.0 * S);
        assert_eq!(p.clock_ns(100.0 * S), 80.0 * S, "twice as fast in the spike");
        assert_eq!(p.clock_ns(200.0 * S), 140.0 * S);
        assert_eq!(p.mean_factor(180.0 * S), 240.0 / 180.0);
    }

    #[test]
    fn a_zero_window_holds_no_operational_time() {
        let p = RateProfile::piecewise(&[(0.0, 1.0), (10.0 * S, 0.0), (20.0 * S, 1.0)], false);
        // Just past 10 s of operational time the clock has skipped the silent window.
        assert_eq!(p.clock_ns(10.0 * S + 1.0), 20.0 * S + 1.0);
        assert_eq!(p.clock_ns(10.0 * S), 10.0 * S);
        let silent_for_good = RateProfile::piecewise(&[(0.0, 1.0), (10.0 * S, 0.0)], false);
        assert_eq!(silent_for_good.clock_ns(10.0 * S + 1.0), NEVER_NS);
    }

    #[test]
    fn ramps_invert_in_closed_form() {
        // 0 -> 2 over 10 s: Λ(t) = t²/10 (in s), so Λ⁻¹(2.5 s) = 5 s.
        let up = RateProfile::piecewise(&[(0.0, 0.0), (10.0 * S, 2.0)], true);
        assert!((up.clock_ns(2.5 * S) - 5.0 * S).abs() < 1e-3);
        // 2 -> 0 over 10 s: Λ(t) = 2t − t²/10; Λ(5 s) = 7.5 s.
        let down = RateProfile::piecewise(&[(0.0, 2.0), (10.0 * S, 0.0), (20.0 * S, 1.0)], true);
        assert!((down.cumulative_ns(5.0 * S) - 7.5 * S).abs() < 1e-3);
        assert!((down.clock_ns(7.5 * S) - 5.0 * S).abs() < 1e-3);
        // All 10 s of the ramp's Λ are spent by its end; then the rest ramps up from 0.
        assert!((down.clock_ns(10.0 * S) - 10.0 * S).abs() < 1e-3);
        for tau in [0.3, 3.0, 9.99, 10.5, 13.0] {
            let t = down.clock_ns(tau * S);
            assert!((down.cumulative_ns(t) - tau * S).abs() < 1e-2, "τ {tau}");
        }
    }

    #[test]
    fn the_daily_curve_averages_its_mean_over_a_period_and_inverts() {
        let day = 86_400.0 * S;
        let p = RateProfile::daily(0.4, 1.6, 14.0 * 3600.0 * S, day);
        assert!((p.mean_factor(day) - 1.0).abs() < 1e-12);
        assert!((p.factor_at(14.0 * 3600.0 * S) - 1.6).abs() < 1e-12);
        assert!((p.factor_at(2.0 * 3600.0 * S) - 0.4).abs() < 1e-12);
        for tau_h in [0.001, 1.0, 7.5, 23.9, 24.0, 30.0, 100.0] {
            let tau = tau_h * 3600.0 * S;
            let t = p.clock_ns(tau);
            assert!((p.cumulative_ns(t) - tau).abs() < 1.0, "τ {tau_h} h: within a ns");
        }
        // A trough at 0: Newton meets a zero derivative there and must still converge. Λ is
        // flat to third order at the trough (the midpoint by symmetry): Λ(t0 ± δ) − Λ(t0) =
        // (2π/day)²δ³/3, below the f64 resolution of τ (~0.008 ns at half a day) for δ up to
        // ~0.17 s. Every clock time in that range meets τ as well as f64 can say, and the
        // factor there is below 1e-11, so no arrival can tell them apart.
        let deep = RateProfile::daily(0.0, 2.0, 0.0, day);
        let t = deep.clock_ns(day / 2.0);
        assert!((deep.cumulative_ns(t) - day / 2.0).abs() < 1.0, "{t}");
        assert!((t - day / 2.0).abs() < 0.2 * S, "{t}");
    }
}
