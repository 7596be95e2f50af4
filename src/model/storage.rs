//! Checkpoint storage: a bandwidth-sharing resource (a fluid model), not an event per byte.
//!
//! Each upload first waits its request latency (modelled by the caller), then transfers its
//! bytes at `min(per_request_bandwidth, bandwidth / active)`. Only the next completion is ever
//! scheduled; a change in the number of active transfers reschedules it (stale ticks are
//! recognised by generation).

use crate::sim::Dist;
use crate::time::{NS_PER_MS, NS_PER_S, SimTime, ns_from_f64};

#[derive(Clone, Debug, PartialEq)]
pub struct StorageProfile {
    pub name: String,
    pub request_latency: Dist,
    pub bandwidth_bytes_per_s: f64,
    pub per_request_bandwidth_bytes_per_s: f64,
    pub metadata_latency: Dist,
}

impl StorageProfile {
    /// Built-in profiles. Their figures are plausible defaults for a planner to override with
    /// measurements of their own storage, not measurements themselves:
    /// - `local-disk`: an SSD on the TaskManager host, ~0.1 ms per request, 500 MB/s;
    /// - `hdfs`: a datacenter HDFS, ~5 ms per request with a lognormal tail, 1 GB/s for the job,
    ///   150 MB/s per stream;
    /// - `s3`: an object store, ~30 ms first-byte latency with a heavy tail, 2 GB/s for the
    ///   job, 80 MB/s per stream.
    pub fn named(name: &str) -> Option<StorageProfile> {
        let ms = NS_PER_MS as f64;
        let p = match name {
            "local-disk" => StorageProfile {
                name: name.into(),
                request_latency: Dist::LogNormal {
                    median: 0.1 * ms,
                    sigma: 0.3,
                },
                bandwidth_bytes_per_s: 500e6,
                per_request_bandwidth_bytes_per_s: 500e6,
                metadata_latency: Dist::LogNormal {
                    median: 1.0 * ms,
                    sigma: 0.3,
                },
            },
            "hdfs" => StorageProfile {
                name: name.into(),
                request_latency: Dist::LogNormal {
                    median: 5.0 * ms,
                    sigma: 0.5,
                },
                bandwidth_bytes_per_s: 1e9,
                per_request_bandwidth_bytes_per_s: 150e6,
                metadata_latency: Dist::LogNormal {
                    median: 10.0 * ms,
                    sigma: 0.5,
                },
            },
            "s3" => StorageProfile {
                name: name.into(),
                request_latency: Dist::LogNormal {
                    median: 30.0 * ms,
                    sigma: 0.8,
                },
                bandwidth_bytes_per_s: 2e9,
                per_request_bandwidth_bytes_per_s: 80e6,
                metadata_latency: Dist::LogNormal {
                    median: 50.0 * ms,
                    sigma: 0.5,
                },
            },
            _ => return None,
        };
        Some(p)
    }
}

#[derive(Clone, Debug)]
struct Transfer {
    id: u32,
    remaining_bytes: f64,
}

/// The shared-bandwidth part of storage.
#[derive(Clone, Debug)]
pub struct SharedBandwidth {
    bandwidth_bytes_per_s: f64,
    per_request_bytes_per_s: f64,
    active: Vec<Transfer>,
    last_update: SimTime,
    generation: u64,
    /// Fault windows scale the bandwidth: throttling (0..1), outage (0).
    factor: f64,
}

impl SharedBandwidth {
    pub fn new(p: &StorageProfile) -> Self {
        SharedBandwidth {
            bandwidth_bytes_per_s: p.bandwidth_bytes_per_s,
            per_request_bytes_per_s: p.per_request_bandwidth_bytes_per_s,
            active: Vec::new(),
            last_update: SimTime::ZERO,
            generation: 0,
            factor: 1.0,
        }
    }

    pub fn active(&self) -> usize {
        self.active.len()
    }

    fn rate_each(&self) -> f64 {
        if self.active.is_empty() {
            return 0.0;
        }
        (self.bandwidth_bytes_per_s / self.active.len() as f64).min(self.per_request_bytes_per_s) * self.factor
    }

    /// Scales the bandwidth from now on; returns the rescheduled tick.
    pub fn set_bandwidth_factor(&mut self, now: SimTime, factor: f64) -> Option<(SimTime, u64)> {
        self.advance(now);
        self.factor = factor;
        self.next_tick(now)
    }

