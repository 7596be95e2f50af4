//! The sum of `n` independent exponentials of mean 1 (an Erlang, a gamma of integer shape) in one
//! draw: what `n` records' service times or `n` Poisson arrival gaps add up to, for the record
//! bundles of the fast path (`simulation.records_per_bundle`). Marsaglia and Tsang's method
//! ("A simple method for generating gamma variables", ACM TOMS 26(3), 2000): a normal and a
//! uniform per try, about 1.02 tries per draw for shapes of 2 and more, and no logarithm in the
//! common case (the squeeze). Exact, not an approximation.

use crate::sim::dist::standard_normal;
use crate::sim::rng::Uniform01;

/// One draw of Gamma(`shape`, 1) for `shape` >= 1; `shape` = 1 is an exponential.
pub fn erlang(shape: u32, u: &mut impl Uniform01) -> f64 {
    debug_assert!(shape >= 1, "a sum of no exponentials");
    if shape == 1 {
        return -(1.0 - u.next_f64()).ln();
    }
    let d = shape as f64 - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = standard_normal(u);
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let w = 1.0 - u.next_f64(); // (0, 1]
        let x2 = x * x;
        // The squeeze accepts about 98 % of tries without a logarithm.
        if w < 1.0 - 0.0331 * x2 * x2 || w.ln() < 0.5 * x2 + d * (1.0 - v + v.ln()) {
            return d * v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::{RngStream, StreamId, StreamKind};

    /// Mean n and variance n (the sum of n unit exponentials), within 4 standard errors; and
    /// the probability of falling below the median of Gamma(n) near one half.
    #[test]
    fn draws_have_the_erlang_mean_variance_and_median() {
        let mut r = RngStream::new(3, StreamId::new(StreamKind::TaskService, 0));
        let draws = 200_000;
        // Medians of Gamma(n, 1) (n - 1/3 + 8/(405 n) is within 1e-4 of them for n >= 2).
        for n in [2u32, 5, 16, 64] {
            let xs: Vec<f64> = (0..draws).map(|_| erlang(n, &mut r)).collect();
            let mean = xs.iter().sum::<f64>() / draws as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (draws - 1) as f64;
            let nf = n as f64;
            // Standard error of the mean sqrt(n / draws); of the variance about n sqrt(2 / draws)
            // times (1 + 3/n) for a gamma's excess kurtosis 6/n.
            assert!(
                (mean - nf).abs() < 4.0 * (nf / draws as f64).sqrt(),
                "n {n}: mean {mean}"
            );
            let se_var = nf * (2.0 * (1.0 + 3.0 / nf) / draws as f64).sqrt();
            assert!((var - nf).abs() < 4.0 * se_var, "n {n}: variance {var}");
            let median = nf - 1.0 / 3.0 + 8.0 / (405.0 * nf);
            let below = xs.iter().filter(|x| **x < median).count() as f64 / draws as f64;
            // A proportion's standard error at 1/2 is 0.5 / sqrt(draws).
            assert!(
                (below - 0.5).abs() < 4.0 * 0.5 / (draws as f64).sqrt(),
                "n {n}: {below} below the median"
            );
        }
    }

    #[test]
    fn a_negative_control_with_twice_the_variance_fails_the_variance_check() {
        // Gamma(n) scaled to mean n from Gamma(n / 2) has the right mean but twice the variance:
        // the variance check must see it.
        let mut r = RngStream::new(3, StreamId::new(StreamKind::TaskService, 0));
        let draws = 200_000;
        let n = 16.0;
        let xs: Vec<f64> = (0..draws).map(|_| 2.0 * erlang(8, &mut r)).collect();
        let mean = xs.iter().sum::<f64>() / draws as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (draws - 1) as f64;
        let se_var = n * (2.0 * (1.0 + 3.0 / n) / draws as f64).sqrt();
        assert!((mean - n).abs() < 4.0 * (n / draws as f64).sqrt());
        assert!((var - n).abs() > 4.0 * se_var, "variance {var} should be far from {n}");
    }
}
