//! RocksDB's flush threads, shared by every RocksDB instance of a TaskManager.
//!
//! A checkpoint's native checkpoint flushes the memtable (`Checkpoint.createCheckpoint` with
//! the write-ahead log off, as Flink runs RocksDB) and waits for the flush. RocksDB does not
//! run it on the calling thread: it schedules a flush job on its environment's HIGH-priority
//! pool. Flink gives its instances no environment of their own (`RocksDBResourceContainer`
//! sets `setMaxBackgroundJobs` and no `Env`), so every instance in the JVM shares
//! `Env::Default()`, a process singleton; and `max_background_jobs` of 2
//! (`state.backend.rocksdb.thread.num`'s default) sizes that pool at `max(1, jobs / 4)` = one
//! thread. So two stateful subtasks of one TaskManager that checkpoint together flush one after
//! the other, and the second one's synchronous phase holds the first one's flush. Flink 2.3
//! shows the second one slower (`tests/fidelity` f12 after the warm-up: the map subtask that
//! starts its sync phase second has a median of 25 and 23 ms, the first one 20 and 17), but it
//! slows the first one too (11 ms alone), which a queue in front of one thread cannot do; on
//! two TaskManagers of one JVM, so with this one pool, both take 13-17 ms
//! (`tests/fidelity/probes/README.md`). With RocksDB's directory on tmpfs, where synced writes
//! cost nothing, the same job shows this pool alone: 7 ms for the first, 11 for the second. A
//! trace of the fsyncs on ext4 shows the rest: this thread also holds the flush's synced writes
//! (the SST, its directory, the MANIFEST record: 1.9-3.5 ms), which the model has it hold
//! (`flush_sync_time`, a part of `native_checkpoint_time`), so the second flush waits for them
//! too. What it does not model: while the other instance's flush, its uploads and the JVM's other
//! threads run, each instance's task thread waits for a core for its part of the native
//! checkpoint (`tests/fidelity/probes/rocksdb_first_instance/`: 3 ms more than one instance
//! alone, for the one that starts first; the disk was asked no more than alone), about half of it
//! with the other core idle, queued where Linux woke it (`rocksdb_wait_placement/`). The synced
//! calls that looked twice as slow when they overlapped were mostly that wait, after their I/O.
//!
//! The pool is one per TaskManager (one JVM). A MiniCluster runs every TaskManager in one JVM;
//! with several TaskManagers there, their instances share one pool, which is not modelled (the
//! fidelity suite's RocksDB rows have one TaskManager). Flushes of full memtables and
//! compactions (the LOW pool) cost nothing here, as elsewhere in the LSM model.

use crate::time::SimTime;

/// Flush threads RocksDB's `max_background_jobs` gives (`DBImpl::GetBGJobLimits` with neither
/// `max_background_flushes` nor `max_background_compactions` set: a quarter, at least one).
pub fn flush_threads_of(max_background_jobs: u32) -> u32 {
    (max_background_jobs / 4).max(1)
}

/// When each flush thread of each TaskManager is next free.
#[derive(Clone, Debug)]
pub(crate) struct RocksDbFlushThreads {
    /// Per TaskManager, per thread: the end of the last flush it took.
    free_at: Vec<Vec<SimTime>>,
}

impl RocksDbFlushThreads {
    pub fn new(taskmanagers: u32, max_background_jobs: u32) -> Self {
        let threads = flush_threads_of(max_background_jobs) as usize;
        RocksDbFlushThreads {
            free_at: vec![vec![SimTime::ZERO; threads]; taskmanagers.max(1) as usize],
        }
    }

    /// A flush of `took` asked for `now` on TaskManager `tm`: the earliest free thread takes
    /// it (first come, first served) and is busy until its end, which is returned.
    pub fn run(&mut self, tm: u32, now: SimTime, took: u64) -> SimTime {
        let thread = self.free_at[tm as usize]
            .iter_mut()
            .min()
            .expect("a TaskManager has at least one flush thread");
        *thread = (*thread).max(now) + took;
        *thread
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    fn at(ms: u64) -> SimTime {
        SimTime(ms * MS)
    }

    #[test]
    fn rocksdb_sizes_the_flush_pool_at_a_quarter_of_the_background_jobs() {
        assert_eq!(flush_threads_of(2), 1, "Flink's default: one flush thread");
        assert_eq!(flush_threads_of(4), 1);
        assert_eq!(flush_threads_of(8), 2);
    }

    /// Two flushes asked together on one TaskManager: the second waits for the first; on
    /// another TaskManager nobody waits.
    #[test]
    fn flushes_of_one_taskmanager_queue_behind_each_other() {
        let mut p = RocksDbFlushThreads::new(2, 2);
        assert_eq!(p.run(0, at(10), 8 * MS), at(18));
        assert_eq!(p.run(0, at(11), 8 * MS), at(26), "the second waits for the first");
        assert_eq!(p.run(1, at(11), 8 * MS), at(19), "another TaskManager's thread is free");
        assert_eq!(
            p.run(0, at(30), 8 * MS),
            at(38),
            "after the flushes the thread is free again"
        );
    }

    /// With two threads (8 background jobs), two flushes run together and a third waits for
    /// the one that ends first.
    #[test]
    fn more_background_jobs_flush_side_by_side() {
        let mut p = RocksDbFlushThreads::new(1, 8);
        assert_eq!(p.run(0, at(0), 20 * MS), at(20));
        assert_eq!(p.run(0, at(0), 8 * MS), at(8), "the second thread is free");
        assert_eq!(p.run(0, at(1), 5 * MS), at(13), "the third waits for the earlier end");
    }
}
