//! The progress bar on stderr: runs done, rate and ETA. Wall-clock time is used here only, for
//! display; it never reaches a result. Hidden when stderr is not a terminal (CI logs, pipes).

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub fn bar(runs: u64, skipped: u64, enabled: bool) -> ProgressBar {
    let target = if enabled && std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let style =
        ProgressStyle::with_template("{prefix}[{elapsed_precise}] {wide_bar} {pos}/{len} runs  {per_sec}  ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
    let pb = ProgressBar::with_draw_target(Some(runs), target).with_style(style);
    if skipped > 0 {
        pb.set_prefix(format!("{skipped} runs already done  "));
    }
    pb
}
