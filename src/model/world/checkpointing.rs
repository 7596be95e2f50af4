//! The protocol's task side in the world: trigger RPCs at sources, barriers and markers through
//! the barrier handler, the subtask checkpoint steps (barrier out, sync phase, async upload),
//! acknowledgements, declines and the JobManager's notifications.

use super::{Event, StorageRequest, World};
use crate::ids::CheckpointId;
use crate::model::backend::SnapshotCost;
use crate::model::records::Payload;
use crate::model::task::{SubtaskCheckpoint, TaskPhase};
use crate::protocol::async_checkpoint::AsyncCheckpointProgress;
use crate::protocol::input_handler::barrier_handler::BarrierHandlerAction;
use crate::protocol::subtask::SubtaskAction;
use crate::protocol::{CheckpointBarrier, CheckpointFailureReason, SubtaskCheckpointMetrics};
use crate::time::SimTime;

impl World {
    /// `triggerCheckpoint` at a source: a mailbox action, so it runs between records: a record
    /// being processed finishes first (and is in the snapshot), and a batch read ahead is split
    /// after it.
    pub(crate) fn on_trigger_arrive(&mut self, now: SimTime, s: u32, barrier: CheckpointBarrier) {
        if self.tasks.phase(s) == TaskPhase::Finished {
            return self.decline_trigger_at_finished_task(now, barrier.id);
        }
        if self.tasks.phase(s) == TaskPhase::SyncSnapshot {
            self.tasks.defer_trigger(s, barrier);
            return;
        }
        if self.tasks.has_inputs(s) {
            // Every upstream task finished: the trigger comes by RPC (FLIP-147).
            self.trigger_task_with_inputs(now, s, barrier);
            if self.tasks.phase(s) == TaskPhase::Idle {
                self.wake_at(s, now);
            }
            return;
        }
        self.emit_done_records(now, s);
        if let Some(done) = self.tasks.source_record_in_progress(s, now) {
            let inc = self.tasks.incarnation(s);
            self.queue
                .schedule(SimTime(done), Event::TriggerArrive { s, barrier, inc });
            return;
        }
        let metrics = SubtaskCheckpointMetrics {
            start_delay_ns: now.since(barrier.timestamp),
            ..Default::default()
        };
        self.perform_checkpoint(now, s, barrier, metrics);
        if self.tasks.phase(s) != TaskPhase::SyncSnapshot && self.tasks.phase(s) == TaskPhase::Idle {
            self.wake_at(s, now);
        }
    }

    pub(crate) fn on_barrier(&mut self, now: SimTime, s: u32, input: u32, barrier: CheckpointBarrier) {
        let out = self.tasks.process_barrier(s, now, input, barrier);
        self.apply_handler_actions(now, s, out);
    }

    pub(crate) fn on_cancel_marker(&mut self, now: SimTime, s: u32, input: u32, id: CheckpointId) {
        let out = self.tasks.process_cancellation_barrier(s, now, input, id);
        self.apply_handler_actions(now, s, out);
    }

    pub(crate) fn apply_handler_actions(&mut self, now: SimTime, s: u32, mut actions: Vec<BarrierHandlerAction>) {
        let mut prioritize = Vec::new();
        for a in actions.drain(..) {
            match a {
                BarrierHandlerAction::BlockChannel(_) if self.checks.alignment_broken() => {}
                BarrierHandlerAction::BlockChannel(input) => {
                    self.net.block_input(s, input, &self.graph);
                }
                BarrierHandlerAction::ResumeChannel(input) => self.resume_after_obsolete_barrier(now, s, input),
                BarrierHandlerAction::ResumeAllChannels => {
                    if self.tasks.phase(s) == TaskPhase::SyncSnapshot {
                        self.tasks.resume_inputs_after_sync(s);
                    } else {
                        self.resume_all_inputs(now, s);
                    }
                }
                BarrierHandlerAction::TriggerCheckpoint {
                    barrier,
                    start_delay_ns,
                    alignment_duration_ns,
                } => self.trigger_at_barrier(now, s, barrier, start_delay_ns, alignment_duration_ns),
                BarrierHandlerAction::RegisterAlignmentTimer { checkpoint, at } => {
                    let inc = self.tasks.incarnation(s);
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
                    self.abort_at_barrier(now, s, checkpoint, reason)
                }
            }
        }
        self.tasks.give_back_handler_actions(actions);
        for input in prioritize {
            self.prioritize_announced(now, s, input);
        }
    }

