//! Settings the fidelity suite's rows do not cover, each measured on a real Flink 2.3 on the
//! replication day's host (2026-12-05, one run each, alone on a quiet machine, 135 s with the
//! 90 s warm-up) and held here against that day's scenario with the same setting, seeds 1-6 as the
//! suite pools them:
//!
//! - **A buffer timeout of 0** (`tests/fidelity/probes/buffer_timeout_zero/`): f04's and f05's
//!   jobs (aligned checkpoints, the map back-pressuring the sources; local channels, then local
//!   and remote) with `--bufferTimeoutMs 0`. Flink flushes after every record (`RecordWriter`'s
//!   `flushAlways`), but a flush finishes no buffer while the subpartition's reader is behind
//!   (`PipelinedSubpartition.flush`), so the back-pressured queues hold full buffers and a
//!   checkpoint takes as long as with the default 100 ms: 1588 ms end to end for f04 (1599 and
//!   1584.5 with 100 ms on the suite's two days) and 1738 for f05 (1773.5 and 1740). Its negative
//!   control restores the rule ckptsim had (every record finishes its buffer), which put these
//!   checkpoints at about 10 ms.
//! - **A minimum pause of 2 s** (`tests/fidelity/probes/min_pause/`): f04's job with
//!   `--minPauseMs 2000`. A checkpoint of 1.6 s and the pause make one every 3.6 s. Its negative
//!   control is the scenario without the pause: what a model that ignored it would give.
//!
//! - **Unaligned checkpoints with buffer debloating** (`tests/fidelity/probes/unaligned_debloat/`):
//!   f09's job (debloating, remote channels) with `--unaligned true`, the combination FLIP-183
//!   recommends: the debloated buffers shrink the in-flight data an unaligned checkpoint
//!   persists. Its negative control is the aligned scenario.
//!
//! - **A checkpoint timeout under backpressure** (`tests/fidelity/probes/checkpoint_timeout/`):
//!   f04's job, whose checkpoints take 1.48-1.70 s in Flink, with `--cpTimeoutMs 1200` (every
//!   checkpoint expires, and the next is triggered at once: one every 1.2 s) and `--cpTimeoutMs
//!   1600` (the timeout cuts through the durations: 9 of 30 expired). Its negative control is
//!   the scenario without the timeout.
//! - **The first checkpoint after a restart** (`tests/fidelity/probes/restart_first_checkpoint/`):
//!   f04's job failing under backpressure (`--failAfter 330000 --restartDelayMs 1500`) and f15's
//!   job with a 5 s interval. Flink triggers one interval after the first restarted task runs,
//!   not at the random delay of a job's start: failure to the first completed checkpoint 3201
//!   and 6577 ms. Its negative control is that random delay after the restart.
//!
//! Tolerance: the fidelity suite's rule (`compare::tolerance`) for the end to end and the start
//! delay, ±25 % or ±2 ms, and the same for the interval between triggers. Printed, not held:
//! the map's alignment and the persisted in-flight data, the suite's pinned gaps on these rows
//! (`tests/fidelity/replication/2026-12-05/known_gaps.csv`: the remote alignment, in-flight data
//! 2-8 % high). The share of checkpoints that expire follows from the same ±25 %: it is held
//! within the shares Flink's own durations (the suite's f04 runs of that day, no timeout) give
//! when scaled by 0.75 and by 1.25, the range a ckptsim within the suite's tolerance can give.
//! Where the timeout cuts through the durations that range is 0-100 %: a planner is told so by
//! the README, not by this test. A negative control must miss at least one held figure of each
//! of its rows; the 1.6 s row has none (see `PROBES`).

mod fidelity_support;

use std::path::PathBuf;

use ckptsim::model::world::World;
use fidelity_support::compare::tolerance;
use fidelity_support::figures::{Figure, Window, completed_after_warmup, real_figures, sim_figures};
use fidelity_support::percentile;
use fidelity_support::real::RealRuns;

