//! Source rates that change over time (`rate.profile`): the measured source rate follows the
//! profile. Counts of Poisson arrivals in a window with expected count μ have standard
//! deviation √μ, so a window's count must lie within 4√μ of μ (a false alarm once in ~16,000
//! windows), plus the records a source reads ahead of their arrival at each window edge (one
//! batch, which ends at the next flusher tick: rate × buffer_timeout; 1 ms here). Constant
//! arrivals follow the profile deterministically, to within a record per subtask per edge.

mod common;

use ckptsim::model::world::World;
use ckptsim::scenario::{ScenarioError, load_file};

const SOURCES: u32 = 4;
const RATE: f64 = 1000.0;
const BUFFER_TIMEOUT_S: f64 = 0.001;

/// The test job; `profile` is the TOML of `rate.profile`, or empty for none.
fn job(process: &str, profile: &str, duration_s: u32) -> String {
    let profile = if profile.is_empty() {
        String::new()
    } else {
        format!(", profile = {profile}")
    };
    format!(
        r#"[pipeline]
operator_chaining = false  # one task per operator: the test reads each one's figures
[simulation]
duration = "{duration_s}s"
[cluster]
taskmanagers = 2
slots_per_taskmanager = 2
[network]
buffer_timeout = "1ms"
[[operators]]
name = "source"
kind = "source"
parallelism = {SOURCES}
rate = {{ process = "{process}", records_per_second = {RATE}{profile} }}
[[operators]]
name = "sink"
kind = "sink"
parallelism = {SOURCES}
inputs = [{{ from = "source", partitioning = "forward" }}]
"#
    )
}

/// Records the sources read in `(from_s, to_s]`, from the per-second rows of the timeline.
fn read_between(timeline: &[ckptsim::metrics::TimelineSample], from_s: f64, to_s: f64) -> f64 {
    timeline
        .iter()
        .filter(|r| r.time_s > from_s + 0.5 && r.time_s < to_s + 0.5)
        .map(|r| r.source_records_per_second)
        .sum()
}

/// `measured` is a Poisson count of mean `expected`, up to the read-ahead at the two edges.
fn assert_poisson(measured: f64, expected: f64, what: &str) {
    let edges = 2.0 * SOURCES as f64 * RATE * 3.0 * BUFFER_TIMEOUT_S;
    let tolerance = 4.0 * expected.sqrt() + edges;
    assert!(
        (measured - expected).abs() <= tolerance,
        "{what}: measured {measured}, expected {expected} ± {tolerance:.0}"
    );
}

fn timeline(toml: &str) -> Vec<ckptsim::metrics::TimelineSample> {
    let s = common::scenario(toml);
    ckptsim::run::run(&s, s.simulation.seed).timeline
}

#[test]
fn a_steps_profile_doubles_the_source_rate_inside_the_spike_and_restores_it_after() {
    let steps = r#"{ shape = "steps", points = [["0s", 1.0], ["20s", 2.0], ["40s", 1.0]] }"#;
    let t = timeline(&job("poisson", steps, 60));
    let total = SOURCES as f64 * RATE;
    let (before, during, after) = (
        read_between(&t, 1.0, 20.0),
        read_between(&t, 21.0, 40.0),
        read_between(&t, 41.0, 60.0),
    );
    assert_poisson(before, total * 19.0, "before the spike");
    assert_poisson(during, 2.0 * total * 19.0, "in the spike");
    assert_poisson(after, total * 19.0, "after the spike");
    eprintln!(
        "steps: {:.0} / {:.0} / {:.0} records/s before / in / after the spike (expected {total} / {} / {total})",
        before / 19.0,
        during / 19.0,
        after / 19.0,
        2.0 * total
    );
    // Negative control: the same source without a profile stays at its base rate in the window.
    let flat = timeline(&job("poisson", "", 60));
    let flat_during = read_between(&flat, 21.0, 40.0);
    assert_poisson(flat_during, total * 19.0, "no spike");
    assert!(during > 1.8 * flat_during);
}

#[test]
fn constant_arrivals_follow_a_spike_to_within_a_record_per_edge() {
    let steps = r#"{ shape = "steps", points = [["0s", 1.0], ["20s", 2.5], ["40s", 1.0]] }"#;
    let t = timeline(&job("constant", steps, 60));
    let total = SOURCES as f64 * RATE;
    let during = read_between(&t, 20.0, 40.0);
    let edges = 2.0 * (SOURCES as f64 + total * 2.5 * BUFFER_TIMEOUT_S);
    assert!(
        (during - 2.5 * total * 20.0).abs() <= edges,
        "constant arrivals in the spike: {during}, expected {}",
        2.5 * total * 20.0
    );
}