    fn advance(&mut self, now: SimTime) {
        let dt_s = now.since(self.last_update) as f64 / NS_PER_S as f64;
        let moved = self.rate_each() * dt_s;
        for t in &mut self.active {
            t.remaining_bytes -= moved;
        }
        self.last_update = now;
    }

    /// Starts a transfer; returns the next tick to schedule (time, generation).
    pub fn start(&mut self, now: SimTime, id: u32, bytes: u64) -> Option<(SimTime, u64)> {
        self.advance(now);
        self.active.push(Transfer {
            id,
            remaining_bytes: bytes as f64,
        });
        self.next_tick(now)
    }

    /// Cancels a transfer (its checkpoint was aborted); returns the rescheduled tick.
    pub fn cancel(&mut self, now: SimTime, id: u32) -> Option<(SimTime, u64)> {
        self.advance(now);
        let before = self.active.len();
        self.active.retain(|t| t.id != id);
        if self.active.len() == before {
            return None;
        }
        self.next_tick(now)
    }

    /// Handles a tick; pushes finished transfer ids into `done` and returns the next tick.
    pub fn on_tick(&mut self, now: SimTime, generation: u64, done: &mut Vec<u32>) -> Option<(SimTime, u64)> {
        if generation != self.generation {
            return None; // superseded by a later reschedule
        }
        self.advance(now);
        // Half a byte absorbs the rounding of completion times to whole nanoseconds.
        let mut i = 0;
        while i < self.active.len() {
            if self.active[i].remaining_bytes <= 0.5 {
                done.push(self.active.remove(i).id);
            } else {
                i += 1;
            }
        }
        self.next_tick(now)
    }

    fn next_tick(&mut self, now: SimTime) -> Option<(SimTime, u64)> {
        self.generation += 1;
        let min = self
            .active
            .iter()
            .map(|t| t.remaining_bytes)
            .fold(f64::INFINITY, f64::min);
        if !min.is_finite() {
            return None;
        }
        let rate = self.rate_each();
        if rate <= 0.0 {
            return None; // an outage: nothing moves until the factor changes
        }
        let dt = ns_from_f64((min.max(0.0) / rate * NS_PER_S as f64).ceil());
        Some((now + dt, self.generation))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(bw: f64, per: f64) -> StorageProfile {
        StorageProfile {
            name: "t".into(),
            request_latency: Dist::Constant(0.0),
            bandwidth_bytes_per_s: bw,
            per_request_bandwidth_bytes_per_s: per,
            metadata_latency: Dist::Constant(0.0),
        }
    }

    fn drain(s: &mut SharedBandwidth, mut tick: Option<(SimTime, u64)>) -> Vec<(u32, SimTime)> {
        let mut out = vec![];
        while let Some((t, g)) = tick {
            let mut done = vec![];
            tick = s.on_tick(t, g, &mut done);
            out.extend(done.into_iter().map(|d| (d, t)));
        }
        out
    }

    #[test]
    fn concurrent_uploads_share_bandwidth() {
        // 10 uploads of 100 MB on 1 GB/s: each gets 100 MB/s, all finish at 1 s.
        let mut s = SharedBandwidth::new(&profile(1e9, 1e9));
        let mut tick = None;
        for id in 0..10 {
            tick = s.start(SimTime::ZERO, id, 100_000_000);
        }
        let done = drain(&mut s, tick);
        assert_eq!(done.len(), 10);
        assert!(done.iter().all(|(_, t)| t.0 == NS_PER_S));
    }

    #[test]
    fn per_request_cap_limits_a_lone_upload() {
        let mut s = SharedBandwidth::new(&profile(1e9, 100e6));
        let tick = s.start(SimTime::ZERO, 0, 100_000_000);
        assert_eq!(drain(&mut s, tick), vec![(0, SimTime(NS_PER_S))]);
    }

    #[test]
    fn a_late_arrival_slows_the_first() {
        // 100 MB at 100 MB/s alone for 0.5 s (50 MB left), then two share: 50 MB/s each, 1 s more.
        let mut s = SharedBandwidth::new(&profile(100e6, 100e6));
        s.start(SimTime::ZERO, 0, 100_000_000);
        let tick = s.start(SimTime(NS_PER_S / 2), 1, 100_000_000);
        let done = drain(&mut s, tick);
        assert_eq!(done[0], (0, SimTime(3 * NS_PER_S / 2)));
        assert_eq!(done[1], (1, SimTime(2 * NS_PER_S)));
    }
}
