//! `--shard K/N`: a deterministic share of a sweep's runs, so that N machines can split it.
//!
//! Run i (in the order point-major, replication-minor) belongs to shard (i mod N) + 1. Dealing
//! runs round-robin rather than in blocks spreads the expensive corners of a grid over all shards.

use super::error::SweepError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: usize,
    pub count: usize,
}

impl Default for Shard {
    fn default() -> Self {
        Shard { index: 1, count: 1 }
    }
}

impl Shard {
    pub fn parse(s: &str) -> Result<Shard, SweepError> {
        let bad = || SweepError::Shard(s.to_string());
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = k.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    pub fn owns(self, run_index: usize) -> bool {
        run_index % self.count == self.index - 1
    }

    pub fn is_whole(self) -> bool {
        self.count == 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_runs() {
        let shards: Vec<Shard> = (1..=3).map(|k| Shard::parse(&format!("{k}/3")).unwrap()).collect();
        for i in 0..20 {
            assert_eq!(shards.iter().filter(|s| s.owns(i)).count(), 1);
        }
        for bad in ["0/2", "3/2", "1", "a/b", "1/0", ""] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
