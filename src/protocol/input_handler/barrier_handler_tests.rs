//! Tests of `SingleCheckpointBarrierHandler`, named after the behaviour they prove (Flink docs
//! "Checkpointing under backpressure", `BarrierHandlerState` classes).

use super::*;
use crate::protocol::types::{CheckpointOptions, CheckpointType};
use BarrierHandlerAction::*;

fn barrier(id: u64, ts: u64) -> CheckpointBarrier {
    CheckpointBarrier {
        id,
        timestamp: SimTime(ts),
        options: CheckpointOptions::aligned_no_timeout(CheckpointType::Checkpoint),
    }
}

#[test]
fn snapshot_is_taken_at_the_last_barrier_and_channels_resume_after() {
    let mut h = SingleCheckpointBarrierHandler::aligned(3);
    let mut out = vec![];
    h.process_barrier(SimTime(15), 1, barrier(1, 10), &mut out);
    assert_eq!(out, vec![BlockChannel(1)]);
    assert_eq!(h.state(), BarrierHandlerState::CollectingBarriers);
    out.clear();
    h.process_barrier(SimTime(20), 0, barrier(1, 10), &mut out);
    h.process_barrier(SimTime(40), 2, barrier(1, 10), &mut out);
    assert_eq!(
        out,
        vec![
            BlockChannel(0),
            BlockChannel(2),
            TriggerCheckpoint {
                barrier: barrier(1, 10),
                start_delay_ns: 5,
                alignment_duration_ns: 25
            },
            ResumeAllChannels
        ]
    );
    assert_eq!(h.state(), BarrierHandlerState::WaitingForFirstBarrier);
}

#[test]
fn a_newer_barrier_subsumes_the_pending_alignment() {
    let mut h = SingleCheckpointBarrierHandler::aligned(2);
    let mut out = vec![];
    h.process_barrier(SimTime(1), 0, barrier(1, 0), &mut out);
    out.clear();
    h.process_barrier(SimTime(2), 1, barrier(2, 1), &mut out);
    assert_eq!(
        out,
        vec![
            AbortCheckpoint {
                checkpoint: 1,
                reason: CheckpointFailureReason::CheckpointDeclinedSubsumed
            },
            ResumeAllChannels,
            BlockChannel(1)
        ]
    );
    out.clear();
    // The late barrier 1 on channel 0 is obsolete: resume its channel, nothing else.
    h.process_barrier(SimTime(3), 0, barrier(1, 0), &mut out);
    assert_eq!(out, vec![ResumeChannel(0)]);
}

#[test]
fn a_cancellation_marker_aborts_the_alignment() {
    let mut h = SingleCheckpointBarrierHandler::aligned(2);
    let mut out = vec![];
    h.process_barrier(SimTime(1), 0, barrier(4, 0), &mut out);
    out.clear();
    h.process_cancellation_barrier(4, &mut out);
    assert_eq!(
        out,
        vec![
            ResumeAllChannels,
            AbortCheckpoint {
                checkpoint: 4,
                reason: CheckpointFailureReason::CheckpointDeclinedOnCancellationBarrier
            }
        ]
    );
    out.clear();
    h.process_barrier(SimTime(2), 1, barrier(4, 0), &mut out);
    assert_eq!(
        out,
        vec![ResumeChannel(1)],
        "the cancelled checkpoint's late barrier only resumes"
    );
}

fn uc(id: u64, ts: u64) -> CheckpointBarrier {
    CheckpointBarrier {
        id,
        timestamp: SimTime(ts),
        options: CheckpointOptions::unaligned(CheckpointType::Checkpoint),
    }
}

fn timeoutable(id: u64, ts: u64, timeout: u64) -> CheckpointBarrier {
    CheckpointBarrier {
        id,
        timestamp: SimTime(ts),
        options: CheckpointOptions::aligned_with_timeout(CheckpointType::Checkpoint, timeout),
    }
}

fn savepoint(id: u64, ts: u64) -> CheckpointBarrier {
    CheckpointBarrier {
        id,
        timestamp: SimTime(ts),
        options: CheckpointOptions::for_config(
            CheckpointType::Savepoint,
            crate::protocol::types::CheckpointingMode::ExactlyOnce,
            true,
            None,
        ),
    }
}

