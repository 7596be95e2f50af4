//! What a source's records are: their keys and sizes, as pure functions of the seed and the
//! record's id (a source subtask and its offset), so that a rewind replays the same records.
//! Keys are drawn (uniform, Zipf) or, as a `DataGeneratorSource` job derives them, a fixed hash
//! of the record's index in its split (`sequence_hash`).

use std::sync::Arc;

use crate::model::records::{Record, record_id};
use crate::model::source::SourceSpec;
use crate::sim::Dist;
use crate::sim::rng::{SplitMix64, mix64};
use crate::vocab::{DEFAULT_KEY_COUNT, DEFAULT_RECORD_BYTES, KeyDistribution};

/// Keys and sizes as pure functions of (seed, record id).
#[derive(Debug)]
pub struct RecordShape {
    seed: u64,
    key_count: u64,
    zipf_cdf: Option<Vec<f64>>,
    /// `sequence_hash` keys: each subtask's first index, by the job's subtask id (the
    /// operator's subtasks only; the rest unused); `None` for drawn keys.
    split_starts: Option<Vec<u64>>,
    size: Dist,
}

impl RecordShape {
    /// The shape of `op`'s records; `subtasks` gives each of its subtasks as (the job's
    /// subtask id, its index among the operator's `parallelism`).
    pub fn new(
        op: &SourceSpec,
        seed: u64,
        parallelism: u32,
        subtasks: impl Iterator<Item = (u32, u32)>,
    ) -> Arc<RecordShape> {
        let split_starts = op
            .keys
            .as_ref()
            .filter(|k| k.distribution == KeyDistribution::SequenceHash)
            .map(|_| {
                let mut starts = Vec::new();
                for (id, index) in subtasks {
                    if starts.len() <= id as usize {
                        starts.resize(id as usize + 1, 0);
                    }
                    starts[id as usize] = datagen_split_start(index, parallelism);
                }
                starts
            });
        let (key_count, zipf_cdf) = match &op.keys {
            Some(k) => {
                let cdf = match k.distribution {
                    KeyDistribution::Uniform | KeyDistribution::SequenceHash => None,
                    KeyDistribution::Zipf => {
                        let mut acc = 0.0;
                        let mut cdf: Vec<f64> = (1..=k.count)
                            .map(|i| {
                                acc += 1.0 / (i as f64).powf(k.exponent);
                                acc
                            })
                            .collect();
                        let total = acc;
                        cdf.iter_mut().for_each(|c| *c /= total);
                        Some(cdf)
                    }
                };
                (k.count, cdf)
            }
            None => (DEFAULT_KEY_COUNT, None),
        };
        let size = op
            .record_size
            .as_ref()
            .cloned()
            .unwrap_or(Dist::Constant(DEFAULT_RECORD_BYTES));
        Arc::new(RecordShape {
            seed,
            key_count,
            zipf_cdf,
            split_starts,
            size,
        })
    }

    pub fn key_count(&self) -> u64 {
        self.key_count
    }

    pub fn make(&self, source_subtask: u32, offset: u64, arrival_ns: u64) -> Record {
        let id = record_id(source_subtask, offset);
        let mut h = SplitMix64(mix64(self.seed ^ mix64(id)));
        let u = h.next_u64();
        let key = match (&self.zipf_cdf, &self.split_starts) {
            (_, Some(starts)) => sequence_hash_key(starts[source_subtask as usize] + offset, self.key_count),
            (None, None) => ((u as u128 * self.key_count as u128) >> 64) as u32,
            (Some(cdf), None) => {
                let x = (u >> 11) as f64 / (1u64 << 53) as f64;
                cdf.partition_point(|c| *c <= x).min(cdf.len() - 1) as u32
            }
        };
        let bytes = match &self.size {
            Dist::Constant(v) => *v as u32,
            d => d.sample(&mut h).max(1.0) as u32,
        };
        Record {
            id,
            origin_ns: arrival_ns,
            key,
            bytes: bytes.max(1),
        }
    }
}

