//! What lies at the two ends of the job, as one component: the sources' input (which subtasks
//! read it, the generator each restarts from when no checkpoint completed, the lag at which a
//! restarted source has caught up, when bounded input was all processed) and the external
//! system the sinks commit to, which survives every failure of the job.
//!
//! Its state is private; the world asks and tells it through the methods below.

use crate::model::external_log::ExternalTransactionLog;
use crate::model::source::SourceReader;
use crate::protocol::two_phase_commit::TransactionAction;
use crate::time::SimTime;

pub(crate) struct Endpoints {
    /// Subtasks that are sources, and sinks, in subtask order.
    sources: Vec<u32>,
    sinks: Vec<u32>,
    /// Each source's generator at offset 0, to restart from when no checkpoint completed.
    initial_readers: Vec<Option<SourceReader>>,
    /// Per source: read lag at or below which it has caught up after a restart.
    catch_up_threshold_ns: Vec<Option<u64>>,
    transactions: ExternalTransactionLog,
    /// Bounded jobs: per source, whether a sink processed its last record; how many have not.
    last_record_seen: Vec<bool>,
    bounded_sources_open: u32,
    /// When the last record of every bounded source was first processed by a sink.
    input_processed_at: Option<SimTime>,
    /// Stop the run once every record was processed (experiments that measure the work's time).
    stop_when_input_processed: bool,
}

impl Endpoints {
    pub fn new(
        sources: Vec<u32>,
        sinks: Vec<u32>,
        initial_readers: Vec<Option<SourceReader>>,
        bounded_sources: u32,
        keep_committed_output: bool,
    ) -> Self {
        let n = initial_readers.len();
        Endpoints {
            sources,
            sinks,
            initial_readers,
            catch_up_threshold_ns: vec![None; n],
            transactions: ExternalTransactionLog::keeping_visible(keep_committed_output),
            last_record_seen: vec![false; n],
            bounded_sources_open: bounded_sources,
            input_processed_at: None,
            stop_when_input_processed: false,
        }
    }

    #[inline]
    pub fn sources(&self) -> &[u32] {
        &self.sources
    }

    #[inline]
    pub fn sinks(&self) -> &[u32] {
        &self.sinks
    }

    /// A source's reader at offset 0 (a restart with no checkpoint to restore from).
    pub fn initial_reader(&self, s: u32) -> SourceReader {
        self.initial_readers[s as usize]
            .as_ref()
            .expect("sources keep their initial reader")
            .restarted()
    }

    /// After a restart: the source has caught up once its lag is at most `threshold_ns`.
    pub fn watch_catch_up(&mut self, s: u32, threshold_ns: u64) {
        self.catch_up_threshold_ns[s as usize] = Some(threshold_ns);
    }

    #[inline]
    pub fn catch_up_threshold_ns(&self, s: u32) -> Option<u64> {
        self.catch_up_threshold_ns[s as usize]
    }

    pub fn caught_up(&mut self, s: u32) {
        self.catch_up_threshold_ns[s as usize] = None;
    }

    /// Commits and aborts reach the external system (idempotently).
    pub fn apply_transactions(&mut self, actions: &[TransactionAction]) {
        for a in actions {
            self.transactions.apply(a);
        }
    }

    /// An at-least-once sink wrote record `id`: visible at once, whatever happens to the job.
    pub fn write_visible(&mut self, id: u64) {
        self.transactions.write(id);
    }

    /// Every record id the sinks committed, in commit order, if they are kept.
    pub fn committed(&self) -> Option<&[u64]> {
        self.transactions.visible()
    }

    /// Some bounded source's last record has not reached a sink yet.
    #[inline]
    pub fn bounded_input_open(&self) -> bool {
        self.bounded_sources_open > 0
    }

    /// A sink processed record `offset` of source `src` at `done_ns`; `max_records` is that
    /// source's bound. The input is processed once every bounded source's last record was
    /// (the first time: replays after a later failure do not count).
    pub fn note_record_at_sink(&mut self, src: u32, offset: u64, max_records: Option<u64>, done_ns: u64) {
        let Some(max) = max_records else {
            return;
        };
        let src = src as usize;
        if offset + 1 != max || self.last_record_seen[src] {
            return;
        }
        self.last_record_seen[src] = true;
        self.bounded_sources_open -= 1;
        if self.bounded_sources_open == 0 {
            self.input_processed_at = Some(SimTime(done_ns));
        }
    }

    pub fn input_processed_at(&self) -> Option<SimTime> {
        self.input_processed_at
    }

    pub fn stop_when_input_processed(&mut self) {
        self.stop_when_input_processed = true;
    }

    /// The run should end now: every record was processed and the experiment stops there.
    pub fn run_over(&self) -> bool {
        self.stop_when_input_processed && self.input_processed_at.is_some()
    }
}
