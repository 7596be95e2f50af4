//! In which order a chained task's asynchronous part finalizes its operators' snapshots, as
//! Flink decides it without meaning to. `OperatorChain.snapshotState` puts each operator's
//! `OperatorSnapshotFutures` into a `HashMap` keyed by `OperatorID` (tail operator first), and
//! `AsyncCheckpointRunnable` walks that map: per operator, `OperatorSnapshotFinalizer` runs the
//! keyed and operator state snapshots (serialization and upload, on this thread) and then waits
//! for the operator's channel-state futures. Only the head holds the input channel state and
//! only the tail the output channel state, and both complete only when the channel-state file
//! is closed. So when the map's iteration reaches a channel-state holder before the first
//! operator with state, the state snapshot starts only after the channel state is complete; in
//! the other order the two overlap.
//!
//! An operator's id is the Murmur3 x64 128-bit hash (seed 0) of its `uid` in UTF-8
//! (`StreamGraphHasherV2.generateUserSpecifiedHash`); a Sink V2 writer carries its sink's uid
//! (`SinkTransformationTranslator`). Without uids Flink hashes the graph's structure, which
//! this model does not reproduce: then the order is unknown and the snapshots overlap.

/// Guava's `Hashing.murmur3_128(0)` of `bytes`: the 16 bytes `hash().asBytes()` returns.
pub fn murmur3_x64_128(bytes: &[u8]) -> [u8; 16] {
    const C1: u64 = 0x87c3_7b91_1142_53d5;
    const C2: u64 = 0x4cf5_ad43_2745_937f;
    let mix_k1 = |k: u64| k.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2);
    let mix_k2 = |k: u64| k.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1);
    let (mut h1, mut h2) = (0u64, 0u64);
    let mut blocks = bytes.chunks_exact(16);
    for b in &mut blocks {
        let k1 = u64::from_le_bytes(b[..8].try_into().expect("8 bytes"));
        let k2 = u64::from_le_bytes(b[8..].try_into().expect("8 bytes"));
        h1 ^= mix_k1(k1);
        h1 = h1
            .rotate_left(27)
            .wrapping_add(h2)
            .wrapping_mul(5)
            .wrapping_add(0x52dc_e729);
        h2 ^= mix_k2(k2);
        h2 = h2
            .rotate_left(31)
            .wrapping_add(h1)
            .wrapping_mul(5)
            .wrapping_add(0x3849_5ab5);
    }
    let tail = blocks.remainder();
    let (mut k1, mut k2) = (0u64, 0u64);
    for (i, &b) in tail.iter().enumerate() {
        if i < 8 {
            k1 |= (b as u64) << (8 * i);
        } else {
            k2 |= (b as u64) << (8 * (i - 8));
        }
    }
    if !tail.is_empty() {
        h1 ^= mix_k1(k1);
        h2 ^= mix_k2(k2);
    }
    let len = bytes.len() as u64;
    h1 ^= len;
    h2 ^= len;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix64(h1);
    h2 = fmix64(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&h1.to_le_bytes());
    out[8..].copy_from_slice(&h2.to_le_bytes());
    out
}

fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

/// `OperatorID.hashCode()` of the operator whose uid is `uid` (`AbstractID`: the id's two
/// big-endian longs, each folded to 32 bits, xor-ed).
pub fn operator_id_hash_code(uid: &str) -> i32 {
    let id = murmur3_x64_128(uid.as_bytes());
    let lower = u64::from_be_bytes(id[..8].try_into().expect("8 bytes"));
    let upper = u64::from_be_bytes(id[8..].try_into().expect("8 bytes"));
    (lower as i32) ^ ((lower >> 32) as i32) ^ (upper as i32) ^ ((upper >> 32) as i32)
}

/// The order in which a `HashMap` made by `CollectionUtil.newHashMapWithExpectedSize(n)`
/// iterates the chain's operators, given their uids head first: indices into `uids_head_first`.
/// They are inserted tail first (`getAllOperators(true)`); a bucket keeps insertion order.
pub fn finalize_order(uids_head_first: &[&str]) -> Vec<usize> {
    let n = uids_head_first.len();
    // `computeRequiredCapacity`: ceil(n / 0.75); `HashMap` rounds up to a power of two.
    let table = ((n as f64 / 0.75).ceil() as usize).max(1).next_power_of_two();
    let bucket = |i: usize| {
        let h = operator_id_hash_code(uids_head_first[i]) as u32;
        ((h ^ (h >> 16)) as usize) & (table - 1)
    };
    let mut inserted: Vec<usize> = (0..n).rev().collect();
    // A stable sort by bucket keeps the insertion order within one bucket.
    inserted.sort_by_key(|&i| bucket(i));
    inserted
}

/// Whether the chain's state snapshot waits for its channel state: the iteration reaches an
/// operator holding channel-state futures (the head, or the tail) before the first operator
/// with state. `stateful[i]`: chain operator `i` (head first) has keyed or operator state.
/// `None` when some operator has no uid (the order is not known).
pub fn state_waits_for_channel_state(uids_head_first: &[Option<&str>], stateful: &[bool]) -> Option<bool> {
    let uids: Vec<&str> = uids_head_first.iter().copied().collect::<Option<_>>()?;
    if !stateful.contains(&true) {
        return Some(false); // no state snapshot to hold back
    }
    let last = uids.len().checked_sub(1)?;
    for i in finalize_order(&uids) {
        if stateful[i] {
            // Its own state runs before its own channel-state futures are awaited.
            return Some(false);
        }
        if i == 0 || i == last {
            return Some(true);
        }
    }
    Some(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: [u8; 16]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    /// Ids and hash codes printed by Flink 2.3's own classes (`OperatorID`, shaded Guava's
    /// `Hashing.murmur3_128(0)`) for the fidelity harness's uids.
    #[test]
    fn operator_ids_are_flinks() {
        assert_eq!(hex(murmur3_x64_128(b"discard")), "298755e8e632b439cafe5a0c747de7e1");
        assert_eq!(
            hex(murmur3_x64_128(b"stateful-map")),
            "857e9877747f27b5e758680f3644828a"
        );
        assert_eq!(operator_id_hash_code("discard"), 1_899_387_964);
        assert_eq!(operator_id_hash_code("stateful-map"), 538_793_287);
        assert_eq!(operator_id_hash_code("discard: Writer"), -607_741_381);
    }

    /// Flink's `HashMap` iterated `[discard, stateful-map]` and `[stateful-map, discard-Writer]`.
    #[test]
    fn the_map_iterates_as_flinks() {
        assert_eq!(finalize_order(&["stateful-map", "discard"]), vec![1, 0]);
        assert_eq!(finalize_order(&["stateful-map", "discard-Writer"]), vec![0, 1]);
    }

    #[test]
    fn a_sink_reached_first_holds_the_maps_state_back() {
        let stateful = [true, false];
        assert_eq!(
            state_waits_for_channel_state(&[Some("stateful-map"), Some("discard")], &stateful),
            Some(true)
        );
        // The map first: its state runs before its channel state is awaited.
        assert_eq!(
            state_waits_for_channel_state(&[Some("stateful-map"), Some("discard-Writer")], &stateful),
            Some(false)
        );
        // One operator: its state runs first.
        assert_eq!(state_waits_for_channel_state(&[Some("discard")], &[true]), Some(false));
        assert_eq!(
            state_waits_for_channel_state(&[Some("stateful-map"), None], &stateful),
            None
        );
    }
}