    /// The handler triggers the checkpoint at this task (all barriers aligned, or the first
    /// unaligned one): under unaligned checkpoints the rest of the input buffer in progress
    /// becomes channel state; then `performCheckpoint`.
    fn trigger_at_barrier(
        &mut self,
        now: SimTime,
        s: u32,
        barrier: CheckpointBarrier,
        start_delay_ns: u64,
        alignment_duration_ns: u64,
    ) {
        let processed = self.tasks.processed_since_alignment_bytes(s);
        if barrier.options.is_unaligned() {
            // The rest of the input buffer in progress is channel state
            // (`StreamTaskNetworkInput.prepareSnapshot`): processed after the snapshot.
            let (rest, ch, records) = self.tasks.unread_input(s, self.jm.captures_snapshots());
            if let Some(acc) = self.tasks.channel_state_mut(s, barrier.id) {
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

    /// The handler aborts a checkpoint at this task (a cancellation marker, a newer barrier,
    /// a checkpoint subsumed): its channel state goes, the JobManager hears of the decline,
    /// prioritized inputs resume, and the subtask coordinator cleans up.
    fn abort_at_barrier(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId, reason: CheckpointFailureReason) {
        self.tasks.drop_channel_state_up_to(s, checkpoint);
        self.decline(now, checkpoint, reason);
        self.resume_prioritized_inputs(now, s);
        let out = self.tasks.abort_checkpoint_on_barrier(s, checkpoint);
        self.apply_subtask_actions(now, s, out, SubtaskCheckpointMetrics::default());
    }

    /// The checkpoint ended at this task: subpartitions whose aligned barrier was prioritized
    /// here resume.
    fn resume_prioritized_inputs(&mut self, now: SimTime, s: u32) {
        for input in 0..self.graph.inputs[s as usize].len() {
            let ch = self.graph.inputs[s as usize][input].0;
            if self.net.take_resume_at_checkpoint_end(ch) {
                self.net.send_resume(now, ch, &mut self.queue);
            }
        }
    }

    fn resume_all_inputs(&mut self, now: SimTime, s: u32) {
        for input in 0..self.graph.inputs[s as usize].len() as u32 {
            self.resume_input(now, s, input);
        }
    }

    pub(crate) fn decline(&mut self, now: SimTime, checkpoint: CheckpointId, reason: CheckpointFailureReason) {
        let at = self.rpc.acknowledge_handled_at(now);
        self.queue.schedule(at, Event::DeclineArrive { checkpoint, reason });
    }

    /// `performCheckpoint` -> `checkpointState`.
    pub(crate) fn perform_checkpoint(
        &mut self,
        now: SimTime,
        s: u32,
        barrier: CheckpointBarrier,
        metrics: SubtaskCheckpointMetrics,
    ) {
        let out = self.tasks.checkpoint_state(s, barrier);
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
                    let inc = self.tasks.incarnation(s);
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
                    self.take_snapshot_sync(now, s, barrier, metrics);
                }
            }
        }
    }

