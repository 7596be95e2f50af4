//! Savepoints and unaligned-checkpoint admission in `CheckpointCoordinator` (Flink docs
//! "Savepoints" and "Checkpoints vs. Savepoints"; `CheckpointRequestDecider`,
//! `CheckpointProperties.forSavepoint`, `PendingCheckpoint.canBeSubsumed`).

use super::*;

fn cfg(unaligned: bool) -> CoordinatorConfig {
    CoordinatorConfig {
        first_trigger_delay_ns: None,
        interval_ns: Some(1_000),
        timeout_ns: 1_000_000,
        min_pause_ns: 500,
        max_concurrent: 1,
        tolerable_failed: 0,
        num_retained: 1,
        num_tasks_to_ack: 1,
        num_tasks_to_trigger: 1,
        mode: CheckpointingMode::ExactlyOnce,
        unaligned,
        aligned_checkpoint_timeout_ns: None,
    }
}

fn triggered(out: &[CoordinatorAction]) -> Vec<CheckpointBarrier> {
    out.iter()
        .filter_map(|a| match a {
            CoordinatorAction::TriggerTasks { barrier } => Some(*barrier),
            _ => None,
        })
        .collect()
}

fn complete(c: &mut CheckpointCoordinator, now: u64, id: CheckpointId, out: &mut Vec<CoordinatorAction>) {
    c.receive_acknowledge(SimTime(now), id, 0, SubtaskCheckpointMetrics::default(), out);
    c.on_metadata_written(SimTime(now), id, true, out);
}

#[test]
fn a_savepoint_is_forced_past_max_concurrent_when_unaligned_is_off() {
    let mut c = CheckpointCoordinator::new(cfg(false));
    let mut out = vec![];
    c.trigger_checkpoint(SimTime(0), TriggerKind::Periodic, &mut out);
    c.trigger_checkpoint(SimTime(1), TriggerKind::Savepoint, &mut out);
    let b = triggered(&out);
    assert_eq!(b.len(), 2, "the savepoint did not wait for checkpoint 1");
    assert_eq!(b[1].options.checkpoint_type, CheckpointType::Savepoint);
    assert!(out.contains(&CoordinatorAction::Report(StatsReport::Pending {
        checkpoint: 2,
        trigger_timestamp: SimTime(1),
        checkpoint_type: CheckpointType::Savepoint,
        num_subtasks: 1,
    })));
}

#[test]
fn with_unaligned_checkpoints_a_savepoint_queues_and_is_still_aligned() {
    let mut c = CheckpointCoordinator::new(cfg(true));
    let mut out = vec![];
    c.trigger_checkpoint(SimTime(0), TriggerKind::Periodic, &mut out);
    c.trigger_checkpoint(SimTime(1), TriggerKind::Savepoint, &mut out);
    let b = triggered(&out);
    assert_eq!(b.len(), 1, "the savepoint queues behind the running checkpoint");
    assert!(b[0].options.is_unaligned());
    out.clear();
    complete(&mut c, 10, 1, &mut out);
    let b = triggered(&out);
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].options.checkpoint_type, CheckpointType::Savepoint);
    assert_eq!(b[0].options.alignment, AlignmentType::Aligned);
    assert!(!b[0].options.is_timeoutable());
}

#[test]
fn unaligned_checkpoints_never_run_concurrently() {
    let mut config = cfg(true);
    config.max_concurrent = 3;
    config.min_pause_ns = 0;
    let mut c = CheckpointCoordinator::new(config);
    let mut out = vec![];
    c.trigger_checkpoint(SimTime(0), TriggerKind::Periodic, &mut out);
    c.trigger_checkpoint(SimTime(1), TriggerKind::Periodic, &mut out);
    assert_eq!(triggered(&out).len(), 1);
    assert_eq!(c.num_pending(), 1);
}

#[test]
fn a_savepoint_is_never_subsumed_stored_or_notified() {
    let mut config = cfg(false);
    config.max_concurrent = 2;
    let mut c = CheckpointCoordinator::new(config);
    let mut out = vec![];
    c.trigger_checkpoint(SimTime(0), TriggerKind::Savepoint, &mut out);
    c.trigger_checkpoint(SimTime(1), TriggerKind::Periodic, &mut out);
    out.clear();
    complete(&mut c, 10, 2, &mut out);
    assert!(c.is_pending(1), "checkpoint 2 completing does not subsume savepoint 1");
    assert!(
        !out.iter()
            .any(|a| matches!(a, CoordinatorAction::Report(StatsReport::Failed { .. })))
    );
    out.clear();
    complete(&mut c, 20, 1, &mut out);
    assert!(
        !out.iter()
            .any(|a| matches!(a, CoordinatorAction::NotifyCheckpointComplete { .. }))
    );
    assert!(
        !out.iter()
            .any(|a| matches!(a, CoordinatorAction::DiscardCompleted { .. }))
    );
    assert_eq!(
        c.latest_completed().map(|k| k.id),
        Some(2),
        "the store holds checkpoints only"
    );
    assert_eq!(c.completed_savepoints(), &[1]);
}

