//! The JobMaster handles every RPC on its main thread
//! (`ExecutionGraphHandler.processCheckpointCoordinatorMessage` asserts it), so an
//! acknowledgement that reaches it while its wake-up for an earlier one is pending is handled in
//! the same run: subtasks that finish close together are acknowledged in one instant, and the
//! last of them waits for no hand-off of its own. In Flink 2.3 half of the acknowledgements of a
//! two-subtask checkpoint share their millisecond with another (c04, f02; the fidelity probes'
//! README).

mod common;

/// 2 sources -> hash -> 2 sinks, one TaskManager, triggered at one instant; every subtask is
/// ready within about a millisecond of the first, and the main thread's hand-off is a constant
/// 5 ms.
fn job() -> String {
    common::sources_to_two_sinks(
        2,
        1000,
        "61s",
        "acknowledge_rpc_latency = \"5ms\"",
        "input_handoff_latency = \"500us\"",
    )
}

#[test]
fn acknowledgements_that_arrive_while_the_jobmaster_wakes_are_handled_together() {
    let o = ckptsim::run::run(&common::scenario(&job()), 1);
    let completed: Vec<u64> = o
        .checkpoints
        .iter()
        .filter(|c| c.status == "COMPLETED")
        .map(|c| c.id)
        .collect();
    assert!(completed.len() > 50, "{} completed checkpoints", completed.len());
    for id in completed {
        let subtasks: Vec<_> = o.subtasks.iter().filter(|r| r.checkpoint_id == id).collect();
        assert_eq!(
            subtasks.len(),
            4,
            "checkpoint {id}: {} acknowledgements",
            subtasks.len()
        );
        // When each subtask sent its acknowledgement, after the trigger: its phases.
        let ready_ms = |r: &&ckptsim::metrics::SubtaskRecord| {
            r.start_delay + r.alignment_duration + r.sync_duration + r.async_duration
        };
        let first = subtasks.iter().map(ready_ms).fold(f64::INFINITY, f64::min);
        let last = subtasks.iter().map(ready_ms).fold(f64::NEG_INFINITY, f64::max);
        assert!(
            last - first < 5.0,
            "checkpoint {id}: ready from {first:.3} to {last:.3} ms"
        );
        // Every acknowledgement is handled at the first one's wake-up, 5 ms after it was sent.
        for r in &subtasks {
            assert!(
                (r.end_to_end_duration - (first + 5.0)).abs() < 1e-3,
                "checkpoint {id}: subtask {} {} acknowledged at {:.4} ms, the first was ready at {first:.4} ms",
                r.task,
                r.index,
                r.end_to_end_duration
            );
        }
    }
}
