//! The printed summary keeps Flink's web UI split: the checkpoint summary (end-to-end duration,
//! sizes) is per completed checkpoint, the phase breakdown (start delay, alignment, sync,
//! async) per subtask acknowledgement. One table for both put a source's async p50 of 0 beside
//! a checkpoint's end-to-end p50 as if they were comparable.

mod common;

#[test]
fn the_summary_table_shows_per_checkpoint_and_per_subtask_statistics_apart() {
    let s = common::scenario(
        r#"
[simulation]
duration = "20s"
[checkpoint]
interval = "2s"
[cluster]
taskmanagers = 1
slots_per_taskmanager = 2
[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = { process = "poisson", records_per_second = 1000 }
[[operators]]
name = "sink"
kind = "sink"
parallelism = 2
inputs = [{ from = "source", partitioning = "hash" }]
state = { initial = "10MB" }
"#,
    );
    let out = ckptsim::run::run(&s, 1);
    let text = ckptsim::summary_table::render_summary(&out);
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l.starts_with(needle))
            .unwrap_or_else(|| panic!("no line starting with {needle:?} in\n{text}"))
    };
    let per_checkpoint = line_of("per checkpoint");
    let per_subtask = line_of("per subtask");
    assert!(per_checkpoint < per_subtask);
    for m in [
        "end_to_end_duration",
        "checkpointed_size",
        "state_size",
        "processed_data",
        "persisted_data",
    ] {
        let l = line_of(m);
        assert!(per_checkpoint < l && l < per_subtask, "{m} is per checkpoint:\n{text}");
    }
    for m in ["start_delay", "alignment_duration", "sync_duration", "async_duration"] {
        assert!(line_of(m) > per_subtask, "{m} is per subtask:\n{text}");
    }
    // Each table says how many values it summarises: completed checkpoints, acknowledgements.
    let count_of = |m: &str| -> u64 {
        let l = text.lines().nth(line_of(m)).unwrap();
        l.split_whitespace().nth(2).unwrap().parse().unwrap()
    };
    assert_eq!(count_of("end_to_end_duration"), out.summary.counts.completed);
    assert_eq!(count_of("async_duration"), out.summary.counts.completed * 4);
}
