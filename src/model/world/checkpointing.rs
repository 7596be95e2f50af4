//! The protocol's task side in the world: trigger RPCs at sources, barriers and markers through
//! the barrier handler, the subtask checkpoint steps (barrier out, sync phase, async upload),
//! acknowledgements, declines and the JobManager's notifications.

use super::{Event, StorageRequest, World};
use crate::ids::CheckpointId;
use crate::model::records::Payload;
use crate::model::task::{SubtaskCheckpoint, TaskPhase};
use crate::protocol::barrier_handler::BarrierHandlerAction;
use crate::protocol::subtask::SubtaskAction;
use crate::protocol::{CheckpointBarrier, CheckpointFailureReason, SubtaskCheckpointMetrics};
use crate::time::SimTime;

impl World {
    /// `triggerCheckpoint` at a source: a mailbox action, so it runs between records: a record
    /// being processed finishes first (and is in the snapshot), and a batch read ahead is split
    /// after it.
    pub(crate) fn on_trigger_arrive(&mut self, now: SimTime, s: u32, barrier: CheckpointBarrier) {
        let si = s as usize;
        if self.tasks[si].phase == TaskPhase::SyncSnapshot {
            self.tasks[si].deferred_triggers.push_back(barrier);
            return;
        }
        self.emit_done_records(now, s);
        if let Some(done) = self.source_record_in_progress(now, s) {
            let inc = self.tasks[si].incarnation;
            self.queue
                .schedule(SimTime(done), Event::TriggerArrive { s, barrier, inc });
            return;
        }
        let metrics = SubtaskCheckpointMetrics {
            start_delay_ns: now.since(barrier.timestamp),
            ..Default::default()
        };
        self.perform_checkpoint(now, s, barrier, metrics);
        if self.tasks[si].phase != TaskPhase::SyncSnapshot && self.tasks[si].phase == TaskPhase::Idle {
            self.wake_at(s, now);
        }
    }

    /// When the source record started before `now` and not yet done finishes, if any.
    fn source_record_in_progress(&self, now: SimTime, s: u32) -> Option<u64> {
        let b = self.tasks[s as usize].batch.as_ref()?;
        if b.input_channel.is_some() || b.next >= b.records.len() {
            return None;
        }
        let prev_done = if b.next > 0 { b.done_at_ns[b.next - 1] } else { 0 };
        let start = b.not_before_ns.max(prev_done).max(b.records[b.next].origin_ns);
        (start < now.as_ns() && b.done_at_ns[b.next] > now.as_ns()).then_some(b.done_at_ns[b.next])
    }

    pub(crate) fn on_barrier(&mut self, now: SimTime, s: u32, input: u32, barrier: CheckpointBarrier) {
        let si = s as usize;
        let mut out = Vec::new();
        let handler = self.tasks[si]
            .handler
            .as_mut()
            .expect("a task with inputs has a handler");
        let first = handler.is_new_checkpoint(barrier.id);
        handler.process_barrier(now, input, barrier, &mut out);
        if first {
            self.tasks[si].alignment_bytes_start = self.tasks[si].bytes_in;
        }
        self.apply_handler_actions(now, s, out);
    }

    pub(crate) fn on_cancel_marker(&mut self, now: SimTime, s: u32, input: u32, id: CheckpointId) {
        let mut out = Vec::new();
        self.tasks[s as usize]
            .handler
            .as_mut()
            .expect("handler")
            .process_cancellation_barrier(now, input, id, &mut out);
        self.apply_handler_actions(now, s, out);
    }