    /// `takeSnapshotSync`: the backend's synchronous part (stretched by a slow disk), the
    /// checkpoint's bookkeeping, a source's channel state (its output buffers, all known now),
    /// the test log, the sink's pre-commit, the restore point, then the task pauses for it.
    fn take_snapshot_sync(
        &mut self,
        now: SimTime,
        s: u32,
        barrier: CheckpointBarrier,
        metrics: SubtaskCheckpointMetrics,
    ) {
        let checkpoint = barrier.id;
        // The first checkpoint after the end of data is the task's final one (FLIP-147).
        self.tasks.end_of_input_checkpoint_started(s, checkpoint);
        let state = self.state_bytes(s);
        // A task triggered by RPC after its inputs ended has no input channel state to wait for.
        let has_inputs = self.tasks.has_open_inputs(s);
        let sync_ns = self.start_subtask_checkpoint(now, s, barrier, metrics, has_inputs);
        let unaligned = barrier.options.is_unaligned();
        if let Some(w) = self.channel_state_writers.writer_of(s)
            && !(unaligned || barrier.options.is_timeoutable())
        {
            // Aligned here (a barrier forced aligned on a pointwise edge, a savepoint): no
            // channel state of this subtask for its neighbours' file to wait for.
            self.channel_state_writers.member_complete(w, checkpoint, s);
            self.pump_channel_file(now, w, checkpoint);
        }
        if unaligned && !has_inputs {
            // A source's channel state is only its output buffers, all known now (so is that
            // of a task whose every input ended).
            self.finalize_channel_state(now, s, checkpoint, None);
        }
        self.channel_file_progress(now, s, checkpoint);
        self.log_snapshot(now, s, checkpoint);
        // Two-phase commit: pre-commit the open transaction in the sync phase.
        let sink_state = self.tasks.pre_commit_sink(s, checkpoint);
        if self.jm.captures_snapshots() {
            self.capture_snapshot(s, checkpoint, state, sink_state);
        }
        self.start_sync_phase(now, s, checkpoint, sync_ns);
    }

    /// The backend's synchronous part (stretched by a slow disk) and the task's own sync time;
    /// the checkpoint starts at the task, waiting for its upload, its channel state (unaligned,
    /// with inputs) and its barrier leaving the outputs (timeoutable). Returns the sync time.
    fn start_subtask_checkpoint(
        &mut self,
        now: SimTime,
        s: u32,
        barrier: CheckpointBarrier,
        metrics: SubtaskCheckpointMetrics,
        has_inputs: bool,
    ) -> u64 {
        let si = s as usize;
        let cost = self.backend_snapshot(now, s, &barrier);
        let cpu_wall_ns = self.sync_flush_wall_ns(now, s, cost.sync_cpu_ns, cost.sync_held_ns);
        let v = self.graph.subtasks[si].vertex.index();
        let mut backend_ns = cost.sync_ns + cpu_wall_ns;
        if self.faults.has_windows() {
            let tm = self.graph.subtasks[si].taskmanager;
            backend_ns = (backend_ns as f64 * self.faults.disk_slowdown(tm, now)) as u64;
        }
        let sync_ns = self.tasks.draw_sync_time_ns(s, &self.graph.vertices[v]) + backend_ns;
        let request_cpu_ns = self.snapshot_thread_request_cpu_ns(now, &cost);
        let unaligned = barrier.options.is_unaligned();
        let mut progress =
            AsyncCheckpointProgress::new(now + sync_ns, unaligned && has_inputs, barrier.options.is_timeoutable());
        if self.channel_state_writers.writer_of(s).is_some() && (unaligned || barrier.options.is_timeoutable()) {
            // `initInputsCheckpoint` starts the shared writer when the checkpoint needs
            // channel state (unaligned, or aligned with a timeout).
            progress.use_shared_file();
        }
        self.tasks.start_checkpoint(
            s,
            SubtaskCheckpoint {
                id: barrier.id,
                barrier,
                metrics: SubtaskCheckpointMetrics {
                    sync_duration_ns: sync_ns,
                    state_size: cost.state_size,
                    checkpointed_size: cost.checkpointed_size,
                    ..metrics
                },
                progress,
                uploads: Vec::new(),
                savepoint: barrier.options.checkpoint_type == crate::protocol::CheckpointType::Savepoint,
                transfer: crate::model::backend::transfer::TransferPool::new(&cost.upload_plan, cost.upload_threads),
                async_delay_ns: cost.async_delay_ns,
                async_cpu_left_ns: cost.async_cpu_ns + request_cpu_ns.unwrap_or(0),
                request_latency_spent: request_cpu_ns.is_some(),
            },
        );
        sync_ns
    }

