//! The changelog state backend (FLIP-158, §1.8): every state change is also appended to a
//! durable log (DSTL) that is uploaded continuously, so a checkpoint only persists the log tail
//! not yet uploaded: a small, nearly constant asynchronous phase. The wrapped backend is
//! materialized (fully or incrementally snapshotted) periodically, independent of checkpoints,
//! after which the log before it is no longer needed. A checkpoint refers to the last
//! completed materialization plus the log since, which is what a recovery replays.
//!
//! The world drives it: state changes via [`ChangelogBackend::on_state_change`]; background
//! uploads via [`ChangelogBackend::poll_uploads`] and [`ChangelogBackend::on_upload_complete`];
//! materializations via [`ChangelogBackend::poll_materialization`] and
//! [`ChangelogBackend::on_materialization_complete`] / `_failed`; it wakes up at
//! [`ChangelogBackend::next_wakeup`].

use std::collections::{BTreeMap, VecDeque};

use super::{SnapshotCost, StateBackend, StateWrites};
use crate::ids::CheckpointId;
use crate::time::{DurationNs, SimTime};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChangelogConfig {
    /// `state.backend.changelog.periodic-materialize.interval` (10 min).
    pub materialize_interval_ns: DurationNs,
    /// `dstl.dfs.batch.persist-delay` (10 ms).
    pub persist_delay_ns: DurationNs,
    /// `dstl.dfs.batch.persist-size-threshold` (10 MiB).
    pub persist_size_threshold_bytes: u64,
    /// `dstl.dfs.preemptive-persist-threshold` (5 MiB).
    pub preemptive_persist_threshold_bytes: u64,
}

/// A background upload of log bytes the world must perform (one DSTL file).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChangelogUpload {
    pub seq: u64,
    pub bytes: u64,
}

/// A materialization the world must run: `sync_ns` on the task thread (it is a mailbox action),
/// then `upload_bytes` in `upload_files` files in the background.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaterializationStart {
    pub id: u64,
    pub sync_ns: DurationNs,
    pub upload_bytes: u64,
    pub upload_files: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Materialized {
    id: u64,
    state_size: u64,
    /// Bytes this materialization uploaded: counted in the `checkpointed_size` of the first
    /// checkpoint that refers to it.
    uploaded_bytes: u64,
    /// Log position (bytes ever appended) the materialization covers.
    log_offset: u64,
}

#[derive(Clone, Copy, Debug)]
struct Running {
    id: u64,
    log_offset: u64,
    /// The wrapped backend's `state_size` and `checkpointed_size` for this materialization.
    state_size: u64,
    uploaded_bytes: u64,
}

/// `BatchingStateChangeUploadScheduler`'s open batch.
#[derive(Clone, Copy, Debug)]
struct Batch {
    bytes: u64,
    ready_at: SimTime,
}

/// Uploads handed to the world and not yet done; bounded by the upload rate and delay.
const IN_FLIGHT_MAX: usize = 4096;

#[derive(Clone, Debug)]
pub struct ChangelogBackend {
    cfg: ChangelogConfig,
    /// The wrapped (materialized) backend.
    inner: StateBackend,
    /// Bytes ever appended to the log.
    log_offset: u64,
    /// Appended, not yet handed to the uploader (`activeChangeSet`).
    active_bytes: u64,
    batch: Option<Batch>,
    in_flight: VecDeque<ChangelogUpload>,
    next_seq: u64,
    materialized: Materialized,
    /// Whether the current materialization was already counted in a checkpoint's size.
    materialized_reported: bool,
    running: Option<Running>,
    next_materialization_at: SimTime,
    materialization_counter: u64,
    /// Which materialization each pending checkpoint refers to, for confirming it in `inner`.
    checkpoint_materialization: BTreeMap<CheckpointId, u64>,
}

impl ChangelogBackend {
    pub fn new(cfg: ChangelogConfig, inner: StateBackend, initial_live_bytes: u64) -> Self {
        ChangelogBackend {
            cfg,
            inner,
            log_offset: 0,
            active_bytes: 0,
            batch: None,
            in_flight: VecDeque::new(),
            next_seq: 1,
            // The initial state counts as materialized (a restored job starts from a snapshot).
            materialized: Materialized {
                id: 0,
                state_size: initial_live_bytes,
                uploaded_bytes: 0,
                log_offset: 0,
            },
            materialized_reported: true,
            running: None,
            next_materialization_at: SimTime::ZERO + cfg.materialize_interval_ns,
            materialization_counter: 0,
            checkpoint_materialization: BTreeMap::new(),
        }
    }