/// Flink docs, "Unaligned checkpoints": the task snapshots as soon as the first barrier
/// arrives and persists the in-flight data of the channels whose barrier is still to come
/// (`AlternatingWaitingForFirstBarrierUnaligned`, `ChannelStatePersister`).
#[test]
fn unaligned_snapshots_at_the_first_barrier_and_persists_the_other_channels() {
    let mut h = SingleCheckpointBarrierHandler::unaligned(3);
    let mut out = vec![];
    h.process_barrier(SimTime(15), 1, uc(1, 10), &mut out);
    assert_eq!(
        out,
        vec![
            StartPersisting {
                checkpoint: 1,
                channel: 0
            },
            StartPersisting {
                checkpoint: 1,
                channel: 2
            },
            TriggerCheckpoint {
                barrier: uc(1, 10),
                start_delay_ns: 5,
                alignment_duration_ns: 0
            },
        ]
    );
    assert_eq!(h.state(), BarrierHandlerState::AlternatingCollectingBarriersUnaligned);
    assert!(h.is_unaligned_in_progress());
    out.clear();
    h.process_barrier(SimTime(30), 2, uc(1, 10), &mut out);
    assert_eq!(
        out,
        vec![StopPersisting {
            checkpoint: 1,
            channel: 2
        }]
    );
    out.clear();
    h.process_barrier(SimTime(45), 0, uc(1, 10), &mut out);
    assert_eq!(
        out,
        vec![
            StopPersisting {
                checkpoint: 1,
                channel: 0
            },
            AllBarriersReceived {
                checkpoint: 1,
                alignment_duration_ns: 30
            }
        ],
        "no channel was blocked, so none is resumed"
    );
    assert_eq!(
        h.state(),
        BarrierHandlerState::AlternatingWaitingForFirstBarrierUnaligned
    );
    assert!(!h.is_checkpoint_pending());
}

/// `CheckpointOptions.forConfig` + `InputProcessorUtil`: with unaligned checkpoints enabled
/// the handler is the alternating one, and a savepoint's barrier is still aligned.
#[test]
fn a_savepoint_is_aligned_even_with_unaligned_checkpoints_enabled() {
    for mut h in [
        SingleCheckpointBarrierHandler::alternating(2),
        SingleCheckpointBarrierHandler::unaligned(2),
    ] {
        let sp = savepoint(3, 0);
        assert!(!sp.options.is_unaligned() && sp.options.needs_alignment());
        let mut out = vec![];
        h.process_barrier(SimTime(5), 0, sp, &mut out);
        assert_eq!(out, vec![BlockChannel(0)]);
        out.clear();
        h.process_barrier(SimTime(9), 1, sp, &mut out);
        assert_eq!(
            out,
            vec![
                BlockChannel(1),
                TriggerCheckpoint {
                    barrier: sp,
                    start_delay_ns: 5,
                    alignment_duration_ns: 4
                },
                ResumeAllChannels
            ]
        );
        assert_eq!(sp.options.reported_type(), CheckpointType::Savepoint);
    }
}

/// `BarrierAlignmentUtil.getTimerDelay`: the timer counts from the JobManager's trigger time;
/// when it fires the checkpoint continues unaligned (`alignmentTimeout`) and only the
/// channels still without barrier persist data; aligned channels stay blocked until the end.
#[test]
fn the_alignment_timer_switches_a_pending_alignment_to_unaligned() {
    let mut h = SingleCheckpointBarrierHandler::alternating(3);
    let b = timeoutable(1, 100, 1_000);
    let mut out = vec![];
    h.process_barrier(SimTime(400), 0, b, &mut out);
    assert_eq!(
        out,
        vec![
            RegisterAlignmentTimer {
                checkpoint: 1,
                at: SimTime(1_100)
            },
            BlockChannel(0)
        ]
    );
    out.clear();
    h.process_barrier(SimTime(700), 1, b, &mut out);
    assert_eq!(out, vec![BlockChannel(1)]);
    out.clear();
    h.on_alignment_timer(SimTime(1_100), 1, &mut out);
    assert_eq!(
        out,
        vec![
            StartPersisting {
                checkpoint: 1,
                channel: 2
            },
            TriggerCheckpoint {
                barrier: b.as_unaligned(),
                start_delay_ns: 300,
                alignment_duration_ns: 0
            }
        ]
    );
    assert_eq!(
        b.as_unaligned().options.reported_type(),
        CheckpointType::UnalignedCheckpoint
    );
    out.clear();
    h.process_barrier(SimTime(1_500), 2, b, &mut out);
    assert_eq!(
        out,
        vec![
            BlockChannel(2),
            StopPersisting {
                checkpoint: 1,
                channel: 2
            },
            AllBarriersReceived {
                checkpoint: 1,
                alignment_duration_ns: 1_100
            },
            ResumeAllChannels
        ]
    );
    assert_eq!(h.state(), BarrierHandlerState::AlternatingWaitingForFirstBarrier);
    out.clear();
    h.on_alignment_timer(SimTime(1_600), 1, &mut out);
    assert!(out.is_empty(), "a stale timer does nothing");
}