    /// The request latency of the files a snapshot thread writes itself, when the storage's
    /// request latency is the writer's CPU (a local file system): spent on the snapshot thread
    /// with its serialization. `None` when there is none to spend that way (a remote store,
    /// files written by other threads, or everything inlined into the metadata).
    fn snapshot_thread_request_cpu_ns(&mut self, now: SimTime, cost: &SnapshotCost) -> Option<u64> {
        if !cost.written_by_snapshot_thread {
            return None;
        }
        let threshold = self.set.inline_threshold_bytes;
        let files = cost
            .upload_plan
            .iter()
            .flatten()
            .filter(|&&bytes| bytes > threshold)
            .count();
        if files == 0 {
            return None;
        }
        // One request per file; `None` (before any draw) when the latency is a wait.
        (0..files).map(|_| self.storage.writer_cpu_request_ns(now)).sum()
    }

    /// Test hook: when the subtask took its snapshot, and a source's offset then.
    fn log_snapshot(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId) {
        if self.record_log.is_some() {
            let source_offset = self.tasks.source_offset(s);
            let records_logged_before = self.record_log.as_ref().map_or(0, |l| l.len());
            self.snapshot_log.push(super::SnapshotTaken {
                subtask: s,
                checkpoint,
                time: now,
                source_offset,
                records_logged_before,
            });
        }
    }