#[test]
fn a_completing_savepoint_subsumes_no_pending_checkpoint() {
    let mut config = cfg(false);
    config.max_concurrent = 2;
    let mut c = CheckpointCoordinator::new(config);
    let mut out = vec![];
    c.trigger_checkpoint(SimTime(0), TriggerKind::Periodic, &mut out);
    c.trigger_checkpoint(SimTime(1), TriggerKind::Savepoint, &mut out);
    out.clear();
    complete(&mut c, 10, 2, &mut out);
    assert!(c.is_pending(1));
}

#[test]
fn a_failed_savepoint_is_not_counted_against_tolerable_failures() {
    let mut c = CheckpointCoordinator::new(cfg(false));
    let mut out = vec![];
    c.trigger_checkpoint(SimTime(0), TriggerKind::Savepoint, &mut out);
    c.receive_decline(SimTime(5), 1, CheckpointFailureReason::CheckpointDeclined, &mut out);
    assert!(out.contains(&CoordinatorAction::NotifyCheckpointAborted { checkpoint: 1 }));
    assert!(!out.iter().any(|a| matches!(a, CoordinatorAction::FailJob { .. })));
    out.clear();
    c.trigger_checkpoint(SimTime(10), TriggerKind::Periodic, &mut out);
    c.receive_decline(SimTime(15), 2, CheckpointFailureReason::CheckpointDeclined, &mut out);
    assert!(
        out.iter()
            .any(|a| matches!(a, CoordinatorAction::FailJob { checkpoint: 2, .. })),
        "the control: a checkpoint's decline is counted"
    );
}

#[test]
fn barriers_carry_the_options_for_config() {
    let mut config = cfg(true);
    config.aligned_checkpoint_timeout_ns = Some(700);
    let mut c = CheckpointCoordinator::new(config);
    let mut out = vec![];
    c.trigger_checkpoint(SimTime(0), TriggerKind::Periodic, &mut out);
    let b = triggered(&out)[0];
    assert!(b.options.is_timeoutable());
    assert_eq!(b.options.aligned_checkpoint_timeout_ns, Some(700));

    let mut config = cfg(true);
    config.mode = CheckpointingMode::AtLeastOnce;
    config.max_concurrent = 2;
    let mut c = CheckpointCoordinator::new(config);
    out.clear();
    c.trigger_checkpoint(SimTime(0), TriggerKind::Periodic, &mut out);
    c.trigger_checkpoint(SimTime(0), TriggerKind::Savepoint, &mut out);
    let b = triggered(&out);
    assert_eq!(b[0].options.alignment, AlignmentType::AtLeastOnce);
    assert_eq!(c.num_pending(), 2, "at-least-once keeps max-concurrent");
}

/// `CheckpointRequestDecider.isTriggering`: a savepoint forced past max-concurrent still waits
/// for the periodic trigger before it to reach every task (`onTriggerSuccess`), so that each
/// source sees the two triggers in id order; then it starts at once.
#[test]
fn a_forced_savepoint_waits_until_the_trigger_in_progress_reached_the_tasks() {
    let mut c = CheckpointCoordinator::new(cfg(false));
    let mut out = vec![];
    c.trigger_checkpoint(SimTime(0), TriggerKind::Periodic, &mut out);
    c.trigger_rpcs_sent(SimTime(30));
    c.trigger_checkpoint(SimTime(1), TriggerKind::Savepoint, &mut out);
    assert_eq!(
        triggered(&out).len(),
        1,
        "the savepoint started while checkpoint 1 was triggering"
    );
    assert!(out.contains(&CoordinatorAction::SetTimer {
        at: SimTime(30),
        timer: CoordinatorTimer::TriggerComplete,
    }));
    out.clear();
    c.on_timer(SimTime(30), CoordinatorTimer::TriggerComplete, &mut out);
    let b = triggered(&out);
    assert_eq!(b.len(), 1, "the queued savepoint starts once the trigger is over");
    assert_eq!((b[0].id, b[0].options.checkpoint_type), (2, CheckpointType::Savepoint));
}

/// FLIP-147 (`calculateAfterTasksFinished`): a checkpoint triggered after a subtask finished
/// does not wait for it; once the subtask is restarted it is waited for again.
#[test]
fn a_checkpoint_does_not_wait_for_finished_tasks() {
    let mut config = cfg(false);
    config.num_tasks_to_ack = 2;
    let mut c = CheckpointCoordinator::new(config);
    let mut out = vec![];
    c.task_finished(0);
    c.trigger_checkpoint(SimTime(0), TriggerKind::Periodic, &mut out);
    c.receive_acknowledge(SimTime(5), 1, 1, SubtaskCheckpointMetrics::default(), &mut out);
    assert!(
        out.contains(&CoordinatorAction::FinalizeCheckpoint { checkpoint: 1 }),
        "the finished subtask 0 was waited for"
    );
    c.on_metadata_written(SimTime(6), 1, true, &mut out);
    c.task_restarted(0);
    out.clear();
    c.trigger_checkpoint(SimTime(1_000), TriggerKind::Periodic, &mut out);
    c.receive_acknowledge(SimTime(1_005), 2, 1, SubtaskCheckpointMetrics::default(), &mut out);
    assert!(!out.contains(&CoordinatorAction::FinalizeCheckpoint { checkpoint: 2 }));
}
