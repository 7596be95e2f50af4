//! The checkpoint storage as one component: the table of requests in flight (uploads and
//! restore downloads), their request latency, the bandwidth they share (the storage's, and
//! that of the network interface of the TaskManager each comes from), what the storage's fault
//! windows do to both, and which uploads fail.
//!
//! Its state is private. The world reaches it through a handful of methods that take the
//! current time and the event queue (to schedule `StorageStart` and `StorageTick`) and hand
//! back what finished; what a finished request means for a task is the world's business.

use std::collections::BTreeMap;

use super::{Event, StorageRequest, UploadKind};
use crate::model::faults::{FaultSchedule, UploadFailures};
use crate::model::storage::{Nics, SharedBandwidth, StorageProfile};
use crate::sim::{EventQueue, RngStream};
use crate::time::SimTime;

pub(crate) struct CheckpointStorage {
    profile: StorageProfile,
    bandwidth: SharedBandwidth,
    /// The network interface each subtask's transfers cross.
    nics: Nics,
    /// Slots of requests in flight, indexed by request id; freed ids are reused.
    requests: Vec<Option<StorageRequest>>,
    free: Vec<u32>,
    /// Requests that are neither state uploads nor restore downloads.
    kinds: BTreeMap<u32, UploadKind>,
    /// Request and metadata latencies.
    rng: RngStream,
    upload_failures: UploadFailures,
    /// The scenario's fault windows: the storage reads its latency spikes, throttling and
    /// outages from them.
    faults: FaultSchedule,
}

/// A request the storage finished, handed back to the world.
pub(crate) struct FinishedRequest {
    pub request: StorageRequest,
    /// What the request was for, when it was neither a state upload nor a restore download.
    pub kind: Option<UploadKind>,
}

impl CheckpointStorage {
    pub fn new(
        profile: StorageProfile,
        nics: Nics,
        rng: RngStream,
        upload_failures: UploadFailures,
        faults: FaultSchedule,
    ) -> Self {
        CheckpointStorage {
            bandwidth: SharedBandwidth::new(&profile).with_nics(nics.bytes_per_s.clone()),
            nics,
            profile,
            requests: Vec::new(),
            free: Vec::new(),
            kinds: BTreeMap::new(),
            rng,
            upload_failures,
            faults,
        }
    }

    /// Queues a request at `at`: its request latency first (stretched by a latency spike),
    /// then its share of the bandwidth. `kind` says what it is for, when it is neither a state
    /// upload nor a restore download. Returns the request's id.
    pub fn submit(
        &mut self,
        at: SimTime,
        req: StorageRequest,
        kind: Option<UploadKind>,
        queue: &mut EventQueue<Event>,
    ) -> u32 {
        let id = self.insert(req, kind);
        let latency = self.request_latency_ns(at);
        queue.schedule(at + latency, Event::StorageStart { req: id });
        id
    }

    /// The request latency of a file the writing thread opens itself, as CPU for that thread
    /// to spend before it submits the file with [`Self::submit_append`]: `None` when the
    /// profile's request latency is a wait (then [`Self::submit`] waits it out). Drawn from
    /// the same stream and stretched by a latency spike at `at` as a waited latency is.
    pub fn writer_cpu_request_ns(&mut self, at: SimTime) -> Option<u64> {
        if !self.profile.request_is_writer_cpu {
            return None;
        }
        Some(self.request_latency_ns(at))
    }

    /// One request's latency, stretched by a latency spike at `at`.
    fn request_latency_ns(&mut self, at: SimTime) -> u64 {
        let latency = self.profile.request_latency.sample_u64(&mut self.rng);
        if self.faults.windows.is_empty() {
            latency
        } else {
            (latency as f64 * self.faults.storage_latency_factor(at)) as u64
        }
    }

    /// As [`submit`](Self::submit), for bytes appended to a stream an earlier request opened,
    /// or a file whose request latency its writer spent as CPU
    /// ([`Self::writer_cpu_request_ns`]): they start to flow at once.
    pub fn submit_append(
        &mut self,
        at: SimTime,
        req: StorageRequest,
        kind: Option<UploadKind>,
        queue: &mut EventQueue<Event>,
    ) -> u32 {
        let id = self.insert(req, kind);
        queue.schedule(at, Event::StorageStart { req: id });
        id
    }

    fn insert(&mut self, req: StorageRequest, kind: Option<UploadKind>) -> u32 {
        let id = match self.free.pop() {
            Some(id) => {
                self.requests[id as usize] = Some(req);
                id
            }
            None => {
                self.requests.push(Some(req));
                (self.requests.len() - 1) as u32
            }
        };
        if let Some(kind) = kind {
            self.kinds.insert(id, kind);
        }
        id
    }

    /// A request's latency is over: its bytes start to flow, unless it was cancelled meanwhile.
    pub fn on_start(&mut self, now: SimTime, req: u32, queue: &mut EventQueue<Event>) {
        let r = self.requests[req as usize].as_mut().expect("live request");
        if r.cancelled {
            self.release(req);
            return;
        }
        r.started = true;
        let (bytes, nic) = (r.bytes, self.nics.of(r.subtask));
        if let Some((at, generation)) = self.bandwidth.start(now, req, bytes, nic) {
            queue.schedule(at, Event::StorageTick { generation });
        }
    }

