//! A job need not end in a sink (a source alone, or a keyed operator whose output goes nowhere):
//! such a job runs and checkpoints like any other. The consistent-cut check counts records at
//! sinks, so it does not apply to it (found by the scenario fuzz test: the check fired on a job
//! whose sink had been deleted, and the run panicked).

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