    pub(crate) fn apply_handler_actions(&mut self, now: SimTime, s: u32, actions: Vec<BarrierHandlerAction>) {
        let si = s as usize;
        let mut prioritize = Vec::new();
        for a in actions {
            match a {
                BarrierHandlerAction::BlockChannel(_) if self.broken_alignment => {}
                BarrierHandlerAction::BlockChannel(input) => {
                    let ch = self.graph.inputs[si][input as usize].0;
                    self.chans[ch as usize].consumer_blocked = true;
                    let t = &mut self.tasks[si];
                    if t.in_avail[input as usize] {
                        t.in_avail[input as usize] = false;
                        t.avail.retain(|i| *i != input);
                    }
                }
                BarrierHandlerAction::ResumeChannel(input) => self.resume_after_obsolete_barrier(now, s, input),
                BarrierHandlerAction::ResumeAllChannels => {
                    if self.tasks[si].phase == TaskPhase::SyncSnapshot {
                        self.tasks[si].resume_after_sync = true;
                    } else {
                        self.resume_all_inputs(now, s);
                    }
                }
                BarrierHandlerAction::TriggerCheckpoint {
                    barrier,
                    start_delay_ns,
                    alignment_duration_ns,
                } => {
                    let processed = self.tasks[si].bytes_in - self.tasks[si].alignment_bytes_start;
                    if barrier.options.is_unaligned() {
                        // The rest of the input buffer in progress is channel state
                        // (`StreamTaskNetworkInput.prepareSnapshot`): processed after the snapshot.
                        let (rest, ch, records) = match &self.tasks[si].batch {
                            Some(b) if b.input_channel.is_some() => {
                                let rest = &b.records[b.next..];
                                let bytes: u64 = rest.iter().map(|r| r.bytes as u64).sum();
                                let records = if self.capture_snapshots {
                                    rest.to_vec()
                                } else {
                                    Vec::new()
                                };
                                (bytes, b.input_channel.unwrap_or_default(), records)
                            }
                            _ => (0, 0, Vec::new()),
                        };
                        if let Some(acc) = self.channel_state_mut(s, barrier.id) {
                            acc.input_bytes += rest;
                            // Ahead of the buffers still queued in that channel.
                            acc.prepend_records(ch, crate::model::task::ChannelSide::Input, &records);
                        }
                    }
                    let metrics = SubtaskCheckpointMetrics {
                        start_delay_ns,
                        alignment_duration_ns,
                        processed_data: processed,
                        ..Default::default()
                    };
                    self.perform_checkpoint(now, s, barrier, metrics);
                }
                BarrierHandlerAction::RegisterAlignmentTimer { checkpoint, at } => {
                    let inc = self.tasks[si].incarnation;
                    self.queue
                        .schedule(at.max(now), Event::AlignmentTimer { s, checkpoint, inc });
                }
                BarrierHandlerAction::PrioritizeAnnouncedBarrier { channel, .. } => prioritize.push(channel),
                BarrierHandlerAction::StartPersisting { checkpoint, channel } => {
                    self.start_persisting(s, checkpoint, channel)
                }
                BarrierHandlerAction::StopPersisting { channel, .. } => self.stop_persisting(s, channel),
                BarrierHandlerAction::AllBarriersReceived {
                    checkpoint,
                    alignment_duration_ns,
                } => {
                    self.finalize_channel_state(now, s, checkpoint, Some(alignment_duration_ns));
                    self.resume_prioritized_inputs(now, s);
                }
                BarrierHandlerAction::AbortCheckpoint { checkpoint, reason } => {
                    if self.tasks[si]
                        .channel_state
                        .as_ref()
                        .is_some_and(|a| a.checkpoint <= checkpoint)
                    {
                        self.tasks[si].channel_state = None;
                    }
                    self.decline(now, checkpoint, reason);
                    self.resume_prioritized_inputs(now, s);
                    let mut out = Vec::new();
                    self.tasks[si]
                        .coordinator
                        .abort_checkpoint_on_barrier(checkpoint, &mut out);
                    self.apply_subtask_actions(now, s, out, SubtaskCheckpointMetrics::default());
                }
            }
        }
        for input in prioritize {
            self.prioritize_announced(now, s, input);
        }
    }

    /// The checkpoint ended at this task: subpartitions whose aligned barrier was prioritized
    /// here resume.
    fn resume_prioritized_inputs(&mut self, now: SimTime, s: u32) {
        for input in 0..self.graph.inputs[s as usize].len() {
            let ch = self.graph.inputs[s as usize][input].0;
            if std::mem::take(&mut self.chans[ch as usize].resume_at_checkpoint_end) {
                self.send_resume(now, ch);
            }
        }
    }

