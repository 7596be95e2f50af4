//! The run's estimate: its parts, what they follow, and the text a person reads.

use super::*;

/// The estimate of a scenario's text.
fn estimate_of(text: &str) -> Estimate {
    estimate(&crate::scenario::parse_str(text, "t.toml").unwrap().scenario)
}

/// The sum of the items whose description contains `what`.
fn total(items: &[Item], what: &str) -> f64 {
    items.iter().filter(|i| i.what.contains(what)).map(|i| i.amount).sum()
}

#[test]
fn largest_names_the_biggest_contribution() {
    let mut e = Estimate::default();
    e.mem("a", 1.0, "small");
    e.mem("b", 5.0, "big");
    assert_eq!(largest(&e.memory).field, "b");
    assert_eq!(e.memory_bytes(), 6.0);
}

/// The part of the estimate that only full network buffers take is the buffers of every
/// edge and, with unaligned checkpoints, their persisted copies; the text names it beside
/// the ceiling. A source alone has no buffers, and its text no such part.
#[test]
fn the_full_buffers_part_is_named_beside_the_ceiling() {
    let job = |rest: &str| {
        let text = format!(
            "[simulation]\nduration = \"10s\"\n[checkpoint]\ninterval = \"1s\"\n{rest}[cluster]\ntaskmanagers = 8\n[[operators]]\nname = \"src\"\nkind = \"source\"\nparallelism = 8\nrate = {{ process = \"poisson\", records_per_second = 1000 }}\n[[operators]]\nname = \"sink\"\nkind = \"sink\"\nparallelism = 8\ninputs = [{{ from = \"src\", partitioning = \"hash\" }}]\n"
        );
        estimate_of(&text)
    };
    let aligned = job("");
    let buffers = total(&aligned.memory, "full network buffers");
    assert!(buffers > 0.0 && buffers < aligned.memory_bytes(), "{aligned:?}");
    assert_eq!(aligned.full_buffers_bytes, buffers);
    let text = aligned.memory_ceiling_text();
    assert!(
        text.contains(&format!(
            "({} of it only if back-pressure fills every network buffer)",
            human_bytes(buffers)
        )),
        "{text}"
    );
    let unaligned = job("unaligned = true\n");
    let persisted = total(&unaligned.memory, "in-flight data persisted");
    assert!(persisted > 0.0, "{unaligned:?}");
    assert_eq!(unaligned.full_buffers_bytes, buffers + persisted);
    let source_alone = estimate_of(
        "[simulation]\nduration = \"10s\"\n[cluster]\ntaskmanagers = 1\n[[operators]]\nname = \"src\"\nkind = \"source\"\nparallelism = 1\nrate = { process = \"poisson\", records_per_second = 1000 }\n",
    );
    assert_eq!(source_alone.full_buffers_bytes, 0.0);
    assert!(!source_alone.memory_ceiling_text().contains("of it"));
}

/// Buffers through a channel count as work: with the output flusher, the full ones plus one
/// per channel holding a record at each flush (at p = 256 over 65,536 channels about 98 % of
/// them, λ = 3.9 records); with a zero buffer timeout one a record; none through an edge
/// chained into one task.
#[test]
fn buffers_through_an_edge_follow_the_flushes_and_skip_a_chained_edge() {
    let job = |p: u32, partitioning: &str, network: &str| {
        let text = format!(
            "[simulation]\nduration = \"10s\"\n{network}[cluster]\ntaskmanagers = {p}\n[[operators]]\nname = \"src\"\nkind = \"source\"\nparallelism = {p}\nrate = {{ process = \"poisson\", records_per_second = 10000 }}\n[[operators]]\nname = \"sink\"\nkind = \"sink\"\nparallelism = {p}\ninputs = [{{ from = \"src\", partitioning = \"{partitioning}\" }}]\n"
        );
        total(&estimate_of(&text).work, "network buffers through") / BUFFER_STEPS
    };
    let (channels, rate): (f64, f64) = (256.0 * 256.0, 256.0 * 10_000.0);
    let per_flush = 1.0 - (-rate * 0.1 / channels).exp();
    let expected = 10.0 * (rate / (32_768.0 / 100.0) + channels * 10.0 * per_flush);
    let hashed = job(256, "hash", "");
    assert!((hashed / expected - 1.0).abs() < 1e-9, "{hashed} against {expected}");
    assert!((per_flush - 0.980).abs() < 1e-3, "{per_flush}");
    let every_record = job(4, "rebalance", "[network]\nbuffer_timeout = \"0s\"\n");
    assert!((every_record - 4.0 * 10_000.0 * 10.0).abs() < 1e-6, "{every_record}");
    assert_eq!(job(4, "forward", ""), 0.0, "a chained edge moves no buffers");
    let unchained = job(4, "forward", "[pipeline]\noperator_chaining = false\n");
    assert!(unchained > 0.0, "{unchained}");
}