/// The first index of split `i` of `p` of an unbounded `DataGeneratorSource` (its count
/// `Long.MAX_VALUE`): `NumberSequenceSource` splits the indexes `0 ..= 2^63 - 2` into `p`
/// ranges, the first `(2^63 - 1) % p` one longer (the real runs' first indexes: 0 and 2^62 at
/// p = 2; 0, 2^61, 2^62 and 3 * 2^61 at p = 4). Flink hands splits to subtasks in the order
/// they ask, so which subtask gets which range varies from run to run; here subtask `i` gets
/// split `i`, the common case in the real runs.
pub fn datagen_split_start(i: u32, p: u32) -> u64 {
    let total = i64::MAX as u64;
    let per = total / p as u64;
    let extra = total % p as u64;
    i as u64 * per + (i as u64).min(extra)
}

/// The `sequence_hash` key of index `index` among `keys`: Java's `floorMod(h, keys)` with
/// `h = index * 0x9E3779B97F4A7C15; h ^= h >>> 29` (`CheckpointBench.Gen` of the real-Flink
/// harness: a Fibonacci hash, its high bits folded down).
pub fn sequence_hash_key(index: u64, keys: u64) -> u32 {
    let mut h = index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    h ^= h >> 29;
    (h as i64).rem_euclid(keys as i64) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::source::{KeySpace, RateSpec, SourceKind};
    use crate::vocab::ArrivalProcess;

    #[test]
    fn sequence_hash_keys_are_the_harness_generators() {
        // Computed with Java 17 from the harness's expression (`Math.floorMod`, `>>>`).
        let java = [
            (0, 0, 0),
            (1, 12574, 22574),
            (2, 18397, 18397),
            (3, 7644, 7644),
            (1 << 62, 2496, 2496),
            ((1 << 62) + 1, 15070, 25070),
            (123_456_789, 1343, 11343),
        ];
        for (index, k20, k30) in java {
            assert_eq!(sequence_hash_key(index, 20_000), k20, "index {index}");
            assert_eq!(sequence_hash_key(index, 30_000), k30, "index {index}");
        }
    }

    #[test]
    fn sequence_hash_keys_follow_each_subtasks_split_whatever_the_seed() {
        let spec = SourceSpec {
            kind: SourceKind::Generator,
            rate: RateSpec {
                process: ArrivalProcess::Constant,
                records_per_second: 1.0,
                on: None,
                off: None,
                profile: None,
                records_per_arrival: 1,
            },
            record_size: None,
            keys: Some(KeySpace {
                count: 20_000,
                distribution: KeyDistribution::SequenceHash,
                exponent: 1.0,
            }),
            max_records: None,
        };
        // The operator's subtasks are the job's subtasks 3 and 4 (another operator comes first).
        let a = RecordShape::new(&spec, 1, 2, [(3, 0), (4, 1)].into_iter());
        let b = RecordShape::new(&spec, 99, 2, [(3, 0), (4, 1)].into_iter());
        for offset in [0, 1, 2, 1_000_000] {
            assert_eq!(a.make(3, offset, 0).key, sequence_hash_key(offset, 20_000));
            assert_eq!(a.make(4, offset, 0).key, sequence_hash_key((1 << 62) + offset, 20_000));
            assert_eq!(
                a.make(4, offset, 0).key,
                b.make(4, offset, 0).key,
                "the seed draws no key"
            );
        }
    }

    #[test]
    fn datagen_splits_start_where_the_real_runs_began() {
        assert_eq!(datagen_split_start(0, 2), 0);
        assert_eq!(datagen_split_start(1, 2), 4_611_686_018_427_387_904);
        let p4: Vec<u64> = (0..4).map(|i| datagen_split_start(i, 4)).collect();
        assert_eq!(
            p4,
            [
                0,
                2_305_843_009_213_693_952,
                4_611_686_018_427_387_904,
                6_917_529_027_641_081_856
            ]
        );
    }
}
