//! A bounded, seeded fuzz test of everything a scenario file reaches: the bundled scenarios,
//! mutated as a careless user would (fields deleted, types swapped, extreme and zero values, odd
//! units, unicode and path characters in names, broken TOML and bytes, bad `--set` overrides),
//! each loaded, planned when it sweeps, and run when accepted. For every case:
//!
//! - no panic (in the loader, the planner, the simulator or the writers),
//! - no abort and no hang (a run over its deadline fails the test; every 8th case also goes
//!   through the `ckptsim run` binary, where an abort is an exit by signal),
//! - no partial output (a rejected case writes no directory; an accepted one a complete one),
//! - a located error for every rejection: file and line, or file and field (or sweep parameter).
//!
//! CI runs `CASES_CI` cases; `CKPTSIM_FUZZ_CASES=30000 cargo test --release --test scenario_fuzz
//! -- --nocapture` is the long run (seed `CKPTSIM_FUZZ_SEED`), printing the counts per outcome.
//! Runs are kept small with tight limits (`--limit-work`, `--limit-memory`): a case over them is
//! a located rejection like any other, and the limits themselves are what is being tested.

mod sweep_support;

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ckptsim::layout::run::RUN_FILES;
use ckptsim::output::write_run_dir;
use ckptsim::scenario::{Limits, LoadedScenario, Origin, Override, Scenario, ScenarioError, load_file_with};
use ckptsim::sweep::{SweepError, plan};
use sweep_support::fresh_dir;

const CASES_CI: usize = 500;
const SEED_DEFAULT: u64 = 0x005e_ed14;
/// A run within the fuzz limits takes well under a second; this much is a hang.
const RUN_DEADLINE: Duration = Duration::from_secs(60);
/// Runs are kept small: a few hundredths of a second of simulation each at most.
const FUZZ_LIMITS: Limits = Limits {
    memory_bytes_max: 1 << 30,
    work_steps_max: 1_000_000,
    input_bytes_max: 1 << 20,
};

/// SplitMix64: a fixed, dependency-free stream, so a seed names the same cases everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// The bundled scenarios, plus each one cut to 2 simulated seconds so that its mutants run.
fn corpus() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let name = f.file_stem().unwrap().to_string_lossy().into_owned();
        let mut table: toml::Table = toml::from_str(&text).unwrap();
        if let Some(sim) = table.get_mut("simulation").and_then(|v| v.as_table_mut()) {
            sim.insert("duration".into(), toml::Value::String("2s".into()));
            sim.remove("warmup");
            // The short versions take the fast path, so that its field and its bundles are
            // mutated too (those whose records are too large for a bundle of 4 are refused).
            sim.insert("records_per_bundle".into(), toml::Value::Integer(4));
        }
        // Pairs: the short version at even indices, the file as it is at odd ones.
        out.push((format!("{name}-short"), toml::to_string(&table).unwrap()));
        out.push((name, text));
    }
    out
}

#[derive(Clone, Debug)]
enum Seg {
    Key(String),
    Index(usize),
}