/// The records through an operator follow the profile's mean over the run, and what an
/// operator emits its selectivity: a 10x spike for a tenth of the run doubles the source's
/// records (mean factor 1.9), and a filter keeping one in ten cuts the sink's to a tenth.
#[test]
fn records_follow_the_profiles_mean_and_the_selectivity() {
    let job = |profile: &str, selectivity: f64| {
        let text = format!(
            "[simulation]\nduration = \"100s\"\n[cluster]\ntaskmanagers = 1\n[[operators]]\nname = \"src\"\nkind = \"source\"\nparallelism = 1\nrate = {{ process = \"poisson\", records_per_second = 1000{profile} }}\n[[operators]]\nname = \"filter\"\nkind = \"operator\"\nparallelism = 1\ninputs = [{{ from = \"src\", partitioning = \"forward\" }}]\nselectivity = {selectivity}\n[[operators]]\nname = \"sink\"\nkind = \"sink\"\nparallelism = 1\ninputs = [{{ from = \"filter\", partitioning = \"forward\" }}]\n"
        );
        let e = estimate_of(&text);
        let through = |name: &str| {
            e.work
                .iter()
                .find(|i| i.what == format!("records through `{name}`"))
                .unwrap()
                .amount
        };
        (through("src"), through("sink"))
    };
    let (plain_src, plain_sink) = job("", 1.0);
    assert_eq!((plain_src, plain_sink), (100_000.0, 100_000.0));
    let spike = r#", profile = { shape = "steps", points = [["0s", 1.0], ["50s", 10.0], ["60s", 1.0]] }"#;
    let (spiked_src, _) = job(spike, 1.0);
    assert!((spiked_src - 190_000.0).abs() < 1e-6, "{spiked_src}");
    let (_, filtered_sink) = job("", 0.1);
    assert!((filtered_sink - 10_000.0).abs() < 1e-6, "{filtered_sink}");
}

/// An exactly-once sink holds origin times for about two checkpoint intervals, not for the
/// whole run; a discarding sink and a job without periodic checkpoints hold none.
#[test]
fn sinks_hold_records_for_two_intervals_not_the_run() {
    let held = |checkpoint: &str, guarantee: &str| -> f64 {
        let text = format!(
            "[simulation]\nduration = \"1h\"\n{checkpoint}[cluster]\ntaskmanagers = 1\n[[operators]]\nname = \"src\"\nkind = \"source\"\nparallelism = 1\nrate = {{ process = \"poisson\", records_per_second = 1000 }}\n[[operators]]\nname = \"sink\"\nkind = \"sink\"\nparallelism = 1\ninputs = [{{ from = \"src\", partitioning = \"forward\" }}]\n{guarantee}"
        );
        total(&estimate_of(&text).memory, "holds until a commit")
    };
    let every_10s = "[checkpoint]\ninterval = \"10s\"\n";
    // 1000 records/s for 2 x 10 s, 8 bytes each.
    assert_eq!(held(every_10s, ""), 1000.0 * 20.0 * 8.0);
    assert_eq!(held(every_10s, "delivery_guarantee = \"none\"\n"), 0.0);
    assert_eq!(held(every_10s, "delivery_guarantee = \"at-least-once\"\n"), 0.0);
    assert_eq!(held("", ""), 0.0);
}

/// A keyed operator's subtasks see disjoint keys (their key groups) and share one bitset:
/// at p = 128 over 50 M keys the keys cost about keys / 8 bytes (6.25 MB), not p times that
/// (800 MB), whatever the restore points keep (a count: the log of first-seen keys is 4 bytes
/// per record at most); behind a forward input each subtask has its own.
#[test]
fn keyed_state_keys_cost_one_bitset_per_keyed_operator() {
    let job = |partitioning: &str, checkpoint: &str, faults: &str| {
        let text = format!(
            "[simulation]\nduration = \"10s\"\n{checkpoint}[cluster]\ntaskmanagers = 32\nslots_per_taskmanager = 4\n[[operators]]\nname = \"src\"\nkind = \"source\"\nparallelism = 128\nrate = {{ process = \"poisson\", records_per_second = 1000 }}\nkeys = {{ count = 50000000 }}\n[[operators]]\nname = \"count\"\nkind = \"operator\"\nparallelism = 128\ninputs = [{{ from = \"src\", partitioning = \"{partitioning}\" }}]\nstate = {{ bytes_per_key = \"1KiB\" }}\n{faults}"
        );
        let e = estimate_of(&text);
        (total(&e.memory, "key bitsets"), total(&e.memory, "keys first seen"))
    };
    let per_copy = 50e6 / 8.0;
    let (bits, log) = job("hash", "", "");
    assert!((bits - per_copy).abs() < 16.0, "{bits}");
    assert_eq!(log, 0.0, "no checkpoint, no fault: no restore point, no log");
    let checkpoint = "[checkpoint]\ninterval = \"1s\"\nnum_retained = 3\n";
    let crash = "[[faults.task_crash]]\nat = [\"5s\"]\noperator = \"count\"\nsubtask = 1\n";
    let (bits, log) = job("hash", checkpoint, crash);
    assert!((bits - per_copy).abs() < 16.0, "restore points keep no bitset: {bits}");
    // 128 subtasks x 1000 records/s x 10 s, 4 bytes each.
    assert!((log - 1.28e6 * 4.0).abs() < 1.0, "{log}");
    let (own, _) = job("forward", "", "");
    assert!((own - 128.0 * per_copy).abs() < 128.0 * 16.0, "{own}");
}