/// An alignment that completes before the timeout stays aligned (`CHECKPOINT`).
#[test]
fn a_timeoutable_barrier_that_aligns_in_time_stays_aligned() {
    let mut h = SingleCheckpointBarrierHandler::alternating(2);
    let b = timeoutable(1, 0, 1_000);
    let mut out = vec![];
    h.process_barrier(SimTime(100), 0, b, &mut out);
    h.process_barrier(SimTime(200), 1, b, &mut out);
    assert_eq!(
        out[3],
        TriggerCheckpoint {
            barrier: b,
            start_delay_ns: 100,
            alignment_duration_ns: 100
        }
    );
    assert_eq!(b.options.reported_type(), CheckpointType::Checkpoint);
    out.clear();
    h.on_alignment_timer(SimTime(1_000), 1, &mut out);
    assert!(out.is_empty());
}

/// `isTimedOut(barrier)`: a barrier arriving after `timeout` has passed since the trigger
/// switches at once, even before the timer fires; the delay never goes negative.
#[test]
fn a_barrier_arriving_after_the_timeout_switches_at_once() {
    let mut h = SingleCheckpointBarrierHandler::alternating(2);
    let b = timeoutable(1, 0, 1_000);
    let mut out = vec![];
    h.process_barrier(SimTime(2_000), 1, b, &mut out);
    assert_eq!(
        out,
        vec![
            RegisterAlignmentTimer {
                checkpoint: 1,
                at: SimTime(2_000)
            },
            BlockChannel(1),
            StartPersisting {
                checkpoint: 1,
                channel: 0
            },
            TriggerCheckpoint {
                barrier: b.as_unaligned(),
                start_delay_ns: 2_000,
                alignment_duration_ns: 0
            }
        ]
    );
}

/// `AbstractAlternatingAlignedBarrierHandlerState.barrierReceived`: an unaligned barrier from
/// an upstream task that already switched makes this task switch too.
#[test]
fn an_unaligned_barrier_from_a_switched_upstream_switches_this_task() {
    let mut h = SingleCheckpointBarrierHandler::alternating(3);
    let b = timeoutable(1, 0, 1_000);
    let mut out = vec![];
    h.process_barrier(SimTime(100), 0, b, &mut out);
    out.clear();
    h.process_barrier(SimTime(200), 1, b.as_unaligned(), &mut out);
    assert_eq!(
        out,
        vec![
            StartPersisting {
                checkpoint: 1,
                channel: 2
            },
            TriggerCheckpoint {
                barrier: b.as_unaligned(),
                start_delay_ns: 100,
                alignment_duration_ns: 0
            }
        ]
    );
}

/// `convertToPriorityEvent`: announced barriers jump their queue when the checkpoint
/// switches to unaligned; the announcement alone starts the checkpoint and its timer.
#[test]
fn announced_barriers_are_prioritized_at_the_switch() {
    let mut h = SingleCheckpointBarrierHandler::alternating(2);
    let b = timeoutable(1, 0, 1_000);
    let mut out = vec![];
    h.process_barrier_announcement(SimTime(50), 1, b, 7, &mut out);
    assert_eq!(
        out,
        vec![RegisterAlignmentTimer {
            checkpoint: 1,
            at: SimTime(1_000)
        }]
    );
    assert!(h.is_checkpoint_pending());
    out.clear();
    h.on_alignment_timer(SimTime(1_000), 1, &mut out);
    assert_eq!(
        out,
        vec![
            PrioritizeAnnouncedBarrier {
                channel: 1,
                sequence_number: 7
            },
            StartPersisting {
                checkpoint: 1,
                channel: 0
            },
            StartPersisting {
                checkpoint: 1,
                channel: 1
            },
            TriggerCheckpoint {
                barrier: b.as_unaligned(),
                start_delay_ns: 1_000,
                alignment_duration_ns: 0
            }
        ]
    );
}