const SCENARIOS: &str = "tests/fidelity/replication/2026-12-05/scenarios";
/// The same day's suite runs (the probes' scenarios as measured, without the probe's setting).
const DAY_REAL: &str = "tests/fidelity/replication/2026-12-05/real";
const WARMUP_MS: f64 = 90_000.0;

/// One measured run and how the day's scenario is set to match it.
struct Probe {
    /// `tests/fidelity/probes/<dir>/real/<run>/`.
    dir: &'static str,
    run: &'static str,
    /// The day's scenario the run is compared with.
    scenario: &'static str,
    /// The scenario's line as the suite measured it, and the line for this run's setting.
    measured: &'static str,
    setting: &'static str,
    /// The wrong model this probe's check must catch.
    control: Control,
    /// What is compared.
    kind: Kind,
}

/// The figures a probe compares.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// Completed checkpoints: end to end, start delay, alignment, in-flight data, and the time
    /// between triggers.
    Durations,
    /// A timeout of this many ms: the share of checkpoints that expire and the time between
    /// triggers, over every checkpoint; the end to end and start delay of those that completed.
    Expiry { timeout_ms: f64 },
    /// One failure: the recovery figures of the suite's f15 row, and when the first checkpoint
    /// after the restart is triggered. `restart_held`: whether failure to RUNNING and to
    /// processing again are held too (printed either way).
    Recovery { restart_held: bool },
}

const PROBES: [Probe; 10] = [
    Probe {
        dir: "buffer_timeout_zero",
        run: "f04_t0",
        scenario: "f04_bp_aligned_local",
        measured: "buffer_timeout = \"100ms\"",
        setting: "buffer_timeout = \"0ms\"",
        control: Control::OldZeroTimeoutRule,
        kind: Kind::Durations,
    },
    Probe {
        dir: "buffer_timeout_zero",
        run: "f05_t0",
        scenario: "f05_bp_aligned_remote",
        measured: "buffer_timeout = \"100ms\"",
        setting: "buffer_timeout = \"0ms\"",
        control: Control::OldZeroTimeoutRule,
        kind: Kind::Durations,
    },
    Probe {
        dir: "min_pause",
        run: "f04_minpause2s",
        scenario: "f04_bp_aligned_local",
        measured: "min_pause = \"0ms\"",
        setting: "min_pause = \"2000ms\"",
        control: Control::SettingIgnored,
        kind: Kind::Durations,
    },
    Probe {
        dir: "unaligned_debloat",
        run: "f09_unaligned",
        scenario: "f09_bp_debloat_remote",
        measured: "min_pause = \"0ms\"",
        setting: "min_pause = \"0ms\"\nunaligned = true",
        control: Control::SettingIgnored,
        kind: Kind::Durations,
    },
    Probe {
        dir: "checkpoint_timeout",
        run: "f04_timeout1200",
        scenario: "f04_bp_aligned_local",
        measured: "timeout = \"600000ms\"",
        setting: "timeout = \"1200ms\"",
        control: Control::SettingIgnored,
        kind: Kind::Expiry { timeout_ms: 1200.0 },
    },
    // No negative control: without the timeout ckptsim's checkpoints take 1.10x the completed
    // ones' p50 here and come 1.07x as often, both inside the tolerance, and the share that
    // expires may be anything (above). The 1.2 s row holds the same code to its control.
    Probe {
        dir: "checkpoint_timeout",
        run: "f04_timeout1600",
        scenario: "f04_bp_aligned_local",
        measured: "timeout = \"600000ms\"",
        setting: "timeout = \"1600ms\"",
        control: Control::None,
        kind: Kind::Expiry { timeout_ms: 1600.0 },
    },
    Probe {
        dir: "restart_first_checkpoint",
        run: "f04_fail",
        scenario: "f04_bp_aligned_local",
        measured: "# DataGeneratorSource",
        setting: F04_FAILURE,
        control: Control::OldRestartRule,
        kind: Kind::Recovery { restart_held: true },
    },
    Probe {
        dir: "restart_first_checkpoint",
        run: "f15_i5000",
        scenario: "f15_failure_fixed_delay",
        measured: "interval = \"1000ms\"",
        setting: "interval = \"5000ms\"",
        control: Control::OldRestartRule,
        kind: Kind::Recovery { restart_held: true },
    },
    // With a minimum pause the first attempt after the restart comes that long after the first
    // restarted task runs and finds every task running: one checkpoint 542 ms after RUNNING.
    Probe {
        dir: "restart_first_checkpoint",
        run: "f15_mp500",
        scenario: "f15_failure_fixed_delay",
        measured: "min_pause = \"0ms\"",
        setting: "min_pause = \"500ms\"",
        control: Control::OldRestartRule,
        kind: Kind::Recovery { restart_held: true },
    },
    // No restart delay: RUNNING again 26 ms after the failure. Measured after the model was
    // set and its figures written down (first trigger 1056 ms after RUNNING, first completed
    // checkpoint 1077 ms after the failure): an out-of-sample check of the restart rule. Its
    // failure to RUNNING (13 against 26 ms) and to processing again (70 against 141) are
    // printed, not held: with no delay Flink waits for the cancelled tasks before RUNNING, which
    // ckptsim does not model, and this run's deployment took 111 ms against the 56 of the
    // day's calibration run (tests/fidelity/probes/README.md).
    Probe {
        dir: "restart_first_checkpoint",
        run: "f15_d0",
        scenario: "f15_failure_fixed_delay",
        measured: "delay = \"1500ms\"",
        setting: "delay = \"0ms\"",
        control: Control::OldRestartRule,
        kind: Kind::Recovery { restart_held: false },
    },
];

