//! Operator chaining as Flink does it (`StreamingJobGraphGenerator.isChainable`,
//! `pipeline.operator-chaining.enabled`, `disableChaining()`, `startNewChain()`): a forward edge
//! between operators of equal parallelism, into an operator with that one input, makes one
//! task: no channel and no network latency between the chained operators, one barrier handler
//! (so one alignment), counted once in `num_subtasks` and named as Flink names the chain.

mod common;

use ckptsim::compile::chain::chains;
use ckptsim::model::world::World;

/// source (p 2) -hash-> map (p 2) -forward-> sink (p 2), every channel 40 ms long, flushed
/// after every record, at a rate far below what 2 credits per 80 ms round trip carry (25 buffers/s
/// per channel), so no record queues; `extra` is a `[pipeline]` table, `map_extra` more fields of the map.
fn pipeline(extra: &str, map_extra: &str) -> String {
    format!(
        r#"
{extra}
[simulation]
duration = "10s"
[checkpoint]
interval = "500ms"
[cluster]
taskmanagers = 1
slots_per_taskmanager = 2
[network]
buffer_timeout = "0ms"
local_latency = "40ms"
remote_latency = "40ms"
[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = {{ process = "constant", records_per_second = 5 }}
keys = {{ count = 100 }}
[[operators]]
name = "map"
kind = "operator"
parallelism = 2
inputs = [{{ from = "source", partitioning = "hash" }}]
state = {{ bytes_per_key = "100B" }}
{map_extra}
[[operators]]
name = "sink"
kind = "sink"
parallelism = 2
inputs = [{{ from = "map", partitioning = "forward" }}]
"#
    )
}

#[test]
fn a_chained_pipeline_has_one_barrier_alignment_and_no_network_latency_between_its_operators() {
    let chained = common::scenario(&pipeline("", ""));
    let unchained = common::scenario(&pipeline("[pipeline]\noperator_chaining = false", ""));
    let run = |s: &ckptsim::scenario::Scenario| {
        let w = World::new(&ckptsim::compile::world_config(s), 1, "chaining");
        let (vertices, channels) = (w.graph().vertices.len(), w.graph().channels.len());
        (vertices, channels, w.run())
    };
    let (cv, cc, c) = run(&chained);
    let (uv, uc, u) = run(&unchained);
    // The map and the sink are one task: no channel between them (2 x 2 hash channels stay).
    assert_eq!((cv, cc), (2, 4));
    assert_eq!((uv, uc), (3, 6));
    // One hop of 40 ms from the source to the end of the chain; two hops unchained.
    let (cl, ul) = (c.summary.job.latency_ms.p50, u.summary.job.latency_ms.p50);
    assert!((40.0..60.0).contains(&cl), "chained p50 latency {cl} ms");
    assert!((80.0..100.0).contains(&ul), "unchained p50 latency {ul} ms");
    // One barrier handler per chained subtask: one row (one alignment) per subtask of the chain.
    let first = c
        .checkpoints
        .iter()
        .find(|r| r.status == "COMPLETED")
        .expect("a completed checkpoint");
    let rows: Vec<&str> = c
        .subtasks
        .iter()
        .filter(|r| r.checkpoint_id == first.id)
        .map(|r| r.task.as_str())
        .collect();
    assert_eq!(rows, ["source", "source", "map -> sink: Writer", "map -> sink: Writer"]);
    assert_eq!(first.num_subtasks, 4, "the chain is counted once");
    let ufirst = u.checkpoints.iter().find(|r| r.status == "COMPLETED").unwrap();
    assert_eq!(ufirst.num_subtasks, 6);
}

#[test]
fn the_chained_name_appears_in_every_output() {
    let s = common::scenario(&pipeline("", ""));
    let out = ckptsim::run::run(&s, 1);
    let name = "map -> sink: Writer";
    assert!(out.subtasks.iter().any(|r| r.task == name));
    assert!(out.summary.job.operators.iter().any(|o| o.name == name));
    assert!(
        out.summary
            .job
            .operators
            .iter()
            .all(|o| o.name != "map" && o.name != "sink")
    );
    let details = serde_json::to_string(&ckptsim::output::flink_rest::details(&out)).unwrap();
    assert!(details.contains(name), "the REST export names the chained vertex");
    assert!(!details.contains("\"map\""));
    // The verdict reads the job as tasks named the same way.
    let shape = ckptsim::verdict::JobShape::of(&s);
    let names: Vec<&str> = shape.operators.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(names, ["source", name]);
    assert_eq!(shape.operators[1].2, ["source"]);
}

/// A crash named after an operator inside a chain fails the chain's task.
#[test]
fn a_crash_of_a_chained_operator_kills_its_task() {
    let text = pipeline("", "") + "[[faults.task_crash]]\nat = [\"2s\"]\noperator = \"sink\"\nsubtask = 1\n";
    let s = common::scenario(&text);
    let out = ckptsim::run::run(&s, 1);
    assert_eq!(out.failures.len(), 1, "{:?}", out.failures);
}

fn chain_names(text: &str) -> Vec<Vec<String>> {
    let s = common::scenario(text);
    chains(&s)
        .into_iter()
        .map(|c| c.into_iter().map(|i| s.operators[i].name.clone()).collect())
        .collect()
}

fn ops(body: &str) -> String {
    format!(
        "[simulation]\nduration = \"1s\"\n[cluster]\ntaskmanagers = 1\nslots_per_taskmanager = 4\n\
         [[operators]]\nname = \"a\"\nkind = \"source\"\nparallelism = 2\n\
         rate = {{ process = \"constant\", records_per_second = 10 }}\n{body}"
    )
}

fn op(name: &str, kind: &str, p: u32, inputs: &[(&str, &str)], extra: &str) -> String {
    let inputs: Vec<String> = inputs
        .iter()
        .map(|(f, part)| format!("{{ from = \"{f}\", partitioning = \"{part}\" }}"))
        .collect();
    format!(
        "[[operators]]\nname = \"{name}\"\nkind = \"{kind}\"\nparallelism = {p}\ninputs = [{}]\n{extra}\n",
        inputs.join(", ")
    )
}

#[test]
fn forward_edges_of_equal_parallelism_into_a_single_input_chain() {
    let text = ops(&(op("b", "operator", 2, &[("a", "forward")], "") + &op("c", "sink", 2, &[("b", "forward")], "")));
    assert_eq!(chain_names(&text), [vec!["a", "b", "c"]]);
}

#[test]
fn hash_rebalance_and_parallelism_changes_break_chains() {
    let text = ops(&(op("b", "operator", 2, &[("a", "hash")], "")
        + &op("c", "operator", 2, &[("b", "rebalance")], "")
        + &op("d", "sink", 3, &[("c", "rebalance")], "")));
    assert_eq!(chain_names(&text), [vec!["a"], vec!["b"], vec!["c"], vec!["d"]]);
}

#[test]
fn an_operator_with_two_inputs_heads_its_own_chain() {
    let text = ops(&(op(
        "b",
        "source",
        2,
        &[],
        "rate = { process = \"constant\", records_per_second = 10 }",
    )
    .replace("inputs = []\n", "")
        + &op("join", "operator", 2, &[("a", "forward"), ("b", "forward")], "")
        + &op("out", "sink", 2, &[("join", "forward")], "")));
    assert_eq!(chain_names(&text), [vec!["a"], vec!["b"], vec!["join", "out"]]);
}

#[test]
fn an_operator_feeding_two_operators_chains_with_neither() {
    let text = ops(&(op("b", "sink", 2, &[("a", "forward")], "") + &op("c", "sink", 2, &[("a", "forward")], "")));
    assert_eq!(chain_names(&text), [vec!["a"], vec!["b"], vec!["c"]]);
}

#[test]
fn chaining_switched_off_for_the_job_makes_every_operator_a_task() {
    let body = op("b", "operator", 2, &[("a", "forward")], "") + &op("c", "sink", 2, &[("b", "forward")], "");
    let off = format!("[pipeline]\noperator_chaining = false\n{}", ops(&body));
    assert_eq!(chain_names(&off), [vec!["a"], vec!["b"], vec!["c"]]);
    // The same through Flink's key.
    let flink = format!(
        "[flink]\n\"pipeline.operator-chaining.enabled\" = \"false\"\n{}",
        ops(&body)
    );
    assert_eq!(chain_names(&flink), [vec!["a"], vec!["b"], vec!["c"]]);
}

#[test]
fn start_new_chain_and_disable_chaining_break_the_chain_where_flink_does() {
    // startNewChain() on b: b heads a chain, and c still chains to it.
    let text = ops(&(op(
        "b",
        "operator",
        2,
        &[("a", "forward")],
        "chaining = \"start_new_chain\"",
    ) + &op("c", "sink", 2, &[("b", "forward")], "")));
    assert_eq!(chain_names(&text), [vec!["a"], vec!["b", "c"]]);
    // disableChaining() on b: chained with neither neighbour.
    let text = ops(&(op("b", "operator", 2, &[("a", "forward")], "chaining = \"disable\"")
        + &op("c", "sink", 2, &[("b", "forward")], "")));
    assert_eq!(chain_names(&text), [vec!["a"], vec!["b"], vec!["c"]]);
}

/// A chain's selectivity composes and each chained operator keeps its own draws: the same job
/// chained and unchained writes the same records at its sink.
#[test]
fn a_chain_of_selective_operators_writes_what_the_unchained_job_writes() {
    let body = op(
        "f",
        "operator",
        2,
        &[("a", "hash")],
        "selectivity = 0.4\nstate = { bytes_per_key = \"10B\" }",
    ) + &op("g", "operator", 2, &[("f", "forward")], "selectivity = 2.5")
        + &op("k", "sink", 2, &[("g", "forward")], "");
    let text = ops(&body)
        .replace(
            "records_per_second = 10 }",
            "records_per_second = 500 }\nmax_records = 1000",
        )
        .replace(
            "duration = \"1s\"",
            "duration = \"10s\"\n[checkpoint]\ninterval = \"300ms\"",
        );
    let committed = |chaining: bool| {
        let t = format!("[pipeline]\noperator_chaining = {chaining}\n{text}");
        let s = common::scenario(&t);
        let mut w = World::new(&common::world_config_keeping_output(&s), 3, "selective chain");
        assert_eq!(w.graph().vertices.len(), if chaining { 2 } else { 4 });
        w.run_to_end();
        assert!(w.invariant_violations().is_empty(), "{:?}", w.invariant_violations());
        let mut out = w.committed_output().expect("kept").to_vec();
        out.sort_unstable();
        out
    };
    let (chained, unchained) = (committed(true), committed(false));
    assert!(chained.len() > 1500, "{} records", chained.len());
    assert_eq!(chained, unchained);
}
