//! Operator selectivity: how many records an operator emits for each one it reads (a window
//! aggregation or a filter fewer, a flatMap more).
//!
//! The count for a record is a pure function of (run seed, operator, record id): ⌊s⌋ records,
//! plus one more when a hash of the three falls below the fractional part of s, so the mean is
//! exactly s. Not a per-subtask accumulator (⌊acc⌋ records per input): a real operator's output
//! for a record depends on the record (the predicate of a filter, the words of a line), not on
//! the order its input channels happened to interleave, and that order differs between a run
//! with failures and one without. An accumulator would give a replayed record another count
//! than its first processing, which the exactly-once checker (committed output against the
//! failure-free run's) would rightly report, and it would be operator state to snapshot. The
//! hash needs neither, and draws nothing from any random stream, so selectivity 1 (which never
//! hashes) leaves every run as it was.
//!
//! Every record emitted for an input carries the input's id: downstream of a selective
//! operator an id names the source record a record derives from, and the exactly-once checker
//! compares how often each id was committed, so a duplicated or lost copy is still caught.

use crate::sim::rng::mix64;

/// Keeps the hash apart from the other functions of (seed, record id): the key and the size.
const SALT: u64 = 0x5E1E_C71F_17A5_0000;

/// Records emitted for record `id` read by vertex `vertex` of selectivity `selectivity`.
#[inline]
pub fn outputs_of(seed: u64, vertex: u32, id: u64, selectivity: f64) -> u32 {
    let whole = selectivity.floor();
    let fraction = selectivity - whole;
    let h = mix64(seed ^ mix64(id ^ mix64(SALT | vertex as u64)));
    let u = (h >> 11) as f64 / (1u64 << 53) as f64;
    whole as u32 + u32::from(u < fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_selectivities_are_exact_and_fractions_hold_on_average() {
        assert!((0..1000).all(|id| outputs_of(7, 1, id, 3.0) == 3));
        // 100,000 Bernoulli(0.1) outcomes: standard error sqrt(0.09/1e5) ≈ 0.00095.
        let n = 100_000u64;
        let total: u64 = (0..n).map(|id| outputs_of(7, 1, id, 0.1) as u64).sum();
        assert!((total as f64 / n as f64 - 0.1).abs() < 4.0 * 0.00095, "{total}");
        let total: u64 = (0..n).map(|id| outputs_of(7, 1, id, 2.5) as u64).sum();
        assert!((total as f64 / n as f64 - 2.5).abs() < 4.0 * 0.0016, "{total}");
    }

    #[test]
    fn the_count_depends_on_the_record_not_on_when_it_is_asked() {
        let a: Vec<u32> = (0..50).map(|id| outputs_of(3, 2, id, 0.5)).collect();
        let b: Vec<u32> = (0..50).rev().map(|id| outputs_of(3, 2, id, 0.5)).rev().collect();
        assert_eq!(a, b);
        let other_vertex: Vec<u32> = (0..50).map(|id| outputs_of(3, 5, id, 0.5)).collect();
        assert_ne!(a, other_vertex, "two operators decide independently");
    }
}
