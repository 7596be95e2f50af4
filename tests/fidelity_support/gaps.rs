//! Known gaps, pinned rather than hidden: each measuring pass's `known_gaps.csv` lists every
//! figure (and ordering) ckptsim does not reproduce yet, with its error when it was pinned. A
//! pinned gap may not get worse by more than the real run-to-run spread plus the simulated
//! figure's own seed spread (seeds 1-6 against 7-12: a change that only redraws a run's
//! phases moves it that much); a gap that closed is reported so the file is updated; anything
//! else out of tolerance fails the suite.

use std::fmt::Write;
use std::fs;
use std::path::Path;

use super::compare::Comparison;

#[derive(Clone, Debug, PartialEq)]
pub struct Gap {
    /// A configuration name, or `ordering`.
    pub row: String,
    /// A figure's short name, or the ordering's name.
    pub what: String,
    pub real: f64,
    pub sim: f64,
    /// |sim - real| for a figure; for an ordering, how far ckptsim falls short of it
    /// (the real ratio over the simulated one).
    pub error: f64,
    /// Which issue is expected to close it.
    pub owner: String,
}

const HEADER: &str = "row,what,real,sim,error,owner";

pub fn load(path: &Path) -> Vec<Gap> {
    let Ok(text) = fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let c: Vec<&str> = l.splitn(6, ',').collect();
            assert!(c.len() == 6, "{}: bad line `{l}`", path.display());
            let num = |s: &str| s.parse::<f64>().unwrap_or(f64::NAN);
            Gap {
                row: c[0].into(),
                what: c[1].into(),
                real: num(c[2]),
                sim: num(c[3]),
                error: num(c[4]),
                owner: c[5].into(),
            }
        })
        .collect()
}

/// Rewrites the pins with `gaps`. A gap pinned before keeps its owner's text, which carries
/// the reason written for it by hand; a new one gets the owner alone.
pub fn write(path: &Path, gaps: &[Gap]) {
    let before = load(path);
    let mut s = String::from(HEADER);
    s.push('\n');
    for g in gaps {
        let owner = find(&before, &g.row, &g.what).map_or(&g.owner, |p| &p.owner);
        let _ = writeln!(
            s,
            "{},{},{:.3},{:.3},{:.3},{}",
            g.row, g.what, g.real, g.sim, g.error, owner
        );
    }
    fs::write(path, s).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

pub fn find<'a>(gaps: &'a [Gap], row: &str, what: &str) -> Option<&'a Gap> {
    gaps.iter().find(|g| g.row == row && g.what == what)
}

impl Gap {
    /// A figure out of tolerance as a gap; a figure the simulation lacks is infinitely wrong.
    pub fn of(c: &Comparison, owner: &str) -> Gap {
        Gap {
            row: c.row.clone(),
            what: c.figure.short().into(),
            real: c.real,
            sim: c.sim,
            error: if c.sim.is_nan() { f64::INFINITY } else { c.error() },
            owner: owner.into(),
        }
    }
}

/// Checks the out-of-tolerance items against the pinned gaps; returns the failures. `slack`
/// is how far a pinned gap may move without a change (the real runs' and the seeds' spreads).
pub fn check_against_pins(found: &[Gap], slack: &dyn Fn(&Gap) -> f64, pinned: &[Gap]) -> Vec<String> {
    let mut failures = Vec::new();
    for g in found {
        match find(pinned, &g.row, &g.what) {
            None => failures.push(format!(
                "{} {}: real {:.3}, sim {:.3} is out of tolerance and not a pinned gap (a regression)",
                g.row, g.what, g.real, g.sim
            )),
            Some(p) => {
                let allowed = p.error + slack(g);
                // known_gaps.csv keeps 3 decimals: an error that rounds to the pin is the pin.
                if g.error > allowed + 5e-4 {
                    failures.push(format!(
                        "{} {}: pinned gap got worse: error {:.3} > pinned {:.3} + spreads {:.3} (real runs' and seeds')",
                        g.row,
                        g.what,
                        g.error,
                        p.error,
                        slack(g)
                    ));
                } else {
                    println!(
                        "  pinned gap  {:<32} {:<26} real {:>12.3} sim {:>12.3} ({})",
                        g.row, g.what, g.real, g.sim, p.owner
                    );
                }
            }
        }
    }
    failures
}

/// Prints every pin of `path` (orderings or figures) that is no longer found: a closed gap,
/// to be removed by re-pinning with `pin_env`=1.
pub fn report_closed(path: &Path, pin_env: &str, pinned: &[Gap], found: &[Gap], kind_is_ordering: bool) {
    for p in pinned.iter().filter(|p| (p.row == "ordering") == kind_is_ordering) {
        if find(found, &p.row, &p.what).is_none() {
            println!(
                "  GAP CLOSED  {} {} is within tolerance now: remove it from {} ({pin_env}=1 rewrites the file)",
                p.row,
                p.what,
                path.display()
            );
        }
    }
}
