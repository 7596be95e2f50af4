//! A log-linear histogram (HDR-style) for latencies: bounded memory, relative error below
//! 1/SUB_BUCKETS, exact integer bucketing (no float in the hot path).

const SUB_BITS: u32 = 7;
const SUB_BUCKETS: u64 = 1 << SUB_BITS; // 128 sub-buckets: < 0.8 % relative error

#[derive(Clone, Debug)]
pub struct LogHistogram {
    counts: Vec<u64>,
    total: u64,
    sum: u128,
    min: u64,
    max: u64,
}

impl Default for LogHistogram {
    fn default() -> Self {
        LogHistogram {
            counts: vec![0; 64 * SUB_BUCKETS as usize],
            total: 0,
            sum: 0,
            min: u64::MAX,
            max: 0,
        }
    }
}

fn bucket_of(v: u64) -> usize {
    if v < SUB_BUCKETS {
        return v as usize;
    }
    let msb = 63 - v.leading_zeros(); // >= SUB_BITS
    let shift = msb - SUB_BITS;
    let sub = (v >> shift) - SUB_BUCKETS; // in [0, SUB_BUCKETS)
    ((shift as u64 + 1) * SUB_BUCKETS + sub) as usize
}

/// Lowest value that falls into bucket `b`.
fn bucket_low(b: usize) -> u64 {
    let b = b as u64;
    if b < SUB_BUCKETS {
        return b;
    }
    let shift = b / SUB_BUCKETS - 1;
    let sub = b % SUB_BUCKETS;
    (SUB_BUCKETS + sub) << shift
}

impl LogHistogram {
    pub fn record(&mut self, v: u64) {
        self.counts[bucket_of(v)] += 1;
        self.total += 1;
        self.sum += v as u128;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    pub fn mean(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.sum as f64 / self.total as f64
        }
    }

    pub fn min(&self) -> u64 {
        if self.total == 0 { 0 } else { self.min }
    }

    pub fn max(&self) -> u64 {
        self.max
    }

    /// Value at quantile q in [0, 1]: the midpoint of the bucket holding the rank, clamped to
    /// the observed min and max.
    pub fn quantile(&self, q: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (b, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                let lo = bucket_low(b);
                let hi = bucket_low(b + 1).saturating_sub(1).max(lo);
                return (lo + (hi - lo) / 2).clamp(self.min, self.max);
            }
        }
        self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_one_percent() {
        let mut h = LogHistogram::default();
        for v in 1..=100_000u64 {
            h.record(v * 1000);
        }
        for q in [0.5, 0.9, 0.99] {
            let exact = q * 100_000.0 * 1000.0;
            let got = h.quantile(q) as f64;
            assert!((got / exact - 1.0).abs() < 0.01, "q{q}: {got} vs {exact}");
        }
        assert_eq!(h.min(), 1000);
        assert_eq!(h.max(), 100_000_000);
    }

    #[test]
    fn buckets_are_monotone() {
        let mut last = 0;
        for v in (0..1_000_000u64).step_by(7) {
            let b = bucket_of(v);
            assert!(b >= last);
            assert!(bucket_low(b) <= v && v < bucket_low(b + 1));
            last = b;
        }
    }
}