/// f04's job with f15's restart (`--failAfter 330000 --restartDelayMs 1500`): map subtask 0
/// throws once (when the run's did, see `FAILURE_AT`); the recovery delays are that day's
/// calibration (c05), as in its f15 scenario.
const F04_FAILURE: &str = "[restart]\nstrategy = \"fixed-delay\"\nattempts = 3\ndelay = \"1500ms\"\n\n\
    [recovery]\ntask_failure_report_delay = \"13.0ms\"\ndeployment_time = \"56.0ms\"\n\n\
    [[faults.task_crash]]\nat = [\"100000ms\"]\noperator = \"stateful-map\"\nsubtask = 0\n\n\
    # DataGeneratorSource";

/// The task crash of a recovery probe's scenario (f15's, or `F04_FAILURE`), moved to the
/// measured run's own failure time.
const FAILURE_AT: &str = "at = [\"100000ms\"]";

/// When the run's injected failure struck, in ms after the job started: the harness's failure
/// event (`recovery.csv`) less the job's start, which a checkpoint's trigger time and its time
/// since the start give.
fn failure_at_ms(real: &RealRuns, run: &str) -> f64 {
    let fail_ms = real.recovery(run, "fail_ts_ms").expect("fail_ts_ms");
    let first = &real.run_rows(run, "checkpoints.csv")[0];
    let num = |k: &str| first[k].parse::<f64>().unwrap_or_else(|e| panic!("{run}: {k}: {e}"));
    fail_ms - (num("trigger_ts_ms") - num("t_since_job_start_s") * 1000.0)
}

/// What a negative control changes: the model (the old zero-timeout or restart rule), or the setting
/// itself (the scenario as measured, without this run's setting; with a zero timeout that is no
/// control, since under backpressure Flink, and ckptsim now, take as long with either).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Control {
    /// No change: the model as it is. As a probe's `control`: the probe has none.
    None,
    OldZeroTimeoutRule,
    SettingIgnored,
    /// After a restart the checkpoint scheduler starts as at the job's start, once every task
    /// runs again.
    OldRestartRule,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The day's scenario with the probe's setting, run with seeds 1-6; a recovery probe's
