//! The `[simulation]` and `[checkpoint]` sections: the run's length and the job's checkpoint
//! configuration (`/jobs/<jid>/checkpoints/config`).

use super::super::write::{Section, quote};
use super::Ctx;

/// Simulated time before statistics count: the job's history comes from a running job, so the
/// simulation first fills its state and queues. The harness skips the same 10 s.
const WARMUP_S: u64 = 10;

/// The simulated run's `(duration, warm-up)` in seconds, as `[simulation]` writes them.
pub(super) fn run_length_s(cx: &Ctx) -> (u64, u64) {
    let measured_s = (WARMUP_S as f64 + 15.0 * cx.interval_s().unwrap_or(2.0))
        .max(40.0)
        .ceil() as u64;
    (measured_s, WARMUP_S)
}

pub(super) fn simulation(cx: &Ctx) -> Section {
    let n_cp = cx.cids.len();
    let (measured_s, _) = run_length_s(cx);
    let mut sim = Section::new("[simulation]");
    sim.put(
        "duration",
        quote(&format!("{measured_s}s")),
        format!("warm-up + at least 15 intervals, as many checkpoints as the import used ({n_cp})"),
    )
    .put(
        "warmup",
        quote(&format!("{WARMUP_S}s")),
        "statistics skip the start: the imported checkpoints come from a job already running",
    )
    .put("seed", "1", "any seed; the calibration report compares medians");
    sim
}

pub(super) fn checkpoint(cx: &Ctx) -> Section {
    let (cc, ccp) = (&cx.cc, &cx.ccp);
    let mut ck = Section::new("[checkpoint]");
    if let Some(i) = cc.interval_ms {
        ck.put("interval", quote(&format!("{i}ms")), format!("{ccp} interval"));
    }
    ck.put(
        "timeout",
        quote(&format!("{}ms", cc.timeout_ms)),
        format!("{ccp} timeout"),
    )
    .put(
        "min_pause",
        quote(&format!("{}ms", cc.min_pause_ms)),
        format!("{ccp} min_pause"),
    )
    .put(
        "max_concurrent",
        cc.max_concurrent.max(1).to_string(),
        format!("{ccp} max_concurrent"),
    )
    .put(
        "tolerable_failed",
        cc.tolerable_failed.to_string(),
        format!("{ccp} tolerable_failed_checkpoints"),
    );
    let mode = if cc.mode.contains("least") {
        "at_least_once"
    } else {
        "exactly_once"
    };
    ck.put("mode", quote(mode), format!("{ccp} mode = {}", cc.mode));
    ck.put(
        "unaligned",
        cc.unaligned.to_string(),
        format!("{ccp} unaligned_checkpoints"),
    );
    if cc.unaligned {
        ck.put(
            "aligned_checkpoint_timeout",
            quote(&format!("{}ms", cc.aligned_timeout_ms)),
            format!("{ccp} aligned_checkpoint_timeout"),
        );
    }
    ck.put(
        "history_size",
        cx.history.completed.len().max(1).to_string(),
        format!("as many as /jobs/{}/checkpoints history kept", cx.j),
    );
    ck
}