    fn resume_all_inputs(&mut self, now: SimTime, s: u32) {
        for input in 0..self.graph.inputs[s as usize].len() as u32 {
            self.resume_input(now, s, input);
        }
    }

    pub(crate) fn decline(&mut self, now: SimTime, checkpoint: CheckpointId, reason: CheckpointFailureReason) {
        let at = now + self.set.rpc_latency.sample_u64(&mut self.rpc_rng);
        self.queue.schedule(at, Event::DeclineArrive { checkpoint, reason });
    }

    /// `performCheckpoint` -> `checkpointState`.
    fn perform_checkpoint(
        &mut self,
        now: SimTime,
        s: u32,
        barrier: CheckpointBarrier,
        metrics: SubtaskCheckpointMetrics,
    ) {
        let mut out = Vec::new();
        self.tasks[s as usize].coordinator.checkpoint_state(barrier, &mut out);
        self.apply_subtask_actions(now, s, out, metrics);
    }

    fn apply_subtask_actions(
        &mut self,
        now: SimTime,
        s: u32,
        actions: Vec<SubtaskAction>,
        metrics: SubtaskCheckpointMetrics,
    ) {
        let si = s as usize;
        let mut current_barrier = None;
        for a in actions {
            match a {
                SubtaskAction::PrepareSnapshotPreBarrier { .. } => {}
                SubtaskAction::RegisterAlignmentTimer { checkpoint, at } => {
                    let inc = self.tasks[si].incarnation;
                    self.queue
                        .schedule(at.max(now), Event::OutputAlignmentTimer { s, checkpoint, inc });
                }
                SubtaskAction::BroadcastBarrier { barrier } => {
                    current_barrier = Some(barrier);
                    self.broadcast(now, s, Payload::Barrier(barrier));
                }
                SubtaskAction::BroadcastCancelMarker { checkpoint } => {
                    let n = self.graph.outputs[si].iter().map(|e| e.channels.len()).sum::<usize>();
                    if n > 0 {
                        self.broadcast(now, s, Payload::Cancel(checkpoint));
                    }
                }
                SubtaskAction::TakeSnapshotSync { checkpoint } => {
                    let barrier = current_barrier.expect("the barrier goes out before the sync phase");
                    debug_assert_eq!(barrier.id, checkpoint);
                    let state = self.state_bytes(s);
                    let cost = self.backend_snapshot(now, s, &barrier, state);
                    let v = self.graph.subtasks[si].vertex.index();
                    let t = &mut self.tasks[si];
                    let mut backend_ns = cost.sync_ns;
                    if !self.fault_schedule.windows.is_empty() {
                        let tm = self.graph.subtasks[si].taskmanager;
                        backend_ns = (backend_ns as f64 * self.fault_schedule.disk_slowdown(tm, now)) as u64;
                    }
                    let sync_ns = self.graph.vertices[v].sync_time.sample_u64(&mut t.rng) + backend_ns;
                    let unaligned = barrier.options.is_unaligned();
                    let has_inputs = t.handler.is_some();
                    t.checkpoints.push(SubtaskCheckpoint {
                        id: checkpoint,
                        barrier,
                        metrics: SubtaskCheckpointMetrics {
                            sync_duration_ns: sync_ns,
                            state_size: cost.state_size,
                            checkpointed_size: cost.checkpointed_size,
                            ..metrics
                        },
                        async_start: now + sync_ns,
                        upload: None,
                        state_done: false,
                        waiting_for_barriers: unaligned && has_inputs,
                        channel_upload: None,
                        timeoutable: barrier.options.is_timeoutable(),
                        savepoint: barrier.options.checkpoint_type == crate::protocol::CheckpointType::Savepoint,
                        channel_bytes: 0,
                        upload_bytes: cost.upload_bytes,
                        async_delay_ns: cost.async_delay_ns,
                    });
                    if unaligned && !has_inputs {
                        // A source's channel state is only its output buffers, all known now.
                        self.finalize_channel_state(now, s, checkpoint, None);
                    }
                    if self.record_log.is_some() {
                        let source_offset = self.tasks[si].source.as_ref().map(|src| match &self.tasks[si].batch {
                            Some(b) if b.next < b.records.len() => {
                                b.records[b.next].id & ((1u64 << crate::model::records::OFFSET_BITS) - 1)
                            }
                            _ => src.arrivals.offset(),
                        });
                        let records_logged_before = self.record_log.as_ref().map_or(0, |l| l.len());
                        self.snapshot_log.push(super::SnapshotTaken {
                            subtask: s,
                            checkpoint,
                            time: now,
                            source_offset,
                            records_logged_before,
                        });
                    }
                    // Two-phase commit: pre-commit the open transaction in the sync phase.
                    let sink_state = self.tasks[si].sink.as_mut().map(|sink| {
                        let origins = std::mem::take(&mut sink.open_origins_ns);
                        sink.pending_origins_ns.insert(checkpoint, origins);
                        sink.txn
                            .snapshot_state(checkpoint)
                            .expect("checkpoint ids grow at a subtask")
                    });
                    if self.capture_snapshots {
                        self.capture_snapshot(s, checkpoint, state, sink_state);
                    }
                    self.start_sync_phase(now, s, checkpoint, sync_ns);
                }
            }
        }
    }

