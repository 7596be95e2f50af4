//! `ckptsim advise --question cores`: how many cores per TaskManager a job needs to keep up with
//! its input with 25 % spare throughput. Asked of a job whose TaskManager has too few cores
//! (the answer: more, the smallest that meets the target), of one with cores to spare (the
//! answer: enough, and fewer would do), and of one that no number of cores rescues (its sink
//! alone needs more than a core: the answer says so, and points at parallelism).

use ckptsim::advise::{AdviseOptions, Question, advise};
use ckptsim::scenario::parse_str;

/// Two pipelines `source -> sink` on one TaskManager with two slots and `cores` cores, each
/// source offered 10,000 records/s at 25 us of CPU per record and each sink `sink_us` per record.
fn job(cores: f64, sink_us: u32) -> String {
    format!(
        r#"
[pipeline]
operator_chaining = false
[simulation]
duration = "40s"
warmup = "10s"
[cluster]
taskmanagers = 1
slots_per_taskmanager = 2
cores_per_taskmanager = {cores}
[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = {{ process = "constant", records_per_second = 10000 }}
record_size = "100B"
service_time = "25us"
[[operators]]
name = "sink"
kind = "sink"
parallelism = 2
inputs = [{{ from = "source", partitioning = "forward" }}]
service_time = "{sink_us}us"
"#
    )
}

fn cores_answer(text: &str) -> ckptsim::advise::cores::CoresAnswer {
    let loaded = parse_str(text, "cores.toml").expect("a valid scenario");
    let opts = AdviseOptions {
        questions: vec![Question::Cores],
        threads: Some(2),
        ..AdviseOptions::default()
    };
    let a = advise(&loaded, &[], "cores", None, &opts).expect("an answer");
    let c = a.cores.expect("the cores answer");
    println!("{}", c.sentence);
    for p in &c.points {
        println!(
            "  {} cores: keeps up {}, busy {:.3}, waiting {:.3}",
            p.cores_per_taskmanager, p.keeps_up, p.busy_ratio, p.waiting_for_cores_share
        );
    }
    c
}

/// The sinks need 0.6 of a core each and the sources 0.25: 1.7 cores in all. On one core the
/// job cannot keep up; 1.5 cannot either; with 2 each sink is busy about 76 % (80 % is the
/// limit for 25 % spare throughput); with 3 or more, 60 % (its own CPU only).
#[test]
fn a_taskmanager_short_of_cores_is_told_the_smallest_count_that_keeps_up() {
    let c = cores_answer(&job(1.0, 60));
    assert_eq!(c.current, 1.0);
    assert_eq!(c.needed, Some(2.0), "{}", c.sentence);
    assert!(c.sentence.contains("taskmanager.cpu.cores: 2"), "{}", c.sentence);
    let at = |cores: f64| c.points.iter().find(|p| p.cores_per_taskmanager == cores).unwrap();
    assert!(!at(1.5).keeps_up);
    // With a core for every thread the sink is busy its own CPU only: 10,000 x 60 us.
    assert!((at(4.0).busy_ratio - 0.6).abs() < 0.01, "{}", at(4.0).busy_ratio);
    assert_eq!(at(4.0).waiting_for_cores_share, 0.0);
}

/// The same job on four cores: enough, and the answer names the smallest count tried that
/// still meets the target (2; 1 does not).
#[test]
fn a_taskmanager_with_cores_to_spare_is_told_fewer_would_do() {
    let c = cores_answer(&job(4.0, 60));
    assert_eq!(c.needed, Some(2.0), "{}", c.sentence);
    assert!(
        c.sentence.starts_with("The TaskManagers have the cores the job needs"),
        "{}",
        c.sentence
    );
    assert!(c.sentence.contains("2 cores would do"), "{}", c.sentence);
    assert!(c.points.iter().any(|p| p.cores_per_taskmanager == 1.0 && !p.keeps_up));
}

/// A sink that needs 1.25 cores (10,000 x 125 us) cannot keep up on any number of cores: the
/// answer says more cores alone do not help.
#[test]
fn a_job_no_core_count_rescues_is_pointed_at_parallelism() {
    let c = cores_answer(&job(2.0, 125));
    assert_eq!(c.needed, None, "{}", c.sentence);
    assert!(c.sentence.starts_with("More cores alone do not"), "{}", c.sentence);
    assert!(c.points.iter().all(|p| !p.keeps_up));
}