#[test]
fn a_linear_ramp_raises_the_rate_as_the_integral_of_its_factor() {
    // The factor climbs from 0 at 0 s to 2 at 40 s, then holds: t/20 until 40 s. Records in
    // (a, b] are rate × (b² − a²)/40.
    let ramp = r#"{ shape = "linear", points = [["0s", 0.0], ["40s", 2.0]] }"#;
    let t = timeline(&job("poisson", ramp, 60));
    let total = SOURCES as f64 * RATE;
    for (a, b) in [(10.0, 20.0), (20.0, 30.0), (30.0, 40.0)] {
        let expected = total * (b * b - a * a) / 40.0;
        assert_poisson(read_between(&t, a, b), expected, &format!("ramp ({a}, {b}] s"));
    }
    assert_poisson(read_between(&t, 40.0, 60.0), total * 2.0 * 20.0, "after the ramp");
}

#[test]
fn a_daily_curve_averages_its_mean_over_a_period_and_peaks_where_told() {
    // A one-minute "day" so that the test runs several: mean 1, amplitude 0.5, peak at 15 s.
    let daily = r#"{ shape = "daily", trough = 0.5, peak = 1.5, peak_at = "15s", period = "60s" }"#;
    let t = timeline(&job("poisson", daily, 120));
    let total = SOURCES as f64 * RATE;
    // ∫ over (a, b] of 1 + 0.5 cos(2π(s − 15)/60) ds.
    let integral = |a: f64, b: f64| {
        let k = 0.5 * 60.0 / std::f64::consts::TAU;
        let phase = |s: f64| std::f64::consts::TAU * (s - 15.0) / 60.0;
        (b - a) + k * (phase(b).sin() - phase(a).sin())
    };
    assert_poisson(read_between(&t, 0.0, 120.0), total * 120.0, "two whole periods");
    let peak = read_between(&t, 10.0, 20.0);
    let trough = read_between(&t, 40.0, 50.0);
    assert_poisson(peak, total * integral(10.0, 20.0), "around the peak");
    assert_poisson(trough, total * integral(40.0, 50.0), "around the trough");
    eprintln!(
        "daily: {:.0} records/s around the peak, {:.0} around the trough, {:.0} over two periods",
        peak / 10.0,
        trough / 10.0,
        read_between(&t, 0.0, 120.0) / 120.0
    );
}

#[test]
fn no_record_arrives_while_the_factor_is_zero() {
    let silent = r#"{ shape = "steps", points = [["0s", 1.0], ["10s", 0.0], ["20s", 1.0]] }"#;
    let s = common::scenario(&job("poisson", silent, 30));
    let mut w = World::new(&ckptsim::compile::world_config(&s), 1, "zero");
    w.enable_record_log();
    w.run_to_end();
    let arrivals: Vec<u64> = w.record_log().unwrap().iter().map(|r| r.origin_ns).collect();
    let in_window = arrivals
        .iter()
        .filter(|t| **t > 10_000_000_000 && **t < 20_000_000_000)
        .count();
    assert_eq!(in_window, 0, "arrivals while the factor is 0");
    // Negative control: the windows on either side do have records, at the base rate.
    let before = arrivals.iter().filter(|t| **t <= 10_000_000_000).count();
    let after = arrivals.iter().filter(|t| **t >= 20_000_000_000).count();
    assert!(before > 30_000 && after > 30_000, "{before} {after}");
}

