//! Where files live in the directories ckptsim writes: a run directory ([`run`]), a sweep
//! directory ([`sweep`]), and the names every such directory shares (an advice directory too).
//! Names only, no code that reads or writes them: the writers (`output`, `sweep`, `advise`) and
//! the readers (`plot`, `report`, `reproduce`) all stand above it, so that a reader finds a file
//! without importing the module that writes it.

pub mod run;
pub mod sweep;

/// The charts of a run or a sweep, under its directory.
pub const PLOTS_DIR: &str = "plots";

/// The page of a run or a sweep, in its directory.
pub const REPORT_HTML: &str = "report.html";
