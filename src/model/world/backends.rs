//! State backends in the world (§1.6-1.8): each stateful subtask owns a
//! [`crate::model::backend::StateBackend`]; keyed state writes feed it once per input buffer;
//! a snapshot asks it for its costs; the changelog backend's background uploads and
//! materializations go through the storage model.

use super::{Event, StorageRequest, UploadKind, World};
use crate::ids::CheckpointId;
use crate::model::backend::SnapshotCost;
use crate::protocol::CheckpointBarrier;
use crate::time::{NS_PER_S, SimTime, ns_from_f64};

impl World {
    /// Hands the state writes accumulated since the last call to the backend.
    pub(crate) fn flush_state_changes(&mut self, now: SimTime, s: u32) {
        if !self.tasks.is_stateful(s) {
            return;
        }
        let live = self.state_bytes(s);
        let entries = self.keys.distinct(s);
        if self.tasks.feed_state_changes(s, now, live, entries) {
            self.schedule_backend_wake(s);
        }
        self.sync_memtable_keys(s);
    }

    /// After anything that may have flushed subtask `s`'s RocksDB memtable (a full memtable, a
    /// native checkpoint, a materialization): the keys' memtable bits follow.
    fn sync_memtable_keys(&mut self, s: u32) {
        if let Some(flushes) = self.tasks.memtable_flushes(s) {
            self.keys.memtable_flushed(s, flushes);
        }
    }

    /// The backend's part of a snapshot. Stateless subtasks cost nothing.
    pub(crate) fn backend_snapshot(&mut self, now: SimTime, s: u32, barrier: &CheckpointBarrier) -> SnapshotCost {
        self.flush_state_changes(now, s);
        let cost = self
            .tasks
            .snapshot_backend(s, now, barrier, &self.backend_cfg)
            .unwrap_or_default();
        self.sync_memtable_keys(s);
        cost
    }

    /// Wall time of the synchronous phase's flush (RocksDB building the flushed SST, then
    /// syncing it): the task thread waits for the TaskManager's flush thread to take it (the
    /// flushes asked for before it go first), then for it to run `cpu_ns` on the TaskManager's
    /// cores, at the share a thread of the task gets now (held for the whole build), then for
    /// the `held_ns` of synced writes the thread holds without a core.
    pub(crate) fn sync_flush_wall_ns(&mut self, now: SimTime, s: u32, cpu_ns: u64, held_ns: u64) -> u64 {
        if cpu_ns == 0 && held_ns == 0 {
            return 0;
        }
        let tm = self.graph.subtasks[s as usize].taskmanager;
        let thread = super::cores::Thread::Task(s);
        let share = self.cores.share(tm, thread, now);
        let took = if cpu_ns == 0 {
            0
        } else {
            ((cpu_ns as f64 / share) as u64).max(1)
        };
        let end = self.rocksdb_flush.run(tm, now, took + held_ns);
        self.cores.claim(tm, thread, now, SimTime(end.as_ns() - held_ns), took);
        end.since(now)
    }

    /// Schedules the backend's next background step, if it has one earlier than the pending.
    pub(crate) fn schedule_backend_wake(&mut self, s: u32) {
        let Some(at) = self.tasks.next_backend_step(s) else {
            return;
        };
        let at = at.max(self.queue.now());
        if !self.tasks.book_backend_wake(s, at) {
            return;
        }
        let inc = self.tasks.incarnation(s);
        self.queue.schedule(at, Event::BackendWake { s, inc });
    }

    /// Changelog: uploads due batches of the log, starts a due materialization.
    pub(crate) fn on_backend_wake(&mut self, now: SimTime, s: u32) {
        if !self.tasks.take_backend_wake(s, now) {
            return; // superseded by an earlier wake
        }
        self.flush_state_changes(now, s);
        let mut ups = Vec::new();
        let mat = match self.tasks.changelog_mut(s) {
            Some(cl) => {
                cl.poll_uploads(now, &mut ups);
                cl.poll_materialization(now)
            }
            None => return,
        };
        for u in ups {
            self.submit_background(now, s, u.bytes, UploadKind::Changelog { seq: u.seq });
        }
        if let Some(m) = mat {
            // The materialization's sync part (a memtable flush) runs on the task thread in Flink;
            // here it only delays the upload.
            let req = StorageRequest::upload(s, 0, m.upload_bytes);
            if m.upload_bytes == 0 {
                self.on_background_upload_done(now, s, 0, UploadKind::Materialization { id: m.id });
            } else {
                let kind = UploadKind::Materialization { id: m.id };
                self.storage.submit(now + m.sync_ns, req, Some(kind), &mut self.queue);
            }
        }
        self.sync_memtable_keys(s);
        self.schedule_backend_wake(s);
    }

    fn submit_background(&mut self, now: SimTime, s: u32, bytes: u64, kind: UploadKind) {
        let req = StorageRequest::upload(s, 0, bytes);
        self.storage.submit(now, req, Some(kind), &mut self.queue);
    }

    /// A storage request that was not a state upload or a restore finished.
    pub(crate) fn on_background_upload_done(
        &mut self,
        now: SimTime,
        s: u32,
        checkpoint: CheckpointId,
        kind: UploadKind,
    ) {
        match kind {
            UploadKind::ChannelState => {
                let ok = !self.storage.upload_fails();
                self.on_channel_state_written(now, s, checkpoint, ok);
            }
            UploadKind::ChannelStateFile { writer } => {
                let ok = !self.storage.upload_fails();
                self.on_channel_file_written(now, writer, checkpoint, ok);
            }
            UploadKind::ChannelStateFileClose { writer } => {
                // A sync moves no bytes: upload failures strike the writes, not the close.
                self.on_channel_file_written(now, writer, checkpoint, true);
            }
            UploadKind::Changelog { seq } => {
                if let Some(cl) = self.tasks.changelog_mut(s) {
                    cl.on_upload_complete(seq);
                }
            }
            UploadKind::Materialization { id } => {
                if let Some(cl) = self.tasks.changelog_mut(s) {
                    cl.on_materialization_complete(now, id);
                }
                self.schedule_backend_wake(s);
            }
        }
    }

    /// Hook for recovery: the changelog a subtask restored from `checkpoint` must download and
    /// replay on top of its materialized state (0 for the other backends).
    pub(crate) fn restore_changelog_bytes(&self, s: u32, checkpoint: CheckpointId) -> u64 {
        self.tasks.changelog_replay_bytes(s, checkpoint).unwrap_or(0)
    }

    /// Hook for recovery: time to re-apply that log to the backend after downloading it, at the
    /// local disk's write speed (each change is written again).
    pub(crate) fn restore_extra_ns(&self, s: u32, checkpoint: CheckpointId) -> u64 {
        let bytes = self.restore_changelog_bytes(s, checkpoint);
        let rate = self.backend_cfg.local_disk_bytes_per_s;
        if bytes == 0 || rate <= 0.0 {
            return 0;
        }
        ns_from_f64(bytes as f64 / rate * NS_PER_S as f64)
    }

    /// After a restart: the subtask's backend starts over from the restored state.
    pub(crate) fn reset_backend(&mut self, s: u32) {
        let live = self.graph.vertex_of(crate::ids::SubtaskId(s)).state_initial_bytes;
        self.tasks.restart_backend(s, &self.backend_cfg, live);
        self.keys.memtable_reopened(s);
    }
}
