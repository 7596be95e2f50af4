//! The tasks' keyed state backends (`model::backend`): the state writes each stateful task
//! feeds its backend, a snapshot's costs, the changelog's background steps, a restart.

use super::Tasks;
use crate::model::backend::changelog::ChangelogBackend;
use crate::model::backend::{BackendConfig, SnapshotCost, StateBackend, StateWrites};
use crate::protocol::{CheckpointBarrier, CheckpointType};
use crate::time::SimTime;

/// Checkpoints per subtask whose changelog replay size is remembered (for recovery).
const REPLAY_REMEMBERED: usize = 16;

impl Tasks {
    /// Whether task `s` keeps keyed state (has a backend).
    #[inline]
    pub fn is_stateful(&self, s: u32) -> bool {
        self.tasks[s as usize].backend.is_some()
    }

    /// Task `s` put one entry of `bytes()` of keyed state, if it is stateful (fed to its
    /// backend once per batch). A key's bytes may be fractional (an average over keys).
    #[inline]
    pub fn note_state_written(&mut self, s: u32, newest: bool, bytes: impl FnOnce() -> f64) {
        let t = &mut self.tasks[s as usize];
        if t.backend.is_some() {
            let b = bytes();
            let w = &mut t.state_written_pending;
            w.bytes += b;
            w.puts += 1;
            if newest {
                w.newest_bytes += b;
            }
        }
    }

    /// Memtables task `s`'s RocksDB instance has flushed since it opened; `None` without one.
    pub fn memtable_flushes(&self, s: u32) -> Option<u64> {
        self.tasks[s as usize]
            .backend
            .as_ref()
            .and_then(|b| b.memtable_flushes())
    }

    /// Whether task `s` has state writes not yet fed to its backend.
    #[inline]
    pub fn has_pending_state_writes(&self, s: u32) -> bool {
        let w = &self.tasks[s as usize].state_written_pending;
        w.puts > 0 && w.bytes > 0.0
    }

    /// Feeds stateful task `s`'s backend the writes since the last call, with its live state
    /// bytes and entries now. Whether the changelog has new log to upload (a wake-up is due).
    #[inline]
    pub fn feed_state_changes(&mut self, s: u32, now: SimTime, live_bytes: u64, entries: u64) -> bool {
        let t = &mut self.tasks[s as usize];
        let written = t.state_written_pending.take_whole_bytes();
        let b = t.backend.as_mut().expect("a stateful task");
        b.on_state_change(now, written, live_bytes);
        b.on_entries(entries);
        written.bytes > 0 && b.changelog_mut().is_some()
    }

    /// The backend's part of task `s`'s snapshot for `barrier`, `None` for a stateless task.
    pub fn snapshot_backend(
        &mut self,
        s: u32,
        now: SimTime,
        barrier: &CheckpointBarrier,
        cfg: &BackendConfig,
    ) -> Option<SnapshotCost> {
        let t = &mut self.tasks[s as usize];
        let b = t.backend.as_mut()?;
        let savepoint = barrier.options.checkpoint_type == CheckpointType::Savepoint;
        let cost = if savepoint {
            b.snapshot_savepoint(now)
        } else {
            b.snapshot(now, barrier.id)
        };
        let changelog = cfg.changelog.is_some();
        if changelog && !savepoint {
            let m = &mut t.changelog_replay_bytes;
            m.insert(barrier.id, cost.changelog_replay_bytes);
            while m.len() > REPLAY_REMEMBERED {
                m.pop_first();
            }
        }
        Some(cost)
    }

    /// Task `s`'s keyed state backend, if it is stateful (for tests to inspect).
    #[inline]
    pub fn backend(&self, s: u32) -> Option<&StateBackend> {
        self.tasks[s as usize].backend.as_ref()
    }

    /// Task `s`'s changelog backend, if it has one.
    #[inline]
    pub fn changelog_mut(&mut self, s: u32) -> Option<&mut ChangelogBackend> {
        self.tasks[s as usize].backend.as_mut().and_then(|b| b.changelog_mut())
    }

    /// After a restart: stateful task `s`'s backend starts over from `live_bytes` of restored
    /// state, with no channel state, deferred mail or output-barrier wait left over.
    pub fn restart_backend(&mut self, s: u32, cfg: &BackendConfig, live_bytes: u64) {
        let t = &mut self.tasks[s as usize];
        if t.backend.is_none() {
            return;
        }
        // The instance is opened again: RocksDB starts a new MANIFEST.
        t.backend = Some(StateBackend::new(&cfg.reopened(), live_bytes));
        t.state_written_pending = PendingWrites::default();
        t.channel_state = None;
        t.deferred_mail.clear();
        t.priority_mail.clear();
        t.rescued_overtaken.clear();
        t.waiting_output_barrier = None;
        self.cancel_backend_wake(s);
    }
}

/// A task's keyed-state writes not yet fed to its backend. A key's state may be a fractional
/// number of bytes (an average), so the bytes add up as such and the backend gets the whole
/// bytes; the fraction waits for the next writes. With whole bytes per key nothing waits.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct PendingWrites {
    bytes: f64,
    puts: u64,
    newest_bytes: f64,
}

impl PendingWrites {
    /// The whole bytes and every put written since the last call; the fractions stay.
    fn take_whole_bytes(&mut self) -> StateWrites {
        let (bytes, newest_bytes) = (self.bytes.floor(), self.newest_bytes.floor());
        self.bytes -= bytes;
        self.newest_bytes -= newest_bytes;
        StateWrites {
            bytes: bytes as u64,
            puts: std::mem::take(&mut self.puts),
            newest_bytes: newest_bytes as u64,
        }
    }
}