    pub fn live_bytes(&self) -> u64 {
        self.inner.live_bytes()
    }

    /// The wrapped backend (what materializations snapshot).
    pub fn materialized(&self) -> &StateBackend {
        &self.inner
    }

    /// Log bytes since the last completed materialization (what a recovery replays).
    pub fn log_since_materialization_bytes(&self) -> u64 {
        self.log_offset - self.materialized.log_offset
    }

    /// The keyed state now holds `entries` entries (the wrapped backend's snapshots need it).
    pub fn on_entries(&mut self, entries: u64) {
        self.inner.on_entries(entries);
    }

    pub fn on_state_change(&mut self, now: SimTime, written: StateWrites, live_bytes: u64) {
        self.inner.on_state_change(now, written, live_bytes);
        self.log_offset += written.bytes;
        self.active_bytes += written.bytes;
        // FsStateChangelogWriter.append: past the preemptive threshold the changes go out
        // without waiting for a checkpoint.
        if self.active_bytes >= self.cfg.preemptive_persist_threshold_bytes {
            let bytes = std::mem::take(&mut self.active_bytes);
            self.persist(now, bytes);
        }
    }

    /// Adds an upload request to the batch; the first request of a batch waits
    /// `persist-delay` for company.
    fn persist(&mut self, now: SimTime, bytes: u64) {
        let delay = self.cfg.persist_delay_ns;
        let b = self.batch.get_or_insert(Batch {
            bytes: 0,
            ready_at: now + delay,
        });
        b.bytes += bytes;
    }

    /// Uploads due now: a batch whose delay passed or that reached the size threshold.
    pub fn poll_uploads(&mut self, now: SimTime, out: &mut Vec<ChangelogUpload>) {
        let Some(b) = self.batch else {
            return;
        };
        if b.ready_at <= now || b.bytes >= self.cfg.persist_size_threshold_bytes {
            self.batch = None;
            let u = ChangelogUpload {
                seq: self.next_seq,
                bytes: b.bytes,
            };
            self.next_seq += 1;
            if self.in_flight.len() >= IN_FLIGHT_MAX {
                self.in_flight.pop_front(); // the world lost track of it; do not grow forever
            }
            self.in_flight.push_back(u);
            out.push(u);
        }
    }

    pub fn on_upload_complete(&mut self, seq: u64) {
        self.in_flight.retain(|u| u.seq != seq);
    }

    /// Log bytes handed to the uploader and not yet durable.
    pub fn in_flight_bytes(&self) -> u64 {
        self.in_flight.iter().map(|u| u.bytes).sum()
    }

