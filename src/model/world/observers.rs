//! What tests and experiments read of a run beside its statistics: the record and snapshot logs,
//! the committed output, the moment a bounded job's input was processed, and the hook a negative
//! control uses to break alignment.

use super::{ProcessedRecord, SnapshotTaken, World};
use crate::time::SimTime;

impl World {
    /// Test hook: record (subtask, time, record id) of every record processed.
    pub fn enable_record_log(&mut self) {
        self.record_log = Some(Vec::new());
    }

    /// Test hook, for negative controls: make aligned barriers block no channel, so the
    /// snapshot no longer matches the barrier cut. A checker must catch this.
    #[doc(hidden)]
    pub fn break_alignment_for_negative_control(&mut self) {
        self.checks.break_alignment();
        self.net.break_alignment();
    }

    pub fn record_log(&self) -> Option<&[ProcessedRecord]> {
        self.record_log.as_deref()
    }

    pub fn snapshot_log(&self) -> &[SnapshotTaken] {
        &self.snapshot_log
    }

    /// Every record id the sinks committed, in commit order (what a `read_committed` consumer
    /// of the external system sees). The exactly-once checker compares these. `None` unless
    /// the configuration asked to keep them (`RunConfig::keep_committed_output`).
    pub fn committed_output(&self) -> Option<&[u64]> {
        self.endpoints.committed()
    }

    /// Bounded jobs: end the run as soon as a sink processed every record (before the final
    /// checkpoint and the job's end), for experiments that measure the time to do the work.
    pub fn stop_when_input_processed(&mut self) {
        self.endpoints.stop_when_input_processed();
    }

    /// Bounded jobs: when every record had been processed by a sink (first time).
    pub fn input_processed_at(&self) -> Option<SimTime> {
        self.endpoints.input_processed_at()
    }
}