/// failure strikes when the run's did.
fn simulate(p: &Probe, real: &RealRuns, control: Control) -> Vec<ckptsim::run::RunOutput> {
    let path = root().join(SCENARIOS).join(format!("{}.toml", p.scenario));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        text.contains(p.measured),
        "{}: no {} to replace",
        path.display(),
        p.measured
    );
    let mut text = if control == Control::SettingIgnored {
        text
    } else {
        text.replace(p.measured, p.setting)
    };
    if matches!(p.kind, Kind::Recovery { .. }) {
        assert!(text.contains(FAILURE_AT), "{}: no {FAILURE_AT} to move", path.display());
        let at = format!("at = [\"{}ms\"]", failure_at_ms(real, p.run).round());
        text = text.replace(FAILURE_AT, &at);
    }
    let s = ckptsim::scenario::parse_str(&text, &path.display().to_string())
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario;
    (1..=6)
        .map(|seed| {
            let mut w = World::new(&ckptsim::compile::world_config(&s), seed, p.scenario);
            match control {
                Control::OldZeroTimeoutRule => w.finish_every_record_for_negative_control(),
                Control::OldRestartRule => w.restart_like_job_start_for_negative_control(),
                Control::None | Control::SettingIgnored => {}
            }
            w.run()
        })
        .collect()
}

/// The median time between consecutive triggers after the warm-up, pooled over the runs.
fn trigger_interval_ms(outs: &[ckptsim::run::RunOutput]) -> f64 {
    let gaps: Vec<f64> = outs
        .iter()
        .flat_map(|o| {
            let t: Vec<f64> = completed_after_warmup(o, WARMUP_MS)
                .iter()
                .map(|c| c.trigger_timestamp)
                .collect();
            t.windows(2).map(|w| w[1] - w[0]).collect::<Vec<_>>()
        })
        .collect();
    percentile(&gaps, 0.5).unwrap_or(f64::NAN)
}

/// One figure on both sides, and the range ckptsim's must fall in (none: printed, not held).
struct Compared {
    name: &'static str,
    flink: f64,
    sim: f64,
    held: Option<(f64, f64)>,
}

/// A figure held to the suite's rule for `like` (±25 % or ±2 ms for durations).
fn held(name: &'static str, like: Figure, flink: f64, sim: f64) -> Compared {
    let t = tolerance(like, flink, 0.0).0;
    Compared {
        name,
        flink,
        sim,
        held: Some((flink - t, flink + t)),
    }
}

/// Completed checkpoints' durations and the time between their triggers.
fn duration_figures(p: &Probe, real: &RealRuns, outs: &[ckptsim::run::RunOutput]) -> Vec<Compared> {
    let flink = real_figures(real, p.run);
    let sim = sim_figures(outs, Window::after(WARMUP_MS));
    let mut figures: Vec<Compared> = [
        Figure::EndToEndMs,
        Figure::MapStartDelayMs,
        Figure::MapAlignmentMs,
        Figure::PersistedDataB,
    ]
    .iter()
    .map(|fig| {
        if matches!(fig, Figure::EndToEndMs | Figure::MapStartDelayMs) {
            held(fig.key(), *fig, flink[fig], sim[fig])
        } else {
            Compared {
                name: fig.key(),
                flink: flink[fig],
                sim: sim[fig],
                held: None,
            }
        }
    })
    .collect();
    let real_gap = real
        .summary(p.run, "trigger_interval_ms_median")
        .expect("trigger_interval_ms_median");
    figures.push(held(
        "p50 time between triggers (ms)",
        Figure::EndToEndMs,
        real_gap,
        trigger_interval_ms(outs),
    ));
    figures
}

/// Checkpoints triggered after the warm-up and no longer in progress, in trigger order: (trigger
/// time in ms, whether it expired).
type Outcomes = Vec<(f64, bool)>;

fn flink_outcomes(real: &RealRuns, run: &str) -> Outcomes {
    let warmup_s = real.warmup_s(run);
    real.run_rows(run, "checkpoints.csv")
        .iter()
        .filter(|r| r["status"] == "COMPLETED" || r["status"] == "FAILED")
        .filter_map(|r| {
            let t: f64 = r["t_since_job_start_s"].parse().ok()?;
            let expired = r["status"] == "FAILED" && r["failure_message"].contains("expired");
            (t >= warmup_s).then_some((t * 1000.0, expired))
        })
        .collect()
}