/// A cancellation marker during an unaligned checkpoint stops persisting (`abort`).
#[test]
fn a_cancellation_marker_stops_persisting_an_unaligned_checkpoint() {
    let mut h = SingleCheckpointBarrierHandler::unaligned(2);
    let mut out = vec![];
    h.process_barrier(SimTime(1), 0, uc(2, 0), &mut out);
    out.clear();
    h.process_cancellation_barrier(2, &mut out);
    assert_eq!(
        out,
        vec![
            StopPersisting {
                checkpoint: 2,
                channel: 1
            },
            AbortCheckpoint {
                checkpoint: 2,
                reason: CheckpointFailureReason::CheckpointDeclinedOnCancellationBarrier
            }
        ]
    );
    out.clear();
    h.process_barrier(SimTime(2), 1, uc(2, 0), &mut out);
    assert!(
        out.is_empty(),
        "a late unaligned barrier blocked nothing, so resumes nothing"
    );
}

/// Pointwise and broadcast edges stay aligned (`withUnalignedUnsupported`, FLINK-21945); the
/// forced-aligned barrier joins the task's unaligned checkpoint if one is under way.
#[test]
fn a_forced_aligned_barrier_blocks_its_channel_in_an_unaligned_checkpoint() {
    let mut h = SingleCheckpointBarrierHandler::alternating(2);
    let forced = CheckpointBarrier {
        options: uc(1, 0).options.with_unaligned_unsupported(),
        ..uc(1, 0)
    };
    assert!(!forced.options.is_unaligned() && !forced.options.is_timeoutable());
    let mut out = vec![];
    h.process_barrier(SimTime(1), 0, uc(1, 0), &mut out);
    out.clear();
    h.process_barrier(SimTime(3), 1, forced, &mut out);
    assert_eq!(
        out,
        vec![
            BlockChannel(1),
            StopPersisting {
                checkpoint: 1,
                channel: 1
            },
            AllBarriersReceived {
                checkpoint: 1,
                alignment_duration_ns: 2
            },
            ResumeAllChannels
        ]
    );
}

/// FLIP-147 (`processEndOfPartition` with checkpoints after tasks finish): a channel whose
/// upstream finished counts as aligned for the pending checkpoint, so its end completes the
/// alignment, and later checkpoints no longer wait for it.
#[test]
fn an_ended_channel_counts_as_aligned_for_the_pending_and_every_later_checkpoint() {
    let mut h = SingleCheckpointBarrierHandler::aligned(2);
    let mut out = vec![];
    h.process_barrier(SimTime(15), 0, barrier(1, 10), &mut out);
    out.clear();
    h.process_end_of_partition(SimTime(30), 1, &mut out);
    assert_eq!(
        out,
        vec![
            TriggerCheckpoint {
                barrier: barrier(1, 10),
                start_delay_ns: 5,
                alignment_duration_ns: 15
            },
            ResumeAllChannels
        ]
    );
    out.clear();
    h.process_barrier(SimTime(50), 0, barrier(2, 45), &mut out);
    assert_eq!(
        out,
        vec![
            BlockChannel(0),
            TriggerCheckpoint {
                barrier: barrier(2, 45),
                start_delay_ns: 5,
                alignment_duration_ns: 0
            },
            ResumeAllChannels
        ],
        "checkpoint 2 waits for the open channel only"
    );
}

/// An ended channel with no checkpoint pending starts nothing.
#[test]
fn an_ended_channel_without_a_pending_checkpoint_triggers_nothing() {
    let mut h = SingleCheckpointBarrierHandler::aligned(2);
    let mut out = vec![];
    h.process_end_of_partition(SimTime(30), 1, &mut out);
    h.process_end_of_partition(SimTime(30), 1, &mut out);
    assert!(out.is_empty());
    assert!(!h.is_checkpoint_pending());
}
