//! `ckptsim import` says how long a RocksDB job's instances had been open (their MANIFEST carries
//! that long's edits into every checkpoint): the oldest imported checkpoint's trigger less the
//! later of the job's last turn to RUNNING and its last restore. A heap job gets no such line.

mod import_support;

use std::path::{Path, PathBuf};

use ckptsim::import::import_dir;
use import_support::{capture, import, options};

fn state_backend_line(toml: &str, key: &str) -> Option<String> {
    let section = toml.split("\n[state_backend]\n").nth(1)?;
    let section = section.split("\n[").next()?;
    section
        .lines()
        .find(|l| l.starts_with(&format!("{key} ")))
        .map(str::to_string)
}

/// i03's capture: RUNNING at 1796207736901, the oldest imported checkpoint triggered at
/// 1796207771205 (`jobs/<jid>.json`, `checkpoints.json`).
#[test]
fn a_rocksdb_capture_gives_its_instances_their_age() {
    let toml = import("i03_rocks_remote.r1").to_toml("i03");
    let line = state_backend_line(&toml, "instance_age").expect("an instance_age line");
    assert!(line.starts_with("instance_age = \"34304ms\""), "{line}");
    assert!(line.contains("timestamps.RUNNING"), "says where it is from: {line}");
}

#[test]
fn a_heap_capture_has_no_instance_age() {
    let toml = import("i01_heap_local.r1").to_toml("i01");
    let kind = state_backend_line(&toml, "kind").expect("the section is read");
    assert!(kind.starts_with("kind = \"heap\""), "{kind}");
    assert_eq!(state_backend_line(&toml, "instance_age"), None);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// The same capture as if the job had been restored 10 s after it turned RUNNING: the restore,
/// later, is when the instances opened.
#[test]
fn a_later_restore_is_when_the_instances_opened() {
    let dir: PathBuf = std::env::temp_dir().join(format!("ckptsim-import-age-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&capture("i03_rocks_remote.r1"), &dir);
    let cp = std::fs::read_dir(dir.join("jobs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir())
        .expect("the job's directory")
        .join("checkpoints.json");
    let mut doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&cp).unwrap()).unwrap();
    doc["latest"]["restored"] = serde_json::json!({
        "id": 3, "restore_timestamp": 1796207746901u64, "is_savepoint": false, "external_path": "<checkpoint-not-externally-addressable>"
    });
    std::fs::write(&cp, serde_json::to_string(&doc).unwrap()).unwrap();
    let imported = import_dir(&dir, &options("i03_rocks_remote.r1")).unwrap_or_else(|e| panic!("{e}"));
    let line = state_backend_line(&imported.to_toml("i03 restored"), "instance_age").expect("a line");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(line.starts_with("instance_age = \"24304ms\""), "{line}");
    assert!(line.contains("restore_timestamp"), "{line}");
}
