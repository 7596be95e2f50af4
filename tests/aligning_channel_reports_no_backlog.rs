//! An aligned barrier carries no backlog, and the receiver takes the backlog of every buffer
//! that arrives, events included. In Flink, `PipelinedSubpartition.pollBuffer` blocks the
//! subpartition when it takes an aligned barrier, before `getBuffersInBacklogUnsafe` reads the
//! backlog it sends with it, which is 0 for a blocked subpartition; `RemoteInputChannel.onBuffer`
//! calls `onSenderBacklog(backlog)` for data and events alike. So from the barrier's arrival
//! until the subpartition resumes, the channel wants only its initial credit available and gives
//! its floating buffers back to the gate as the task recycles them, rather than keeping them
//! announced to a sender that may not send.
//!
//! Checked after every event of a back-pressured run with aligned checkpoints across two
//! TaskManagers: whenever an aligned barrier waits in a remote channel's received queue, the
//! channel's sender backlog is 0. The negative control sends the barrier with the backlog of the
//! data queued behind it and ignores events' backlogs at the receiver (ckptsim before this
//! change): the same check must fail.

mod common;

use ckptsim::model::world::World;

/// Subtask i of each operator in slot i; one slot per TaskManager: the hash edge has two local
/// and two remote channels. The sources offer 4x what the sinks drain.
fn job() -> String {
    common::two_sources_hash_to_two_sinks(2, 8000, "20s", "0s", "1s")
}

/// Steps with an aligned barrier waiting in a remote channel's received queue, and those of
/// them where the channel's sender backlog was not 0.
fn observe(broken: bool) -> (u64, u64) {
    let s = common::scenario(&job());
    let mut w = World::new(&ckptsim::compile::world_config(&s), 5, "aligning-backlog");
    if broken {
        w.barrier_backlog_as_data_for_negative_control();
    }
    let (mut waiting, mut with_backlog) = (0, 0);
    w.run_to_end_observing(|w| {
        for (ch, c) in w.graph().channels.iter().enumerate() {
            if !c.remote || !w.aligned_barrier_received(ch as u32) {
                continue;
            }
            waiting += 1;
            if w.consumer_end(ch as u32).sender_backlog != 0 {
                with_backlog += 1;
            }
        }
    });
    (waiting, with_backlog)
}

#[test]
fn a_remote_channel_holding_an_aligned_barrier_sees_no_backlog() {
    let (waiting, with_backlog) = observe(false);
    assert!(
        waiting > 1000,
        "the run must have barriers waiting at remote channels ({waiting} steps)"
    );
    assert_eq!(
        with_backlog, 0,
        "{with_backlog} of {waiting} steps saw a backlog behind an aligned barrier"
    );
}

#[test]
fn negative_control_barrier_with_the_data_backlog_is_caught() {
    let (waiting, with_backlog) = observe(true);
    assert!(waiting > 1000);
    assert!(
        with_backlog > waiting / 10,
        "the check must catch the old rule: {with_backlog} of {waiting} steps"
    );
}
