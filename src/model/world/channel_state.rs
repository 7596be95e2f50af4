//! Unaligned checkpoints and the aligned-checkpoint timeout in the world (§1.4-1.5, FLIP-76,
//! FLIP-182, FLINK-27251): priority barriers that overtake queued buffers at the producer and
//! at the consumer, the in-flight data they overtake written as channel state, barrier
//! announcements, the input- and output-side alignment timers, and the acknowledgement that
//! waits for the channel state.
//!
//! The buffers themselves stay where they are and are still delivered and processed after the
//! snapshot, as in Flink, where the persisted copy only matters on recovery. The copy is counted
//! in bytes for the statistics and, when restore points are kept, also kept as records: a
//! recovery puts them back into the channels before any new input (`recovery.rs`).

use super::channel_state_writers::FileStep;
use super::{Event, StorageRequest, UploadKind, World};
use crate::ids::CheckpointId;
use crate::model::task::{ChannelSide, DeferredMail, PersistedChannel, PriorityMail, TaskPhase};
use crate::protocol::CheckpointBarrier;
use crate::time::SimTime;

impl World {
    /// `PipelinedSubpartition.add(priority event)`: an unaligned barrier goes to the head of the
    /// output queue (behind other priority events); the data buffers it overtakes (including the
    /// one being filled, finished first as `broadcastEvent` does) become output channel state.
    pub(crate) fn enqueue_priority_barrier(&mut self, now: SimTime, s: u32, ch: u32, barrier: CheckpointBarrier) {
        self.finish_builder(now, ch);
        let (overtaken, records) = self.net.queued_output(ch, self.jm.captures_snapshots());
        if let Some(acc) = self.tasks.channel_state_mut(s, barrier.id) {
            acc.output_bytes += overtaken;
            acc.push_records(ch, ChannelSide::Output, &records);
        }
        self.send_priority_barrier(now, ch, barrier);
    }

    /// An unaligned barrier reached the consumer: it skips the received queue (whose data it
    /// overtook) and is handled by the task between two records, even while back-pressured.
    pub(crate) fn on_priority_barrier_delivered(&mut self, now: SimTime, ch: u32, barrier: CheckpointBarrier) {
        let info = &self.graph.channels[ch as usize];
        let (consumer, input) = (info.consumer.0, info.input_index);
        // Buffers it overtook here, unless the channel already persists them (StartPersisting).
        // Either way the channel's share of the checkpoint ends with the barrier's arrival
        // (`ChannelStatePersister.checkForBarrier`), even if the task handles the barrier only
        // after a synchronous phase: what arrives after it is not persisted.
        let overtaken_buffers = self.net.priority_barrier_arrived(ch, barrier.id);
        self.mail_priority_barrier(now, consumer, input, barrier, overtaken_buffers);
    }

    /// The priority event completes the input gate's priority future, and its callback mails
    /// the task thread (`CheckpointedInputGate` -> `processPriorityEvents`): the barrier is
    /// handled once the mail reaches the thread, after the input hand-off (the same way from a
    /// completed gate future to the task thread as a buffer's notification; Flink's maps trail
    /// their sources' unaligned start by 1-2 ms in the fidelity runs f06 and f07). Until then
    /// the barrier sits at its channel's head, so the channel is held.
    fn mail_priority_barrier(&mut self, now: SimTime, s: u32, input: u32, barrier: CheckpointBarrier, overtaken: u32) {
        if self.tasks.phase(s) == TaskPhase::Down {
            return;
        }
        let handoff_ns = self.net.sample_input_handoff_ns();
        // After a hand-off the mail looks for a record in progress when it arrives
        // (`on_priority_mail`); without one it looks now.
        let (at, waited_for_record) = if handoff_ns > 0 {
            (now + handoff_ns, false)
        } else if let Some(end) = self.tasks.record_in_progress_end(s, now, self.net.records_per_bundle()) {
            (end, true)
        } else {
            self.handle_priority_barrier(now, s, input, barrier, overtaken);
            return;
        };
        self.net.hold_input_for_priority(s, input, &self.graph);
        let mail = PriorityMail {
            input,
            barrier,
            overtaken_buffers: overtaken,
            waited_for_record,
        };
        self.post_priority_mail(at, s, mail);
    }

    fn post_priority_mail(&mut self, at: SimTime, s: u32, mail: PriorityMail) {
        let (input, checkpoint) = (mail.input, mail.barrier.id);
        self.tasks.post_priority_mail(s, mail);
        let inc = self.tasks.incarnation(s);
        self.queue.schedule(
            at,
            Event::PriorityMail {
                s,
                input,
                checkpoint,
                inc,
            },
        );
    }

