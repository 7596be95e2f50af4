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
    /// `triggerCheckpoint` at a source: runs between records, so a batch in progress is split
    /// at the current record.
    pub(crate) fn on_trigger_arrive(&mut self, now: SimTime, s: u32, barrier: CheckpointBarrier) {
        let si = s as usize;
        if self.tasks[si].phase == TaskPhase::SyncSnapshot {
            self.tasks[si].deferred_triggers.push_back(barrier);
            return;
        }
        self.emit_done_records(now, s);
        let metrics = SubtaskCheckpointMetrics {
            start_delay_ns: now.since(barrier.timestamp),
            ..Default::default()
        };
        self.perform_checkpoint(now, s, barrier, metrics);
        if self.tasks[si].phase != TaskPhase::SyncSnapshot && self.tasks[si].phase == TaskPhase::Idle {
            self.wake_at(s, now);
        }
    }

    pub(crate) fn on_barrier(&mut self, now: SimTime, s: u32, input: u32, barrier: CheckpointBarrier) {
        let si = s as usize;
        let mut out = Vec::new();
        let handler = self.tasks[si]
            .handler
            .as_mut()
            .expect("a task with inputs has a handler");
        let first = !handler.is_checkpoint_pending() && barrier.id > handler.current_checkpoint_id();
        handler.process_barrier(now, input, barrier, &mut out);
        if first {
            self.tasks[si].alignment_bytes_start = self.tasks[si].bytes_in;
        }
        self.apply_handler_actions(now, s, out);
    }

    pub(crate) fn on_cancel_marker(&mut self, now: SimTime, s: u32, id: CheckpointId) {
        let mut out = Vec::new();
        self.tasks[s as usize]
            .handler
            .as_mut()
            .expect("handler")
            .process_cancellation_barrier(id, &mut out);
        self.apply_handler_actions(now, s, out);
    }

    fn apply_handler_actions(&mut self, now: SimTime, s: u32, actions: Vec<BarrierHandlerAction>) {
        let si = s as usize;
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
                BarrierHandlerAction::ResumeChannel(input) => self.resume_input(now, s, input),
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
                    let metrics = SubtaskCheckpointMetrics {
                        start_delay_ns,
                        alignment_duration_ns,
                        processed_data: processed,
                        ..Default::default()
                    };
                    self.perform_checkpoint(now, s, barrier, metrics);
                }
                // Only aligned handlers are built so far: the unaligned ones' actions cannot occur.
                other @ (BarrierHandlerAction::RegisterAlignmentTimer { .. }
                | BarrierHandlerAction::PrioritizeAnnouncedBarrier { .. }
                | BarrierHandlerAction::StartPersisting { .. }
                | BarrierHandlerAction::StopPersisting { .. }
                | BarrierHandlerAction::AllBarriersReceived { .. }) => {
                    unreachable!("an aligned barrier handler produced {other:?}")
                }
                BarrierHandlerAction::AbortCheckpoint { checkpoint, reason } => {
                    self.decline(now, checkpoint, reason);
                    let mut out = Vec::new();
                    self.tasks[si]
                        .coordinator
                        .abort_checkpoint_on_barrier(checkpoint, &mut out);
                    self.apply_subtask_actions(now, s, out, SubtaskCheckpointMetrics::default());
                }
            }
        }
    }

    fn resume_all_inputs(&mut self, now: SimTime, s: u32) {
        for input in 0..self.graph.inputs[s as usize].len() as u32 {
            self.resume_input(now, s, input);
        }
    }

    fn decline(&mut self, now: SimTime, checkpoint: CheckpointId, reason: CheckpointFailureReason) {
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
                other @ SubtaskAction::RegisterAlignmentTimer { .. } => {
                    unreachable!("only timeoutable barriers register an output alignment timer: {other:?}")
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
                    let v = self.graph.subtasks[si].vertex.index();
                    let t = &mut self.tasks[si];
                    let mut backend_ns = self.backend.sync_ns(state);
                    if !self.fault_schedule.windows.is_empty() {
                        let tm = self.graph.subtasks[si].taskmanager;
                        backend_ns = (backend_ns as f64 * self.fault_schedule.disk_slowdown(tm, now)) as u64;
                    }
                    let sync_ns = self.graph.vertices[v].sync_time.sample_u64(&mut t.rng) + backend_ns;
                    let upload = self.backend.upload_bytes(state);
                    t.checkpoints.push(SubtaskCheckpoint {
                        id: checkpoint,
                        barrier,
                        metrics: SubtaskCheckpointMetrics {
                            sync_duration_ns: sync_ns,
                            state_size: state,
                            checkpointed_size: upload,
                            ..metrics
                        },
                        async_start: now + sync_ns,
                        upload: None,
                    });
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

    fn broadcast(&mut self, now: SimTime, s: u32, payload: Payload) {
        let si = s as usize;
        for e in 0..self.graph.outputs[si].len() {
            for i in 0..self.graph.outputs[si][e].channels.len() {
                let ch = self.graph.outputs[si][e].channels[i].0;
                let p = match &payload {
                    Payload::Barrier(b) => Payload::Barrier(*b),
                    Payload::Cancel(id) => Payload::Cancel(*id),
                    Payload::Data(_) => unreachable!("broadcast carries events only"),
                };
                self.enqueue_event(now, ch, p);
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
        if let Some(b) = t.batch.as_mut() {
            for d in &mut b.done_at_ns[b.next..] {
                *d += sync_ns;
            }
            b.end += sync_ns;
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
    }

    /// `AsyncCheckpointRunnable`: upload the snapshot (state inlined into the metadata when
    /// small), then acknowledge.
    fn start_async_phase(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId) {
        let si = s as usize;
        let Some(pos) = self.tasks[si].checkpoints.iter().position(|c| c.id == checkpoint) else {
            return;
        };
        let bytes = self.tasks[si].checkpoints[pos].metrics.checkpointed_size;
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
        let id = self.submit_storage_request(now, req);
        self.tasks[si].checkpoints[pos].upload = Some(id);
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
        let si = s as usize;
        if !self.tasks[si].coordinator.finish_async(checkpoint) {
            return; // cancelled by an abort notification
        }
        let Some(c) = self.tasks[si].checkpoints.iter_mut().find(|c| c.id == checkpoint) else {
            return;
        };
        c.metrics.async_duration_ns = now.since(c.async_start);
        c.upload = None;
        let at = now + self.set.rpc_latency.sample_u64(&mut self.rpc_rng);
        self.queue.schedule(at, Event::AckArrive { s, checkpoint });
    }

    pub(crate) fn on_ack_arrive(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId) {
        let si = s as usize;
        let Some(pos) = self.tasks[si].checkpoints.iter().position(|c| c.id == checkpoint) else {
            return;
        };
        let c = self.tasks[si].checkpoints.swap_remove(pos);
        let mut out = Vec::new();
        self.coordinator
            .receive_acknowledge(now, checkpoint, s, c.metrics, &mut out);
        self.apply_coordinator_actions(out);
    }

    pub(crate) fn on_notify_arrive(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId, complete: bool) {
        let si = s as usize;
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
