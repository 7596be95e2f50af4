//! Flink's floating-buffer rule for remote channels (`RemoteInputChannel.onSenderBacklog` ->
//! `BufferManager.requestFloatingBuffers(backlog + initialCredit)`): when a buffer announces the
//! sender's backlog, the channel takes floating buffers from its gate until `backlog +
//! initialCredit` buffers (initialCredit: its 2 exclusive ones) are available to announce as
//! credit, or the gate has none left, when it waits for one; it gives floating buffers back
//! against the same target when it recycles (`AvailableBufferQueue.addExclusiveBuffer`), and a
//! gate never lends more than its 8 floating buffers.
//!
//! Checked after every event of a back-pressured run across two TaskManagers. The negative
//! control takes the target without the initial credit (ckptsim's rule before issue 11): the
//! same check must fail.

mod common;

use ckptsim::model::world::World;

/// Subtask i of each operator in slot i; one slot per TaskManager: the hash edge has two local
/// and two remote channels. The sources offer 4x what the sinks drain.
fn job() -> String {
    common::two_sources_hash_to_two_sinks(2, 8000, "15s", "0s", "2s")
}

const EXCLUSIVE: u32 = 2;
const FLOATING_PER_GATE: u32 = 8;

struct Seen {
    /// Steps where a remote channel had fewer than `backlog + 2` buffers available while
    /// not waiting for a floating one.
    short: u64,
    /// The largest backlog a remote channel reported, and the most floating buffers one held.
    max_backlog: u32,
    max_floating: u32,
}

fn observe(broken: bool) -> Seen {
    let s = common::scenario(&job());
    let mut w = World::new(&ckptsim::compile::world_config(&s), 5, "floating-rule");
    assert!(w.graph().channels.iter().any(|c| c.remote));
    if broken {
        w.floating_target_without_initial_credit_for_negative_control();
    }
    let mut seen = Seen {
        short: 0,
        max_backlog: 0,
        max_floating: 0,
    };
    w.run_to_end_observing(|w| {
        let g = w.graph();
        for (s, gates) in g.gates.iter().enumerate() {
            for gate in 0..*gates {
                let (available, waiting) = w.gate_floating(s as u32, gate);
                let mut lent = 0;
                for ch in g.inputs[s].iter().map(|c| c.0) {
                    let info = &g.channels[ch as usize];
                    if info.gate != gate {
                        continue;
                    }
                    let c = w.consumer_end(ch);
                    lent += c.floating_held;
                    if !info.remote {
                        assert_eq!((c.owned, c.floating_held), (0, 0), "a local channel owns no buffers");
                        continue;
                    }
                    seen.max_backlog = seen.max_backlog.max(c.sender_backlog);
                    seen.max_floating = seen.max_floating.max(c.floating_held);
                    // Its available buffers are its announced, unused credit.
                    if c.announced_unused < c.sender_backlog + EXCLUSIVE && !waiting.contains(&ch) {
                        seen.short += 1;
                    }
                }
                assert_eq!(
                    lent + available,
                    FLOATING_PER_GATE,
                    "a gate's floating buffers are conserved"
                );
            }
        }
    });
    seen
}

#[test]
fn a_remote_channel_under_backlog_gets_backlog_plus_two_available_buffers_within_the_gates_eight() {
    let seen = observe(false);
    assert_eq!(
        seen.short, 0,
        "a remote channel was short of backlog + 2 without waiting"
    );
    // Not vacuous: the backlog outgrew the exclusive buffers and floating ones were lent, up to
    // the gate's 8.
    assert!(seen.max_backlog > EXCLUSIVE, "max backlog {}", seen.max_backlog);
    assert!(
        (1..=FLOATING_PER_GATE).contains(&seen.max_floating),
        "max floating held {}",
        seen.max_floating
    );
}

#[test]
fn negative_control_a_target_without_initial_credit_is_caught() {
    let seen = observe(true);
    assert!(seen.short > 0, "the backlog-only target passed the check");
}
