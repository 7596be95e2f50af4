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
    /// Forcing a closed file to the device (`closeAndGetHandle`'s sync), after its bytes.
    pub sync_latency: Dist,
    /// A request's latency is CPU of the thread that writes (a local file system), not a wait.
    pub request_is_writer_cpu: bool,
}

impl StorageProfile {
    /// The built-in profile called `name`, from its figures in [`crate::vocab::STORAGE_PROFILES`]
    /// (the one place names and values live; the README's profile table gives their sources):
    /// `local-disk` (a synced local SSD), `local-page-cache` (a local file system whose writes
    /// land in memory), `hdfs` and `s3`. Figures for a planner to override with measurements of
    /// their own storage.
    pub fn named(name: &str) -> Option<StorageProfile> {
        let f = crate::vocab::storage_profile_figures(name)?;
        let ms = NS_PER_MS as f64;
        Some(StorageProfile {
            name: name.into(),
            request_latency: Dist::LogNormal {
                median: f.request_latency_ms_median * ms,
                sigma: f.request_latency_sigma,
            },
            bandwidth_bytes_per_s: f.bandwidth_bytes_per_s,
            per_request_bandwidth_bytes_per_s: f.per_request_bandwidth_bytes_per_s,
            metadata_latency: Dist::LogNormal {
                median: f.metadata_latency_ms_median * ms,
                sigma: f.metadata_latency_sigma,
            },
            sync_latency: if f.sync_latency_ms_median > 0.0 {
                Dist::LogNormal {
                    median: f.sync_latency_ms_median * ms,
                    sigma: f.sync_latency_sigma,
                }
            } else {
                Dist::Constant(0.0)
            },
            request_is_writer_cpu: f.request_is_writer_cpu,
        })
    }
}

/// The network interfaces between the TaskManagers and the checkpoint storage: each host's
/// (its TaskManagers' bandwidths pooled, as their cores are) is shared by the storage transfers
/// of the subtasks it hosts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Nics {
    /// Bandwidth of each host's interface; empty: unlimited (only the storage limits).
    pub bytes_per_s: Vec<f64>,
    /// The interface each subtask's transfers cross (its TaskManager's host).
    pub of_subtask: Vec<u32>,
}

impl Nics {
    /// `per_taskmanager_bytes_per_s` for each TaskManager (`None`: unlimited), the TaskManagers
    /// `per_host` to a host in order, as `model::world::cores` groups them.
    pub fn new(
        per_taskmanager_bytes_per_s: Option<f64>,
        taskmanager_of_subtask: &[u32],
        taskmanagers: u32,
        per_host: u32,
    ) -> Nics {
        let Some(nic) = per_taskmanager_bytes_per_s else {
            return Nics::default();
        };
        let per_host = per_host.max(1);
        let hosts = taskmanagers.div_ceil(per_host).max(1);
        Nics {
            bytes_per_s: (0..hosts)
                .map(|h| nic * per_host.min(taskmanagers - h * per_host) as f64)
                .collect(),
            of_subtask: taskmanager_of_subtask.iter().map(|tm| tm / per_host).collect(),
        }
    }

    /// The interface subtask `s`'s transfers cross (0 when unlimited: nothing reads it).
    pub fn of(&self, s: u32) -> u32 {
        self.of_subtask.get(s as usize).copied().unwrap_or(0)
    }
}

#[derive(Clone, Debug)]
struct Transfer {
    id: u32,
    remaining_bytes: f64,
    /// The network interface it crosses (an index into `Nics::bytes_per_s`).
    nic: u32,
    /// Its share, bytes/s, from the last change of the transfers in flight or of the factor.
    rate_bytes_per_s: f64,
}

/// The shared-bandwidth part of storage: every transfer in flight gets its max-min fair share
/// of three kinds of capacity: the storage's aggregate bandwidth, its per-request cap, and the
/// network interface of the host it comes from (when `Nics` limits them). Max-min fair
/// (progressive filling): every share rises together until a capacity is used up; the
/// transfers it limits keep that share, the others rise on. Only the storage limiting (no
/// NICs), that gives every transfer the same `min(bandwidth / n, per_request)`.
#[derive(Clone, Debug)]
pub struct SharedBandwidth {
    bandwidth_bytes_per_s: f64,
    per_request_bytes_per_s: f64,
    /// Bandwidth of each network interface; empty: unlimited.
    nic_bytes_per_s: Vec<f64>,
    active: Vec<Transfer>,
    last_update: SimTime,
    generation: u64,
    /// Fault windows scale the storage's bandwidth (aggregate and per request): throttling
    /// (0..1), outage (0). The NICs are not the storage's: they keep theirs.
    factor: f64,
}

