//! An idle consumer wakes one input hand-off after the first buffer reaches it, and reads
//! whatever arrived meanwhile at that wake-up (`notifyChannelNonEmpty` completes the gate's
//! availability future once; the task thread then drains every available channel). Buffers that
//! arrive in the same instant as the first, as the barriers of sources triggered together do,
//! share its hand-off: a second draw must not replace the pending wake-up with a later one.

mod common;

/// 2 sources -> hash -> 2 sinks on one TaskManager (local channels), triggered at one instant
/// (constant RPCs), at one record a second so that data buffers rarely overlap a barrier; the
/// hand-off is 0 in 9 draws of 10 and 10 ms in the tenth.
fn job() -> String {
    common::sources_to_two_sinks(2, 1, "301s", "", common::HANDOFF_0_OR_10MS)
}

#[test]
fn barriers_arriving_together_wait_for_one_handoff() {
    // Four seeds, about 2,400 sink checkpoints.
    let trails: Vec<f64> = (1..=4)
        .map(|seed| ckptsim::run::run(&common::scenario(&job()), seed))
        .flat_map(|o| (0..2).flat_map(move |index| common::start_delay_trails_ms(&o, "sink", index, "source")))
        .collect();
    let n = trails.len() as f64;
    let late = trails.iter().filter(|&&t| t > 5.0).count() as f64 / n;
    println!("{n} sink checkpoints, {:.3} of them one 10 ms hand-off late", late);
    assert!(n > 2000.0, "{n} sink checkpoints");
    // Each sink's two barriers (and the sources' last data, if any) arrive in one instant and
    // wait for one draw: late with probability 0.1, within three binomial standard errors. The
    // two sinks woken by one source in one instant share that draw
    // (`consumers_of_one_emission_share_the_handoff.rs`), so the independent draws are the
    // checkpoints, half the sink checkpoints (0.009 at 1,200). A draw per arrival, each able to
    // postpone the wake-up, makes it 1 - 0.9^2 = 0.19 or more.
    let se = (0.1 * 0.9 / (n / 2.0)).sqrt();
    assert!(
        (late - 0.1).abs() < 3.0 * se,
        "late share {late:.3}, expected 0.1 ± {:.3}",
        3.0 * se
    );
}