fn sim_outcomes(out: &ckptsim::run::RunOutput) -> Outcomes {
    out.checkpoints
        .iter()
        .filter(|c| (c.status == "COMPLETED" || c.status == "FAILED") && c.trigger_timestamp >= WARMUP_MS)
        .map(|c| {
            let expired = c.failure_reason.as_deref() == Some("CHECKPOINT_EXPIRED");
            (c.trigger_timestamp, expired)
        })
        .collect()
}

/// (share expired, p50 time between consecutive triggers in ms) over runs' outcomes.
fn expiry_summary(runs: &[Outcomes]) -> (f64, f64) {
    let all: Vec<&(f64, bool)> = runs.iter().flatten().collect();
    let share = all.iter().filter(|o| o.1).count() as f64 / all.len() as f64;
    let gaps: Vec<f64> = runs
        .iter()
        .flat_map(|r| r.windows(2).map(|w| w[1].0 - w[0].0).collect::<Vec<_>>())
        .collect();
    (share, percentile(&gaps, 0.5).unwrap_or(f64::NAN))
}

/// The share of checkpoints a timeout of `timeout_ms` expires when Flink's own durations without
/// one (the day's suite runs of the probe's scenario, completed after the warm-up) are scaled
/// by `scale`.
fn share_expired_scaled(p: &Probe, timeout_ms: f64, scale: f64) -> f64 {
    let day = RealRuns::load(&root().join(DAY_REAL));
    let durations: Vec<f64> = ["r1", "r2"]
        .iter()
        .flat_map(|rep| {
            let run = format!("{}.{rep}", p.scenario);
            let warmup_s = day.warmup_s(&run);
            day.run_rows(&run, "checkpoints.csv")
                .into_iter()
                .filter(move |r| r["status"] == "COMPLETED")
                .filter(move |r| r["t_since_job_start_s"].parse::<f64>().is_ok_and(|t| t >= warmup_s))
                .map(|r| r["end_to_end_ms"].parse::<f64>().expect("end_to_end_ms"))
        })
        .collect();
    durations.iter().filter(|d| *d * scale > timeout_ms).count() as f64 / durations.len() as f64
}

/// The share that expires and the time between triggers over every checkpoint, and the
/// completed ones' durations where Flink completed any.
fn expiry_figures(p: &Probe, timeout_ms: f64, real: &RealRuns, outs: &[ckptsim::run::RunOutput]) -> Vec<Compared> {
    let (flink_share, flink_gap) = expiry_summary(&[flink_outcomes(real, p.run)]);
    let (sim_share, sim_gap) = expiry_summary(&outs.iter().map(sim_outcomes).collect::<Vec<_>>());
    let mut figures = vec![
        Compared {
            name: "share of checkpoints expired",
            flink: flink_share,
            sim: sim_share,
            held: Some((
                share_expired_scaled(p, timeout_ms, 0.75),
                share_expired_scaled(p, timeout_ms, 1.25),
            )),
        },
        held(
            "p50 time between triggers, every checkpoint (ms)",
            Figure::EndToEndMs,
            flink_gap,
            sim_gap,
        ),
    ];
    let flink = real_figures(real, p.run);
    let sim = sim_figures(outs, Window::after(WARMUP_MS));
    for fig in [Figure::EndToEndMs, Figure::MapStartDelayMs] {
        if let Some(f) = flink.get(&fig) {
            figures.push(held(fig.key(), fig, *f, sim.get(&fig).copied().unwrap_or(f64::NAN)));
        }
    }
    figures
}