/// Paths of every value in the document (tables and arrays included).
fn paths(v: &toml::Value, path: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    match v {
        toml::Value::Table(t) => {
            for (k, child) in t {
                path.push(Seg::Key(k.clone()));
                out.push(path.clone());
                paths(child, path, out);
                path.pop();
            }
        }
        toml::Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                path.push(Seg::Index(i));
                out.push(path.clone());
                paths(child, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn get_mut<'a>(v: &'a mut toml::Value, path: &[Seg]) -> Option<&'a mut toml::Value> {
    let mut cur = v;
    for seg in path {
        cur = match (seg, cur) {
            (Seg::Key(k), toml::Value::Table(t)) => t.get_mut(k)?,
            (Seg::Index(i), toml::Value::Array(a)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn dotted(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

const EXTREMES: &[&str] = &[
    "0",
    "-1",
    "1",
    "9223372036854775807",
    "-9223372036854775808",
    "4294967295",
    "4294967296",
    "1e308",
    "-1e308",
    "1e-300",
    "nan",
    "inf",
    "-inf",
    "0.0",
    "\"0s\"",
    "\"0ns\"",
    "\"1e30s\"",
    "\"1e400s\"",
    "\"-5ms\"",
    "\"0B\"",
    "\"1e30GiB\"",
    "\"4GiB\"",
    "\"1e-9s\"",
    "1e-9",
    "\"1ns\"",
];
const ODD_UNITS: &[&str] = &[
    "\"5 parsecs\"",
    "\"5µs\"",
    "\"5us \"",
    "\"1e-30ns\"",
    "\"5KiB/s\"",
    "\"\"",
    "\"5Mbit\"",
    "\"NaNs\"",
    "\"infs\"",
    "\"5e\"",
    "\"5min5s\"",
    "\"1_000ms\"",
    "\"..5s\"",
    "\"5S\"",
    "\"+5h\"",
    "\"5 d\"",
    "\"5Gbit/s\"",
    "\"0x10s\"",
];
const SWAPS: &[&str] = &[
    "7",
    "0.5",
    "\"x\"",
    "true",
    "[]",
    "{}",
    "[1, \"a\"]",
    "{ dist = \"pareto\", scale = \"1ms\", shape = 1e-300 }",
    "{ dist = \"lognormal\", median = \"1ms\", sigma = 700.0 }",
    "{ dist = \"empirical\", samples = [] }",
    "1979-05-27T07:32:00Z",
    "\"source\"",
];
const NAMES: &[&str] = &[
    "x/../../../../ESCAPED",
    "..",
    ".",
    "名前",
    "a b",
    "",
    "\\u0000",
    "op\\nx",
    "é",
    "🦀",
    "CON",
    "-x",
    "a.b",
    "source",
    "x\\\\y",
    "/abs",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
];
const JUNK: &[&str] = &[
    "[",
    "]]",
    "=",
    "\"",
    "{",
    "[[operators]]\n",
    "\u{feff}",
    "\\",
    "=\n=",
    "[simulation]\n",
    "\n[sweep.parameters]\n\"checkpoint.interval\" = [\"1s\", \"2s\"]\n",
    "'''",
    "#",
    "\t",
    "\r\n",
    "\u{0}",
];

fn parse_value(raw: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .map(|mut t| t.remove("v").unwrap())
        .unwrap_or_else(|_| toml::Value::String(raw.to_string()))
}

/// One mutation of the document, as a table edit or as a text edit.
/// Kinds of mutation and their weights (out of 100): most keep the file valid TOML, so that
/// validation and the simulator see them, and a fifth only scale a value plausibly, so that
/// many cases are accepted and run.
const KIND_WEIGHTS: [(usize, usize); 12] = [
    (0, 10),  // delete a field
    (1, 10),  // swap a value's type
    (2, 15),  // an extreme value
    (3, 8),   // an odd unit
    (4, 8),   // an odd operator name
    (5, 10),  // a `--set` override
    (11, 22), // scale a number plausibly
    (6, 5),   // junk inserted into the text
    (7, 3),   // truncated text
    (8, 5),   // a line deleted or duplicated
    (9, 2),   // an invalid UTF-8 byte
    (10, 2),  // a number in the text made extreme
];

fn mutation_kind(rng: &mut Rng) -> usize {
    let mut roll = rng.below(100);
    for (kind, weight) in KIND_WEIGHTS {
        if roll < weight {
            return kind;
        }
        roll -= weight;
    }
    unreachable!("the weights add up to 100")
}

/// A number times a factor (a string such as "250ms" has its number scaled).
fn scaled(v: &toml::Value, factor: f64) -> Option<toml::Value> {
    match v {
        toml::Value::Integer(i) => Some(toml::Value::Integer(((*i as f64 * factor).round() as i64).max(1))),
        toml::Value::Float(f) => Some(toml::Value::Float(f * factor)),
        toml::Value::String(s) => {
            let end = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
            let n: f64 = s[..end].parse().ok()?;
            Some(toml::Value::String(format!("{}{}", n * factor, &s[end..])))
        }
        _ => None,
    }
}

fn mutate(rng: &mut Rng, text: &mut Vec<u8>, overrides: &mut Vec<String>) {
    let kind = mutation_kind(rng);
    let structural = kind <= 5 || kind == 11;
    if structural {
        let Ok(s) = std::str::from_utf8(text) else { return };
        let Ok(table) = toml::from_str::<toml::Table>(s) else {
            return;
        };
        let mut doc = toml::Value::Table(table);
        let mut all = Vec::new();
        paths(&doc, &mut Vec::new(), &mut all);
        if all.is_empty() {
            return;
        }
        let path = rng.pick(&all).clone();
        match kind {
            0 => {
                // Delete a field or an element.
                let (last, parent) = path.split_last().unwrap();
                match (last, get_mut(&mut doc, parent)) {
                    (Seg::Key(k), Some(toml::Value::Table(t))) => {
                        t.remove(k);
                    }
                    (Seg::Index(i), Some(toml::Value::Array(a))) => {
                        a.remove(*i);
                    }
                    _ => {}
                }
            }
            1..=3 => {
                let pool = match kind {
                    1 => SWAPS,
                    2 => EXTREMES,
                    _ => ODD_UNITS,
                };
                let raw: &str = rng.pick::<&str>(pool);
                if let Some(v) = get_mut(&mut doc, &path) {
                    *v = parse_value(raw);
                }
            }
            11 => {
                let factor = *rng.pick(&[0.1, 0.5, 2.0, 3.0, 10.0]);
                if let Some(v) = get_mut(&mut doc, &path)
                    && let Some(new) = scaled(v, factor)
                {
                    *v = new;
                }
            }
            4 => {
                // Rename an operator, and its references, to a name with odd characters.
                let name = parse_value(&format!("\"{}\"", rng.pick(NAMES)));
                let Some(toml::Value::Array(ops)) = get_mut(&mut doc, &[Seg::Key("operators".into())]) else {
                    return;
                };
                if ops.is_empty() {
                    return;
                }
                let i = rng.below(ops.len());
                let old = ops[i].get("name").cloned();
                let rewritten = toml::to_string(&doc).unwrap_or_default();
                let (Some(toml::Value::String(old)), toml::Value::String(new)) = (old, name) else {
                    return;
                };
                let quoted = |s: &str| toml::Value::String(s.to_string()).to_string();
                let mut out = rewritten;
                for key in ["name", "from", "operator"] {
                    out = out.replace(
                        &format!("{key} = {}", quoted(&old)),
                        &format!("{key} = {}", quoted(&new)),
                    );
                }
                *text = out.into_bytes();
                return;
            }
            _ => {
                // A `--set` override of a random field with a random value.
                let pool = [EXTREMES, ODD_UNITS, SWAPS][rng.below(3)];
                let raw = rng.pick(pool).to_string();
                overrides.push(format!("{}={}", dotted(&path), raw.trim_matches('"')));
                return;
            }
        }
        *text = toml::to_string(&doc).unwrap_or_default().into_bytes();
        return;
    }
    let at = rng.below(text.len() + 1);
    match kind {
        6 => {
            let junk = rng.pick(JUNK).as_bytes();
            text.splice(at..at, junk.iter().copied()).for_each(drop);
        }
        7 => text.truncate(at),
        8 => {
            // Delete or duplicate a line.
            let lines: Vec<&[u8]> = text.split(|b| *b == b'\n').collect();
            let i = rng.below(lines.len());
            let mut out: Vec<Vec<u8>> = lines.iter().map(|l| l.to_vec()).collect();
            if rng.below(2) == 0 {
                out.remove(i);
            } else {
                out.insert(i, lines[i].to_vec());
            }
            *text = out.join(&b'\n');
        }
        9 => text.insert(at, *rng.pick(&[0xff, 0xc3, 0xe9, 0x80, 0xf0])),
        _ => {
            // Replace a number in the text with an extreme one (keeps the TOML otherwise intact).
            let s = String::from_utf8_lossy(text).into_owned();
            let digits: Vec<usize> = s
                .char_indices()
                .filter(|(_, c)| c.is_ascii_digit())
                .map(|(i, _)| i)
                .collect();
            if let Some(&i) = digits.get(rng.below(digits.len().max(1))) {
                let end = s[i..]
                    .find(|c: char| !c.is_ascii_digit() && c != '.')
                    .map_or(s.len(), |e| i + e);
                let extreme = rng.pick(EXTREMES).trim_matches('"');
                *text = format!("{}{extreme}{}", &s[..i], &s[end..]).into_bytes();
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    /// Rejected with file and line.
    LocatedLine,
    /// Rejected with file and field, override or sweep parameter.
    LocatedField,
    /// Accepted and run to its end, output complete.
    AcceptedRun,
    /// A sweep accepted and planned (its runs are not executed here).
    AcceptedSweep,
    Unlocated,
    Panic,
    Abort,
    Hang,
    PartialOutput,
}

fn scenario_error_outcome(e: &ScenarioError, file: &str) -> Outcome {
    let names_file = e.to_string().starts_with(file);
    match e {
        _ if !names_file => Outcome::Unlocated,
        ScenarioError::Invalid {
            origin: Origin::Line { .. },
            ..
        }
        | ScenarioError::NotUtf8 { .. } => Outcome::LocatedLine,
        // An override is located by the assignment it names (`--set path=value`).
        ScenarioError::Invalid { field: Some(_), .. }
        | ScenarioError::Invalid {
            origin: Origin::Override(_),
            ..
        }
        | ScenarioError::BadOverride { .. }
        | ScenarioError::TooLarge { .. } => Outcome::LocatedField,
        _ => Outcome::Unlocated,
    }
}

fn sweep_error_outcome(e: &SweepError, file: &str) -> Outcome {
    match e {
        SweepError::Scenario(s) => scenario_error_outcome(s, file),
        SweepError::Point { cause, .. } => scenario_error_outcome(cause, file),
        SweepError::Spec { file: f, .. } if f == file => Outcome::LocatedField,
        _ => Outcome::Unlocated,
    }
}

/// Loads, plans and runs a case in this process. A panic anywhere is caught; a run over the
/// deadline is a hang (its thread is left behind: the test fails anyway).
fn run_in_process(path: &Path, overrides: &[String], out: &Path, plots: bool) -> (Outcome, String) {
    let file = path.display().to_string();
    let loaded = catch_unwind(AssertUnwindSafe(
        || -> Result<(LoadedScenario, Scenario), (Outcome, String)> {
            let loaded = match load_file_with(path, &FUZZ_LIMITS) {
                Ok(l) => l,
                Err(e) => return Err((scenario_error_outcome(&e, &file), e.to_string())),
            };
            let mut parsed = Vec::new();
            for o in overrides {
                match Override::parse(o) {
                    Ok(o) => parsed.push(o),
                    // The command line's own error, naming the assignment.
                    Err(m) => return Err((Outcome::LocatedField, m)),
                }
            }
            let sc = loaded
                .with_overrides(&parsed)
                .map_err(|e| (scenario_error_outcome(&e, &file), e.to_string()))?;
            Ok((loaded, sc))
        },
    ));
    let (loaded, sc) = match loaded {
        Err(_) => return (Outcome::Panic, "panic while loading".into()),
        Ok(Err(rejected)) => return rejected,
        Ok(Ok(x)) => x,
    };
    if loaded.table.contains_key("sweep") {
        return match catch_unwind(AssertUnwindSafe(|| plan(&loaded, "case"))) {
            Err(_) => (Outcome::Panic, "panic while planning".into()),
            Ok(Ok(_)) => (Outcome::AcceptedSweep, String::new()),
            Ok(Err(e)) => (sweep_error_outcome(&e, &file), e.to_string()),
        };
    }
    let (tx, rx) = mpsc::channel();
    let out_dir = out.to_path_buf();
    std::thread::spawn(move || {
        let r = catch_unwind(AssertUnwindSafe(|| {
            let result = ckptsim::run::run_labelled(&sc, sc.simulation.seed, "case");
            write_run_dir(&out_dir, &result, plots).map(|_| ())
        }));
        let _ = tx.send(r);
    });
    match rx.recv_timeout(RUN_DEADLINE) {
        Err(_) => (Outcome::Hang, "run over its deadline".into()),
        Ok(Err(_)) => (Outcome::Panic, "panic while running".into()),
        Ok(Ok(Err(e))) => (Outcome::PartialOutput, format!("writing failed: {e}")),
        Ok(Ok(Ok(()))) => match complete_output(out, plots) {
            true => (Outcome::AcceptedRun, String::new()),
            false => (Outcome::PartialOutput, "incomplete output directory".into()),
        },
    }
}

fn complete_output(dir: &Path, plots: bool) -> bool {
    let files_ok = RUN_FILES.iter().all(|f| dir.join(f).is_file());
    let no_temp = sweep_support::snapshot(dir)
        .keys()
        .all(|p| !p.to_string_lossy().contains("tmp"));
    // A run shorter than one timeline sample has a timeline of its header alone, and no chart.
    let samples = std::fs::read_to_string(dir.join("timeline.csv")).map_or(0, |t| t.lines().count().saturating_sub(1));
    files_ok && no_temp && (!plots || samples == 0 || dir.join("plots/timeline.png").is_file())
}

/// The same case through the binary, under an address-space limit: an abort is an exit by
/// signal, a panic exit code 101, and a rejection must leave no output directory.
fn run_cli(bin: &Path, path: &Path, overrides: &[String], out: &Path) -> (Outcome, String) {
    let mut cmd = format!(
        "ulimit -v 4000000; exec '{}' run '{}' --out '{}' --no-plots --limit-memory 1GiB --limit-work {}",
        bin.display(),
        path.display(),
        out.display(),
        FUZZ_LIMITS.work_steps_max
    );
    for o in overrides {
        cmd.push_str(&format!(" --set '{}'", o.replace('\'', "'\\''")));
    }
    let mut child = Command::new("sh")
        .args(["-c", &cmd])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > RUN_DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            return (Outcome::Hang, "binary over its deadline".into());
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut stderr = String::new();
    use std::io::Read;
    let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
    match status.code() {
        None => (Outcome::Abort, format!("killed by a signal: {stderr}")),
        Some(0) if complete_output(out, false) => (Outcome::AcceptedRun, String::new()),
        Some(0) => (Outcome::PartialOutput, "incomplete output after success".into()),
        Some(1) if out.exists() => (Outcome::PartialOutput, format!("rejected but wrote {}", out.display())),
        // `ckptsim run` refuses a sweep file's [sweep] only by ignoring it, so both end here.
        Some(1) if stderr.contains(&path.display().to_string()) || stderr.contains("--set") => {
            (Outcome::LocatedField, String::new())
        }
        Some(1) => (Outcome::Unlocated, stderr),
        Some(101) => (Outcome::Panic, stderr),
        Some(c) => (Outcome::Abort, format!("exit {c}: {stderr}")),
    }
}

#[test]
fn mutated_scenarios_never_panic_hang_or_leave_partial_output() {
    let cases: usize = std::env::var("CKPTSIM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CASES_CI);
    let seed: u64 = std::env::var("CKPTSIM_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(SEED_DEFAULT);
    // `CKPTSIM_FUZZ_VERBOSE=1` prints every case's outcome and message.
    let verbose = std::env::var_os("CKPTSIM_FUZZ_VERBOSE").is_some();
    let corpus = corpus();
    let dir = fresh_dir("fuzz");
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_ckptsim"));
    let mut rng = Rng(seed);
    let mut counts: BTreeMap<Outcome, usize> = BTreeMap::new();
    let mut failures: Vec<String> = Vec::new();
    let started = Instant::now();
    for case in 0..cases {
        // Three in four from the short versions, whose mutants fit the limits and run.
        let (name, base) = &corpus[rng.below(corpus.len() / 2) * 2 + usize::from(rng.below(4) == 0)];
        let mut text = base.clone().into_bytes();
        let mut overrides = Vec::new();
        let mutations = *rng.pick(&[1, 1, 1, 1, 1, 1, 2, 2, 2, 3]);
        for _ in 0..mutations {
            mutate(&mut rng, &mut text, &mut overrides);
        }
        let path = dir.join(format!("case{case}.toml"));
        std::fs::write(&path, &text).unwrap();
        let out = dir.join(format!("out{case}"));
        let (outcome, detail) = run_in_process(&path, &overrides, &out, case % 50 == 0);
        let mut results = vec![(outcome, detail)];
        if case % 8 == 0 {
            let cli_out = dir.join(format!("cli{case}"));
            results.push(run_cli(&bin, &path, &overrides, &cli_out));
            let _ = std::fs::remove_dir_all(&cli_out);
        }
        if outcome != Outcome::AcceptedRun && out.exists() {
            results.push((Outcome::PartialOutput, format!("rejected case wrote {}", out.display())));
        }
        if verbose {
            eprintln!(
                "case {case} ({name}, {overrides:?}): {:?}: {}",
                results[0].0, results[0].1
            );
        }
        for (o, detail) in results {
            *counts.entry(o).or_default() += 1;
            if o >= Outcome::Unlocated && failures.len() < 20 {
                failures.push(format!(
                    "case {case} (from {name}, overrides {overrides:?}): {o:?}: {detail}"
                ));
            }
        }
        if failures.is_empty() {
            let _ = std::fs::remove_file(&path);
        }
        let _ = std::fs::remove_dir_all(&out);
    }
    eprintln!(
        "scenario fuzz: seed {seed:#x}, {cases} cases in {:.1} s; outcomes (binary checks included): {counts:?}",
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} failing cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
