//! A sweep directory is written by one sweep at a time, a resumed sweep removes only the
//! temporaries it makes, `merge` checks every run file against its shard's checksum, and
//! `ckptsim plot` copes with whatever a sweep directory holds.

mod sweep_support;

use ckptsim::plot::plot_sweep_dir;
use ckptsim::sweep::lock::DirLock;
use ckptsim::sweep::{Shard, SweepError, SweepOptions, merge, sweep_file};
use sweep_support::*;

fn opts() -> SweepOptions {
    SweepOptions {
        threads: Some(2),
        ..SweepOptions::default()
    }
}

#[test]
fn a_second_sweep_on_a_locked_directory_stops_with_a_clear_error() {
    let dir = fresh_dir("locked");
    let scenario = write_file(&dir, "s.toml", &format!("{BASE}{SWEEP}"));
    let out = dir.join("out");
    let held = DirLock::acquire(&out).unwrap();
    match sweep_file(&scenario, &out, &opts()) {
        Err(e @ SweepError::Locked { .. }) => assert!(e.to_string().contains("another ckptsim"), "{e}"),
        other => panic!("expected the lock to stop the sweep, got {other:?}"),
    }
    assert!(!out.join("sweep.json").exists(), "the second sweep wrote nothing");
    drop(held);
    let report = sweep_file(&scenario, &out, &opts()).expect("runs once the lock is free");
    assert!(report.complete);
    assert!(
        !out.join(ckptsim::sweep::lock::LOCK_FILE).exists(),
        "the lock file goes with the sweep"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_resumed_sweep_removes_only_its_own_temporaries() {
    let dir = fresh_dir("temporaries");
    let scenario = write_file(&dir, "s.toml", &format!("{BASE}{SWEEP}"));
    let out = dir.join("out");
    let partial = SweepOptions {
        stop_after_runs: Some(2),
        ..opts()
    };
    sweep_file(&scenario, &out, &partial).unwrap();
    let ours = out.join("runs/p0003-r001.json.tmp");
    let theirs = out.join("runs/pnotes.json.tmp");
    std::fs::write(&ours, "{ half a run").unwrap();
    std::fs::write(&theirs, "the user's notes").unwrap();
    sweep_file(&scenario, &out, &opts()).unwrap();
    assert!(!ours.exists(), "an interrupted run file's temporary is removed");
    assert_eq!(std::fs::read_to_string(&theirs).unwrap(), "the user's notes");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn merge_refuses_a_run_file_changed_after_its_shard_wrote_it() {
    let dir = fresh_dir("tampered");
    let scenario = write_file(&dir, "s.toml", &format!("{BASE}{SWEEP}"));
    let shards: Vec<_> = (1..=2)
        .map(|k| {
            let out = dir.join(format!("shard-{k}"));
            let o = SweepOptions {
                shard: Shard::parse(&format!("{k}/2")).unwrap(),
                ..opts()
            };
            sweep_file(&scenario, &out, &o).unwrap();
            out
        })
        .collect();
    // Shard 2 holds runs 1, 3, 5, 7: point 0 replication 1 is run 1.
    let victim = shards[1].join("runs/p0000-r001.json");
    let text = std::fs::read_to_string(&victim).unwrap();
    let edited = text.replacen("\"completed\": ", "\"completed\": 1", 1);
    assert_ne!(text, edited, "fixture: the run file has a completed count");
    std::fs::write(&victim, edited).unwrap();
    let merged = dir.join("merged");
    match merge(&shards, &merged, false) {
        Err(SweepError::Merge(m)) => assert!(m.contains("p0000-r001.json") && m.contains("checksum"), "{m}"),
        other => panic!("expected the merge to refuse the edited file, got {other:?}"),
    }
    assert!(!merged.exists(), "nothing merged");
    // Restored, the merge goes through.
    std::fs::write(&victim, text).unwrap();
    assert_eq!(merge(&shards, &merged, false).unwrap().runs, 8);
    let _ = std::fs::remove_dir_all(&dir);
}

fn hand_made_sweep(dir: &std::path::Path, parameters: serde_json::Value, points: serde_json::Value, rows: &str) {
    let manifest = serde_json::json!({
        "format": 1, "fingerprint": "0000000000000000", "ckptsim_version": "0", "scenario": "hand",
        "mode": "grid", "replications": 1, "parameters": parameters, "points": points,
        "plot": { "x": null, "metrics": ["m"], "mtbf_s": null, "checkpoint_cost_s": null,
                  "overhead": null, "lost_work": null }
    });
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("sweep.json"), serde_json::to_vec(&manifest).unwrap()).unwrap();
    std::fs::write(dir.join("points.csv"), format!("point,m.mean,m.ci95\n{rows}")).unwrap();
}

#[test]
fn plot_draws_extreme_columns_and_refuses_a_manifest_without_parameters() {
    let dir = fresh_dir("plot-robust");
    let params = serde_json::json!([{ "path": "a", "values": ["1", "2", "3"],
        "numeric": { "kind": "number", "values": [1.0, 2.0, 3.0] } }]);
    let points = serde_json::json!([
        { "index": 0, "value_indices": [0], "seeds": [1] },
        { "index": 1, "value_indices": [1], "seeds": [2] },
        { "index": 2, "value_indices": [2], "seeds": [3] }
    ]);
    let extreme = dir.join("extreme");
    hand_made_sweep(
        &extreme,
        params,
        points,
        "0,1e308,1e308\n1,-1e308,0\n2,1.7976931348623157e308,NaN\n",
    );
    let files = plot_sweep_dir(&extreme).expect("extreme values are drawn at the axis' edge");
    assert_eq!(files.len(), 2);

    let bare = dir.join("bare");
    hand_made_sweep(
        &bare,
        serde_json::json!([]),
        serde_json::json!([{ "index": 0, "value_indices": [], "seeds": [1] }]),
        "0,1,0\n",
    );
    let err = plot_sweep_dir(&bare).expect_err("no parameters: nothing to draw against");
    assert!(err.to_string().contains("no parameters"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
