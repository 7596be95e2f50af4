//! An input hand-off is common to the consumers that one producer's buffers wake in one
//! instant. In Flink 2.3 the two maps of a TaskManager start a checkpoint within about 0.4 ms
//! of each other while each trails the earliest source by about 0.9 ms (a run of c04's job at
//! parallelism 2; `tests/fidelity/probes/README.md`); drawn per consumer, the simulated maps
//! started 1.4-1.75 ms apart, and the later of them set the checkpoint's end.

mod common;

/// 1 source -> hash -> 2 sinks on one TaskManager (local channels), at one record a second so
/// that data buffers rarely overlap a barrier; the hand-off is 0 in 9 draws of 10 and 10 ms in
/// the tenth.
fn job() -> String {
    common::sources_to_two_sinks(1, 1, "301s", "", common::HANDOFF_0_OR_10MS)
}

#[test]
fn consumers_woken_by_one_barrier_start_together() {
    let o = ckptsim::run::run(&common::scenario(&job()), 1);
    let (a, b) = (
        common::start_delay_trails_ms(&o, "sink", 0, "source"),
        common::start_delay_trails_ms(&o, "sink", 1, "source"),
    );
    assert_eq!(a.len(), b.len());
    let n = a.len() as f64;
    let late = |t: &f64| *t > 5.0;
    let apart = a.iter().zip(&b).filter(|(x, y)| late(x) != late(y)).count() as f64 / n;
    let both = a.iter().zip(&b).filter(|(x, y)| late(x) && late(y)).count() as f64 / n;
    println!("{n} checkpoints: one sink late in {apart:.3}, both in {both:.3}");
    assert!(n > 250.0, "{n} checkpoints");
    // One draw for both: never only one of them late. Drawn per consumer, one of the two is
    // late in 2 x 0.1 x 0.9 = 18 % of checkpoints.
    assert_eq!(apart, 0.0, "the sinks were woken by one barrier but started apart");
    // And the draw still has its distribution: both late with probability 0.1, within three
    // binomial standard errors (0.052 at 300 checkpoints).
    assert!(
        (both - 0.1).abs() < 3.0 * (0.1 * 0.9 / n).sqrt(),
        "both late in {both:.3}"
    );
}
