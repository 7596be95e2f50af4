//! What the tasks know of their sources: how far each is behind its input, and where a bounded
//! one ends.

use super::Tasks;
use crate::model::records::Record;
use crate::model::source::SourceReader;
use crate::protocol::two_phase_commit::{TransactionAction, TwoPhaseCommitSink, TwoPhaseCommitSinkState};
use crate::time::SimTime;
use crate::vocab::DeliveryGuarantee;

impl Tasks {
    /// Records source `s` reads at most (a bounded source), if it is one.
    #[inline]
    pub fn source_max_records(&self, s: u32) -> Option<u64> {
        self.tasks[s as usize].source.as_ref().and_then(|src| src.max_records)
    }

    #[inline]
    pub fn is_source(&self, s: u32) -> bool {
        self.tasks[s as usize].source.is_some()
    }

    #[inline]
    pub fn is_sink(&self, s: u32) -> bool {
        self.tasks[s as usize].sink.is_some()
    }

    /// How far source `s` is behind its input at `now`: now minus the arrival of the oldest
    /// record it has not yet emitted.
    pub fn source_lag_ns(&self, s: u32, now: SimTime) -> u64 {
        let t = &self.tasks[s as usize];
        let src = t.source.as_ref().expect("source");
        if src.max_records.is_some_and(|m| src.reader.offset() >= m) && t.batch.is_none() {
            return 0;
        }
        if src.reader.is_generator() {
            return 0; // it makes each record when it reads it: throttled, never behind
        }
        let oldest = match (&t.batch, src.reader.next_arrival_ns()) {
            (Some(b), _) if b.next < b.records.len() => b.records[b.next].origin_ns,
            (_, Some(arrival)) => arrival,
            (_, None) => return 0,
        };
        now.as_ns().saturating_sub(oldest)
    }

    /// Source `s`'s offset of the first record it has not emitted (a batch in progress holds
    /// records read, not yet emitted); `None` if it is no source.
    pub fn source_offset(&self, s: u32) -> Option<u64> {
        let t = &self.tasks[s as usize];
        let src = t.source.as_ref()?;
        Some(match &t.batch {
            Some(b) if b.next < b.records.len() => {
                b.records[b.next].id & ((1u64 << crate::model::records::OFFSET_BITS) - 1)
            }
            _ => src.reader.offset(),
        })
    }

    /// Offset of the next record source `s`'s reader reads.
    #[inline]
    pub fn source_read_offset(&self, s: u32) -> u64 {
        self.tasks[s as usize].source.as_ref().expect("source").reader.offset()
    }

    /// Source `s`'s reader where it is now (a finished source's final position), if `s` is one.
    pub fn source_reader(&self, s: u32) -> Option<SourceReader> {
        self.tasks[s as usize].source.as_ref().map(|src| src.reader.clone())
    }

    /// Source `s`'s reader positioned at the first record it has not emitted (what a snapshot
    /// keeps: the records of a batch in progress are read again), if `s` is one.
    pub fn snapshot_source_reader(&self, s: u32) -> Option<SourceReader> {
        let t = &self.tasks[s as usize];
        t.source.as_ref().map(|src| match &t.batch {
            Some(b) if b.next < b.records.len() => {
                let mut g = src.reader.at_mark(&src.batch_start);
                for _ in 0..b.next {
                    g.skip();
                }
                g
            }
            _ => src.reader.clone(),
        })
    }

    /// Sink `s`'s records processed per source subtask (for the consistent-cut check), if it
    /// is one.
    pub fn sink_absorbed(&self, s: u32) -> Option<Vec<u64>> {
        self.tasks[s as usize]
            .sink
            .as_ref()
            .map(|k| k.absorbed_per_source.clone())
    }

    /// Every source's record shape, in subtask order (unit tests).
    #[cfg(test)]
    pub fn source_shapes(&self) -> Vec<&std::sync::Arc<crate::model::record_shape::RecordShape>> {
        self.tasks
            .iter()
            .filter_map(|t| t.source.as_ref().map(|s| &s.shape))
            .collect()
    }

    /// Redeployed sink `s` recovers: `recoverAndCommit` of the restored pending transactions
    /// (`state`; none: a fresh sink), its processed counts back to `absorbed` (none: zero). The
    /// open transaction died with the task (never committed, the external system times it
    /// out). The transaction actions for the external system, if `s` is a sink.
    pub fn restore_sink(
        &mut self,
        s: u32,
        state: Option<&TwoPhaseCommitSinkState>,
        absorbed: Option<&[u64]>,
    ) -> Option<Vec<TransactionAction>> {
        let t = &mut self.tasks[s as usize];
        let sink = t.sink.as_mut()?;
        let attempt = t.incarnation;
        let mut actions = Vec::new();
        let keep_record_ids = sink.txn.keeps_record_ids();
        sink.txn = match state {
            Some(state) => TwoPhaseCommitSink::restore(s, attempt, state, &mut actions),
            None => TwoPhaseCommitSink::new(s, attempt),
        }
        .with_record_ids(keep_record_ids);
        sink.open_origins_ns.clear();
        sink.pending_origins_ns.clear();
        match absorbed {
            Some(a) => {
                sink.absorbed_per_source.clear();
                sink.absorbed_per_source.extend_from_slice(a);
            }
            None => sink.absorbed_per_source.iter_mut().for_each(|n| *n = 0),
        }
        Some(actions)
    }

    /// Redeployed source `s` gets a new reader at its snapshot's position (`reader`; none:
    /// `initial`): a log's records since then are read again; a generator continues from its
    /// sequence number with a fresh limiter.
    pub fn restore_source(&mut self, s: u32, reader: Option<&SourceReader>, initial: impl FnOnce() -> SourceReader) {
        if let Some(src) = self.tasks[s as usize].source.as_mut() {
            src.reader = match reader {
                Some(r) => r.restarted(),
                None => initial(),
            };
            src.batch_start = src.reader.mark();
        }
    }

    /// Sink `s` writes record `r`: counted per source; an exactly-once sink adds it to its open
    /// transaction (visible on commit). Its delivery guarantee, for the world to do the rest.
    #[inline]
    pub fn sink_write(&mut self, s: u32, r: Record) -> DeliveryGuarantee {
        let sink = self.tasks[s as usize].sink.as_mut().expect("a sink task");
        sink.absorbed_per_source[(r.id >> crate::model::records::OFFSET_BITS) as usize] += 1;
        if sink.guarantee == DeliveryGuarantee::ExactlyOnce {
            sink.txn.invoke(r.id);
            if sink.commits {
                sink.open_origins_ns.push(r.origin_ns);
            }
        }
        sink.guarantee
    }
}
