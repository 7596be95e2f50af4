//! `ckptsim import` against what other Flink versions and servers write (hand-made from a
//! real 2.3 capture, each changing one thing), its errors, its REST fetch and its command.

mod import_support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ckptsim::import::{ImportError, ImportOptions, Layout, import_dir};
use import_support::{capture, options};

const CAPTURE: &str = "i01_heap_local.r1";

/// A fresh copy of the capture to change by hand.
fn copy_of(name: &str, tag: &str) -> PathBuf {
    let dst = std::env::temp_dir().join(format!("ckptsim-import-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dst);
    copy_dir(&capture(name), &dst);
    dst
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// Replaces `from` by `to` in every JSON file under `dir`; returns how many files changed.
fn replace_all(dir: &Path, from: &str, to: &str) -> usize {
    let mut n = 0;
    for f in files(dir) {
        let s = std::fs::read_to_string(&f).unwrap();
        if s.contains(from) {
            std::fs::write(&f, s.replace(from, to)).unwrap();
            n += 1;
        }
    }
    n
}

fn job_dir(dir: &Path) -> PathBuf {
    let l = Layout::open(dir, None).unwrap();
    dir.join(format!("jobs/{}", l.job_id))
}

fn edit_json(file: &Path, change: impl FnOnce(&mut serde_json::Value)) {
    let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    change(&mut v);
    std::fs::write(file, serde_json::to_string(&v).unwrap()).unwrap();
}

fn toml_of(dir: &Path) -> String {
    import_dir(dir, &options(CAPTURE))
        .unwrap_or_else(|e| panic!("{e}"))
        .to_toml("x")
}

#[test]
fn the_history_discriminator_may_be_class_or_clazz_as_in_other_versions() {
    let base = toml_of(&capture(CAPTURE));
    for key in ["@class", "clazz"] {
        let dir = copy_of(CAPTURE, key.trim_start_matches('@'));
        assert!(replace_all(&dir, "\"className\"", &format!("\"{key}\"")) > 0);
        assert_eq!(toml_of(&dir), base, "discriminator `{key}`");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn a_failed_entry_is_told_by_its_discriminator_and_skipped() {
    // Negative control for the discriminator: an entry marked failed is not imported.
    let dir = copy_of(CAPTURE, "failed");
    let ck = job_dir(&dir).join("checkpoints.json");
    let mut newest = 0;
    edit_json(&ck, |v| {
        let h = &mut v["history"][0];
        newest = h["id"].as_u64().unwrap();
        h["className"] = "failed".into();
        h["status"] = "FAILED".into();
    });
    let i = import_dir(&dir, &options(CAPTURE)).unwrap();
    let all = import_dir(&capture(CAPTURE), &options(CAPTURE)).unwrap();
    assert_eq!(i.checkpoints + 1, all.checkpoints, "checkpoint {newest} was dropped");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn per_subtask_percentiles_written_as_nan_strings_are_read() {
    // Flink 2.3 already writes them so in the per-subtask summaries of the capture; here every
    // number of those summaries becomes "NaN", and a metrics sample's avg too.
    let dir = copy_of(CAPTURE, "nan");
    let base = toml_of(&capture(CAPTURE));
    let mut changed = 0;
    for f in files(&job_dir(&dir).join("checkpoints/details")) {
        if f.parent().is_some_and(|p| p.ends_with("subtasks")) {
            edit_json(&f, |v| {
                for stat in ["end_to_end_duration", "state_size", "checkpointed_size"] {
                    for q in ["p50", "p90", "p95", "p99", "p999"] {
                        v["summary"][stat][q] = "NaN".into();
                    }
                }
            });
            changed += 1;
        }
    }
    assert!(changed > 0);
    assert_eq!(toml_of(&dir), base);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The `rate = ...` line of the source.
fn rate_line(text: &str) -> String {
    text.lines()
        .find(|l| l.starts_with("rate = "))
        .expect("a rate line")
        .to_string()
}

#[test]
fn per_second_meters_are_read_once_their_window_is_full_and_nan_samples_are_left_out() {
    // The captures ran 45 s: shorter than the 60 s window of Flink's per-second meters, so
    // the importer uses the vertices' counters. A job running longer uses the meters.
    let short = toml_of(&capture(CAPTURE));
    assert!(
        rate_line(&short).contains("write-records / status-duration.RUNNING"),
        "{short}"
    );
    let dir = copy_of(CAPTURE, "meters");
    for f in files(&job_dir(&dir).join("vertices")) {
        if f.parent().is_some_and(|p| p.ends_with("vertices")) {
            edit_json(&f, |v| {
                for s in v["subtasks"].as_array_mut().unwrap() {
                    s["status-duration"]["RUNNING"] = 120_000.into();
                }
            });
        }
    }
    let long = toml_of(&dir);
    let line = rate_line(&long);
    assert!(
        line.contains("subtasks/metrics numRecordsOutPerSecond avg, median of"),
        "{line}"
    );
    // A sample whose averages are "NaN" is left out of the median, not read as 0.
    let l = Layout::open(&dir, None).unwrap();
    let vid = ckptsim::import::rest_model::Job::read(&l).unwrap().vertices[0]
        .id
        .clone();
    let value = |line: &str| line.split('#').next().unwrap().to_string();
    for n in 0..3 {
        std::fs::write(
            job_dir(&dir).join(format!("vertices/{vid}/subtasks/metrics.zz{n}.json")),
            r#"[{"id":"numRecordsOutPerSecond","min":"NaN","max":"NaN","avg":"NaN","sum":"NaN"}]"#,
        )
        .unwrap();
    }
    assert_eq!(value(&rate_line(&toml_of(&dir))), value(&line));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_default_server_keeping_10_history_entries_is_enough() {
    let dir = copy_of(CAPTURE, "ten");
    edit_json(&job_dir(&dir).join("checkpoints.json"), |v| {
        v["history"].as_array_mut().unwrap().truncate(10);
    });
    let i = import_dir(&dir, &options(CAPTURE)).unwrap();
    assert_eq!(i.checkpoints, 10);
    assert!(i.history_total > 10, "the job's own count is kept: {}", i.history_total);
    let text = i.to_toml("x");
    assert!(text.contains("history_size = 10"), "{text}");
    assert!(text.contains("10 most recent completed checkpoints"), "{text}");
    ckptsim::scenario::parse_str(&text, "ten").unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_malformed_field_is_named_with_its_file() {
    let dir = copy_of(CAPTURE, "bad");
    let l = Layout::open(&dir, None).unwrap();
    let job = dir.join(format!("jobs/{}.json", l.job_id));
    edit_json(&job, |v| {
        v["vertices"][1]["parallelism"] = "two".into();
    });
    let e = import_dir(&dir, &ImportOptions::default()).err().expect("an error");
    let msg = e.to_string();
    assert!(matches!(e, ImportError::Malformed { .. }), "{msg}");
    assert!(msg.contains(&job.display().to_string()), "{msg}");
    assert!(msg.contains("vertices[1].parallelism"), "{msg}");
    // A missing file is named too.
    let cfg = job_dir(&dir).join("checkpoints/config.json");
    std::fs::remove_file(&cfg).unwrap();
    edit_json(&job, |v| {
        v["vertices"][1]["parallelism"] = 2.into();
    });
    let msg = import_dir(&dir, &ImportOptions::default())
        .err()
        .expect("an error")
        .to_string();
    assert!(msg.contains(&cfg.display().to_string()), "{msg}");
    assert!(
        msg.contains("GET /jobs/") && msg.contains("/checkpoints/config"),
        "{msg}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_unknown_ship_strategy_is_named() {
    let dir = copy_of(CAPTURE, "ship");
    assert!(replace_all(&dir, "\"HASH\"", "\"GLOBAL\"") > 0);
    let msg = import_dir(&dir, &ImportOptions::default())
        .err()
        .expect("an error")
        .to_string();
    assert!(msg.contains("ship_strategy") && msg.contains("GLOBAL"), "{msg}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_line_names_its_source_or_is_an_assumption() {
    let text = import_dir(&capture(CAPTURE), &ImportOptions::default())
        .unwrap()
        .to_toml("x");
    let mut assumptions = 0;
    for line in text.lines() {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') || t.starts_with('[') || t.starts_with("{ statistic") || t == "]" {
            continue;
        }
        assert!(
            line.contains(" = ") && line.contains("  # "),
            "a line without its source: {line}"
        );
        if line.contains("# ASSUMPTION: edit.") {
            assumptions += 1;
        }
    }
    // Cores, TaskManagers per host, the connector, the keys, the sink's guarantee.
    assert!(assumptions >= 5, "{text}");
    for what in ["cores_per_taskmanager", "taskmanagers_per_host", "keys", "connector"] {
        let l = text
            .lines()
            .find(|l| l.starts_with(what))
            .unwrap_or_else(|| panic!("no {what}"));
        assert!(l.contains("ASSUMPTION: edit."), "{l}");
    }
    assert!(
        text.contains("Source: gen") && text.contains("ship_strategy HASH"),
        "{text}"
    );
}

/// Serves the capture's files over HTTP/1.1, as Flink's REST endpoint would; the metrics
/// query is answered with the first saved sample.
/// The server runs until the test process ends; it returns the paths it was asked for.
fn serve(dir: PathBuf) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            reader.read_line(&mut line).unwrap();
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                if h == "\r\n" || h.is_empty() {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap().to_string();
            log.lock().unwrap().push(path.clone());
            let plain = path.trim_start_matches('/').split('?').next().unwrap().to_string();
            let file = if plain.ends_with("/subtasks/metrics") {
                dir.join(format!("{plain}.00.json"))
            } else {
                dir.join(format!("{plain}.json"))
            };
            match std::fs::read(&file) {
                Ok(body) => {
                    // Chunked, as Flink's netty sends large bodies.
                    let mid = body.len() / 2;
                    let mut resp =
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                            .to_vec();
                    for part in [&body[..mid], &body[mid..]] {
                        resp.extend(format!("{:x}\r\n", part.len()).as_bytes());
                        resp.extend(part);
                        resp.extend(b"\r\n");
                    }
                    resp.extend(b"0\r\n\r\n");
                    stream.write_all(&resp).unwrap();
                }
                Err(_) => {
                    let body = r#"{"errors":["Not found."]}"#;
                    let _ = write!(
                        stream,
                        "HTTP/1.1 404 Not Found\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                }
            }
        }
    });
    (addr, seen)
}

#[test]
fn fetching_from_a_rest_address_saves_the_layout_import_reads() {
    let src = capture(CAPTURE);
    let jid = Layout::open(&src, None).unwrap().job_id;
    let all = import_dir(&src, &options(CAPTURE)).unwrap();
    let (addr, seen) = serve(src.clone());
    let dst = std::env::temp_dir().join(format!("ckptsim-import-{}-fetched", std::process::id()));
    let _ = std::fs::remove_dir_all(&dst);
    ckptsim::import::fetch::fetch(&addr, &jid, &dst).unwrap_or_else(|e| panic!("{e}"));
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.iter()
            .any(|p| p.contains("/subtasks/metrics?get=") && p.contains("busyTimeMsPerSecond"))
    );
    // Every file but the metrics sample is the served one, byte for byte.
    for f in files(&dst) {
        let rel = f.strip_prefix(&dst).unwrap();
        if rel.ends_with("metrics.json") {
            continue;
        }
        assert_eq!(
            std::fs::read(&f).unwrap(),
            std::fs::read(src.join(rel)).unwrap(),
            "{}",
            rel.display()
        );
    }
    let fetched = import_dir(&dst, &options(CAPTURE)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(fetched.checkpoints, all.checkpoints);
    assert_eq!(fetched.medians, all.medians);
    std::fs::remove_dir_all(&dst).unwrap();
}

#[test]
fn a_rest_error_names_the_address() {
    let (addr, _) = serve(PathBuf::from("/nonexistent"));
    let dst = std::env::temp_dir().join(format!("ckptsim-import-{}-404", std::process::id()));
    let msg = ckptsim::import::fetch::fetch(&addr, "abc", &dst)
        .err()
        .expect("404")
        .to_string();
    assert!(
        msg.contains(&format!("{addr}/jobs/abc")) && msg.contains("404"),
        "{msg}"
    );
    let _ = std::fs::remove_dir_all(&dst);
}

#[test]
fn the_command_writes_a_scenario_that_validates_and_runs_with_a_calibration_report() {
    let exe = env!("CARGO_BIN_EXE_ckptsim");
    let dir = std::env::temp_dir().join(format!("ckptsim-import-{}-cli", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let sc = dir.join("job.toml");
    let out = std::process::Command::new(exe)
        .args([
            "import",
            capture(CAPTURE).to_str().unwrap(),
            "--out",
            sc.to_str().unwrap(),
        ])
        .args(["--cores-per-taskmanager", "2"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v = std::process::Command::new(exe)
        .args(["validate", sc.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    let run_dir = dir.join("run");
    let r = std::process::Command::new(exe)
        .args([
            "run",
            sc.to_str().unwrap(),
            "--no-plots",
            "--out",
            run_dir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let stdout = String::from_utf8_lossy(&r.stdout);
    assert!(
        stdout.contains("Calibration") && stdout.contains("end_to_end_duration"),
        "{stdout}"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run_dir.join("summary.json")).unwrap()).unwrap();
    let rows = summary["calibration"].as_array().expect("calibration in summary.json");
    let e2e = rows
        .iter()
        .find(|r| r["statistic"] == "end_to_end_duration")
        .expect("e2e row");
    assert!(
        e2e["job_median"].as_f64().unwrap() > 0.0 && e2e["ratio"].as_f64().unwrap() > 0.0,
        "{e2e}"
    );
    // Errors go to stderr naming the file.
    let bad = std::process::Command::new(exe)
        .args(["import", dir.to_str().unwrap(), "--out", sc.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("jobs"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
