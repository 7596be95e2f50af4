//! `ckptsim advise` answers by simulation, and its answers hold: each question is asked of a job
//! built to give a known answer and of one built to give the opposite, and the advised interval
//! is checked by runs the search never saw (with a deliberately wrong interval as the negative
//! control of that check).

use ckptsim::advise::{AdviseOptions, FailureKind, MtbfPer, Question, advise, verify};
use ckptsim::scenario::parse_str;

/// A keyed aggregation at `busy` of its capacity, 1 GB of RocksDB state per subtask on S3, whose
/// synchronous phase holds the task thread for `sync`.
fn job(busy: f64, sync: &str, extra: &str) -> String {
    let service_ms = busy * 1000.0 / 10.0;
    format!(
        r#"
[simulation]
duration = "10min"
warmup = "30s"
seed = 5
[checkpoint]
interval = "2min"
timeout = "10min"
[cluster]
taskmanagers = 2
slots_per_taskmanager = 1
# A core per task thread: these answers are about queueing and outages, not CPU contention
# (with one core per slot, the sink's and source's CPU slow the catch-up of the 60 s case
# past its target).
cores_per_taskmanager = 3
[storage]
profile = "s3"
[state_backend]
kind = "rocksdb"
incremental = true
[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = {{ process = "poisson", records_per_second = 10 }}
record_size = "50KB"
keys = {{ count = 50000 }}
[[operators]]
name = "aggregate"
kind = "operator"
parallelism = 2
inputs = [{{ from = "source", partitioning = "hash" }}]
service_time = {{ dist = "exponential", mean = "{service_ms}ms" }}
state = {{ bytes_per_key = "2KB", initial = "1GB" }}
sync_time = "{sync}"
[[operators]]
name = "sink"
kind = "sink"
parallelism = 2
inputs = [{{ from = "aggregate", partitioning = "forward" }}]
service_time = "1ms"
{extra}
"#
    )
}

fn options(questions: &[Question]) -> AdviseOptions {
    AdviseOptions {
        questions: questions.to_vec(),
        failure: FailureKind::TaskmanagerLost,
        mtbf_s: 2.0 * 3600.0,
        mtbf_per: MtbfPer::Job,
        target_share: 0.5,
        catch_up_ms: 120e3,
        spike_factor: 2.0,
        spike_length_ms: 60e3,
        verify_runs: 0,
        verify_mtbfs: 8.0,
        threads: Some(2),
    }
}

fn ask(toml: &str, opts: &AdviseOptions) -> ckptsim::advise::Advice {
    let loaded = parse_str(toml, "<test>").unwrap_or_else(|e| panic!("{e}"));
    advise(&loaded, &[], "test", None, opts).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_costlier_synchronous_phase_moves_the_advised_interval_longer() {
    let opts = options(&[Question::Interval]);
    let cheap = ask(&job(0.6, "10ms", ""), &opts).interval.unwrap();
    let dear = ask(&job(0.6, "500ms", ""), &opts).interval.unwrap();
    assert!(
        dear.best_interval_ms > cheap.best_interval_ms,
        "sync 500 ms: {} ms, sync 10 ms: {} ms",
        dear.best_interval_ms,
        cheap.best_interval_ms
    );
    // The advised candidate is the cheapest simulated, and the curve rises past it.
    let best = dear.points.iter().map(|p| p.total_share).fold(f64::INFINITY, f64::min);
    let at = dear
        .points
        .iter()
        .find(|p| p.interval_ms == dear.best_interval_ms)
        .unwrap();
    assert_eq!(at.total_share, best);
    assert!(dear.points.last().unwrap().total_share > best);
    assert!(dear.sentence.contains("Young"), "{}", dear.sentence);
}

#[test]
fn the_advice_is_the_same_whatever_the_number_of_threads() {
    let mut one = options(&[Question::Interval, Question::Mode]);
    one.threads = Some(1);
    let a = serde_json::to_string(&ask(&job(0.6, "200ms", ""), &one)).unwrap();
    let b = serde_json::to_string(&ask(
        &job(0.6, "200ms", ""),
        &options(&[Question::Interval, Question::Mode]),
    ))
    .unwrap();
    assert_eq!(a, b);
}

#[test]
fn the_advised_interval_holds_in_random_failure_runs_and_a_wrong_one_does_not() {
    let toml = job(0.6, "500ms", "");
    let mut opts = options(&[Question::Interval]);
    opts.mtbf_s = 3600.0;
    let loaded = parse_str(&toml, "<test>").unwrap();
    opts.verify_runs = 6;
    let advice = advise(&loaded, &[], "test", None, &opts).unwrap();
    let v = advice.verification.as_ref().unwrap();
    assert!(v.holds, "{}", v.sentence);
    assert!(v.intervals.iter().all(|i| i.failures >= 20), "{:?}", v.intervals);
    // Negative control: the same check of an interval 16 times too long must fail. Its
    // neighbours differ by a few % of the time with wide spreads from run to run (a source that
    // stops at its pool's last buffer catches up with less in flight), so it takes 12 runs.
    let best = advice.interval.as_ref().unwrap().best_interval_ms;
    opts.verify_runs = 12;
    let wrong = verify::check_interval(&loaded, &[], &opts, best * 16.0).unwrap();
    assert!(!wrong.holds, "{}", wrong.sentence);
}

#[test]
fn storage_bandwidth_needed_grows_with_a_tighter_target() {
    let mut opts = options(&[Question::Bandwidth]);
    opts.target_share = 0.2;
    let loose = ask(&job(0.3, "10ms", ""), &opts).bandwidth.unwrap();
    opts.target_share = 0.02;
    let tight = ask(&job(0.3, "10ms", ""), &opts).bandwidth.unwrap();
    let (l, t) = (loose.needed_bytes_per_s.unwrap(), tight.needed_bytes_per_s.unwrap());
    assert!(t > l, "20 %: {l}, 2 %: {t}");
    // What the answer says is what its runs show: the needed bandwidth meets the target.
    let at = tight.points.iter().find(|p| p.bandwidth_bytes_per_s == t).unwrap();
    assert!(at.p99_ms <= tight.target_ms);
}

/// When each TaskManager's NIC holds the uploads back, more storage bandwidth does not help, and
/// the answer says the NIC was not scaled; the same job without the NIC limit finds a bandwidth
/// (`storage_bandwidth_needed_grows_with_a_tighter_target`).
#[test]
fn storage_bandwidth_cannot_help_uploads_held_by_the_nics() {
    let mut opts = options(&[Question::Bandwidth]);
    opts.target_share = 0.02;
    let nic_bound = job(0.3, "10ms", "").replace(
        "cores_per_taskmanager = 3",
        "cores_per_taskmanager = 3\nnic_bandwidth = \"5MB/s\"",
    );
    let a = ask(&nic_bound, &opts).bandwidth.unwrap();
    assert!(a.needed_bytes_per_s.is_none(), "{}", a.sentence);
    assert!(a.sentence.contains("cluster.nic_bandwidth"), "{}", a.sentence);
}

#[test]
fn catching_up_faster_needs_more_spare_throughput() {
    let mut opts = options(&[Question::CatchUp]);
    opts.catch_up_ms = 300e3;
    let slow = ask(&job(0.5, "10ms", ""), &opts).catch_up.unwrap();
    // 90 s, not 60: since RocksDB snapshots upload file by file (native full and incremental,
    // transfer threads), this job's restore alone leaves it live again about 70 s after the
    // failure, so no spare throughput meets 60 s.
    opts.catch_up_ms = 90e3;
    let fast = ask(&job(0.5, "10ms", ""), &opts).catch_up.unwrap();
    assert!(
        fast.needed_spare.unwrap() > slow.needed_spare.unwrap(),
        "{}\n{}",
        fast.sentence,
        slow.sentence
    );
}

#[test]
fn a_spike_that_makes_aligned_checkpoints_expire_is_said_and_its_fix_named() {
    let loaded = ckptsim::scenario::load_file(std::path::Path::new("scenarios/spike_aligned.toml")).unwrap();
    let mut opts = options(&[Question::Spike]);
    opts.spike_factor = 3.0;
    let spike = advise(&loaded, &[], "spike_aligned", None, &opts)
        .unwrap()
        .spike
        .unwrap();
    assert!(spike.runs[0].expired > 0, "{}", spike.sentence);
    // It keeps up without the spike: its lag is the spike's.
    assert!(!spike.sentence.contains("already falls behind"), "{}", spike.sentence);
    assert!(
        spike.fixes.iter().any(|f| f == "unaligned checkpoints"),
        "{:?}",
        spike.fixes
    );
    assert!(
        spike
            .sentence
            .contains("execution.checkpointing.unaligned.enabled: true"),
        "{}",
        spike.sentence
    );
    // Control: a spike the job absorbs (1.2x) leaves every checkpoint complete, and no fix is run.
    opts.spike_factor = 1.2;
    let mild = advise(&loaded, &[], "spike_aligned", None, &opts)
        .unwrap()
        .spike
        .unwrap();
    assert_eq!(mild.runs.len(), 1, "{}", mild.sentence);
    assert!(
        mild.sentence.contains("every checkpoint still completes"),
        "{}",
        mild.sentence
    );
}

/// `backpressure_aligned` cannot keep up with today's input, so after a failure its output is
/// never live again: that run is cut at its end, and the answer says so rather than giving the
/// cut as a time. The runs placed by the queueing estimate left the limit somewhere between
/// 0.68x (live again after 28 s) and 0.82x (never); the runs added between them bracket it
/// within 0.05x.
#[test]
fn the_catch_up_limit_is_bracketed_closely_and_a_run_never_live_again_is_said_so() {
    let loaded = ckptsim::scenario::load_file(std::path::Path::new("scenarios/backpressure_aligned.toml")).unwrap();
    let a = advise(
        &loaded,
        &[],
        "backpressure_aligned",
        None,
        &options(&[Question::CatchUp]),
    )
    .unwrap()
    .catch_up
    .unwrap();
    assert!(
        a.sentence
            .contains("is not live again within the 2.5 min simulated after it, OVER the target"),
        "{}",
        a.sentence
    );
    let today = a.points.iter().find(|p| p.input_factor == 1.0).unwrap();
    assert!(today.censored, "{:?}", a.points);
    let ok = |p: &&ckptsim::advise::headroom::HeadroomPoint| !p.censored && p.back_live_ms <= a.target_ms;
    let last_ok = a.points.iter().take_while(ok).count();
    assert!(last_ok > 0, "{:?}", a.points);
    let (below, above) = (&a.points[last_ok - 1], &a.points[last_ok]);
    assert!(
        above.input_factor - below.input_factor <= 0.05 + 1e-9,
        "the limit lies between {} and {}: {:?}",
        below.input_factor,
        above.input_factor,
        a.points
    );
    let limit = a.max_input_factor.unwrap();
    assert!(limit >= below.input_factor && limit <= above.input_factor, "{limit}");
}

/// The barrier-mode answer reads a run cut before its output was live as the lower bound it is:
/// `backpressure_aligned` never catches up after a failure in any mode.
#[test]
fn the_mode_answer_says_when_the_output_was_not_live_by_the_runs_end() {
    let loaded = ckptsim::scenario::load_file(std::path::Path::new("scenarios/backpressure_aligned.toml")).unwrap();
    let m = advise(&loaded, &[], "backpressure_aligned", None, &options(&[Question::Mode]))
        .unwrap()
        .mode
        .unwrap();
    let chosen = m.points.iter().find(|p| p.mode == m.chosen).unwrap();
    assert!(chosen.back_live_censored, "{:?}", m.points);
    assert!(
        m.sentence.contains("output not live again within the"),
        "{}",
        m.sentence
    );
    assert!(!m.sentence.contains("output live again"), "{}", m.sentence);
}

/// A spike on a job that does not keep up even without it: the lag it reports is not the
/// spike's alone, and the answer says so with the growth the scenario's own verdict read. That
/// growth is a throughput deficit: each source is offered 5000 records a second and reads what
/// `enrich` drains of it, and the lag the verdict follows is the largest source's, so it grows by
/// 1 - read / offered seconds a second of the source that reads least. The verdict fits the
/// lag's slope to one sample a second after the warm-up where the rate is averaged over the same
/// window, and arrivals are Poisson: 5 ms a second of slack.
#[test]
fn a_spike_on_a_job_already_behind_says_the_lag_is_not_the_spikes_alone() {
    let loaded = ckptsim::scenario::load_file(std::path::Path::new("scenarios/backpressure_aligned.toml")).unwrap();
    let spike = advise(&loaded, &[], "backpressure_aligned", None, &options(&[Question::Spike]))
        .unwrap()
        .spike
        .unwrap();
    let lead = "Without the spike the job already falls behind (its lag grows by ";
    let at = spike
        .sentence
        .find(lead)
        .unwrap_or_else(|| panic!("{}", spike.sentence))
        + lead.len();
    let rest = &spike.sentence[at..];
    assert!(rest.contains(" ms every second)"), "{}", spike.sentence);
    let growth_ms: f64 = rest.split(' ').next().unwrap().parse().unwrap();
    let plain = ckptsim::run::run(&loaded.scenario, loaded.scenario.simulation.seed);
    let window_s = plain.summary.simulated_seconds - loaded.scenario.simulation.warmup.as_u64() as f64 / 1e9;
    let least_read = plain
        .summary
        .job
        .tasks
        .iter()
        .filter(|t| t.task == "source")
        .map(|t| t.records_in as f64 / window_s)
        .fold(f64::INFINITY, f64::min);
    let deficit_ms = 1000.0 * (1.0 - least_read / 5000.0);
    assert!(
        (growth_ms - deficit_ms).abs() <= 5.0,
        "lag growth {growth_ms} ms/s against the slowest source's deficit of {deficit_ms:.1} ms/s: {}",
        spike.sentence
    );
}