    /// The next transfer completion: returns the ids of the requests that finished, in order.
    /// A request whose file is synced on close (see [`Self::syncs_on_close`]) finishes only
    /// after its sync latency, with a `StorageSynced` event. The world takes each back with
    /// [`CheckpointStorage::finish`] as it handles it, so an id freed by one is free for a
    /// request the handling of the next submits.
    pub fn on_tick(&mut self, now: SimTime, generation: u64, queue: &mut EventQueue<Event>) -> Vec<u32> {
        let mut through = Vec::new();
        if let Some((at, generation)) = self.bandwidth.on_tick(now, generation, &mut through) {
            queue.schedule(at, Event::StorageTick { generation });
        }
        if self.profile.sync_latency.is_zero() {
            return through;
        }
        let mut done = Vec::with_capacity(through.len());
        for req in through {
            if self.syncs_on_close(req) {
                self.start_sync(now, req, queue);
            } else {
                done.push(req);
            }
        }
        done
    }

    /// Whether the file a request writes is synced when its bytes are through: a state file
    /// or a task's own channel-state file, closed with `closeAndGetHandle` (which syncs a
    /// file-backed stream). Not a restore download, not a write to a shared channel-state file
    /// (its one sync comes when the writer closes it: [`Self::submit_close`]), not a changelog
    /// batch (the DSTL uploader closes its stream without a sync).
    fn syncs_on_close(&self, req: u32) -> bool {
        let r = self.requests[req as usize].as_ref().expect("live request");
        r.download_for.is_none()
            && matches!(
                self.kinds.get(&req),
                None | Some(UploadKind::ChannelState) | Some(UploadKind::Materialization { .. })
            )
    }

    fn start_sync(&mut self, now: SimTime, req: u32, queue: &mut EventQueue<Event>) {
        let r = self.requests[req as usize].as_mut().expect("live request");
        r.syncing = true;
        let latency = self.profile.sync_latency.sample_u64(&mut self.rng);
        queue.schedule(now + latency, Event::StorageSynced { req });
    }

    /// Closes the stream a shared channel-state file's writes went to: no bytes, only its sync
    /// (none when the profile's syncs are free: then `None`, and the file is closed at once).
    /// Returns the request's id, finished by a `StorageSynced` event like any other.
    pub fn submit_close(
        &mut self,
        now: SimTime,
        req: StorageRequest,
        kind: UploadKind,
        queue: &mut EventQueue<Event>,
    ) -> Option<u32> {
        if self.profile.sync_latency.is_zero() {
            return None;
        }
        let id = self.insert(StorageRequest { started: true, ..req }, Some(kind));
        self.start_sync(now, id, queue);
        Some(id)
    }

    /// A sync is over: the request's id, for the world to finish as a completed transfer, or
    /// `None` when it was cancelled meanwhile (then it is gone).
    pub fn on_synced(&mut self, req: u32) -> Option<u32> {
        let r = self.requests[req as usize].as_ref().expect("live request");
        debug_assert!(r.syncing);
        if r.cancelled {
            self.release(req);
            return None;
        }
        Some(req)
    }

    /// Takes a finished request out of the table.
    pub fn finish(&mut self, req: u32) -> FinishedRequest {
        let request = self.requests[req as usize].take().expect("live request");
        self.free.push(req);
        FinishedRequest {
            request,
            kind: self.kinds.remove(&req),
        }
    }

    /// Whether a finished upload failed (`state.checkpoint-storage` faults: upload failures).
    pub fn upload_fails(&mut self) -> bool {
        self.upload_failures.next_upload_fails()
    }

    /// Stops a request: a running transfer leaves the bandwidth share at once; one still in its
    /// request latency or its sync is dropped when that ends.
    pub fn cancel(&mut self, now: SimTime, req: u32, queue: &mut EventQueue<Event>) {
        let Some(r) = self.requests[req as usize].as_mut() else {
            return;
        };
        self.kinds.remove(&req);
        if r.syncing {
            // Its bytes are out of the bandwidth share; its sync event releases it.
            r.cancelled = true;
        } else if r.started {
            self.release(req);
            if let Some((at, generation)) = self.bandwidth.cancel(now, req) {
                queue.schedule(at, Event::StorageTick { generation });
            }
        } else {
            r.cancelled = true;
        }
    }

    /// Every restore download in flight for subtask `s`, by id.
    pub fn downloads_of(&self, s: u32) -> Vec<u32> {
        (0..self.requests.len() as u32)
            .filter(|r| {
                self.requests[*r as usize]
                    .as_ref()
                    .is_some_and(|q| q.subtask == s && q.download_for.is_some())
            })
            .collect()
    }

    /// How long writing a checkpoint's `_metadata` file takes.
    pub fn metadata_write_ns(&mut self) -> u64 {
        self.profile.metadata_latency.sample_u64(&mut self.rng)
    }

    /// A fault window opened or closed: the bandwidth follows throttling and outages at once.
    pub fn on_fault_window(&mut self, now: SimTime, queue: &mut EventQueue<Event>) {
        let factor = self.faults.storage_bandwidth_factor(now);
        if let Some((at, generation)) = self.bandwidth.set_bandwidth_factor(now, factor) {
            queue.schedule(at, Event::StorageTick { generation });
        }
    }

    fn release(&mut self, req: u32) {
        self.requests[req as usize] = None;
        self.free.push(req);
    }
}