    /// A priority barrier's mail reaches task `s`'s thread: once the record the thread is in
    /// the middle of is done (the mail then runs at that boundary, whatever the thread would
    /// start next), the barrier is handled and the channel it held reopens.
    pub(crate) fn on_priority_mail(&mut self, now: SimTime, s: u32, input: u32, checkpoint: CheckpointId) {
        let Some(mut mail) = self.tasks.take_priority_mail(s, input, checkpoint) else {
            return;
        };
        if !mail.waited_for_record
            && let Some(end) = self.tasks.record_in_progress_end(s, now, self.net.records_per_bundle())
        {
            mail.waited_for_record = true;
            self.post_priority_mail(end, s, mail);
            return;
        }
        self.handle_priority_barrier(now, s, input, mail.barrier, mail.overtaken_buffers);
        self.net.release_input_after_priority(s, input, &self.graph);
        self.mark_input_available(now, s, input);
    }

    pub(crate) fn handle_priority_barrier(
        &mut self,
        now: SimTime,
        s: u32,
        input: u32,
        barrier: CheckpointBarrier,
        overtaken_buffers: u32,
    ) {
        match self.tasks.phase(s) {
            TaskPhase::Down => return,
            TaskPhase::SyncSnapshot => {
                let mail = DeferredMail::PriorityBarrier {
                    input,
                    barrier,
                    overtaken_buffers,
                };
                self.tasks.defer_mail(s, mail);
                return;
            }
            _ => {}
        }
        // Between records: what is done by now is emitted first.
        self.emit_done_records(now, s);
        if self.tasks.collects_channel_state_for(s, barrier.id) {
            if overtaken_buffers > 0 {
                // The overtaken buffers are still at the head of the channel: nothing is read
                // from it between the barrier's arrival and its handling.
                self.persist_overtaken(s, input, barrier.id, overtaken_buffers);
            }
            self.persist_rescued(s, input, barrier.id);
        }
        self.on_barrier(now, s, input, barrier);
    }

    /// What an unaligned barrier overtook on input `input` and its channel lost when its
    /// producer died before the barrier was handled (`rescue_overtaken`) is channel state too.
    fn persist_rescued(&mut self, s: u32, input: u32, checkpoint: CheckpointId) {
        let Some((bytes, records)) = self.tasks.take_rescued_overtaken(s, input, checkpoint) else {
            return;
        };
        let ch = self.graph.inputs[s as usize][input as usize].0;
        if let Some(acc) = self.tasks.channel_state_mut(s, checkpoint) {
            acc.input_bytes += bytes;
            acc.push_records(ch, ChannelSide::Input, &records);
        }
    }

    /// The `n` buffers an unaligned barrier overtook, at the head of input `input`'s channel,
    /// become `checkpoint`'s input channel state.
    fn persist_overtaken(&mut self, s: u32, input: u32, checkpoint: CheckpointId, n: u32) {
        let ch = self.graph.inputs[s as usize][input as usize].0;
        let (bytes, records) = self.net.received_head(ch, n, self.jm.captures_snapshots());
        if let Some(acc) = self.tasks.channel_state_mut(s, checkpoint) {
            acc.input_bytes += bytes;
            acc.push_records(ch, ChannelSide::Input, &records);
        }
    }

    /// Mailbox actions deferred by a synchronous phase, run when it ends.
    pub(crate) fn run_deferred_mail(&mut self, now: SimTime, s: u32) {
        while let Some(m) = self.tasks.next_deferred_mail(s) {
            match m {
                DeferredMail::PriorityBarrier {
                    input,
                    barrier,
                    overtaken_buffers,
                } => self.handle_priority_barrier(now, s, input, barrier, overtaken_buffers),
                DeferredMail::AlignmentTimer { checkpoint } => self.on_alignment_timer(now, s, checkpoint),
                DeferredMail::Finish => self.finish_task(now, s),
            }
            if self.tasks.phase(s) == TaskPhase::SyncSnapshot {
                break;
            }
        }
    }

    /// The input-side alignment timer fired (`BarrierAlignmentUtil`, a mailbox action).
    pub(crate) fn on_alignment_timer(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId) {
        if self.tasks.phase(s) == TaskPhase::SyncSnapshot {
            self.tasks.defer_mail(s, DeferredMail::AlignmentTimer { checkpoint });
            return;
        }
        self.emit_done_records(now, s);
        let out = self.tasks.on_alignment_timer(s, now, checkpoint);
        self.apply_handler_actions(now, s, out);
    }