    /// Emits an event on every output. A barrier goes out with the options its edge supports:
    /// forward and broadcast edges cannot carry an unaligned or timeoutable barrier and send it
    /// forced-aligned (`withUnalignedUnsupported`, FLINK-21945); an unaligned barrier overtakes
    /// the queued buffers (output channel state).
    fn broadcast(&mut self, now: SimTime, s: u32, payload: Payload) {
        let si = s as usize;
        for e in 0..self.graph.outputs[si].len() {
            let pointwise = matches!(
                self.graph.outputs[si][e].partitioning,
                crate::scenario::Partitioning::Forward | crate::scenario::Partitioning::Broadcast
            );
            for i in 0..self.graph.outputs[si][e].channels.len() {
                let ch = self.graph.outputs[si][e].channels[i].0;
                match &payload {
                    Payload::Barrier(b) => {
                        let mut b = *b;
                        if pointwise {
                            b.options = b.options.with_unaligned_unsupported();
                        }
                        if b.options.is_unaligned() {
                            self.enqueue_priority_barrier(now, s, ch, b);
                        } else {
                            self.enqueue_event(now, ch, Payload::Barrier(b));
                        }
                    }
                    Payload::Cancel(id) => self.enqueue_event(now, ch, Payload::Cancel(*id)),
                    Payload::Data(_) => unreachable!("broadcast carries events only"),
                }
            }
        }
    }

    /// The task stops processing for the synchronous part. A batch in progress (a source's
    /// records read ahead) resumes after it, shifted by the sync time.
    fn start_sync_phase(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId, sync_ns: u64) {
        let t = &mut self.tasks[s as usize];
        if let Some(since) = t.back_pressured_since.take() {
            t.back_pressured_ns += now.since(since);
        }
        t.phase = TaskPhase::SyncSnapshot;
        t.sync_until = now + sync_ns;
        t.sync_checkpoint = Some(checkpoint);
        t.busy_ns += sync_ns;
        let mut shifted = false;
        if let Some(b) = t.batch.as_mut() {
            for d in &mut b.done_at_ns[b.next..] {
                *d += sync_ns;
            }
            b.end += sync_ns;
            b.not_before_ns = b.not_before_ns.max(now.as_ns() + sync_ns);
            shifted = b.next < b.records.len() && b.input_channel.is_some();
        }
        if shifted {
            // An unaligned snapshot split an input buffer: the test log's completion times of
            // the records after the split move with them.
            if let Some(log) = self.record_log.as_mut() {
                for e in log.iter_mut().filter(|e| e.subtask == s && e.done > now) {
                    e.done += sync_ns;
                }
            }
        }
        let until = t.sync_until;
        self.wake_at(s, until);
    }

