//! Flink's key groups (`KeyGroupRangeAssignment`): a key's `hashCode`, spread by Flink's
//! `MathUtils.murmurHash`, modulo the max parallelism gives its key group; the key group's
//! position among `max_parallelism` gives the operator index. The simulator's keys are indexes
//! `0..count`, and it hashes each as Flink hashes an `Integer` or `Long` key of that value
//! (`hashCode` is the value itself below 2^31, its low 32 bits above), so a keyed edge splits the
//! key space exactly as Flink splits the same keys: never quite evenly (20 000 keys at
//! parallelism 2 and max parallelism 128 go 10 081 to subtask 0 and 9 919 to subtask 1), and
//! under backpressure the subtask with the larger share is the one whose input queues fill.

/// `MathUtils.murmurHash(int)` of Flink 2.3 (checked against `flink-dist-2.3.0.jar`'s bytecode):
/// one round of MurmurHash3's 32-bit mixing and its finalizer, made non-negative.
pub fn murmur_hash(code: i32) -> u32 {
    let mut h = code.wrapping_mul(0xcc9e_2d51_u32 as i32);
    h = h.rotate_left(15);
    h = h.wrapping_mul(0x1b87_3593);
    h = h.rotate_left(13);
    h = h.wrapping_mul(5).wrapping_add(0xe654_6b64_u32 as i32);
    h ^= 4;
    h = bit_mix(h);
    // Flink's sign handling: negate a negative hash; i32::MIN, which has no negation, maps to 0.
    if h >= 0 {
        h as u32
    } else if h != i32::MIN {
        h.wrapping_neg() as u32
    } else {
        0
    }
}

/// `MathUtils.bitMix(int)`: MurmurHash3's 32-bit finalizer.
fn bit_mix(mut h: i32) -> i32 {
    h ^= ((h as u32) >> 16) as i32;
    h = h.wrapping_mul(0x85eb_ca6b_u32 as i32);
    h ^= ((h as u32) >> 13) as i32;
    h = h.wrapping_mul(0xc2b2_ae35_u32 as i32);
    h ^= ((h as u32) >> 16) as i32;
    h
}

/// `KeyGroupRangeAssignment.assignKeyToParallelOperator` for key index `key`: key group
/// `murmurHash(hashCode) % max_parallelism`, operator index `key_group * parallelism /
/// max_parallelism`.
pub fn key_to_subtask(key: u32, max_parallelism: u32, parallelism: u32) -> u32 {
    let hash = murmur_hash(key as i32) as u64;
    let max = max_parallelism as u64;
    if max.is_power_of_two() {
        // Flink's default max parallelism is a power of two: a mask and a shift give the same
        // key group and index as the divisions below, which cost more on every record sent.
        let key_group = hash & (max - 1);
        return ((key_group * parallelism as u64) >> max.trailing_zeros()) as u32;
    }
    let key_group = hash % max;
    (key_group * parallelism as u64 / max) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values of Flink 2.3's `MathUtils.murmurHash(int)` (computed from its bytecode, step by
    /// step, with 32-bit wrapping arithmetic).
    #[test]
    fn murmur_hash_is_flinks() {
        for (code, want) in [
            (0, 593_689_054),
            (1, 68_075_478),
            (2, 1_085_422_463),
            (42, 1_134_849_565),
            (12_345, 638_799_361),
            (19_999, 582_184_075),
            (i32::MAX, 1_653_689_534),
            (i32::MIN, 1_718_298_732),
            (-1, 1_982_413_648),
        ] {
            assert_eq!(murmur_hash(code), want, "murmurHash({code})");
        }
    }

    /// The split of the fidelity suite's 20 000 `Long` keys at parallelism 2 and 4 (max
    /// parallelism 128, Flink's default for both), as Flink's `KeyGroupRangeAssignment` makes it.
    #[test]
    fn key_split_is_flinks() {
        let split = |n: u32, p: u32| {
            let mut c = vec![0u32; p as usize];
            for k in 0..n {
                c[key_to_subtask(k, 128, p) as usize] += 1;
            }
            c
        };
        assert_eq!(split(20_000, 2), [10_081, 9_919]);
        assert_eq!(split(20_000, 4), [5_082, 4_999, 4_910, 5_009]);
    }

    #[test]
    fn power_of_two_shortcut_matches_the_divisions() {
        for max in [1u32, 2, 96, 128, 4096, 32768] {
            for p in [1u32, 7, 32, max] {
                for k in 0..5000u32 {
                    let key_group = murmur_hash(k as i32) as u64 % max as u64;
                    let want = (key_group * p as u64 / max as u64) as u32;
                    assert_eq!(key_to_subtask(k, max, p), want, "key {k}, max {max}, p {p}");
                }
            }
        }
    }
}
