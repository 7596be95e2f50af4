//! A single run's progress on stderr, for the runs long enough to wait for: how much of the
//! simulated duration is done, with an ETA from the wall clock (display only: it never reaches a
//! result). Hidden when stderr is not a terminal (CI logs, pipes, tests). And a note before a
//! long record-by-record run that the fast path exists.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::scenario::Scenario;
use crate::scenario::budget::Estimate;
use crate::time::SimTime;

/// Runs estimated below this many simulation steps end within seconds: no bar.
pub const BAR_FROM_STEPS: f64 = 1e8;

/// Record-by-record runs estimated at this many steps or more get the note on the fast path
/// (the scale issue's production shape, 1.1e10 steps, takes 21-27 CPU minutes).
pub const FAST_PATH_NOTE_FROM_STEPS: f64 = 1e9;

/// The bar for a run of `s`, counting simulated seconds; hidden for a short run or when stderr
/// is not a terminal.
pub fn bar(s: &Scenario, needs: &Estimate) -> ProgressBar {
    let shown = needs.work_steps() >= BAR_FROM_STEPS && std::io::stderr().is_terminal();
    let target = if shown {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let simulated_s = (s.simulation.duration.value / 1e9).ceil().max(1.0) as u64;
    let style = ProgressStyle::with_template("[{elapsed_precise}] {wide_bar} {pos}/{len} simulated s  ETA {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    ProgressBar::with_draw_target(Some(simulated_s), target).with_style(style)
}

/// Moves `bar` to the simulated clock `now`.
pub fn show(bar: &ProgressBar, now: SimTime) {
    bar.set_position(now.as_ns() / crate::time::NS_PER_S);
}

/// The note before a long record-by-record run: its size, what such a run costs, and the fast
/// path's field. `None` for a short run or one already on the fast path.
pub fn long_run_note(s: &Scenario, needs: &Estimate) -> Option<String> {
    let steps = needs.work_steps();
    if steps < FAST_PATH_NOTE_FROM_STEPS || s.simulation.records_per_bundle > 1 {
        return None;
    }
    Some(format!(
        "note: about {steps:.1e} simulation steps record by record. For scale, \
         benches/scenarios/production_hour.toml (1.1e10 steps: 300 subtasks moving 1 M records/s \
         for an hour) takes 21-27 CPU minutes record by record and about 2.5 with \
         `--set simulation.records_per_bundle=32`, the fast path (README, \"The fast path\"); \
         its verdict says when the bundles are too coarse for the job."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(text: &str) -> Scenario {
        crate::scenario::parse_str(text, "t.toml")
            .expect("a valid scenario")
            .scenario
    }

    const JOB: &str = "[simulation]\nduration = \"DURATION\"\n[cluster]\ntaskmanagers = 25\n\
                       slots_per_taskmanager = 4\n[[operators]]\nname = \"src\"\nkind = \"source\"\n\
                       parallelism = 100\nrate = { process = \"poisson\", records_per_second = 10000 }\n\
                       [[operators]]\nname = \"sink\"\nkind = \"sink\"\nparallelism = 100\n\
                       inputs = [{ from = \"src\", partitioning = \"hash\" }]\n";

    #[test]
    fn a_long_record_by_record_run_is_told_of_the_fast_path() {
        let long = scenario(&JOB.replace("DURATION", "1h"));
        let needs = crate::scenario::budget::estimate(&long);
        assert!(
            needs.work_steps() >= FAST_PATH_NOTE_FROM_STEPS,
            "{}",
            needs.work_steps()
        );
        let note = long_run_note(&long, &needs).expect("a note");
        assert!(note.contains("simulation.records_per_bundle=32"), "{note}");
        let short = scenario(&JOB.replace("DURATION", "60s"));
        assert_eq!(long_run_note(&short, &crate::scenario::budget::estimate(&short)), None);
        let mut bundled = long.clone();
        bundled.simulation.records_per_bundle = 32;
        assert_eq!(long_run_note(&bundled, &needs), None, "already on the fast path");
    }

    #[test]
    fn the_bar_counts_whole_simulated_seconds() {
        let s = scenario(&JOB.replace("DURATION", "90s"));
        let b = bar(&s, &crate::scenario::budget::estimate(&s));
        assert_eq!(b.length(), Some(90));
        show(&b, SimTime(42_700_000_000));
        assert_eq!(b.position(), 42);
    }
}
