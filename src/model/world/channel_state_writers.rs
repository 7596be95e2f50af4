//! The channel-state writers of the TaskManagers, as Flink 1.17+ shares them
//! (`ChannelStateWriteRequestExecutorFactory`, `ChannelStateWriteRequestExecutorImpl`,
//! `ChannelStateCheckpointWriter`): on each TaskManager the subtasks of the job register, in
//! the order they are deployed, with one writer until it has
//! `execution.checkpointing.unaligned.max-subtasks-per-channel-state-file` of them (5), then
//! with a new one. A writer writes the channel state of all its subtasks for one checkpoint
//! into one file, on one thread, as the buffers come; the file is closed once every one of
//! its subtasks has handed over all its input and output channel state
//! (`tryFinishResult`), and only then is any of their channel-state results complete. So a
//! subtask's asynchronous phase ends with its neighbours' channel state, not its own.
//!
//! The component owns the assignment and the open files; the world hands it bytes and
//! completions and acts on what it returns (writes to submit, members to notify).

use std::collections::BTreeMap;

use crate::ids::CheckpointId;

/// One open file: a writer's channel state of one checkpoint.
#[derive(Clone, Debug, Default)]
struct OpenFile {
    /// Members that handed over all their channel state.
    complete: Vec<u32>,
    /// Bytes handed over and not yet written.
    pending_bytes: u64,
    /// Bytes handed over in total.
    total_bytes: u64,
    /// The write in flight (a storage request handle).
    in_flight: Option<u32>,
    /// A write went out already: the file's stream is open, and later writes append to it.
    opened: bool,
    /// The open stream was asked to close (`closeAndGetHandle`, which syncs the file).
    close_requested: bool,
}

/// What [`ChannelStateWriters::next_step`] asks the world to do with a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FileStep {
    /// Nothing now (a write in flight, or members still to complete).
    Wait,
    /// Write these bytes (one write at a time per file: the writer has one thread). The first
    /// write opens the file's stream (`createCheckpointStateOutputStream`: a storage request);
    /// later ones `append` to the open stream, which costs bandwidth but no new request.
    Write { bytes: u64, append: bool },
    /// Close the file's open stream (every member is complete and every byte written):
    /// `closeAndGetHandle` syncs the file. One step, like a write; then `Closed`.
    Close,
    /// The file is closed: these members' channel state is complete.
    Closed(Vec<u32>),
}

#[derive(Clone, Debug, Default)]
pub(crate) struct ChannelStateWriters {
    /// Per subtask, its writer (none when unaligned checkpoints are off).
    writer_of: Vec<Option<u32>>,
    /// Per writer, its subtasks.
    members: Vec<Vec<u32>>,
    files: BTreeMap<(u32, CheckpointId), OpenFile>,
    /// Up to this many bytes a file stays in memory and is inlined on close
    /// (`FsCheckpointStateOutputStream`'s threshold).
    inline_threshold_bytes: u64,
}

impl ChannelStateWriters {
    /// Writers for the subtasks on each TaskManager: `taskmanager_of[s]` in the order the
    /// subtasks are deployed (subtask id order: vertices in topological order, then index),
    /// at most `max_per_file` subtasks each.
    pub fn new(taskmanager_of: &[u32], max_per_file: u32, inline_threshold_bytes: u64) -> Self {
        let max = max_per_file.max(1) as usize;
        let mut writer_of = vec![None; taskmanager_of.len()];
        let mut members: Vec<Vec<u32>> = Vec::new();
        let mut open: BTreeMap<u32, u32> = BTreeMap::new(); // taskmanager -> writer filling
        for (s, &tm) in taskmanager_of.iter().enumerate() {
            let w = match open.get(&tm) {
                Some(&w) if members[w as usize].len() < max => w,
                _ => {
                    members.push(Vec::new());
                    let w = (members.len() - 1) as u32;
                    open.insert(tm, w);
                    w
                }
            };
            members[w as usize].push(s as u32);
            writer_of[s] = Some(w);
        }
        ChannelStateWriters {
            writer_of,
            members,
            files: BTreeMap::new(),
            inline_threshold_bytes,
        }
    }

    /// No shared writers (unaligned checkpoints off): every subtask writes its own.
    pub fn none(subtasks: usize) -> Self {
        ChannelStateWriters {
            writer_of: vec![None; subtasks],
            ..Default::default()
        }
    }

    pub fn writer_of(&self, s: u32) -> Option<u32> {
        self.writer_of.get(s as usize).copied().flatten()
    }

    pub fn members(&self, w: u32) -> &[u32] {
        &self.members[w as usize]
    }

    /// Subtask `s` hands `bytes` of channel state of `checkpoint` to its writer.
    pub fn add_bytes(&mut self, w: u32, checkpoint: CheckpointId, bytes: u64) {
        let f = self.files.entry((w, checkpoint)).or_default();
        f.pending_bytes += bytes;
        f.total_bytes += bytes;
    }

    /// Subtask `s` handed over all its channel state of `checkpoint`.
    pub fn member_complete(&mut self, w: u32, checkpoint: CheckpointId, s: u32) {
        let f = self.files.entry((w, checkpoint)).or_default();
        if !f.complete.contains(&s) {
            f.complete.push(s);
        }
    }

    pub fn is_member_complete(&self, w: u32, checkpoint: CheckpointId, s: u32) -> bool {
        self.files
            .get(&(w, checkpoint))
            .is_some_and(|f| f.complete.contains(&s))
    }

    pub fn write_started(&mut self, w: u32, checkpoint: CheckpointId, handle: u32) {
        if let Some(f) = self.files.get_mut(&(w, checkpoint)) {
            f.in_flight = Some(handle);
        }
    }

