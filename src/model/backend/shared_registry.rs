//! `SharedStateRegistry` for one subtask's incremental state: reference counts of the files in
//! checkpoint storage, so that a file shared by several checkpoints is deleted only when no
//! retained (or still pending) checkpoint refers to it (§1.7). Flink keeps it on the
//! JobManager; the files are per subtask, so a per-subtask registry counts the same.

use std::collections::{BTreeMap, VecDeque};

use crate::ids::CheckpointId;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    bytes: u64,
    references: u32,
}

#[derive(Clone, Debug)]
pub struct SharedStateRegistry {
    num_retained: usize,
    files: BTreeMap<u64, Entry>,
    /// Files each pending or retained checkpoint refers to.
    checkpoints: BTreeMap<CheckpointId, Vec<(u64, u64)>>,
    retained: VecDeque<CheckpointId>,
    discarded_bytes_total: u64,
    discarded_files_total: u64,
}

impl SharedStateRegistry {
    pub fn new(num_retained: u32) -> Self {
        SharedStateRegistry {
            num_retained: num_retained.max(1) as usize,
            files: BTreeMap::new(),
            checkpoints: BTreeMap::new(),
            retained: VecDeque::new(),
            discarded_bytes_total: 0,
            discarded_files_total: 0,
        }
    }

    /// A checkpoint's files, as (file id, bytes), registered when its snapshot is taken.
    pub fn register(&mut self, checkpoint: CheckpointId, files: Vec<(u64, u64)>) {
        for (id, bytes) in &files {
            self.files
                .entry(*id)
                .or_insert(Entry {
                    bytes: *bytes,
                    references: 0,
                })
                .references += 1;
        }
        if let Some(old) = self.checkpoints.insert(checkpoint, files) {
            self.release(&old); // a repeated id replaces its earlier registration
        }
    }

    /// More files of a checkpoint (another subtask's acknowledgement), kept with the ones it
    /// already registered.
    pub fn add_files(&mut self, checkpoint: CheckpointId, files: Vec<(u64, u64)>) {
        for (id, bytes) in &files {
            self.files
                .entry(*id)
                .or_insert(Entry {
                    bytes: *bytes,
                    references: 0,
                })
                .references += 1;
        }
        self.checkpoints.entry(checkpoint).or_default().extend(files);
    }

    /// The store discarded the checkpoint (subsumed beyond `num-retained`, or failed): its
    /// references go, and files no other checkpoint refers to are deleted.
    pub fn checkpoint_discarded(&mut self, checkpoint: CheckpointId) {
        self.retained.retain(|c| *c != checkpoint);
        self.drop_checkpoint(checkpoint);
    }

    /// The checkpoint completed: it is retained, and the oldest beyond `num-retained` is
    /// subsumed and drops its references.
    pub fn checkpoint_completed(&mut self, checkpoint: CheckpointId) {
        if !self.checkpoints.contains_key(&checkpoint) || self.retained.contains(&checkpoint) {
            return;
        }
        self.retained.push_back(checkpoint);
        while self.retained.len() > self.num_retained {
            let old = self.retained.pop_front().expect("non-empty");
            self.drop_checkpoint(old);
        }
    }

    /// The checkpoint was aborted: its references go (files only it uploaded are deleted).
    pub fn checkpoint_aborted(&mut self, checkpoint: CheckpointId) {
        if !self.retained.contains(&checkpoint) {
            self.drop_checkpoint(checkpoint);
        }
    }

    fn drop_checkpoint(&mut self, checkpoint: CheckpointId) {
        if let Some(files) = self.checkpoints.remove(&checkpoint) {
            self.release(&files);
        }
    }

    fn release(&mut self, files: &[(u64, u64)]) {
        for (id, _) in files {
            if let Some(e) = self.files.get_mut(id) {
                e.references -= 1;
                if e.references == 0 {
                    self.discarded_bytes_total += e.bytes;
                    self.discarded_files_total += 1;
                    self.files.remove(id);
                }
            }
        }
    }

    /// Bytes of all files still in checkpoint storage.
    pub fn stored_bytes(&self) -> u64 {
        self.files.values().map(|e| e.bytes).sum()
    }

    pub fn stored_files(&self) -> usize {
        self.files.len()
    }

    pub fn references(&self, file: u64) -> u32 {
        self.files.get(&file).map_or(0, |e| e.references)
    }

    pub fn retained(&self) -> impl Iterator<Item = &CheckpointId> {
        self.retained.iter()
    }

    pub fn discarded_bytes_total(&self) -> u64 {
        self.discarded_bytes_total
    }

    pub fn discarded_files_total(&self) -> u64 {
        self.discarded_files_total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JobManager's registry: a checkpoint the store discards releases its files; a shared
    /// file a retained checkpoint still refers to stays.
    #[test]
    fn discarded_checkpoint_releases_shared_files() {
        let mut r = SharedStateRegistry::new(u32::MAX);
        r.add_files(1, vec![(10, 100), (11, 50)]);
        r.add_files(1, vec![(20, 5)]);
        r.add_files(2, vec![(10, 100), (12, 70)]);
        r.checkpoint_discarded(1);
        assert_eq!(r.references(10), 1, "checkpoint 2 still refers to file 10");
        assert_eq!(r.references(11), 0);
        assert_eq!(r.references(20), 0);
        assert_eq!(r.stored_bytes(), 170);
        assert_eq!(r.discarded_bytes_total(), 55);
    }

    /// §1.7: shared files are deleted once no retained checkpoint references them.
    #[test]
    fn a_shared_file_lives_as_long_as_a_retained_checkpoint_refers_to_it() {
        let mut r = SharedStateRegistry::new(1);
        r.register(1, vec![(10, 100), (11, 50)]);
        r.checkpoint_completed(1);
        r.register(2, vec![(10, 100), (12, 70)]);
        assert_eq!(r.references(10), 2);
        r.checkpoint_completed(2);
        assert_eq!(r.references(10), 1, "checkpoint 1 was subsumed");
        assert_eq!(r.references(11), 0, "only checkpoint 1 had file 11: deleted");
        assert_eq!(r.stored_bytes(), 170);
        assert_eq!(r.discarded_bytes_total(), 50);
        r.register(3, vec![(13, 5)]);
        r.checkpoint_aborted(3);
        assert_eq!(r.stored_bytes(), 170, "an aborted checkpoint's own files go");
    }
}