/// The suite's recovery figures (its f15 row's) and the first trigger after the restart, in
/// ms after the job is RUNNING again.
fn recovery_figures(p: &Probe, restart_held: bool, real: &RealRuns, outs: &[ckptsim::run::RunOutput]) -> Vec<Compared> {
    let flink = real_figures(real, p.run);
    let sim = sim_figures(outs, Window::after(WARMUP_MS));
    let mut figures: Vec<Compared> = [
        Figure::FailToRunningMs,
        Figure::FailToProcessingMs,
        Figure::FailToFirstCheckpointMs,
    ]
    .iter()
    .map(|fig| {
        let mut c = held(fig.key(), *fig, flink[fig], sim[fig]);
        if !restart_held && *fig != Figure::FailToFirstCheckpointMs {
            c.held = None;
        }
        c
    })
    .collect();
    let fail_ms = real.recovery(p.run, "fail_ts_ms").expect("fail_ts_ms");
    let running_ms = fail_ms + flink[&Figure::FailToRunningMs];
    let flink_first = real
        .run_rows(p.run, "checkpoints.csv")
        .iter()
        .filter_map(|r| r["trigger_ts_ms"].parse::<f64>().ok())
        .filter(|t| *t > running_ms)
        .fold(f64::INFINITY, f64::min);
    let sim_first: Vec<f64> = outs
        .iter()
        .map(|o| {
            let f = o.failures.first().expect("the run's one failure");
            let running = f.failure_timestamp + f.detection_delay.unwrap_or(0.0) + f.restart_delay.unwrap_or(0.0);
            let first = o
                .checkpoints
                .iter()
                .map(|c| c.trigger_timestamp)
                .filter(|t| *t > running)
                .fold(f64::INFINITY, f64::min);
            first - running
        })
        .collect();
    figures.push(held(
        "first trigger after RUNNING again (ms)",
        Figure::FailToFirstCheckpointMs,
        flink_first - running_ms,
        sim_first.iter().sum::<f64>() / sim_first.len() as f64,
    ));
    figures
}

/// The held figures outside their range, one line each, for the probes `control` applies to;
/// every figure is printed.
fn misses(control: Control) -> Vec<String> {
    let mut out = Vec::new();
    for p in &PROBES {
        if control != Control::None && control != p.control {
            continue;
        }
        let real = RealRuns::load(&root().join("tests/fidelity/probes").join(p.dir).join("real"));
        let outs = simulate(p, &real, control);
        let figures = match p.kind {
            Kind::Durations => duration_figures(p, &real, &outs),
            Kind::Expiry { timeout_ms } => expiry_figures(p, timeout_ms, &real, &outs),
            Kind::Recovery { restart_held } => recovery_figures(p, restart_held, &real, &outs),
        };
        for c in figures {
            let ok = c.held.is_some_and(|(lo, hi)| c.sim >= lo && c.sim <= hi);
            let ratio = if c.flink > 0.0 {
                format!("{:.2}", c.sim / c.flink)
            } else {
                "-".into()
            };
            let tag = match control {
                Control::None => "",
                Control::OldZeroTimeoutRule => " [negative control: the old zero-timeout rule]",
                Control::SettingIgnored => " [negative control: the setting ignored]",
                Control::OldRestartRule => " [negative control: the scheduler restarted as at the job's start]",
            };
            let verdict = match c.held {
                None => ", not held".to_string(),
                Some((lo, hi)) => format!(" (held to {lo:.2}-{hi:.2}){}", if ok { "" } else { " OUT" }),
            };
            println!(
                "{} ({}, {}){tag}: {} Flink {:.2}, ckptsim {:.2} ({ratio}){verdict}",
                p.run,
                p.scenario,
                p.setting.lines().take(2).collect::<Vec<_>>().join("; "),
                c.name,
                c.flink,
                c.sim
            );
            if c.held.is_some() && !ok {
                out.push(format!(
                    "{} {}: Flink {:.2}, ckptsim {:.2}",
                    p.run, c.name, c.flink, c.sim
                ));
            }
        }
    }
    out
}

#[test]
fn settings_beyond_the_suite_take_as_long_as_in_flink() {
    let missed = misses(Control::None);
    assert!(missed.is_empty(), "out of tolerance:\n{}", missed.join("\n"));
}

#[test]
fn negative_controls_are_caught() {
    for control in [
        Control::OldZeroTimeoutRule,
        Control::SettingIgnored,
        Control::OldRestartRule,
    ] {
        let missed = misses(control);
        for p in PROBES.iter().filter(|p| p.control == control) {
            assert!(
                missed.iter().any(|m| m.starts_with(p.run)),
                "{control:?} must miss {}: {missed:?}",
                p.run
            );
        }
    }
}