    pub(crate) fn end_sync_phase(&mut self, now: SimTime, s: u32) {
        let si = s as usize;
        let t = &mut self.tasks[si];
        t.phase = TaskPhase::Idle;
        let checkpoint = t.sync_checkpoint.take().expect("a sync phase belongs to a checkpoint");
        if std::mem::take(&mut t.resume_after_sync) {
            self.resume_all_inputs(now, s);
        }
        if self.tasks[si].coordinator.is_async_running(checkpoint) {
            self.start_async_phase(now, s, checkpoint);
        } else {
            self.tasks[si].checkpoints.retain(|c| c.id != checkpoint);
        }
        while let Some(barrier) = self.tasks[si].deferred_triggers.pop_front() {
            self.on_trigger_arrive(now, s, barrier);
            if self.tasks[si].phase == TaskPhase::SyncSnapshot {
                break;
            }
        }
        if self.tasks[si].phase != TaskPhase::SyncSnapshot {
            self.run_deferred_mail(now, s);
        }
    }

    /// `AsyncCheckpointRunnable`: upload the snapshot (state inlined into the metadata when
    /// small), then acknowledge.
    fn start_async_phase(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId) {
        let si = s as usize;
        let Some(pos) = self.tasks[si].checkpoints.iter().position(|c| c.id == checkpoint) else {
            return;
        };
        let bytes = self.tasks[si].checkpoints[pos].upload_bytes;
        let delay = self.tasks[si].checkpoints[pos].async_delay_ns;
        self.tasks[si].checkpoints[pos].async_start = now;
        if bytes <= self.set.inline_threshold_bytes {
            self.async_done(now, s, checkpoint);
            return;
        }
        let req = StorageRequest {
            subtask: s,
            checkpoint,
            bytes,
            started: false,
            cancelled: false,
            download_for: None,
        };
        let id = self.submit_storage_request_after(now, req, delay);
        self.tasks[si].checkpoints[pos].upload = Some(id);
    }

    /// A storage request that starts after `delay_ns` (the changelog's batching delay).
    pub(crate) fn submit_storage_request_after(&mut self, now: SimTime, req: StorageRequest, delay_ns: u64) -> u32 {
        if delay_ns == 0 {
            return self.submit_storage_request(now, req);
        }

        self.submit_storage_request(now + delay_ns, req)
    }

    /// Queues a storage request: its request latency first, then its share of the bandwidth.
    pub(crate) fn submit_storage_request(&mut self, now: SimTime, req: StorageRequest) -> u32 {
        let id = match self.storage_free.pop() {
            Some(id) => {
                self.storage_requests[id as usize] = Some(req);
                id
            }
            None => {
                self.storage_requests.push(Some(req));
                (self.storage_requests.len() - 1) as u32
            }
        };
        let mut latency = self.storage_profile.request_latency.sample_u64(&mut self.storage_rng);
        if !self.fault_schedule.windows.is_empty() {
            latency = (latency as f64 * self.fault_schedule.storage_latency_factor(now)) as u64;
        }
        self.queue.schedule(now + latency, Event::StorageStart { req: id });
        id
    }

    pub(crate) fn on_storage_start(&mut self, now: SimTime, req: u32) {
        let r = self.storage_requests[req as usize].as_mut().expect("live request");
        if r.cancelled {
            self.storage_requests[req as usize] = None;
            self.storage_free.push(req);
            return;
        }
        r.started = true;
        let bytes = r.bytes;
        if let Some((at, generation)) = self.storage.start(now, req, bytes) {
            self.queue.schedule(at, Event::StorageTick { generation });
        }
    }

    pub(crate) fn on_storage_tick(&mut self, now: SimTime, generation: u64) {
        let mut done = Vec::new();
        if let Some((at, generation)) = self.storage.on_tick(now, generation, &mut done) {
            self.queue.schedule(at, Event::StorageTick { generation });
        }
        for req in done {
            let r = self.storage_requests[req as usize].take().expect("live request");
            self.storage_free.push(req);
            if let Some(kind) = self.upload_kinds.remove(&req) {
                self.on_background_upload_done(now, r.subtask, r.checkpoint, kind);
                continue;
            }
            match r.download_for {
                Some(inc) => {
                    if inc == self.tasks[r.subtask as usize].incarnation {
                        self.on_restored(now, r.subtask);
                    }
                }
                None if self.upload_failures.next_upload_fails() => {
                    // The upload failed: the task declines (CHECKPOINT_ASYNC_EXCEPTION, counted).
                    let s = r.subtask;
                    if self.tasks[s as usize].coordinator.finish_async(r.checkpoint) {
                        self.tasks[s as usize].checkpoints.retain(|c| c.id != r.checkpoint);
                        self.decline(now, r.checkpoint, CheckpointFailureReason::CheckpointAsyncException);
                    }
                }
                None => self.async_done(now, r.subtask, r.checkpoint),
            }
        }
    }