impl SharedBandwidth {
    pub fn new(p: &StorageProfile) -> Self {
        SharedBandwidth {
            bandwidth_bytes_per_s: p.bandwidth_bytes_per_s,
            per_request_bytes_per_s: p.per_request_bandwidth_bytes_per_s,
            nic_bytes_per_s: Vec::new(),
            active: Vec::new(),
            last_update: SimTime::ZERO,
            generation: 0,
            factor: 1.0,
        }
    }

    /// The network interfaces' bandwidths (`Nics::bytes_per_s`); empty: unlimited.
    pub fn with_nics(mut self, nic_bytes_per_s: Vec<f64>) -> Self {
        self.nic_bytes_per_s = nic_bytes_per_s;
        self
    }

    pub fn active(&self) -> usize {
        self.active.len()
    }

    /// Every transfer's share when only the storage limits: max-min fairness in closed form.
    fn rate_each(&self) -> f64 {
        if self.active.is_empty() {
            return 0.0;
        }
        (self.bandwidth_bytes_per_s / self.active.len() as f64).min(self.per_request_bytes_per_s) * self.factor
    }

    /// Gives every transfer in flight its max-min fair share (see the type's docs).
    fn allocate(&mut self) {
        if self.nic_bytes_per_s.is_empty() {
            let rate = self.rate_each();
            for t in &mut self.active {
                t.rate_bytes_per_s = rate;
            }
            return;
        }
        let per_request = self.per_request_bytes_per_s * self.factor;
        let mut storage_left = self.bandwidth_bytes_per_s * self.factor;
        let mut nic_left = self.nic_bytes_per_s.clone();
        let mut on_nic = vec![0u32; nic_left.len()];
        let mut open: Vec<usize> = (0..self.active.len()).collect();
        // Each round fixes the transfers of at least one interface, or all that are left.
        while !open.is_empty() {
            on_nic.fill(0);
            for &i in &open {
                on_nic[self.active[i].nic as usize] += 1;
            }
            let storage_share = (storage_left / open.len() as f64).min(per_request).max(0.0);
            let nic_share = |g: usize| nic_left[g].max(0.0) / on_nic[g] as f64;
            let tightest_nic = (0..nic_left.len())
                .filter(|&g| on_nic[g] > 0)
                .map(nic_share)
                .fold(f64::INFINITY, f64::min);
            if tightest_nic >= storage_share {
                // The storage (aggregate or per-request cap) limits every open transfer alike.
                for &i in &open {
                    self.active[i].rate_bytes_per_s = storage_share;
                }
                break;
            }
            let level = tightest_nic;
            let tight: Vec<bool> = (0..nic_left.len())
                .map(|g| on_nic[g] > 0 && nic_share(g) <= level)
                .collect();
            let active = &mut self.active;
            open.retain(|&i| {
                let g = active[i].nic as usize;
                if !tight[g] {
                    return true;
                }
                active[i].rate_bytes_per_s = level;
                storage_left -= level;
                nic_left[g] -= level;
                false
            });
        }
    }

    /// Scales the storage's bandwidth from now on; returns the rescheduled tick.
    pub fn set_bandwidth_factor(&mut self, now: SimTime, factor: f64) -> Option<(SimTime, u64)> {
        self.advance(now);
        self.factor = factor;
        self.next_tick(now)
    }

    fn advance(&mut self, now: SimTime) {
        let dt_s = now.since(self.last_update) as f64 / NS_PER_S as f64;
        for t in &mut self.active {
            t.remaining_bytes -= t.rate_bytes_per_s * dt_s;
        }
        self.last_update = now;
    }

