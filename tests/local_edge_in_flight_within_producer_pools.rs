//! Local input channels (Flink's `LocalInputChannel`, `PipelinedSubpartitionView`): when producer
//! and consumer share a TaskManager the consumer reads the producer's subpartition itself, with
//! no credit and no buffers of its own, and a buffer goes back to the producer's pool
//! (`LocalBufferPool.recycle`) only when the consumer has finished with it. So the data in flight
//! on an all-local edge, whatever the backpressure, never exceeds what the producers' output pools
//! hold: per output edge `min(2n + 8, ...)` buffers for n subpartitions plus the overdraft buffers
//! a record in progress may take (`LocalBufferPool`, `maxOverdraftBuffersPerGate`).
//!
//! Checked after every event of a back-pressured run. The negative control gives a local
//! channel's buffer back to the pool when it is sent (as if the consumer had copied it, the way
//! a remote channel's sender does): the same check must then fail.

mod common;

use ckptsim::model::world::World;

/// 2 sources on one TaskManager, hash to 2 slow sinks: all four channels local. The sources offer
/// 4x what the sinks drain. 128 B records fill a 32 KiB segment exactly (no buffer holds more).
fn job() -> String {
    common::two_sources_hash_to_two_sinks(1, 8000, "20s", "0s", "2s")
}

/// The largest share of its pools' bytes a source's output ever held in flight, over the run.
fn worst_share_of_pools(broken: bool) -> f64 {
    let s = common::scenario(&job());
    let mut w = World::new(&ckptsim::compile::world_config(&s), 3, "local-pool-bound");
    let sources: Vec<u32> = (0..w.graph().subtasks.len() as u32)
        .filter(|s| !w.graph().outputs[*s as usize].is_empty())
        .collect();
    assert!(
        w.graph().channels.iter().all(|c| !c.remote),
        "one TaskManager: every channel is local"
    );
    if broken {
        w.free_local_buffers_at_send_for_negative_control();
    }
    let mut worst = 0.0f64;
    w.run_to_end_observing(|w| {
        for &s in &sources {
            let share = w.output_in_flight_bytes(s) as f64 / w.output_pools_bytes(s) as f64;
            worst = worst.max(share);
        }
    });
    worst
}

#[test]
fn in_flight_bytes_on_an_all_local_edge_never_exceed_the_producers_pools() {
    let worst = worst_share_of_pools(false);
    assert!(worst <= 1.0, "a local edge held {worst:.2} x its producers' pools");
    // Not vacuous: backpressure filled the pools' regular buffers (2n + 8 = 12 of the 32 the
    // bound allows with the 20 overdraft buffers).
    assert!(worst > 0.3, "backpressure never filled the pools ({worst:.2})");
}

#[test]
fn negative_control_local_buffers_freed_at_send_break_the_pool_bound() {
    let worst = worst_share_of_pools(true);
    assert!(
        worst > 1.0,
        "the broken local channel stayed within the pools ({worst:.2})"
    );
}