    fn async_done(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId) {
        let Some(c) = self.tasks[s as usize]
            .checkpoints
            .iter_mut()
            .find(|c| c.id == checkpoint)
        else {
            return;
        };
        c.state_done = true;
        c.upload = None;
        self.maybe_ack(now, s, checkpoint);
    }

    pub(crate) fn on_ack_arrive(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId) {
        let si = s as usize;
        let Some(pos) = self.tasks[si].checkpoints.iter().position(|c| c.id == checkpoint) else {
            return;
        };
        let c = self.tasks[si].checkpoints.swap_remove(pos);
        if c.barrier.options.reported_type() == crate::protocol::CheckpointType::UnalignedCheckpoint {
            self.tracker.mark_unaligned(checkpoint, s);
        }
        if let Some(replay) = self.tasks[si].changelog_replay_bytes.get(&checkpoint) {
            self.tracker.add_changelog_replay(checkpoint, *replay);
        }
        let mut out = Vec::new();
        self.coordinator
            .receive_acknowledge(now, checkpoint, s, c.metrics, &mut out);
        self.apply_coordinator_actions(out);
    }

    pub(crate) fn on_notify_arrive(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId, complete: bool) {
        let si = s as usize;
        if let Some(b) = self.tasks[si].backend.as_mut() {
            if complete {
                b.notify_checkpoint_complete(checkpoint);
            } else {
                b.notify_checkpoint_aborted(checkpoint);
            }
        }
        if complete {
            self.tasks[si].coordinator.notify_checkpoint_complete(checkpoint);
            if let Some(sink) = self.tasks[si].sink.as_mut() {
                let mut actions = Vec::new();
                sink.txn.notify_checkpoint_complete(checkpoint, &mut actions);
                let committed: Vec<u64> = sink
                    .pending_origins_ns
                    .range(..=checkpoint)
                    .flat_map(|(_, v)| v.iter().copied())
                    .collect();
                sink.pending_origins_ns.retain(|c, _| *c > checkpoint);
                self.apply_transactions(&actions);
                if now >= self.set.warmup {
                    for origin in committed {
                        self.visible_latency.record(now.as_ns().saturating_sub(origin));
                    }
                }
            }
            return;
        }
        if self.tasks[si].coordinator.notify_checkpoint_aborted(checkpoint) {
            // The async part was running: cancel its upload.
            if let Some(pos) = self.tasks[si].checkpoints.iter().position(|c| c.id == checkpoint) {
                let in_sync = self.tasks[si].sync_checkpoint == Some(checkpoint);
                if let Some(req) = self.tasks[si].checkpoints[pos].upload {
                    self.cancel_storage_request(now, req);
                }
                if let Some(req) = self.tasks[si].checkpoints[pos].channel_upload {
                    self.cancel_storage_request(now, req);
                }
                if !in_sync {
                    self.tasks[si].checkpoints.swap_remove(pos);
                }
            }
        }
    }

    /// Stops a storage request: a running transfer leaves the bandwidth share at once; one
    /// still in its request latency is dropped when that ends.
    pub(crate) fn cancel_storage_request(&mut self, now: SimTime, req: u32) {
        let Some(r) = self.storage_requests[req as usize].as_mut() else {
            return;
        };
        self.upload_kinds.remove(&req);
        if r.started {
            self.storage_requests[req as usize] = None;
            self.storage_free.push(req);
            if let Some((at, generation)) = self.storage.cancel(now, req) {
                self.queue.schedule(at, Event::StorageTick { generation });
            }
        } else {
            r.cancelled = true;
        }
    }

    /// Commits and aborts reach the external system (idempotently).
    pub(crate) fn apply_transactions(&mut self, actions: &[crate::protocol::two_phase_commit::TransactionAction]) {
        for a in actions {
            self.transactions.apply(a);
        }
    }
}
