//! The arrival times of the records in a sink's two-phase-commit transaction, kept exactly and
//! compactly. An exactly-once sink's output becomes visible at the commit, so the latency of
//! each record is the commit time less its arrival at the source, known only once the commit
//! comes: every arrival time of an interval waits for it. Kept as 8-byte integers that was a
//! quarter of a gigabyte per 30 s interval at 1 M records/s (the scale issue's production
//! shape), half of the run's peak memory.
//!
//! Consecutive records of a sink arrived close together (they left their sources within a
//! buffer timeout or so of each other), so each time is stored as its difference from the one
//! before, zigzag-encoded (small negative differences stay small) in a LEB128 varint: 3-4
//! bytes a record instead of 8. Decoding gives back exactly the values pushed, in order.

/// Arrival times (ns), in the order they were pushed.
#[derive(Clone, Debug, Default)]
pub struct ArrivalLog {
    bytes: Vec<u8>,
    len: usize,
    last: u64,
}

impl ArrivalLog {
    pub fn push(&mut self, origin_ns: u64) {
        let delta = origin_ns.wrapping_sub(self.last) as i64;
        self.last = origin_ns;
        let mut z = ((delta << 1) ^ (delta >> 63)) as u64;
        while z >= 0x80 {
            self.bytes.push((z as u8) | 0x80);
            z >>= 7;
        }
        self.bytes.push(z as u8);
        self.len += 1;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn clear(&mut self) {
        *self = ArrivalLog::default();
    }

    /// Bytes the log holds (for tests and memory accounting).
    pub fn encoded_bytes(&self) -> usize {
        self.bytes.len()
    }

    /// The arrival times, in the order they were pushed.
    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        let mut at = 0;
        let mut last = 0u64;
        std::iter::from_fn(move || {
            if at == self.bytes.len() {
                return None;
            }
            let (mut z, mut shift) = (0u64, 0);
            loop {
                let b = self.bytes[at];
                at += 1;
                z |= ((b & 0x7f) as u64) << shift;
                if b < 0x80 {
                    break;
                }
                shift += 7;
            }
            let delta = ((z >> 1) as i64) ^ -((z & 1) as i64);
            last = last.wrapping_add(delta as u64);
            Some(last)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn below(rng: &mut impl Rng, n: u64) -> u64 {
        rng.next_u64() % n
    }

    /// Any sequence comes back exactly, extremes and backward steps included.
    #[test]
    fn every_value_comes_back_in_order() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut values: Vec<u64> = vec![0, u64::MAX, 1, u64::MAX - 1, 1 << 63, (1 << 63) - 1, 0];
        let mut t: u64 = 1_000_000_000;
        for _ in 0..10_000 {
            // Mostly forward by up to 1 ms, sometimes back by up to 100 ms.
            t = if below(&mut rng, 5) == 0 {
                t.saturating_sub(below(&mut rng, 100_000_000))
            } else {
                t + below(&mut rng, 1_000_000)
            };
            values.push(t);
        }
        values.push(rng.next_u64());
        let mut log = ArrivalLog::default();
        for &v in &values {
            log.push(v);
        }
        assert_eq!(log.len(), values.len());
        assert_eq!(log.iter().collect::<Vec<_>>(), values);
        log.clear();
        assert!(log.is_empty());
        assert_eq!(log.iter().count(), 0);
    }

    /// Records 100 us apart take 3 bytes each, not 8.
    #[test]
    fn close_arrivals_take_a_few_bytes() {
        let mut log = ArrivalLog::default();
        for i in 0..1_000u64 {
            log.push(3_600_000_000_000 + i * 100_000);
        }
        assert!(log.encoded_bytes() <= 3 * 1_000 + 8, "{} bytes", log.encoded_bytes());
    }
}