    /// When the world should call `poll_uploads` / `poll_materialization` next.
    pub fn next_wakeup(&self) -> Option<SimTime> {
        let batch = self.batch.map(|b| b.ready_at);
        let mat = self.running.is_none().then_some(self.next_materialization_at);
        match (batch, mat) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The checkpoint's snapshot: no backend work in the synchronous part; the asynchronous part
    /// uploads the log tail not yet handed to the uploader (after the batching delay) and waits
    /// for the uploads in flight (`persist(upTo)`).
    pub fn snapshot(&mut self, _now: SimTime, checkpoint: CheckpointId) -> SnapshotCost {
        let tail = std::mem::take(&mut self.active_bytes) + self.batch.take().map_or(0, |b| b.bytes);
        let new_materialization = !self.materialized_reported;
        self.materialized_reported = true;
        let replay = self.log_since_materialization_bytes();
        self.checkpoint_materialization.insert(checkpoint, self.materialized.id);
        while self.checkpoint_materialization.len() > 64 {
            self.checkpoint_materialization.pop_first();
        }
        SnapshotCost {
            sync_ns: 0,
            sync_cpu_ns: 0,
            sync_held_ns: 0,
            upload_bytes: tail,
            upload_plan: SnapshotCost::one_file(tail),
            upload_threads: 1,
            async_delay_ns: if tail > 0 { self.cfg.persist_delay_ns } else { 0 },
            async_cpu_ns: 0,
            written_by_snapshot_thread: false,
            checkpointed_size: tail
                + if new_materialization {
                    self.materialized.uploaded_bytes
                } else {
                    0
                },
            state_size: self.materialized.state_size + replay,
            changelog_replay_bytes: replay,
        }
    }

    /// A savepoint is a full snapshot of the wrapped backend's state (canonical format).
    pub fn snapshot_savepoint(&mut self, now: SimTime) -> SnapshotCost {
        self.inner.snapshot_savepoint(now)
    }

    /// `PeriodicMaterializationManager`: starts a materialization when one is due, unless the
    /// log has not grown since the last one (then it only reschedules).
    pub fn poll_materialization(&mut self, now: SimTime) -> Option<MaterializationStart> {
        if self.running.is_some() || now < self.next_materialization_at {
            return None;
        }
        if self.log_offset == self.materialized.log_offset {
            self.next_materialization_at = now + self.cfg.materialize_interval_ns;
            return None;
        }
        self.materialization_counter += 1;
        let id = self.materialization_counter;
        // The wrapped backend sees materialization ids as its checkpoint ids.
        let cost = self.inner.snapshot(now, id);
        let start = MaterializationStart {
            id,
            sync_ns: cost.sync_ns + cost.sync_cpu_ns + cost.sync_held_ns,
            upload_bytes: cost.upload_bytes,
            upload_files: cost.upload_files(),
        };
        self.running = Some(Running {
            id,
            log_offset: self.log_offset,
            state_size: cost.state_size,
            uploaded_bytes: cost.checkpointed_size,
        });
        Some(start)
    }

    /// The materialization's upload finished: checkpoints from now on refer to it, and the log
    /// before it is truncated from what they replay.
    pub fn on_materialization_complete(&mut self, now: SimTime, id: u64) {
        let Some(r) = self.running.filter(|r| r.id == id) else {
            return;
        };
        self.running = None;
        self.materialized = Materialized {
            id,
            state_size: r.state_size,
            uploaded_bytes: r.uploaded_bytes,
            log_offset: r.log_offset,
        };
        self.materialized_reported = false;
        self.next_materialization_at = now + self.cfg.materialize_interval_ns;
    }

    pub fn on_materialization_failed(&mut self, now: SimTime, id: u64) {
        if self.running.is_some_and(|r| r.id == id) {
            self.running = None;
            self.inner.notify_checkpoint_aborted(id);
            self.next_materialization_at = now + self.cfg.materialize_interval_ns;
        }
    }

    /// A completed checkpoint confirms the materialization it refers to in the wrapped backend
    /// (its files become the base of the next incremental materialization).
    pub fn notify_checkpoint_complete(&mut self, checkpoint: CheckpointId) {
        if let Some(m) = self.checkpoint_materialization.remove(&checkpoint)
            && m > 0
        {
            self.inner.notify_checkpoint_complete(m);
        }
        self.checkpoint_materialization.retain(|id, _| *id > checkpoint);
    }

    pub fn notify_checkpoint_aborted(&mut self, checkpoint: CheckpointId) {
        self.checkpoint_materialization.remove(&checkpoint);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::backend::BackendConfig;
    use crate::model::backend::lsm::LsmConfig;
    use crate::time::{NS_PER_MS, NS_PER_S};
    use crate::vocab::StateBackendKind;

    const MIB: u64 = 1024 * 1024;

    fn cfg(kind: StateBackendKind, incremental: bool) -> BackendConfig {
        BackendConfig {
            kind,
            incremental,
            local_disk_bytes_per_s: 200e6,
            flush: crate::model::backend::FlushCost {
                bytes_per_s: 200e6,
                ns_per_entry: 0.0,
                fixed_ns: 0,
                flush_sync_ns: 0,
            },
            transfer_threads: 4,
            background_jobs: 2,
            savepoint_format: crate::model::backend::SavepointFormat::Canonical,
            lsm: LsmConfig::flink_defaults(),
            num_retained: 1,
            heap: crate::model::backend::HeapSerializeCost::FREE,
            changelog: Some(ChangelogConfig {
                materialize_interval_ns: 600 * NS_PER_S,
                persist_delay_ns: 10 * NS_PER_MS,
                persist_size_threshold_bytes: 10 * MIB,
                preemptive_persist_threshold_bytes: 5 * MIB,
            }),
        }
    }

    fn changelog(b: &mut StateBackend) -> &mut ChangelogBackend {
        b.changelog_mut().expect("changelog enabled")
    }

    /// FLIP-158: changes past the preemptive threshold (5 MiB) go out in the background, after
    /// the batching delay (10 ms); a checkpoint only uploads the small remaining tail.
    #[test]
    fn changelog_uploads_continuously_and_a_checkpoint_only_persists_the_tail() {
        let mut b = StateBackend::new(&cfg(StateBackendKind::Rocksdb, true), 1024 * MIB);
        let mut ups = vec![];
        let mut live = 1024 * MIB;
        for ms in 0..1000u64 {
            let now = SimTime(ms * NS_PER_MS);
            live += 1024;
            b.on_state_change(now, StateWrites::bytes(64 * 1024), live); // 64 MiB/s of changes
            changelog(&mut b).poll_uploads(now, &mut ups);
        }
        let uploaded: u64 = ups.iter().map(|u| u.bytes).sum();
        assert!(
            uploaded >= 55 * MIB,
            "most of the log went out before any checkpoint: {uploaded}"
        );
        assert!(ups.iter().all(|u| u.bytes <= 10 * MIB));
        let c = b.snapshot(SimTime(NS_PER_S), 1);
        assert!(c.upload_bytes < 5 * MIB, "only the tail: {}", c.upload_bytes);
        assert_eq!(c.sync_ns, 0);
        assert_eq!(c.async_delay_ns, 10 * NS_PER_MS);
        assert_eq!(c.changelog_replay_bytes, 1000 * 64 * 1024);
        assert_eq!(c.state_size, 1024 * MIB + c.changelog_replay_bytes);
    }

    /// `PeriodicMaterializationManager`: a materialization runs the wrapped backend's snapshot;
    /// once done, checkpoints refer to it, the log to replay restarts from it, and the first
    /// checkpoint after it counts its upload in `checkpointed_size`.
    #[test]
    fn materialization_truncates_the_log_to_replay() {
        let mut b = StateBackend::new(&cfg(StateBackendKind::Heap, false), 100 * MIB);
        let t0 = SimTime(0);
        b.on_state_change(t0, StateWrites::bytes(50 * MIB), 110 * MIB);
        let cl = changelog(&mut b);
        assert!(
            cl.poll_materialization(SimTime(NS_PER_S)).is_none(),
            "not due before 10 min"
        );
        let at = SimTime(600 * NS_PER_S);
        assert_eq!(cl.next_wakeup().map(|t| t <= at), Some(true));
        let m = cl.poll_materialization(at).expect("due");
        assert_eq!(m.upload_bytes, 110 * MIB, "heap materializes fully");
        cl.on_state_change(at, StateWrites::bytes(2 * MIB), 111 * MIB);
        let before = cl.snapshot(at, 1);
        assert_eq!(before.changelog_replay_bytes, 52 * MIB, "not completed yet: old base");
        cl.on_materialization_complete(at + NS_PER_S, m.id);
        let after = cl.snapshot(at + NS_PER_S, 2);
        assert_eq!(after.changelog_replay_bytes, 2 * MIB);
        assert_eq!(after.state_size, 110 * MIB + 2 * MIB);
        assert!(
            after.checkpointed_size >= 110 * MIB,
            "the new materialization is counted once"
        );
        let third = cl.snapshot(at + 2 * NS_PER_S, 3);
        assert!(third.checkpointed_size < MIB);
    }

    /// No change since the last materialization: nothing to materialize (Flink skips it).
    #[test]
    fn an_unchanged_state_is_not_materialized_again() {
        let mut b = StateBackend::new(&cfg(StateBackendKind::Heap, false), 10 * MIB);
        let cl = changelog(&mut b);
        assert!(cl.poll_materialization(SimTime(600 * NS_PER_S)).is_none());
        assert_eq!(cl.next_wakeup(), Some(SimTime(1200 * NS_PER_S)));
    }
}