    /// `StartPersisting`: the data of this channel ahead of its barrier and not yet consumed is
    /// channel state, the queued buffers now and each one arriving until `StopPersisting`.
    pub(crate) fn start_persisting(&mut self, s: u32, checkpoint: CheckpointId, input: u32) {
        // What the channel held before its producer died comes first.
        self.persist_rescued(s, input, checkpoint);
        // The channel's barrier already arrived and waits for the task thread: its share ended
        // with the arrival (`ChannelStatePersister.checkForBarrier`), so it is what the barrier
        // overtook, still at the channel's head, and nothing that came after.
        if let Some(overtaken) = self.tasks.take_priority_mail_overtaken(s, input, checkpoint) {
            self.persist_overtaken(s, input, checkpoint, overtaken);
            return;
        }
        let ch = self.graph.inputs[s as usize][input as usize].0;
        let (queued, records) = self.net.start_persisting(ch, checkpoint, self.jm.captures_snapshots());
        if let Some(acc) = self.tasks.channel_state_mut(s, checkpoint) {
            acc.input_bytes += queued;
            acc.push_records(ch, ChannelSide::Input, &records);
        }
    }

    pub(crate) fn stop_persisting(&mut self, s: u32, input: u32) {
        let ch = self.graph.inputs[s as usize][input as usize].0;
        self.net.stop_persisting(ch);
    }

    /// A data buffer arrived (the last one received) on a channel that is persisting.
    pub(crate) fn persist_arriving(&mut self, ch: u32, bytes: u32) {
        let Some((id, records)) = self.net.persisting_arrival(ch, self.jm.captures_snapshots()) else {
            return;
        };
        let s = self.graph.channels[ch as usize].consumer.0;
        if let Some(acc) = self.tasks.channel_state_mut(s, id) {
            acc.input_bytes += bytes as u64;
            acc.push_records(ch, ChannelSide::Input, &records);
        }
    }

    /// A local channel that persists for `checkpoint` handed the consumer a buffer: it is
    /// channel state (read before the channel's barrier, processed after the snapshot).
    pub(crate) fn persist_taken(
        &mut self,
        s: u32,
        ch: u32,
        checkpoint: CheckpointId,
        bytes: u32,
        records: &[crate::model::records::Record],
    ) {
        let with_records = self.jm.captures_snapshots();
        if let Some(acc) = self.tasks.channel_state_mut(s, checkpoint) {
            acc.input_bytes += bytes as u64;
            if with_records {
                acc.push_records(ch, ChannelSide::Input, records);
            }
        }
    }

    /// A timeoutable barrier was queued behind data in an input channel: announce it
    /// (`EventAnnouncement`), so that a switch to unaligned can prioritize it.
    pub(crate) fn announce_barrier(&mut self, now: SimTime, ch: u32, barrier: CheckpointBarrier, seq: u64) {
        let info = &self.graph.channels[ch as usize];
        let (s, input) = (info.consumer.0, info.input_index);
        if matches!(self.tasks.phase(s), TaskPhase::SyncSnapshot | TaskPhase::Down) {
            return; // the barrier is handled in order then
        }
        let out = self.tasks.process_barrier_announcement(s, now, input, barrier, seq);
        self.apply_handler_actions(now, s, out);
    }

    /// `PrioritizeAnnouncedBarrier`: the barrier still queued in the input channel moves to the
    /// head as an unaligned barrier (the data it overtakes is already being persisted).
    pub(crate) fn prioritize_announced(&mut self, now: SimTime, s: u32, input: u32) {
        let Some(barrier) = self.net.take_announced_barrier(s, input, &self.graph) else {
            return;
        };
        self.handle_priority_barrier(now, s, input, barrier.as_unaligned(), 0);
    }

