//! A reader that stops reading early (`ckptsim run … | head -2`) does not crash the command:
//! what it would still print is dropped, it exits successfully, and a run still writes its
//! whole directory. Before, the first `print!` after the pipe closed panicked (exit 101) and the
//! run directory was never written.

use std::process::{Command, Stdio};

#[test]
fn a_run_whose_reader_closed_stdout_still_writes_its_directory_and_exits_zero() {
    let dir = std::env::temp_dir().join(format!("ckptsim-closed-stdout-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut child = Command::new(env!("CARGO_BIN_EXE_ckptsim"))
        .args(["run", "scenarios/quickstart.toml", "--no-plots", "--out"])
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ckptsim starts");
    // The reader goes away before the command prints anything.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("ckptsim ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {:?}, stderr:\n{stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
    for file in ["summary.json", "checkpoints.csv", "subtasks.csv"] {
        assert!(dir.join(file).is_file(), "{file} was not written");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
