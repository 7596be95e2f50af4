//! A hint to the CPU to bring a value into its caches ahead of its use. Results never depend
//! on it: a prefetch reads nothing the program sees and never faults; it only lets the memory
//! latency of a load the program is about to make overlap with other work.

/// Starts fetching the cache line holding `value` into the core's caches (a no-op on
/// architectures other than x86_64).
#[inline(always)]
pub(crate) fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `_mm_prefetch` needs SSE, which every x86_64 CPU has (it is in the target's
    // baseline); a prefetch neither reads into the program nor faults.
    unsafe {
        use core::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