    /// Output-side alignment timer (`PipelinedSubpartition.alignedBarrierTimeout`): a barrier of
    /// `checkpoint` still queued behind data in an output subpartition overtakes it as an
    /// unaligned barrier; the buffers ahead of it become output channel state of the task's
    /// checkpoint.
    pub(crate) fn on_output_alignment_timer(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId) {
        let si = s as usize;
        let mut persisted = 0u64;
        let mut persisted_records = Vec::new();
        for e in 0..self.graph.outputs[si].len() {
            for i in 0..self.graph.outputs[si][e].channels.len() {
                let ch = self.graph.outputs[si][e].channels[i].0;
                let with_records = self.jm.captures_snapshots();
                let queued = self.net.take_queued_barrier(ch, checkpoint, with_records);
                let (b, bytes, records, read_by_consumer) = match queued {
                    Some((b, bytes, records)) => (b, bytes, records, false),
                    None => match self
                        .net
                        .take_received_barrier(ch, checkpoint, with_records, &self.graph)
                    {
                        Some((b, bytes, records)) => (b, bytes, records, true),
                        None => continue,
                    },
                };
                persisted += bytes;
                if !records.is_empty() {
                    persisted_records.push(PersistedChannel {
                        channel: ch,
                        side: ChannelSide::Output,
                        records,
                    });
                }
                if read_by_consumer {
                    // Already handed over (and counted) once: it only moves to the head of the
                    // consumer's view, as a priority event polled before any buffer.
                    self.net.priority_event_local(ch);
                    self.on_priority_barrier_delivered(now, ch, b.as_unaligned());
                } else {
                    self.send_priority_barrier(now, ch, b.as_unaligned());
                }
            }
        }
        if let Some(c) = self.tasks.checkpoint_mut(s, checkpoint) {
            c.metrics.persisted_data += persisted;
            c.metrics.checkpointed_size += persisted;
            c.metrics.state_size += persisted;
            c.progress.add_channel_bytes(persisted);
            self.keep_channel_state(checkpoint, persisted_records);
            self.flush_channel_state(now, s, checkpoint);
            self.maybe_ack(now, s, checkpoint);
        }
    }

    /// The channel state of an unaligned checkpoint is complete (its last barrier arrived, or
    /// the task has no inputs): count it and write it.
    pub(crate) fn finalize_channel_state(
        &mut self,
        now: SimTime,
        s: u32,
        checkpoint: CheckpointId,
        alignment_duration_ns: Option<u64>,
    ) {
        let acc = self.tasks.take_channel_state(s, checkpoint);
        let bytes = acc.input_bytes + acc.output_bytes;
        let Some(c) = self.tasks.checkpoint_mut(s, checkpoint) else {
            return;
        };
        c.progress.all_barriers_received();
        if let Some(a) = alignment_duration_ns {
            c.metrics.alignment_duration_ns = a;
        }
        c.metrics.persisted_data += bytes;
        c.metrics.checkpointed_size += bytes;
        c.metrics.state_size += bytes;
        c.progress.add_channel_bytes(bytes);
        self.keep_channel_state(checkpoint, acc.records);
        self.flush_channel_state(now, s, checkpoint);
        self.maybe_ack(now, s, checkpoint);
    }

    /// Hands known channel-state bytes to storage (one write at a time per checkpoint;
    /// `ChannelStateWriter`), or inlines them when small.
    pub(crate) fn flush_channel_state(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId) {
        let Some((shared_file, taken)) = self.tasks.take_channel_bytes(s, checkpoint) else {
            return;
        };
        if shared_file {
            let w = self
                .channel_state_writers
                .writer_of(s)
                .expect("a shared file has a writer");
            if let Some(bytes) = taken {
                self.channel_state_writers.add_bytes(w, checkpoint, bytes);
            }
            self.channel_file_progress(now, s, checkpoint);
            return;
        }
        let Some(bytes) = taken else {
            return;
        };
        if bytes <= self.set.inline_threshold_bytes {
            return;
        }
        let req = StorageRequest::upload(s, checkpoint, bytes);
        let id = self
            .storage
            .submit(now, req, Some(UploadKind::ChannelState), &mut self.queue);
        if let Some(c) = self.tasks.checkpoint_mut(s, checkpoint) {
            c.progress.channel_write_started(id);
        }
    }

    /// A channel-state write finished.
    pub(crate) fn on_channel_state_written(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId, ok: bool) {
        let Some(c) = self.tasks.checkpoint_mut(s, checkpoint) else {
            return;
        };
        c.progress.channel_write_finished();
        if !ok {
            if self.tasks.fail_async(s, checkpoint) {
                self.decline(now, checkpoint, crate::protocol::CheckpointFailureReason::IoException);
            }
            return;
        }
        self.flush_channel_state(now, s, checkpoint);
        self.maybe_ack(now, s, checkpoint);
    }

