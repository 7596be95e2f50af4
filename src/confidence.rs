//! Means and 95 % confidence intervals over replications: what a sweep tabulates per point,
//! what its charts draw as bands, and what `advise` checks its answers against. Plain
//! statistics, below all three, so that the charts need not import the sweep runner for them.
//!
//! For n replications with values x_i, mean m and sample standard deviation
//! s = sqrt(sum (x_i - m)^2 / (n - 1)), the half-width of the two-sided 95 % interval is
//!
//! ```text
//! h = t_{0.975, n-1} * s / sqrt(n)
//! ```
//!
//! where t_{p, v} is the p-quantile of Student's t distribution with v degrees of freedom: the t
//! that solves F_v(t) = p, with F_v(t) = 1 - I_{v/(v+t^2)}(v/2, 1/2) / 2 for t >= 0 and I the
//! regularized incomplete beta function. The quantile is found by bisection on that CDF (closed
//! forms for v = 1 and v = 2). With n < 2 there is no interval.

/// Mean of the values and the 95 % half-width; `None` for no values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub n: usize,
    pub mean: f64,
    pub ci95_half_width: Option<f64>,
}

pub fn estimate(xs: &[f64]) -> Option<Estimate> {
    let n = xs.len();
    if n == 0 {
        return None;
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    let ci95_half_width = (n >= 2).then(|| {
        // Two passes: the one-pass formula loses all digits when the spread is tiny.
        let ss: f64 = xs.iter().map(|x| (x - mean) * (x - mean)).sum();
        let s = (ss / (n - 1) as f64).sqrt();
        student_t_quantile(0.975, (n - 1) as f64) * s / (n as f64).sqrt()
    });
    Some(Estimate {
        n,
        mean,
        ci95_half_width,
    })
}

/// The p-quantile of Student's t with `dof` > 0 degrees of freedom, for 0 < p < 1.
pub fn student_t_quantile(p: f64, dof: f64) -> f64 {
    assert!(
        p > 0.0 && p < 1.0 && dof > 0.0,
        "student_t_quantile({p}, {dof}) is undefined"
    );
    if p < 0.5 {
        return -student_t_quantile(1.0 - p, dof);
    }
    if p == 0.5 {
        return 0.0;
    }
    if dof == 1.0 {
        return (std::f64::consts::PI * (p - 0.5)).tan();
    }
    if dof == 2.0 {
        return (2.0 * p - 1.0) / (2.0 * p * (1.0 - p)).sqrt();
    }
    let mut hi = 1.0;
    for _ in 0..1100 {
        if student_t_cdf(hi, dof) >= p {
            break;
        }
        hi *= 2.0;
    }
    let mut lo = 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if student_t_cdf(mid, dof) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// P(T <= t) for Student's t with `dof` degrees of freedom.
pub fn student_t_cdf(t: f64, dof: f64) -> f64 {
    let tail = 0.5 * regularized_incomplete_beta(dof / (dof + t * t), dof / 2.0, 0.5);
    if t >= 0.0 { 1.0 - tail } else { tail }
}

/// I_x(a, b), by the continued fraction of Numerical Recipes (modified Lentz), using the
/// symmetry I_x(a, b) = 1 - I_{1-x}(b, a) where the fraction converges slowly.
pub fn regularized_incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_continued_fraction(x, a, b) / a
    } else {
        1.0 - ln_front.exp() * beta_continued_fraction(1.0 - x, b, a) / b
    }
}

fn beta_continued_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const EPS: f64 = 1e-16;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=1000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// ln Γ(x) for x > 0: Lanczos approximation (g = 7, 9 terms), relative error below 1e-15.
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const COEF: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1-x) = π / sin(πx).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = COEF[0];
    for (i, c) in COEF.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_the_closed_forms_and_the_tables() {
        for p in [0.6, 0.9, 0.975, 0.995] {
            // Closed forms, against the general bisection path (dof 1 and 2 nudged off the
            // special cases).
            let c1 = (std::f64::consts::PI * (p - 0.5)).tan();
            let c2 = (2.0 * p - 1.0) / (2.0 * p * (1.0 - p)).sqrt();
            assert!(
                (student_t_quantile(p, 1.0 + 1e-12) - c1).abs() < 1e-8 * c1.max(1.0),
                "dof 1, p {p}"
            );
            assert!(
                (student_t_quantile(p, 2.0 + 1e-12) - c2).abs() < 1e-8 * c2.max(1.0),
                "dof 2, p {p}"
            );
        }
        // Standard tables (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2), to their 3 decimals.
        for (dof, expected) in [
            (3.0, 3.182),
            (4.0, 2.776),
            (5.0, 2.571),
            (9.0, 2.262),
            (10.0, 2.228),
            (30.0, 2.042),
            (100.0, 1.984),
        ] {
            let t = student_t_quantile(0.975, dof);
            assert!((t - expected).abs() < 5e-4, "dof {dof}: {t}");
        }
        assert!((student_t_quantile(0.995, 5.0) - 4.032).abs() < 5e-4);
        assert!((student_t_quantile(0.90, 3.0) - 1.638).abs() < 5e-4);
        // Large dof tends to the normal quantile 1.959964.
        assert!((student_t_quantile(0.975, 1e7) - 1.959_964).abs() < 1e-5);
        assert_eq!(student_t_quantile(0.025, 7.0), -student_t_quantile(0.975, 7.0));
    }

    #[test]
    fn cdf_and_quantile_are_inverse() {
        for dof in [1.5, 3.0, 7.0, 25.0] {
            for p in [0.55, 0.8, 0.975, 0.999] {
                let t = student_t_quantile(p, dof);
                assert!((student_t_cdf(t, dof) - p).abs() < 1e-12, "dof {dof} p {p}");
            }
        }
    }

    #[test]
    fn ln_gamma_matches_factorials() {
        let mut f = 1.0f64;
        for n in 1..20 {
            assert!((ln_gamma(n as f64) - f.ln()).abs() < 1e-12, "n {n}");
            f *= n as f64;
        }
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-14);
    }

    #[test]
    fn estimate_uses_the_sample_deviation_and_t() {
        let e = estimate(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(e.mean, 2.5);
        let s = (5.0f64 / 3.0).sqrt();
        let h = student_t_quantile(0.975, 3.0) * s / 2.0;
        assert!((e.ci95_half_width.unwrap() - h).abs() < 1e-15);
        assert_eq!(estimate(&[3.0]).unwrap().ci95_half_width, None);
        assert_eq!(estimate(&[]), None);
        assert_eq!(estimate(&[2.0, 2.0]).unwrap().ci95_half_width, Some(0.0));
    }
}