#[test]
fn a_profile_on_one_source_changes_nothing_of_another() {
    // The other source's arrivals are those of a run in which no source has a profile: the
    // time change draws nothing from any random stream.
    let two = |first: &str, other: &str| {
        format!(
            "{}[[operators]]\nname = \"other\"\nkind = \"source\"\nparallelism = 1\nrate = {{ process = \"poisson\", records_per_second = 500{other} }}\n[[operators]]\nname = \"sink2\"\nkind = \"sink\"\nparallelism = 1\ninputs = [{{ from = \"other\", partitioning = \"forward\" }}]\n",
            job("poisson", first, 10)
        )
    };
    let arrivals_of_other = |toml: &str| {
        let s = common::scenario(toml);
        let mut w = World::new(&ckptsim::compile::world_config(&s), 3, "other");
        w.enable_record_log();
        w.run_to_end();
        // The log holds what operators and sinks process: sink2's, after the first source's,
        // the first sink's and the other source's subtasks.
        let sink2 = 2 * SOURCES + 1;
        let mut v: Vec<(u64, u64)> = w
            .record_log()
            .unwrap()
            .iter()
            .filter(|r| r.subtask == sink2)
            .map(|r| (r.record_id, r.origin_ns))
            .collect();
        v.sort_unstable();
        v
    };
    let spike = r#"{ shape = "steps", points = [["0s", 1.0], ["5s", 3.0]] }"#;
    let plain = arrivals_of_other(&two("", ""));
    assert!(plain.len() > 4000, "{}", plain.len());
    assert_eq!(plain, arrivals_of_other(&two(spike, "")));
    let spiked = arrivals_of_other(&two(spike, &format!(", profile = {spike}")));
    assert_ne!(
        plain, spiked,
        "negative control: a profile on this source does change it"
    );
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ckptsim-rate-profiles-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn points_read_from_a_csv_file_next_to_the_scenario_shape_the_rate() {
    let dir = temp_dir("csv");
    write(
        &dir,
        "rates.csv",
        "# a minute-long spike\ntime_s,factor\n0,1\n20,2\n\n40,1\n",
    );
    let scenario = write(
        &dir,
        "job.toml",
        &job("poisson", r#"{ shape = "steps", file = "rates.csv" }"#, 60),
    );
    let loaded = load_file(&scenario).unwrap();
    let t = ckptsim::run::run(&loaded.scenario, 1).timeline;
    let total = SOURCES as f64 * RATE;
    assert_poisson(read_between(&t, 21.0, 40.0), 2.0 * total * 19.0, "in the CSV's spike");
    assert_poisson(read_between(&t, 41.0, 60.0), total * 19.0, "after the CSV's spike");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_malformed_csv_is_refused_naming_the_csv_file_and_its_line() {
    let dir = temp_dir("bad-csv");
    let csv = write(&dir, "rates.csv", "time_s,factor\n0,1\n20,two\n");
    let scenario = write(
        &dir,
        "job.toml",
        &job("poisson", r#"{ shape = "steps", file = "rates.csv" }"#, 60),
    );
    let e = load_file(&scenario).unwrap_err();
    let text = e.to_string();
    assert!(text.starts_with(&format!("{}:3:1:", csv.display())), "{text}");
    assert_eq!(e.field(), Some("operators[0].rate.profile.file"), "{text}");
    assert!(text.contains("`two` is not a finite number"), "{text}");

    // Unsorted times and a wrong header are refused at their lines too.
    write(&dir, "rates.csv", "time_s,factor\n0,1\n20,2\n10,1\n");
    assert_eq!(load_file(&scenario).unwrap_err().line(), Some(4));
    write(&dir, "rates.csv", "seconds,factor\n0,1\n");
    assert_eq!(load_file(&scenario).unwrap_err().line(), Some(1));

    // A missing file is reported at the scenario's `file` field.
    std::fs::remove_file(&csv).unwrap();
    let e = load_file(&scenario).unwrap_err();
    let text = e.to_string();
    assert!(text.starts_with(&format!("{}:", scenario.display())), "{text}");
    assert!(text.contains("cannot read"), "{text}");
    assert_eq!(e.field(), Some("operators[0].rate.profile.file"));
    std::fs::remove_dir_all(&dir).ok();
}

fn refused(profile: &str) -> ScenarioError {
    match ckptsim::scenario::parse_str(&job("poisson", profile, 60), "t.toml") {
        Err(e) => e,
        Ok(_) => panic!("accepted: {profile}"),
    }
}

#[test]
fn bad_profiles_are_refused_naming_line_and_field() {
    let cases = [
        (
            r#"{ shape = "steps", points = [["1s", 1.0]] }"#,
            "operators[0].rate.profile.points[0]",
        ),
        (
            r#"{ shape = "steps", points = [["0s", 1.0], ["5s", -1.0]] }"#,
            "operators[0].rate.profile.points[1]",
        ),
        (
            r#"{ shape = "linear", points = [["0s", 1.0], ["5s", 2.0], ["5s", 1.0]] }"#,
            "operators[0].rate.profile.points[2]",
        ),
        (r#"{ shape = "steps" }"#, "operators[0].rate.profile.points"),
        (
            r#"{ shape = "daily", trough = 2.0, peak = 1.0, peak_at = "1h" }"#,
            "operators[0].rate.profile.trough",
        ),
        (
            r#"{ shape = "daily", trough = 0.5, peak = 1.5 }"#,
            "operators[0].rate.profile",
        ),
        (
            r#"{ shape = "steps", points = [["0s", 1.0]], peak = 2.0 }"#,
            "operators[0].rate.profile.peak",
        ),
    ];
    for (profile, field) in cases {
        let e = refused(profile);
        assert_eq!(e.field(), Some(field), "{profile}: {e}");
        assert_eq!(e.line(), Some(14), "{profile}: {e}");
    }
    // NaN cannot be written in a TOML point as a factor that passes: `nan` is refused too.
    let e = refused(r#"{ shape = "steps", points = [["0s", nan]] }"#);
    assert_eq!(e.field(), Some("operators[0].rate.profile.points[0]"), "{e}");
}

#[test]
fn a_spike_imposed_programmatically_is_a_steps_profile_on_every_source() {
    let mut s = common::scenario(&job("poisson", r#"{ shape = "steps", points = [["0s", 1.0]] }"#, 60));
    // An existing profile cannot be combined with a spike: refused, changing nothing.
    assert_eq!(
        s.apply_rate_spike(20_000_000_000, 20_000_000_000, 2.0),
        Err(ckptsim::scenario::RateSpikeError::ProfileExists("source".into()))
    );
    s.operators[0].rate.as_mut().unwrap().profile = None;
    s.apply_rate_spike(20_000_000_000, 20_000_000_000, 2.0).unwrap();
    let t = ckptsim::run::run(&s, 1).timeline;
    let total = SOURCES as f64 * RATE;
    assert_poisson(read_between(&t, 21.0, 40.0), 2.0 * total * 19.0, "imposed spike");
    assert_poisson(read_between(&t, 41.0, 60.0), total * 19.0, "after the imposed spike");
}