    /// Acknowledges once the backend's upload, the channel state and (timeoutable barriers) the
    /// output barriers are all done.
    pub(crate) fn maybe_ack(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId) {
        self.channel_file_progress(now, s, checkpoint);
        if self
            .graph
            .vertex_of(crate::ids::SubtaskId(s))
            .state_waits_for_channel_state
            && let Some(serializes) = self.tasks.release_held_state(s, checkpoint)
        {
            // The chain's state snapshot waited for the channel state, complete now: it runs,
            // and the acknowledgement waits for it.
            self.run_state_snapshot(now, s, checkpoint, serializes);
            return;
        }
        let (net, graph) = (&self.net, &self.graph);
        let ready = self.tasks.ready_to_acknowledge(s, checkpoint, now, || {
            net.barrier_queued_in_output(s, checkpoint, graph)
        });
        if !ready {
            return;
        }
        let at = self.rpc.acknowledge_handled_at(now);
        self.queue.schedule(at, Event::AckArrive { s, checkpoint });
    }

    /// Subtask `s`'s part of its writer's shared file of `checkpoint`: once every barrier
    /// arrived, every byte was handed on and (a timeoutable barrier) the barrier left every
    /// output queue, it is complete (`completeInput`, `completeOutput`); then the file moves on.
    pub(crate) fn channel_file_progress(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId) {
        let Some(w) = self.channel_state_writers.writer_of(s) else {
            return;
        };
        let Some(part) = self.tasks.shared_file_part(s, checkpoint) else {
            return;
        };
        if self.channel_state_writers.is_member_complete(w, checkpoint, s) {
            return;
        }
        if !part.handed_over || (part.timeoutable && self.net.barrier_queued_in_output(s, checkpoint, &self.graph)) {
            return;
        }
        self.channel_state_writers.member_complete(w, checkpoint, s);
        self.pump_channel_file(now, w, checkpoint);
    }

    /// Writes what the file holds (one write at a time: the writer's one thread), or closes it
    /// once every member completed: each member's channel state is complete then.
    pub(crate) fn pump_channel_file(&mut self, now: SimTime, w: u32, checkpoint: CheckpointId) {
        let tasks = &self.tasks;
        let step = self
            .channel_state_writers
            .next_step(w, checkpoint, |m| tasks.is_finished(m));
        match step {
            FileStep::Wait => {}
            FileStep::Write { bytes, append } => {
                let req = StorageRequest::upload(self.channel_state_writers.members(w)[0], checkpoint, bytes);
                let kind = Some(UploadKind::ChannelStateFile { writer: w });
                // One file is one stream, as Flink's `ChannelStateCheckpointWriter` writes it:
                // only its first write pays the storage's request latency.
                let id = if append {
                    self.storage.submit_append(now, req, kind, &mut self.queue)
                } else {
                    self.storage.submit(now, req, kind, &mut self.queue)
                };
                self.channel_state_writers.write_started(w, checkpoint, id);
            }
            FileStep::Close => {
                let req = StorageRequest::upload(self.channel_state_writers.members(w)[0], checkpoint, 0);
                let kind = UploadKind::ChannelStateFileClose { writer: w };
                match self.storage.submit_close(now, req, kind, &mut self.queue) {
                    Some(id) => self.channel_state_writers.write_started(w, checkpoint, id),
                    // Syncs are free: the file is closed at once.
                    None => self.pump_channel_file(now, w, checkpoint),
                }
            }
            FileStep::Closed(members) => {
                for m in members {
                    let Some(c) = self.tasks.checkpoint_mut(m, checkpoint) else {
                        continue;
                    };
                    c.progress.shared_file_closed();
                    self.maybe_ack(now, m, checkpoint);
                }
            }
        }
    }

    /// A write of writer `w`'s file of `checkpoint` finished (`ok`: without an I/O error). A
    /// failed write fails every member's channel state (`CHANNEL_STATE_SHARED_STREAM_EXCEPTION`).
    pub(crate) fn on_channel_file_written(&mut self, now: SimTime, w: u32, checkpoint: CheckpointId, ok: bool) {
        if !self.channel_state_writers.write_finished(w, checkpoint) {
            return; // the checkpoint was dropped
        }
        if ok {
            self.pump_channel_file(now, w, checkpoint);
            return;
        }
        self.channel_state_writers.drop_checkpoint(checkpoint);
        let mut declined = false;
        for m in self.channel_state_writers.members(w).to_vec() {
            // Every member fails; the JobManager hears of it once.
            if self.tasks.fail_async_if_held(m, checkpoint) && !declined {
                declined = true;
                self.decline(now, checkpoint, crate::protocol::CheckpointFailureReason::IoException);
            }
        }
    }
}
