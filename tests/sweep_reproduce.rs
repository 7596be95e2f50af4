//! `ckptsim reproduce`: every scenario file of a directory regenerated (runs and sweeps, charts
//! included), the skip list honoured, an index naming every result directory and chart, and the
//! same bytes on a second pass with another thread count.

mod sweep_support;

use ckptsim::reproduce::{INDEX_MD, SKIPPED};
use ckptsim::reproduce::{ReproduceOptions, reproduce};
use sweep_support::*;

#[test]
fn reproduce_regenerates_every_scenario_with_identical_bytes_and_an_index() {
    let dir = fresh_dir("reproduce");
    let scenarios = dir.join("scenarios");
    std::fs::create_dir_all(&scenarios).unwrap();
    write_file(
        &scenarios,
        "single.toml",
        &format!("description = \"A single run\"\n{BASE}"),
    );
    write_file(
        &scenarios,
        "swept.toml",
        &format!("description = \"A small sweep\"\n{BASE}{SWEEP}"),
    );
    // A skipped scenario is not run (it would fail if it were: its file is not even valid).
    write_file(
        &scenarios,
        &format!("{}.toml", SKIPPED[0].0),
        &format!("{BASE}\nnot valid toml ["),
    );

    let skipped_err = reproduce(&ReproduceOptions {
        scenarios: scenarios.clone(),
        out: dir.join("never"),
        threads: Some(1),
        only: vec![],
        progress: false,
        limits: Default::default(),
    });
    assert!(skipped_err.is_err(), "every file is validated, skipped or not");
    std::fs::write(scenarios.join(format!("{}.toml", SKIPPED[0].0)), BASE).unwrap();

    let mut snapshots = Vec::new();
    for threads in [2, 1] {
        let out = dir.join(format!("results-{threads}"));
        // A stale file from an older version must not survive.
        write_file(
            &std::fs::create_dir_all(out.join("single"))
                .map(|_| out.join("single"))
                .unwrap(),
            "stale.csv",
            "x",
        );
        let report = reproduce(&ReproduceOptions {
            scenarios: scenarios.clone(),
            out: out.clone(),
            threads: Some(threads),
            only: vec![],
            progress: false,
            limits: Default::default(),
        })
        .expect("reproduce runs");
        assert_eq!(report.done.len(), 2, "{report}");
        assert_eq!(report.skipped.len(), 1);
        assert!(!out.join(SKIPPED[0].0).exists());
        assert!(!out.join("single/stale.csv").exists());
        snapshots.push(snapshot(&out));
    }
    assert_same_files(&snapshots[0], &snapshots[1]);

    let files = &snapshots[0];
    for f in [
        "single/checkpoints.csv",
        "single/plots/checkpoints.png",
        "single/plots/timeline.svg",
        "swept/points.csv",
        "swept/plots/summary.end_to_end_duration.avg.png",
        INDEX_MD,
    ] {
        assert!(files.contains_key(std::path::Path::new(f)), "missing {f}");
    }
    let index = String::from_utf8(files[std::path::Path::new(INDEX_MD)].clone()).unwrap();
    for needle in [
        "## `single/` (run",
        "A single run.",
        "`plots/checkpoints.png` (and `.svg`): every checkpoint",
        "## `swept/` (sweep",
        "4 points (grid mode) x 2 replications = 8 runs",
        "`plots/summary.end_to_end_duration.avg.png` (and `.svg`): against `checkpoint.interval`: mean end-to-end",
        &format!("`{}.toml`: ", SKIPPED[0].0),
    ] {
        assert!(index.contains(needle), "INDEX.md lacks {needle:?}:\n{index}");
    }

    // --only regenerates one directory and leaves the others alone.
    let out = dir.join("results-2");
    std::fs::remove_dir_all(out.join("swept")).unwrap();
    reproduce(&ReproduceOptions {
        scenarios: scenarios.clone(),
        out: out.clone(),
        threads: Some(2),
        only: vec!["single".into()],
        progress: false,
        limits: Default::default(),
    })
    .unwrap();
    assert!(!out.join("swept").exists());
    let index = std::fs::read_to_string(out.join(INDEX_MD)).unwrap();
    assert!(index.contains("reproduce --only swept"), "{index}");
    for bad in ["nope", SKIPPED[0].0] {
        let e = reproduce(&ReproduceOptions {
            scenarios: scenarios.clone(),
            out: out.clone(),
            threads: Some(1),
            only: vec![bad.into()],
            progress: false,
            limits: Default::default(),
        })
        .unwrap_err();
        assert!(e.to_string().contains(bad), "{e}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
