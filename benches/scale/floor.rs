//! The scale bench's jobs' record-level work with no engine around it: a floor for what any
//! implementation of the record-level model pays per record, whatever its event loop.
//!
//! `source (p) --hash--> window (p) --hash--> sink (p)`, Poisson sources at 10 k records/s per
//! subtask, an exponential 20 us service in the window and a constant 5 us one in the sink, a
//! 100 ms output flush, 100-byte records: the production shape (p = 100, 50 M keys) and the
//! reference job (`scenarios/bench_reference.toml`, 1 M keys) at any p. Per source record it
//! does what the model cannot leave out: an exponential arrival gap from the source's ChaCha8
//! stream, the record's key from its id (as `RecordShape` draws it), Flink's key group and
//! target subtask twice, a 24-byte record appended to one of 10,000 channel buffers twice, the
//! window's seen-keys bit for that key (one bitset over all 50 M keys, 6.25 MB) and its
//! exponential service time, the sink's constant one and its latency sum. No event queue, no
//! credits or back-pressure, no cores, no checkpoints, no statistics beyond one sum: every
//! flush moves each channel's buffer to its consumer at once, and each consumer processes its
//! buffers in order.

use ckptsim::model::key_groups::key_to_subtask;
use ckptsim::model::records::Record;
use ckptsim::sim::rng::{SplitMix64, mix64};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Flink's default max parallelism for `p`: the next power of two of 1.5 p, from 128 to 32768.
fn max_parallelism(p: usize) -> u32 {
    ((p + p / 2).next_power_of_two() as u32).clamp(128, 32_768)
}
const RATE_PER_SOURCE: f64 = 10_000.0;
const FLUSH_NS: u64 = 100_000_000;
const WINDOW_MEAN_NS: f64 = 20_000.0;
const SINK_NS: u64 = 5_000;

/// Starts fetching the cache line holding `value` (a no-op off x86_64).
#[inline(always)]
fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `_mm_prefetch` needs SSE, in every x86_64 CPU's baseline; a prefetch neither
    // reads into the program nor faults.
    unsafe {
        use core::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

/// One exponential draw, as ckptsim's `Dist` makes it (53 bits of one `next_u64`).
fn exp_ns(rng: &mut ChaCha8Rng, mean_ns: f64) -> u64 {
    let u = (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
    (-(1.0 - u).ln() * mean_ns) as u64
}

/// Runs `seconds` simulated seconds of the job at parallelism `p` over `keys` keys; returns the
/// source records made and a checksum (the sum of the sink's latencies), so that nothing is
/// optimised away.
pub fn run(seconds: u64, p: usize, keys: u64) -> (u64, u64) {
    let max_p = max_parallelism(p);
    let mut arrivals: Vec<ChaCha8Rng> = (0..p as u64).map(|i| ChaCha8Rng::seed_from_u64(1 + i)).collect();
    let mut services: Vec<ChaCha8Rng> = (0..p as u64).map(|i| ChaCha8Rng::seed_from_u64(1_000 + i)).collect();
    let mut clock_ns = vec![0u64; p];
    let mut offsets = vec![0u64; p];
    let mut window_free_ns = vec![0u64; p];
    let mut sink_free_ns = vec![0u64; p];
    let mut seen = vec![0u64; (keys as usize).div_ceil(64)];
    // Channel `producer * p + consumer` of each shuffle: the buffer being filled.
    let mut first: Vec<Vec<Record>> = (0..p * p).map(|_| Vec::new()).collect();
    let mut second: Vec<Vec<Record>> = (0..p * p).map(|_| Vec::new()).collect();
    let (mut made, mut latency_sum_ns) = (0u64, 0u64);
    let mut tick = FLUSH_NS;
    while tick <= seconds * 1_000_000_000 {
        // Sources: every record that arrives before the tick.
        for s in 0..p {
            loop {
                let t = clock_ns[s] + exp_ns(&mut arrivals[s], 1e9 / RATE_PER_SOURCE);
                if t >= tick {
                    break;
                }
                clock_ns[s] = t;
                let id = ((s as u64) << 40) | offsets[s];
                offsets[s] += 1;
                let key = ((SplitMix64(mix64(id)).next_u64() as u128 * keys as u128) >> 64) as u32;
                let w = key_to_subtask(key, max_p, p as u32) as usize;
                first[s * p + w].push(Record {
                    id,
                    origin_ns: t,
                    key,
                    bytes: 100,
                });
                made += 1;
            }
        }
        // The flush: each window subtask takes its buffers in channel order.
        for w in 0..p {
            for s in 0..p {
                let mut buf = std::mem::take(&mut first[s * p + w]);
                // The keys' bits of the next buffer, fetched while this one is processed (as
                // ckptsim fetches an input buffer's at its start): without it the bitset's
                // cache miss is most of this loop's time.
                if s + 1 < p {
                    for r in &first[(s + 1) * p + w] {
                        prefetch(&seen[r.key as usize / 64]);
                    }
                }
                for r in &buf {
                    let word = &mut seen[r.key as usize / 64];
                    *word |= 1 << (r.key % 64);
                    let start = window_free_ns[w].max(r.origin_ns);
                    window_free_ns[w] = start + exp_ns(&mut services[w], WINDOW_MEAN_NS);
                    let k = key_to_subtask(r.key, max_p, p as u32) as usize;
                    second[w * p + k].push(*r);
                }
                // Each channel keeps its own buffer, as a channel's recycled segments do.
                buf.clear();
                first[s * p + w] = buf;
            }
        }
        for k in 0..p {
            for w in 0..p {
                let mut buf = std::mem::take(&mut second[w * p + k]);
                for r in &buf {
                    sink_free_ns[k] = sink_free_ns[k].max(r.origin_ns) + SINK_NS;
                    latency_sum_ns = latency_sum_ns.wrapping_add(sink_free_ns[k] - r.origin_ns);
                }
                buf.clear();
                second[w * p + k] = buf;
            }
        }
        tick += FLUSH_NS;
    }
    let seen_keys: u64 = seen.iter().map(|w| w.count_ones() as u64).sum();
    (made, latency_sum_ns.wrapping_add(seen_keys))
}
