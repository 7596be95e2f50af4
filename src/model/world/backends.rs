//! State backends in the world (§1.6-1.8): each stateful subtask owns a
//! [`crate::model::backend::StateBackend`]; keyed state writes feed it once per input buffer;
//! a snapshot asks it for its costs; the changelog backend's background uploads and
//! materializations go through the storage model.

use super::{Event, StorageRequest, UploadKind, World};
use crate::ids::CheckpointId;
use crate::model::backend::SnapshotCost;
use crate::protocol::{CheckpointBarrier, CheckpointType};
use crate::time::{NS_PER_S, SimTime, ns_from_f64};

/// Checkpoints per subtask whose changelog replay size is remembered (for recovery).
const REPLAY_REMEMBERED: usize = 16;

impl World {
    /// Hands the state writes accumulated since the last call to the backend.
    pub(crate) fn flush_state_changes(&mut self, now: SimTime, s: u32) {
        let si = s as usize;
        if self.tasks[si].backend.is_none() {
            return;
        }
        let live = self.state_bytes(s);
        let entries = self.keys.distinct(s);
        let t = &mut self.tasks[si];
        let written = std::mem::take(&mut t.state_written_pending);
        let b = t.backend.as_mut().expect("checked");
        b.on_state_change(now, written, live);
        b.on_entries(entries);
        if written > 0 && b.changelog_mut().is_some() {
            self.schedule_backend_wake(s);
        }
    }

    /// The backend's part of a snapshot. Stateless subtasks cost nothing.
    pub(crate) fn backend_snapshot(&mut self, now: SimTime, s: u32, barrier: &CheckpointBarrier) -> SnapshotCost {
        let si = s as usize;
        self.flush_state_changes(now, s);
        let changelog = self.backend_cfg.changelog.is_some();
        let Some(b) = self.tasks[si].backend.as_mut() else {
            return SnapshotCost::default();
        };
        let cost = if barrier.options.checkpoint_type == CheckpointType::Savepoint {
            b.snapshot_savepoint()
        } else {
            b.snapshot(now, barrier.id)
        };
        if changelog && barrier.options.checkpoint_type != CheckpointType::Savepoint {
            let m = &mut self.tasks[si].changelog_replay_bytes;
            m.insert(barrier.id, cost.changelog_replay_bytes);
            while m.len() > REPLAY_REMEMBERED {
                m.pop_first();
            }
        }
        cost
    }

    /// Wall time of the synchronous phase's CPU work (RocksDB building the flushed SST): the
    /// task thread waits for it while it runs on the TaskManager's cores, at the share a thread
    /// of the task gets now (held for the whole flush).
    pub(crate) fn sync_cpu_wall_ns(&mut self, now: SimTime, s: u32, cpu_ns: u64) -> u64 {
        if cpu_ns == 0 {
            return 0;
        }
        let tm = self.graph.subtasks[s as usize].taskmanager;
        let thread = super::cores::Thread::Task(s);
        let share = self.cores.share(tm, thread, now);
        let took = ((cpu_ns as f64 / share) as u64).max(1);
        self.cores.claim(tm, thread, now, now + took, took);
        took
    }

    /// Schedules the backend's next background step, if it has one earlier than the pending.
    pub(crate) fn schedule_backend_wake(&mut self, s: u32) {
        let si = s as usize;
        let Some(at) = self.tasks[si]
            .backend
            .as_mut()
            .and_then(|b| b.changelog_mut())
            .and_then(|cl| cl.next_wakeup())
        else {
            return;
        };
        let at = at.max(self.queue.now());
        if self.backend_wake_at[si].is_some_and(|w| w <= at) {
            return;
        }
        self.backend_wake_at[si] = Some(at);
        let inc = self.tasks[si].incarnation;
        self.queue.schedule(at, Event::BackendWake { s, inc });
    }

    /// Changelog: uploads due batches of the log, starts a due materialization.
    pub(crate) fn on_backend_wake(&mut self, now: SimTime, s: u32) {
        let si = s as usize;
        if self.backend_wake_at[si] != Some(now) {
            return; // superseded by an earlier wake
        }
        self.backend_wake_at[si] = None;
        self.flush_state_changes(now, s);
        let mut ups = Vec::new();
        let mat = match self.tasks[si].backend.as_mut().and_then(|b| b.changelog_mut()) {
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
            let req = StorageRequest {
                subtask: s,
                checkpoint: 0,
                bytes: m.upload_bytes,
                started: false,
                cancelled: false,
                download_for: None,
            };
            if m.upload_bytes == 0 {
                self.on_background_upload_done(now, s, 0, UploadKind::Materialization { id: m.id });
            } else {
                let kind = UploadKind::Materialization { id: m.id };
                self.storage.submit(now + m.sync_ns, req, Some(kind), &mut self.queue);
            }
        }
        self.schedule_backend_wake(s);
    }

    fn submit_background(&mut self, now: SimTime, s: u32, bytes: u64, kind: UploadKind) {
        let req = StorageRequest {
            subtask: s,
            checkpoint: 0,
            bytes,
            started: false,
            cancelled: false,
            download_for: None,
        };
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
            UploadKind::Changelog { seq } => {
                if let Some(cl) = self.tasks[s as usize].backend.as_mut().and_then(|b| b.changelog_mut()) {
                    cl.on_upload_complete(seq);
                }
            }
            UploadKind::Materialization { id } => {
                if let Some(cl) = self.tasks[s as usize].backend.as_mut().and_then(|b| b.changelog_mut()) {
                    cl.on_materialization_complete(now, id);
                }
                self.schedule_backend_wake(s);
            }
        }
    }

    /// Hook for recovery: the changelog a subtask restored from `checkpoint` must download and
    /// replay on top of its materialized state (0 for the other backends).
    pub(crate) fn restore_changelog_bytes(&self, s: u32, checkpoint: CheckpointId) -> u64 {
        self.tasks[s as usize]
            .changelog_replay_bytes
            .get(&checkpoint)
            .copied()
            .unwrap_or(0)
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
        let si = s as usize;
        if self.tasks[si].backend.is_some() {
            let v = self.graph.vertex_of(crate::ids::SubtaskId(s));
            let live = v.state_initial_bytes;
            self.tasks[si].backend = Some(crate::model::backend::StateBackend::new(&self.backend_cfg, live));
            self.tasks[si].state_written_pending = 0;
            self.tasks[si].channel_state = None;
            self.tasks[si].deferred_mail.clear();
            self.tasks[si].waiting_output_barrier = None;
            self.backend_wake_at[si] = None;
        }
    }
}
