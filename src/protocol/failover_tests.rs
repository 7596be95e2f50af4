//! The failover life cycle on its own: detection, takeovers, the restart strategy's verdict,
//! redeployment and the job running again, with no world around it.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::failover::{FailoverAction, FailoverLifecycle, SourcePosition};
use super::restart::{FailureCause, RestartStrategyConfig};
use crate::time::SimTime;

const MS: u64 = 1_000_000;

fn lifecycle(cfg: RestartStrategyConfig) -> FailoverLifecycle {
    FailoverLifecycle::new(cfg.create().expect("valid"), 2)
}

fn fixed_delay() -> RestartStrategyConfig {
    RestartStrategyConfig::FixedDelay {
        attempts: 10,
        delay_ns: 100 * MS,
    }
}

fn source(subtask: u32) -> SourcePosition {
    SourcePosition {
        subtask,
        lag_ns: 0,
        offset: 7,
    }
}

#[test]
fn a_task_failure_is_detected_its_region_cancelled_and_restarted_after_the_backoff() {
    let mut f = lifecycle(fixed_delay());
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let begin = f.begin(SimTime(10 * MS), FailureCause::TaskFailure, &[1], vec![source(1)], 0);
    assert_eq!(
        begin,
        vec![
            FailoverAction::KillTasks(vec![1]),
            FailoverAction::ScheduleDetection {
                failure: 0,
                at: SimTime(10 * MS)
            }
        ]
    );
    assert_eq!(f.failed_tasks(0), Some(&[1][..]));
    // The failover strategy's region: tasks 0, 1 and 2.
    let detected = f.on_detected(SimTime(10 * MS), 0, vec![0, 1, 2], vec![source(0)], &mut rng);
    assert_eq!(
        detected,
        vec![
            FailoverAction::KillTasks(vec![0, 2]),
            FailoverAction::KillTasks(vec![0, 1, 2]),
            FailoverAction::StopCheckpointScheduler,
            FailoverAction::ScheduleRestart {
                failure: 0,
                at: SimTime(110 * MS)
            },
        ]
    );
    assert_eq!(f.begin_restart(0), Some(vec![0, 1, 2]));
    let sources = f.restarted(0, None, 14, 0);
    assert_eq!(sources.len(), 2, "both restarted sources are watched for catch-up");
    assert_eq!(f.task_restored(SimTime(120 * MS), 0), None);
    assert_eq!(f.task_restored(SimTime(125 * MS), 1), None);
    assert_eq!(
        f.task_restored(SimTime(130 * MS), 2),
        Some(SimTime(120 * MS)),
        "the last task of the set runs again; the first ran again at 120 ms"
    );
    let rec = &f.failures()[0];
    assert_eq!(rec.running_again, Some(SimTime(130 * MS)));
    assert_eq!(rec.records_replayed, 14);
}

#[test]
fn a_failure_during_another_ones_recovery_takes_it_over() {
    let mut f = lifecycle(fixed_delay());
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    f.begin(SimTime(0), FailureCause::TaskManagerLost, &[0, 1], vec![], 30 * MS);
    // Before the heartbeat timeout, task 1 (already down) is hit again by a task failure.
    let hit = f.tasks_hit(vec![1, 3], |s| s <= 1);
    assert_eq!(
        hit,
        vec![1, 3],
        "a task down in an open failure dies again; a running one dies"
    );
    let actions = f.begin(SimTime(5 * MS), FailureCause::TaskFailure, &hit, vec![], 0);
    assert_eq!(actions[0], FailoverAction::KillTasks(vec![0, 1, 3]));
    assert!(f.failures()[0].superseded);
    assert_eq!(f.failed_tasks(0), None, "the taken-over failure's detection is void");
    assert_eq!(f.begin_restart(0), None, "and so is its restart");
    f.on_detected(SimTime(5 * MS), 1, vec![0, 1, 3], vec![], &mut rng);
    assert_eq!(f.begin_restart(1), Some(vec![0, 1, 3]));
}

#[test]
fn a_down_task_that_no_open_failure_holds_is_not_hit_again() {
    let mut f = lifecycle(fixed_delay());
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    f.begin(SimTime(0), FailureCause::TaskFailure, &[1], vec![], 0);
    f.on_detected(SimTime(0), 0, vec![1], vec![], &mut rng);
    f.begin_restart(0);
    f.restarted(0, None, 0, 0);
    assert_eq!(f.task_restored(SimTime(MS), 1), Some(SimTime(MS)));
    // The failure closed: a task reported down that no open failure holds is left alone.
    assert_eq!(f.tasks_hit(vec![1], |_| true), Vec::<u32>::new());
}

#[test]
fn no_restart_strategy_gives_up_and_schedules_no_restart() {
    let mut f = lifecycle(RestartStrategyConfig::NoRestart);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    f.begin(SimTime(0), FailureCause::TaskFailure, &[0], vec![], 0);
    let actions = f.on_detected(SimTime(0), 0, vec![0], vec![], &mut rng);
    assert!(
        !actions
            .iter()
            .any(|a| matches!(a, FailoverAction::ScheduleRestart { .. }))
    );
    assert!(f.failures()[0].gave_up);
}

#[test]
fn a_lost_taskmanager_holds_back_redeployment_and_its_local_copies() {
    let mut f = lifecycle(fixed_delay());
    f.taskmanager_lost(SimTime(10 * MS), 1, SimTime(40 * MS));
    assert_eq!(f.slots_back_at([0]), SimTime::ZERO);
    assert_eq!(f.slots_back_at([0, 1]), SimTime(40 * MS));
    assert!(f.taskmanager_survived(0, Some(SimTime(5 * MS))));
    assert!(
        !f.taskmanager_survived(1, Some(SimTime(5 * MS))),
        "lost after the snapshot"
    );
    assert!(
        f.taskmanager_survived(1, Some(SimTime(20 * MS))),
        "a snapshot taken after the loss"
    );
}

#[test]
fn a_restarted_failure_catches_up_once_every_restarted_source_has() {
    let mut f = lifecycle(fixed_delay());
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    f.begin(
        SimTime(0),
        FailureCause::TaskFailure,
        &[0, 1],
        vec![source(0), source(1)],
        0,
    );
    f.on_detected(SimTime(0), 0, vec![0, 1], vec![], &mut rng);
    f.begin_restart(0);
    f.restarted(0, None, 0, 0);
    f.source_caught_up(SimTime(200 * MS), 0);
    assert_eq!(f.failures()[0].caught_up, None);
    f.source_caught_up(SimTime(250 * MS), 1);
    assert_eq!(f.failures()[0].caught_up, Some(SimTime(250 * MS)));
}
