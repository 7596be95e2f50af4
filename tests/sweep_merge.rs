//! `--shard K/N` splits a sweep; `merge` joins the shards into exactly the bytes one machine
//! writes.

mod sweep_support;

use ckptsim::sweep::{Shard, SweepError, SweepOptions, merge, sweep_file};
use sweep_support::*;

#[test]
fn merged_shards_equal_a_single_machine_run() {
    let dir = fresh_dir("merge");
    let scenario = write_file(&dir, "merge.toml", &format!("{BASE}{SWEEP}"));
    let single = dir.join("single");
    sweep_file(
        &scenario,
        &single,
        &SweepOptions {
            threads: Some(2),
            plots: true,
            ..SweepOptions::default()
        },
    )
    .unwrap();

    let mut shards = Vec::new();
    let mut runs_in_shards = 0;
    for k in 1..=3 {
        let out = dir.join(format!("shard-{k}"));
        let opts = SweepOptions {
            threads: Some(1 + k % 2),
            shard: Shard::parse(&format!("{k}/3")).unwrap(),
            plots: true,
            ..SweepOptions::default()
        };
        let report = sweep_file(&scenario, &out, &opts).unwrap();
        assert!(!report.complete, "a shard of 3 holds only part of the runs");
        runs_in_shards += report.runs_done_now;
        shards.push(out);
    }
    assert_eq!(runs_in_shards, 8, "the shards partition the runs");

    // Without the third shard the merge refuses and writes nothing.
    let merged = dir.join("merged");
    match merge(&shards[..2], &merged, true) {
        Err(SweepError::Merge(m)) => assert!(m.contains("runs are in none of the inputs"), "{m}"),
        other => panic!("expected a merge error, got {other:?}"),
    }
    assert!(!merged.exists());

    let report = merge(&shards, &merged, true).unwrap();
    assert_eq!(report.runs, 8);
    assert_same_files(&snapshot(&single), &snapshot(&merged));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn merge_refuses_shards_of_different_sweeps() {
    let dir = fresh_dir("merge-foreign");
    let a = write_file(&dir, "a.toml", &format!("{BASE}{SWEEP}"));
    let b = write_file(
        &dir,
        "b.toml",
        &format!("{BASE}{SWEEP}").replace("replications = 2", "replications = 1"),
    );
    let opts = SweepOptions {
        threads: Some(1),
        shard: Shard::parse("1/2").unwrap(),
        ..SweepOptions::default()
    };
    sweep_file(&a, &dir.join("a"), &opts).unwrap();
    sweep_file(&b, &dir.join("b"), &opts).unwrap();
    match merge(&[dir.join("a"), dir.join("b")], &dir.join("m"), false) {
        Err(SweepError::Merge(m)) => assert!(m.contains("different sweeps"), "{m}"),
        other => panic!("expected a merge error, got {other:?}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}