    /// Emits an event on every output. A barrier goes out with the options its edge supports:
    /// forward and broadcast edges cannot carry an unaligned or timeoutable barrier and send it
    /// forced-aligned (`withUnalignedUnsupported`, FLINK-21945); an unaligned barrier overtakes
    /// the queued buffers (output channel state).
    pub(crate) fn broadcast(&mut self, now: SimTime, s: u32, payload: Payload) {
        let si = s as usize;
        for e in 0..self.graph.outputs[si].len() {
            let pointwise = matches!(
                self.graph.outputs[si][e].partitioning,
                crate::vocab::Partitioning::Forward | crate::vocab::Partitioning::Broadcast
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
                    Payload::EndOfData => self.enqueue_event(now, ch, Payload::EndOfData),
                    Payload::EndOfPartition => self.enqueue_event(now, ch, Payload::EndOfPartition),
                    Payload::Data(_) => unreachable!("broadcast carries events only"),
                }
            }
        }
    }

    /// The task stops processing for the synchronous part. A batch in progress (a source's
    /// records read ahead) resumes after it, shifted by the sync time.
    fn start_sync_phase(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId, sync_ns: u64) {
        let (shifted, until) = self.tasks.begin_sync_phase(s, now, checkpoint, sync_ns);
        if shifted {
            // An unaligned snapshot split an input buffer: the test log's completion times of
            // the records after the split move with them.
            if let Some(log) = self.record_log.as_mut() {
                for e in log.iter_mut().filter(|e| e.subtask == s && e.done > now) {
                    e.done += sync_ns;
                }
            }
        }
        self.wake_at(s, until);
    }

    pub(crate) fn end_sync_phase(&mut self, now: SimTime, s: u32) {
        let (checkpoint, resume_inputs) = self.tasks.end_sync_phase(s);
        if resume_inputs {
            self.resume_all_inputs(now, s);
        }
        if self.tasks.is_async_running(s, checkpoint) {
            self.start_async_phase(now, s, checkpoint);
        } else {
            self.tasks.forget_checkpoint(s, checkpoint);
        }
        while let Some(barrier) = self.tasks.next_deferred_trigger(s) {
            self.on_trigger_arrive(now, s, barrier);
            if self.tasks.phase(s) == TaskPhase::SyncSnapshot {
                break;
            }
        }
        if self.tasks.phase(s) != TaskPhase::SyncSnapshot {
            self.run_deferred_mail(now, s);
        }
    }

    /// `AsyncCheckpointRunnable`: serialize the snapshot (heap), upload it (inlined into the
    /// metadata when small), then acknowledge.
    fn start_async_phase(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId) {
        let Some(serializes) = self.tasks.start_async(s, checkpoint, now) else {
            return;
        };
        if self
            .graph
            .vertex_of(crate::ids::SubtaskId(s))
            .state_waits_for_channel_state
            && self.tasks.hold_state_for_channel_state(s, checkpoint)
        {
            return; // `maybe_ack` starts it once the channel state is complete
        }
        self.run_state_snapshot(now, s, checkpoint, serializes);
    }

    /// The state snapshot of the asynchronous part: serialization (heap), then the upload.
    pub(crate) fn run_state_snapshot(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId, serializes: bool) {
        if serializes {
            self.run_snapshot_chunk(now, s, checkpoint);
        } else {
            self.start_upload(now, s, checkpoint);
        }
    }

    /// The snapshot thread serializes the next chunk of the state (at most
    /// `CPU_QUANTUM_NS` of CPU) at its share of the TaskManager's cores.
    fn run_snapshot_chunk(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId) {
        let si = s as usize;
        let Some(chunk) = self
            .tasks
            .take_snapshot_chunk_ns(s, checkpoint, super::cores::CPU_QUANTUM_NS)
        else {
            return;
        };
        let tm = self.graph.subtasks[si].taskmanager;
        let thread = super::cores::Thread::Snapshot(s);
        let share = self.cores.share(tm, thread, now);
        let took = ((chunk as f64 / share) as u64).max(1);
        self.cores.claim(tm, thread, now, now + took, took);
        let inc = self.tasks.incarnation(s);
        self.queue
            .schedule(now + took, Event::SnapshotChunk { s, checkpoint, inc });
    }

    /// A chunk of serialization is done: the next, or the upload.
    pub(crate) fn on_snapshot_chunk(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId) {
        let si = s as usize;
        match self.tasks.snapshot_cpu_left_ns(s, checkpoint) {
            None => {
                // Aborted meanwhile: the snapshot thread stops.
                let tm = self.graph.subtasks[si].taskmanager;
                self.cores.release(tm, super::cores::Thread::Snapshot(s));
            }
            Some(left) if left > 0 => self.run_snapshot_chunk(now, s, checkpoint),
            Some(_) => self.start_upload(now, s, checkpoint),
        }
    }

    /// The asynchronous part's write to checkpoint storage, after its delay.
    fn start_upload(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId) {
        let Some(c) = self.tasks.checkpoint_mut(s, checkpoint) else {
            return;
        };
        let at = now + c.async_delay_ns;
        self.pump_upload(now, at, s, checkpoint);
    }

    /// Starts the files the transfer threads are free for (from `at`); a file at or below the
    /// inline threshold goes into the metadata (no request). When every file is up, the
    /// asynchronous part is done.
    fn pump_upload(&mut self, now: SimTime, at: SimTime, s: u32, checkpoint: CheckpointId) {
        loop {
            let Some(c) = self.tasks.checkpoint_mut(s, checkpoint) else {
                return;
            };
            let files = c.transfer.start_next();
            let spent = c.request_latency_spent;
            if files.is_empty() {
                if c.transfer.is_done() {
                    self.async_done(now, s, checkpoint);
                }
                return;
            }
            let mut inlined = false;
            for bytes in files {
                if bytes <= self.set.inline_threshold_bytes {
                    if let Some(c) = self.tasks.checkpoint_mut(s, checkpoint) {
                        c.transfer.file_done();
                    }
                    inlined = true;
                    continue;
                }
                let req = StorageRequest::upload(s, checkpoint, bytes);
                let id = if spent {
                    self.storage.submit_append(at, req, None, &mut self.queue)
                } else {
                    self.storage.submit(at, req, None, &mut self.queue)
                };
                if let Some(c) = self.tasks.checkpoint_mut(s, checkpoint) {
                    c.uploads.push(id);
                }
            }
            if !inlined {
                return;
            }
        }
    }

    /// One file of a state upload is up: the next, or the acknowledgement.
    fn upload_file_done(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId, req: u32) {
        let Some(c) = self.tasks.checkpoint_mut(s, checkpoint) else {
            return;
        };
        c.uploads.retain(|r| *r != req);
        c.transfer.file_done();
        self.pump_upload(now, now, s, checkpoint);
    }

    pub(crate) fn on_storage_tick(&mut self, now: SimTime, generation: u64) {
        let done = self.storage.on_tick(now, generation, &mut self.queue);
        self.on_storage_done(now, &done);
    }

    /// A request's file is synced: it finishes as a transfer does.
    pub(crate) fn on_storage_synced(&mut self, now: SimTime, req: u32) {
        if let Some(req) = self.storage.on_synced(req) {
            self.on_storage_done(now, &[req]);
        }
    }

    /// Requests that finished (bytes through and, where the file is synced, synced), in order.
    fn on_storage_done(&mut self, now: SimTime, done: &[u32]) {
        for (i, &req_id) in done.iter().enumerate() {
            let finished = self.storage.finish(req_id);
            let r = finished.request;
            if let Some(kind) = finished.kind {
                self.on_background_upload_done(now, r.subtask, r.checkpoint, kind);
                continue;
            }
            match r.download_for {
                Some(inc) => {
                    if inc == self.tasks.incarnation(r.subtask) {
                        self.on_restored(now, r.subtask);
                    }
                }
                None if self.storage.upload_fails() => {
                    // The upload failed: the task declines (CHECKPOINT_ASYNC_EXCEPTION, counted).
                    let s = r.subtask;
                    // The other files of the snapshot are abandoned with it.
                    let rest: Vec<u32> = self
                        .tasks
                        .uploads_in_flight(s, r.checkpoint)
                        .into_iter()
                        // Those finishing later in this tick are taken back below (and find
                        // their checkpoint gone); cancelling them would free them twice.
                        .filter(|q| *q != req_id && !done[i + 1..].contains(q))
                        .collect();
                    for q in rest {
                        self.storage.cancel(now, q, &mut self.queue);
                    }
                    if self.tasks.fail_async(s, r.checkpoint) {
                        self.decline(now, r.checkpoint, CheckpointFailureReason::CheckpointAsyncException);
                    }
                }
                None => self.upload_file_done(now, r.subtask, r.checkpoint, req_id),
            }
        }
    }

    fn async_done(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId) {
        let Some(c) = self.tasks.checkpoint_mut(s, checkpoint) else {
            return;
        };
        c.progress.state_uploaded();
        c.uploads.clear();
        self.maybe_ack(now, s, checkpoint);
    }

    pub(crate) fn on_ack_arrive(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId) {
        let Some(c) = self.tasks.take_acknowledged(s, checkpoint) else {
            return;
        };
        if c.barrier.options.reported_type() == crate::protocol::CheckpointType::UnalignedCheckpoint {
            self.stats.mark_unaligned(checkpoint, s);
        }
        if let Some(replay) = self.tasks.changelog_replay_bytes(s, checkpoint) {
            self.stats.add_changelog_replay(checkpoint, replay);
        }
        if !c.savepoint && self.jm.is_pending(checkpoint) {
            // Savepoints are self-contained and user-owned: their files are not registered.
            let shared = self.tasks.shared_files(s, checkpoint);
            let shared_bytes: u64 = shared.iter().map(|f| f.1).sum();
            let own = (c.metrics.state_size.saturating_sub(shared_bytes)) + c.metrics.persisted_data;
            self.jm.register_checkpoint_files(checkpoint, s, &shared, own);
        }
        let out = self.jm.receive_acknowledge(now, checkpoint, s, c.metrics);
        self.apply_coordinator_actions(out);
    }

    pub(crate) fn on_notify_arrive(&mut self, now: SimTime, s: u32, checkpoint: CheckpointId, complete: bool) {
        self.tasks.notify_backend(s, checkpoint, complete);
        if complete {
            if let Some((actions, committed)) = self.tasks.notify_complete(s, checkpoint) {
                self.apply_transactions(&actions);
                self.stats
                    .record_visible(now, committed.iter().flat_map(|log| log.iter()));
            }
            self.end_of_input_checkpoint_completed(now, s, checkpoint);
            return;
        }
        // The async part was running: cancel its upload.
        if let Some(running) = self.tasks.notify_aborted(s, checkpoint) {
            for req in running {
                self.storage.cancel(now, req, &mut self.queue);
            }
            for req in self.channel_state_writers.drop_checkpoint(checkpoint) {
                self.storage.cancel(now, req, &mut self.queue);
            }
        }
    }

    /// Commits and aborts reach the external system (idempotently).
    pub(crate) fn apply_transactions(&mut self, actions: &[crate::protocol::two_phase_commit::TransactionAction]) {
        self.endpoints.apply_transactions(actions);
    }
}
