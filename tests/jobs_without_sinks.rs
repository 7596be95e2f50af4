//! A job need not end in a sink (a source alone, or a keyed operator whose output goes nowhere):
//! such a job runs and checkpoints like any other (found by the scenario fuzz test: the cut
//! check, which counted records only at sinks, fired on a job whose sink had been deleted, and
//! the run panicked). Its records end at its last task, which the cut check counts as it counts
//! a sink's.

use ckptsim::model::checker::InvariantViolation;
use ckptsim::model::world::World;
use ckptsim::scenario::parse_str;

fn job(operators: &str) -> String {
    format!(
        "[simulation]\nduration = \"3s\"\n[checkpoint]\ninterval = \"500ms\"\n[cluster]\ntaskmanagers = 1\n\
         slots_per_taskmanager = 2\n[[operators]]\nname = \"source\"\nkind = \"source\"\nparallelism = 2\n\
         rate = {{ process = \"poisson\", records_per_second = 2000 }}\nkeys = {{ count = 100 }}\n{operators}"
    )
}

#[test]
fn a_job_without_a_sink_runs_and_checkpoints() {
    let keyed = "[[operators]]\nname = \"count\"\nkind = \"operator\"\nparallelism = 2\n\
                 inputs = [{ from = \"source\", partitioning = \"hash\" }]\nstate = { bytes_per_key = \"1KB\" }\n";
    for text in [job(""), job(keyed)] {
        let s = parse_str(&text, "no_sink.toml").expect("valid").scenario;
        let out = ckptsim::run::run(&s, 4);
        assert!(out.summary.counts.completed >= 4, "{:?}", out.summary.counts);
    }
}

/// The cut check applies to a job whose last operator is no sink: records end there, counted
/// as a sink would count them, and every completed checkpoint is a consistent cut of them.
/// Negative control: snapshots taken without alignment break the cut, and the check says so.
#[test]
fn a_job_ending_in_a_plain_operator_passes_the_cut_check_and_the_check_can_fail() {
    let text = "[simulation]\nduration = \"4s\"\n[checkpoint]\ninterval = \"300ms\"\n[cluster]\ntaskmanagers = 2\n\
         slots_per_taskmanager = 2\nrpc_latency = { dist = \"uniform\", min = \"1ms\", max = \"30ms\" }\n\
         [network]\nbuffer_timeout = \"5ms\"\n[[operators]]\nname = \"source\"\nkind = \"source\"\nparallelism = 3\n\
         rate = { process = \"poisson\", records_per_second = 2000 }\nkeys = { count = 100 }\n\
         [[operators]]\nname = \"count\"\nkind = \"operator\"\nparallelism = 2\n\
         inputs = [{ from = \"source\", partitioning = \"hash\" }]\nstate = { bytes_per_key = \"1KB\" }\n\
         service_time = { dist = \"exponential\", mean = \"150us\" }\n";
    let s = parse_str(text, "no_sink.toml").expect("valid").scenario;
    let cfg = ckptsim::compile::world_config(&s);
    let mut w = World::new(&cfg, 11, "no sink");
    w.run_to_end();
    assert!(w.invariant_violations().is_empty(), "{:?}", w.invariant_violations());
    let mut broken = World::new(&cfg, 11, "no sink, broken alignment");
    broken.break_alignment_for_negative_control();
    broken.run_to_end();
    assert!(
        broken
            .invariant_violations()
            .iter()
            .any(|v| matches!(v, InvariantViolation::InconsistentCut { .. })),
        "the cut check does not apply to a job without a sink"
    );
}
