//! Operator selectivity (`selectivity`): records out per record in. A window aggregation or a
//! filter emits fewer records than it reads, a flatMap more; what reaches the sinks, the
//! operator's numRecordsOut and the sinks' records/s follow. Each record's count of outputs is
//! floor(s) or floor(s) + 1, decided by a hash of its id, so with a bounded input that drains
//! the sinks' count is known exactly (`model::selectivity::outputs_of`); with an unbounded one
//! it is Binomial around s × records read.

mod common;

use ckptsim::model::records::record_id;
use ckptsim::model::selectivity::outputs_of;

const SOURCES: u32 = 2;
const RECORDS: u64 = 20_000;

/// source (2) -> window (2, `selectivity`) -> sink (2); bounded to `RECORDS` per source when
/// `bounded`, 60 s at 2 x 2000 records/s otherwise.
fn job(selectivity: &str, bounded: bool) -> String {
    format!(
        r#"[simulation]
duration = "{duration}"
warmup = "{warmup}"
[cluster]
taskmanagers = 2
slots_per_taskmanager = 1
[[operators]]
name = "source"
kind = "source"
parallelism = {SOURCES}
rate = {{ process = "poisson", records_per_second = 2000 }}
{bound}
[[operators]]
name = "window"
kind = "operator"
parallelism = 2
inputs = [{{ from = "source", partitioning = "hash" }}]
{selectivity}
[[operators]]
name = "sink"
kind = "sink"
parallelism = 2
inputs = [{{ from = "window", partitioning = "rebalance" }}]
"#,
        duration = if bounded { "30s" } else { "60s" },
        // Task counters start after warm-up: none for the bounded runs, counted whole.
        warmup = if bounded { "0s" } else { "5s" },
        bound = if bounded {
            format!("max_records = {RECORDS}")
        } else {
            String::new()
        },
    )
}

/// Records the sinks of a drained bounded run must have processed: the window (vertex 1)
/// emits `outputs_of` records for each source record, and the last record of each bounded
/// source passes whatever the count says.
fn expected_at_sinks(seed: u64, selectivity: f64) -> u64 {
    (0..SOURCES)
        .flat_map(|s| (0..RECORDS).map(move |k| (s, k)))
        .map(|(s, k)| {
            let n = outputs_of(seed, 1, record_id(s, k), selectivity) as u64;
            if n == 0 && k + 1 == RECORDS { 1 } else { n }
        })
        .sum()
}

fn task_counts(out: &ckptsim::metrics::RunOutput, task: &str) -> (u64, u64) {
    out.summary
        .job
        .tasks
        .iter()
        .filter(|t| t.task == task)
        .fold((0, 0), |(i, o), t| (i + t.records_in, o + t.records_out))
}

fn run(toml: &str) -> ckptsim::metrics::RunOutput {
    let s = common::scenario(toml);
    ckptsim::run::run(&s, s.simulation.seed)
}

#[test]
fn selectivity_0_1_lets_a_tenth_of_the_records_reach_the_sinks() {
    let out = run(&job("selectivity = 0.1", true));
    let (window_in, window_out) = task_counts(&out, "window");
    let (sink_in, _) = task_counts(&out, "sink: Writer");
    let read = SOURCES as u64 * RECORDS;
    assert_eq!(window_in, read, "the bounded input drained");
    assert_eq!(sink_in, expected_at_sinks(1, 0.1), "each record's count is its hash's");
    assert_eq!(window_out, sink_in, "numRecordsOut counts what was emitted");
    // Binomial(40,000, 0.1): standard deviation 60; within 4 of them of a tenth.
    assert!((sink_in as f64 - 0.1 * read as f64).abs() < 4.0 * 60.0, "{sink_in}");
    eprintln!("selectivity 0.1: {read} records read, {sink_in} at the sinks");
}

#[test]
fn selectivity_3_triples_the_records_and_2_5_gives_two_or_three_each() {
    let out = run(&job("selectivity = 3", true));
    let (window_in, window_out) = task_counts(&out, "window");
    let (sink_in, _) = task_counts(&out, "sink: Writer");
    assert_eq!(window_in, SOURCES as u64 * RECORDS);
    assert_eq!(sink_in, 3 * window_in);
    assert_eq!(window_out, sink_in);
    let out = run(&job("selectivity = 2.5", true));
    let (_, window_out) = task_counts(&out, "window");
    assert_eq!(window_out, expected_at_sinks(1, 2.5));
    // Binomial extra records: standard deviation sqrt(40,000 x 0.25) = 100.
    assert!((window_out as f64 - 2.5 * 40_000.0).abs() < 400.0, "{window_out}");
}

#[test]
fn the_sinks_rate_is_the_selectivity_times_the_sources_rate() {
    for (selectivity, sd_share) in [(0.1, 0.3), (3.0, 0.0)] {
        let out = run(&job(&format!("selectivity = {selectivity}"), false));
        let rate = |name: &str| common::operator(&out, name).records_per_second;
        let (source, sink) = (rate("source"), rate("sink: Writer"));
        // Given the n records read in the 55 s after warm-up, the sinks' count is Binomial
        // with standard deviation sqrt(n·s(1−s)) (0 for a whole s); add the records in flight
        // at the window's two ends (about 0.1 s each: a buffer timeout).
        let n = source * 55.0;
        let sd = (n * sd_share * sd_share).sqrt();
        let in_flight = selectivity * source * 0.2;
        assert!(
            (sink * 55.0 - selectivity * n).abs() < 4.0 * sd + in_flight,
            "selectivity {selectivity}: source {source:.1}/s, sink {sink:.1}/s"
        );
        eprintln!("selectivity {selectivity}: source {source:.1} records/s, sink {sink:.1} records/s");
    }
}

#[test]
fn without_a_selectivity_every_record_read_reaches_a_sink_once() {
    let out = run(&job("", true));
    let read = SOURCES as u64 * RECORDS;
    assert_eq!(task_counts(&out, "window"), (read, read));
    assert_eq!(task_counts(&out, "sink: Writer").0, read);
}

#[test]
fn selectivity_is_refused_out_of_range_and_on_sources_and_sinks() {
    let refused = |toml: &str| match ckptsim::scenario::parse_str(toml, "t.toml") {
        Err(e) => e,
        Ok(_) => panic!("accepted"),
    };
    for bad in [
        "selectivity = 0",
        "selectivity = -1",
        "selectivity = 101",
        "selectivity = nan",
    ] {
        let e = refused(&job(bad, true));
        assert_eq!(e.field(), Some("operators[1].selectivity"), "{bad}: {e}");
        assert_eq!(e.line(), Some(18), "{bad}: {e}");
    }
    let on_sink = job("", true) + "selectivity = 0.5\n";
    let e = refused(&on_sink);
    assert_eq!(e.field(), Some("operators[2].selectivity"), "{e}");
}