    /// Starts a transfer through network interface `nic` (`Nics::of`); returns the next tick
    /// to schedule (time, generation).
    pub fn start(&mut self, now: SimTime, id: u32, bytes: u64, nic: u32) -> Option<(SimTime, u64)> {
        self.advance(now);
        debug_assert!(self.nic_bytes_per_s.is_empty() || (nic as usize) < self.nic_bytes_per_s.len());
        self.active.push(Transfer {
            id,
            remaining_bytes: bytes as f64,
            nic,
            rate_bytes_per_s: 0.0,
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

    /// Shares the bandwidth anew and schedules the next completion: the earliest over the
    /// transfers, each at its own share. (With one share for all, as without NICs, that is the
    /// smallest remaining size over the share: rounding up is monotonic.)
    fn next_tick(&mut self, now: SimTime) -> Option<(SimTime, u64)> {
        self.generation += 1;
        self.allocate();
        let next_ns = self
            .active
            .iter()
            .filter(|t| t.rate_bytes_per_s > 0.0) // an outage: nothing moves until the factor changes
            .map(|t| (t.remaining_bytes.max(0.0) / t.rate_bytes_per_s * NS_PER_S as f64).ceil())
            .fold(f64::INFINITY, f64::min);
        if !next_ns.is_finite() {
            return None;
        }
        Some((now + ns_from_f64(next_ns), self.generation))
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
            sync_latency: Dist::Constant(0.0),
            request_is_writer_cpu: false,
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
            tick = s.start(SimTime::ZERO, id, 100_000_000, 0);
        }
        let done = drain(&mut s, tick);
        assert_eq!(done.len(), 10);
        assert!(done.iter().all(|(_, t)| t.0 == NS_PER_S));
    }

    #[test]
    fn per_request_cap_limits_a_lone_upload() {
        let mut s = SharedBandwidth::new(&profile(1e9, 100e6));
        let tick = s.start(SimTime::ZERO, 0, 100_000_000, 0);
        assert_eq!(drain(&mut s, tick), vec![(0, SimTime(NS_PER_S))]);
    }

    fn with_nics(bw: f64, nics: Vec<f64>) -> SharedBandwidth {
        SharedBandwidth::new(&profile(bw, bw)).with_nics(nics)
    }

    #[test]
    fn uploads_through_one_nic_share_it() {
        // Storage unlimited (1 TB/s), NICs of 100 MB/s: four 100 MB uploads through one NIC
        // take 4 s; through four NICs, 1 s.
        let mut one = with_nics(1e12, vec![100e6]);
        let mut tick = None;
        for id in 0..4 {
            tick = one.start(SimTime::ZERO, id, 100_000_000, 0);
        }
        let done = drain(&mut one, tick);
        assert!(done.iter().all(|(_, t)| t.0 == 4 * NS_PER_S), "{done:?}");
        let mut four = with_nics(1e12, vec![100e6; 4]);
        for id in 0..4 {
            tick = four.start(SimTime::ZERO, id, 100_000_000, id);
        }
        let done = drain(&mut four, tick);
        assert!(done.iter().all(|(_, t)| t.0 == NS_PER_S), "{done:?}");
    }

    #[test]
    fn shares_are_max_min_fair_over_storage_and_nics() {
        // NICs of 100 MB/s, storage 200 MB/s: three uploads through NIC 0 are held to a third of
        // it (33.3 MB/s each); the one through NIC 1 gets what the storage has left, 100 MB/s.
        let mut s = with_nics(200e6, vec![100e6, 100e6]);
        for id in 0..3 {
            s.start(SimTime::ZERO, id, 100_000_000, 0);
        }
        let tick = s.start(SimTime::ZERO, 3, 100_000_000, 1);
        let done = drain(&mut s, tick);
        assert_eq!(done[0], (3, SimTime(NS_PER_S)));
        // Then the three alone: still 33.3 MB/s each (their NIC), 3 s in all (a completion is
        // rounded up to the next whole nanosecond).
        assert!(
            done[1..].iter().all(|(_, t)| t.0.abs_diff(3 * NS_PER_S) <= 1),
            "{done:?}"
        );
    }

    #[test]
    fn storage_below_the_nics_limits_every_transfer_alike() {
        // Storage 100 MB/s, NICs 1 GB/s each: four uploads on four NICs take 4 s, as on one.
        let mut s = with_nics(100e6, vec![1e9; 4]);
        let mut tick = None;
        for id in 0..4 {
            tick = s.start(SimTime::ZERO, id, 100_000_000, id);
        }
        let done = drain(&mut s, tick);
        assert!(done.iter().all(|(_, t)| t.0 == 4 * NS_PER_S), "{done:?}");
    }

    #[test]
    fn a_late_arrival_slows_the_first() {
        // 100 MB at 100 MB/s alone for 0.5 s (50 MB left), then two share: 50 MB/s each, 1 s more.
        let mut s = SharedBandwidth::new(&profile(100e6, 100e6));
        s.start(SimTime::ZERO, 0, 100_000_000, 0);
        let tick = s.start(SimTime(NS_PER_S / 2), 1, 100_000_000, 0);
        let done = drain(&mut s, tick);
        assert_eq!(done[0], (0, SimTime(3 * NS_PER_S / 2)));
        assert_eq!(done[1], (1, SimTime(2 * NS_PER_S)));
    }
}
