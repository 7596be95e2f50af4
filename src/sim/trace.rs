//! A 64-bit hash folded over every processed event: two runs that process the same events at the
//! same times in the same order have the same hash. Used to test determinism.

/// FNV-1a over fixed-width words: cheap, stable across platforms and Rust versions (unlike
/// `std::hash`, whose algorithm is unspecified).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceHash(u64);

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

impl Default for TraceHash {
    fn default() -> Self {
        TraceHash(FNV_OFFSET)
    }
}

impl TraceHash {
    pub fn fold(&mut self, word: u64) {
        let mut h = self.0;
        for byte in word.to_le_bytes() {
            h ^= byte as u64;
            h = h.wrapping_mul(FNV_PRIME);
        }
        self.0 = h;
    }

    /// Folds one event: its time, its kind and the component it concerns.
    pub fn fold_event(&mut self, time_ns: u64, kind: u32, component: u32) {
        self.fold(time_ns);
        self.fold(((kind as u64) << 32) | component as u64);
    }

    pub fn value(self) -> u64 {
        self.0
    }
}