    /// A write finished; `false` when the file is gone (the checkpoint was dropped).
    pub fn write_finished(&mut self, w: u32, checkpoint: CheckpointId) -> bool {
        match self.files.get_mut(&(w, checkpoint)) {
            Some(f) => {
                f.in_flight = None;
                true
            }
            None => false,
        }
    }

    /// What the file of `checkpoint` at writer `w` needs now. `gone(s)`: the member takes no
    /// part (a finished task, as `releaseSubtask`). The file stays in memory while it is no
    /// larger than the inline threshold; past it, what was handed over is written as it comes.
    pub fn next_step(&mut self, w: u32, checkpoint: CheckpointId, gone: impl Fn(u32) -> bool) -> FileStep {
        let Some(f) = self.files.get_mut(&(w, checkpoint)) else {
            return FileStep::Wait;
        };
        if f.in_flight.is_some() {
            return FileStep::Wait;
        }
        let all = self.members[w as usize]
            .iter()
            .all(|m| f.complete.contains(m) || gone(*m));
        let spills = f.total_bytes > self.inline_threshold_bytes;
        if f.pending_bytes > 0 && spills {
            let append = std::mem::replace(&mut f.opened, true);
            return FileStep::Write {
                bytes: std::mem::take(&mut f.pending_bytes),
                append,
            };
        }
        if !all {
            return FileStep::Wait;
        }
        if f.opened && !std::mem::replace(&mut f.close_requested, true) {
            return FileStep::Close;
        }
        self.files.remove(&(w, checkpoint));
        FileStep::Closed(self.members[w as usize].clone())
    }

    /// Drops every file of `checkpoint` (aborted): the writes in flight, to cancel.
    pub fn drop_checkpoint(&mut self, checkpoint: CheckpointId) -> Vec<u32> {
        let keys: Vec<_> = self.files.keys().filter(|k| k.1 == checkpoint).copied().collect();
        keys.into_iter()
            .filter_map(|k| self.files.remove(&k).and_then(|f| f.in_flight))
            .collect()
    }

    /// Drops every file of writer `w` (a member failed): the writes in flight, to cancel.
    pub fn drop_writer(&mut self, w: u32) -> Vec<u32> {
        let keys: Vec<_> = self.files.keys().filter(|k| k.0 == w).copied().collect();
        keys.into_iter()
            .filter_map(|k| self.files.remove(&k).and_then(|f| f.in_flight))
            .collect()
    }

    /// The open files of writer `w`, by checkpoint.
    pub fn open_checkpoints(&self, w: u32) -> Vec<CheckpointId> {
        self.files.keys().filter(|k| k.0 == w).map(|k| k.1).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{ChannelStateWriters, FileStep};
    use crate::ids::CheckpointId;

    const C: CheckpointId = 1;

    #[test]
    fn six_subtasks_on_one_taskmanager_with_five_per_file_share_two_writers() {
        let w = ChannelStateWriters::new(&[0; 6], 5, 0);
        assert_eq!(w.members(0), &[0, 1, 2, 3, 4]);
        assert_eq!(w.members(1), &[5]);
        assert_eq!(w.writer_of(4), Some(0));
        assert_eq!(w.writer_of(5), Some(1));
    }

    #[test]
    fn writers_never_span_taskmanagers() {
        let w = ChannelStateWriters::new(&[0, 1, 0, 1], 5, 0);
        assert_eq!(w.members(0), &[0, 2]);
        assert_eq!(w.members(1), &[1, 3]);
    }

    #[test]
    fn a_file_closes_only_when_every_member_handed_over_its_channel_state() {
        let mut w = ChannelStateWriters::new(&[0; 3], 5, 0);
        w.add_bytes(0, C, 100);
        w.member_complete(0, C, 0);
        assert_eq!(
            w.next_step(0, C, |_| false),
            FileStep::Write {
                bytes: 100,
                append: false
            },
            "written as it comes"
        );
        w.write_started(0, C, 7);
        w.add_bytes(0, C, 50);
        assert_eq!(w.next_step(0, C, |_| false), FileStep::Wait, "one write at a time");
        assert!(w.write_finished(0, C));
        assert_eq!(
            w.next_step(0, C, |_| false),
            FileStep::Write {
                bytes: 50,
                append: true
            },
            "the second write appends to the open stream"
        );
        w.write_started(0, C, 8);
        assert!(w.write_finished(0, C));
        w.member_complete(0, C, 1);
        assert_eq!(w.next_step(0, C, |_| false), FileStep::Wait, "subtask 2 still writing");
        w.member_complete(0, C, 2);
        assert_eq!(
            w.next_step(0, C, |_| false),
            FileStep::Close,
            "the open stream closes (and syncs)"
        );
        w.write_started(0, C, 9);
        assert_eq!(w.next_step(0, C, |_| false), FileStep::Wait, "closing");
        assert!(w.write_finished(0, C));
        assert_eq!(w.next_step(0, C, |_| false), FileStep::Closed(vec![0, 1, 2]));
    }

    #[test]
    fn a_finished_member_does_not_hold_the_file_open() {
        let mut w = ChannelStateWriters::new(&[0; 2], 5, 0);
        w.member_complete(0, C, 0);
        assert_eq!(w.next_step(0, C, |_| false), FileStep::Wait);
        assert_eq!(w.next_step(0, C, |s| s == 1), FileStep::Closed(vec![0, 1]));
    }

    #[test]
    fn a_small_file_stays_in_memory_and_is_inlined() {
        let mut w = ChannelStateWriters::new(&[0], 5, 1000);
        w.add_bytes(0, C, 600);
        assert_eq!(w.next_step(0, C, |_| false), FileStep::Wait, "under the threshold");
        w.member_complete(0, C, 0);
        assert_eq!(w.next_step(0, C, |_| false), FileStep::Closed(vec![0]));
    }
}
