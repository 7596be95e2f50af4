//! `RocksDBStateUploader.uploadFilesToCheckpointFs`: each file is its own checkpoint stream
//! (its own storage request), and the files of one call go out on a pool of
//! `state.backend.rocksdb.checkpoint.transfer.thread.num` threads (default 4): a free thread
//! takes the next file. A snapshot makes its calls one after the other (the incremental
//! strategy uploads the new SSTs, then the misc files), so a stage starts when the one before
//! has finished.
//!
//! Sans-IO: the world asks which files to start, starts a storage request for each, and reports
//! each completion; the pool says when everything is up.

use std::collections::VecDeque;

/// The upload of one snapshot's files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TransferPool {
    threads: u32,
    /// Files not yet started, by stage (the front stage is the current one).
    stages: VecDeque<VecDeque<u64>>,
    in_flight: u32,
}

impl TransferPool {
    /// `plan`: file sizes by stage, in upload order; `threads` files at once (at least 1).
    pub fn new(plan: &[Vec<u64>], threads: u32) -> Self {
        TransferPool {
            threads: threads.max(1),
            stages: plan
                .iter()
                .filter(|s| !s.is_empty())
                .map(|s| s.iter().copied().collect())
                .collect(),
            in_flight: 0,
        }
    }

    /// Files to start now (sizes): up to the free threads' worth of the current stage; the next
    /// stage only once every file of the current one is done. The caller starts each and
    /// reports it with [`TransferPool::file_done`].
    pub fn start_next(&mut self) -> Vec<u64> {
        let mut out = Vec::new();
        loop {
            let Some(stage) = self.stages.front_mut() else {
                return out;
            };
            while self.in_flight < self.threads {
                let Some(bytes) = stage.pop_front() else {
                    break;
                };
                self.in_flight += 1;
                out.push(bytes);
            }
            if !stage.is_empty() || self.in_flight > 0 {
                return out;
            }
            self.stages.pop_front(); // an empty stage with nothing in flight is over
        }
    }

    /// A started file finished.
    pub fn file_done(&mut self) {
        debug_assert!(self.in_flight > 0, "a file finished that was never started");
        self.in_flight = self.in_flight.saturating_sub(1);
        if self.in_flight == 0 && self.stages.front().is_some_and(VecDeque::is_empty) {
            self.stages.pop_front();
        }
    }

    /// Every file is up.
    pub fn is_done(&self) -> bool {
        self.in_flight == 0 && self.stages.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drives a pool against a storage where each file takes `latency_ns` then its bytes at
    /// `stream_bytes_per_s` (every stream its own bandwidth, as a per-request cap gives when
    /// the aggregate is not the limit): returns when the last file is up.
    fn upload_time_ns(plan: &[Vec<u64>], threads: u32, latency_ns: u64, stream_bytes_per_s: f64) -> u64 {
        let mut pool = TransferPool::new(plan, threads);
        let mut running: Vec<u64> = Vec::new(); // finish times
        let mut now = 0;
        loop {
            for bytes in pool.start_next() {
                running.push(now + latency_ns + (bytes as f64 / stream_bytes_per_s * 1e9) as u64);
            }
            if pool.is_done() {
                return now;
            }
            running.sort_unstable();
            now = running.remove(0);
            pool.file_done();
        }
    }

    /// Eight equal files: one stream uploads them one after the other, four streams in two
    /// rounds, a quarter of the time; more threads than files change nothing beyond one round.
    #[test]
    fn four_streams_upload_eight_files_in_a_quarter_of_the_time() {
        let plan = vec![vec![10_000_000; 8]];
        let one = upload_time_ns(&plan, 1, 1_000_000, 100e6);
        let four = upload_time_ns(&plan, 4, 1_000_000, 100e6);
        let sixteen = upload_time_ns(&plan, 16, 1_000_000, 100e6);
        assert_eq!(one, 8 * 101_000_000);
        assert_eq!(four, 2 * 101_000_000);
        assert_eq!(sixteen, 101_000_000);
    }

    /// A stage waits for the one before: the misc files go out after the last SST is up.
    #[test]
    fn stages_run_one_after_the_other() {
        let mut pool = TransferPool::new(&[vec![5, 6], vec![], vec![7]], 4);
        assert_eq!(pool.start_next(), vec![5, 6]);
        pool.file_done();
        assert!(pool.start_next().is_empty(), "6 is still in flight");
        pool.file_done();
        assert_eq!(pool.start_next(), vec![7]);
        assert!(!pool.is_done());
        pool.file_done();
        assert!(pool.start_next().is_empty());
        assert!(pool.is_done());
        assert!(TransferPool::new(&[], 4).is_done(), "nothing to upload");
    }
}
