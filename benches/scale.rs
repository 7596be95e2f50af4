//! Scale: CPU time per simulated second and peak memory as the job grows in parallelism, in
//! duration and to a production shape, and the per-record overhead against a bare event loop.
//!
//! `cargo bench --bench scale [-- SERIES...]`, SERIES among `parallelism`, `production`,
//! `memory`, `tandem`, `fast_path` (default: all). Every measured run is a child process of this bench, so
//! its CPU time (`/proc/self/stat`, user + system) and peak RSS (`VmHWM`) are its own. CPU time
//! per simulated second is the slope between two run lengths, so the fixed cost of building the
//! world and writing nothing does not count. Instruction counts (the measure for the
//! tandem comparison) come from running a child under callgrind at two lengths and taking the
//! difference: `valgrind --tool=callgrind target/release/deps/scale-* --child tandem-bare N` (N
//! records), `... --child run tandem-chained S` and `... --child run tandem S` (S simulated
//! seconds at 20,000 records a second). The production series also runs the production
//! shape's records with no engine around them (`scale/floor.rs`, child `production-floor S`):
//! the floor any implementation of the record-level model stands on.

use std::path::Path;
use std::process::Command;

#[path = "scale/floor.rs"]
mod floor;

/// The reference job's shape (scenarios/bench_reference.toml) at parallelism p.
fn reference_at(p: u32) -> Vec<String> {
    let mut v = vec![format!("cluster.taskmanagers={}", p.div_ceil(4))];
    for op in ["source", "window", "sink"] {
        v.push(format!("operators.{op}.parallelism={p}"));
    }
    v
}

/// One measured child run.
#[derive(Clone, Copy, Debug)]
struct Sample {
    cpu_s: f64,
    peak_rss_kb: u64,
    simulated_s: f64,
    /// Records the sinks took in (a tandem job's completed jobs), chained or not.
    sink_records: f64,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    if args.first().map(String::as_str) == Some("--child") {
        child(&args[1..]);
        return;
    }
    let all = ["parallelism", "production", "memory", "tandem", "fast_path"];
    let wanted: Vec<&str> = if args.is_empty() {
        all.to_vec()
    } else {
        args.iter().map(String::as_str).collect()
    };
    for series in wanted {
        match series {
            "parallelism" => parallelism(),
            "production" => production(),
            "memory" => memory(),
            "tandem" => tandem(),
            "fast_path" => fast_path(),
            other => eprintln!("unknown series `{other}`; one of {all:?}"),
        }
    }
}

/// The reference job at p = 8 … 512: CPU per simulated second should grow with the records
/// moved (p × 10 k/s), not with the channels (p²).
fn parallelism() {
    println!("## parallelism: reference job (3 operators, hash shuffles, 10 k records/s per source subtask)");
    println!(
        "| p | channels per shuffle | CPU s per simulated s | per million records | the floor (no engine) | peak RSS |"
    );
    println!("|---|---|---|---|---|---|");
    for (p, short_s) in [(8u32, 8.0), (32, 4.0), (128, 2.0), (256, 1.0), (512, 1.0)] {
        let set = reference_at(p);
        let a = measure("scenarios/bench_reference.toml", short_s, &set);
        let b = measure("scenarios/bench_reference.toml", 2.0 * short_s, &set);
        let slope = (b.cpu_s - a.cpu_s) / (b.simulated_s - a.simulated_s);
        let records_per_s = p as f64 * 10_000.0;
        // The same records with no engine around them (`floor.rs`), run four times as long: it
        // costs a fraction of the model, and /proc counts CPU in 10 ms ticks.
        let (fa, fb) = (4.0 * short_s, 8.0 * short_s);
        let floor_a = measure_child(&["reference-floor", &p.to_string(), &fa.to_string()]);
        let floor_b = measure_child(&["reference-floor", &p.to_string(), &fb.to_string()]);
        let floor = (floor_b.cpu_s - floor_a.cpu_s) / (floor_b.simulated_s - floor_a.simulated_s);
        println!(
            "| {p} | {} | {slope:.3} | {:.3} | {floor:.3} | {} |",
            p * p,
            slope / records_per_s * 1e6,
            mb(b.peak_rss_kb)
        );
    }
}

/// The production shape, shortened: three lengths, a line through them, the hour extrapolated,
/// and how far the middle point is off the line (linearity check).
fn production() {
    let file = "benches/scenarios/production_hour.toml";
    println!("## production shape: 3 x 100 subtasks, hash shuffles, 1 M records/s, 10 GB state, S3, 30 s interval");
    let lengths = [20.0, 40.0, 80.0];
    let samples: Vec<Sample> = lengths.iter().map(|&d| measure(file, d, &[])).collect();
    println!("| simulated | CPU | peak RSS |");
    println!("|---|---|---|");
    for s in &samples {
        println!("| {:.0} s | {:.1} s | {} |", s.simulated_s, s.cpu_s, mb(s.peak_rss_kb));
    }
    let (first, last) = (samples[0], samples[2]);
    let slope = (last.cpu_s - first.cpu_s) / (last.simulated_s - first.simulated_s);
    let fixed = first.cpu_s - slope * first.simulated_s;
    let mid = samples[1];
    let predicted_mid = fixed + slope * mid.simulated_s;
    println!(
        "slope {slope:.3} CPU s per simulated s; the 40 s run is {:+.1} % off the line through 20 s and 80 s",
        (mid.cpu_s / predicted_mid - 1.0) * 100.0
    );
    println!(
        "the hour, extrapolated: {:.1} CPU minutes (target: 3; record-level model at most 6)",
        (fixed + slope * 3600.0) / 60.0
    );
    // The floor: the same records with no engine around them (`floor.rs`).
    let a = measure_child(&["production-floor", "20"]);
    let b = measure_child(&["production-floor", "80"]);
    let floor = (b.cpu_s - a.cpu_s) / (b.simulated_s - a.simulated_s);
    println!(
        "the floor (the records' own work, no engine): {floor:.3} CPU s per simulated s, {:.0} ns per source record; \
         the hour {:.1} CPU minutes; the model is {:.1}x it",
        floor / 1e6 * 1e9,
        floor * 3600.0 / 60.0,
        slope / floor
    );
}

/// The fast path (`simulation.records_per_bundle`) on the two shapes the scale issue sets
/// targets for: the production hour (CPU minutes, extrapolated from 20 and 80 s, with the 40 s
/// run as the linearity check) and the reference job at p = 512 (CPU s per simulated s, the
/// slope from 1 to 2 s). Its error against the record-level model: `cargo bench --bench
/// fast_path`.
fn fast_path() {
    println!("## fast path: records per bundle against CPU and peak RSS");
    println!("| shape | records per bundle | CPU | peak RSS |");
    println!("|---|---|---|---|");
    for k in [16u32, 32, 64] {
        let set = vec![format!("simulation.records_per_bundle={k}")];
        let file = "benches/scenarios/production_hour.toml";
        let samples: Vec<Sample> = [20.0, 40.0, 80.0].iter().map(|&d| measure(file, d, &set)).collect();
        let slope = (samples[2].cpu_s - samples[0].cpu_s) / (samples[2].simulated_s - samples[0].simulated_s);
        let fixed = samples[0].cpu_s - slope * samples[0].simulated_s;
        let off = samples[1].cpu_s / (fixed + slope * samples[1].simulated_s) - 1.0;
        println!(
            "| production hour (extrapolated; 40 s run {:+.1} % off the line) | {k} | {:.2} CPU minutes | {} |",
            off * 100.0,
            (fixed + slope * 3600.0) / 60.0,
            mb(samples[2].peak_rss_kb)
        );
        let mut set512 = reference_at(512);
        set512.extend(set.iter().cloned());
        let a = measure("scenarios/bench_reference.toml", 1.0, &set512);
        let b = measure("scenarios/bench_reference.toml", 2.0, &set512);
        println!(
            "| reference job at p = 512 | {k} | {:.2} CPU s per simulated s | {} |",
            (b.cpu_s - a.cpu_s) / (b.simulated_s - a.simulated_s),
            mb(b.peak_rss_kb)
        );
    }
}

/// Peak memory against simulated duration: bounded by what a checkpoint interval holds, so
/// it should stay flat as the run gets longer.
fn memory() {
    println!("## memory: peak RSS against simulated duration");
    println!("| scenario | simulated | peak RSS | CPU |");
    println!("|---|---|---|---|");
    for (file, lengths) in [
        ("scenarios/quickstart.toml", [60.0, 240.0, 960.0]),
        // Up to ten minutes: its peak RSS levels off after the first minute (while its RocksDB
        // state fills in), so the longer runs show whether anything else keeps growing.
        ("benches/scenarios/production_hour.toml", [30.0, 120.0, 600.0]),
    ] {
        for d in lengths {
            let s = measure(file, d, &[]);
            let name = Path::new(file).file_stem().and_then(|n| n.to_str()).unwrap_or(file);
            println!("| {name} | {d:.0} s | {} | {:.1} s |", mb(s.peak_rss_kb), s.cpu_s);
        }
    }
}

/// ckptsim's tandem M/M/1 (a Poisson source, one exponential server, a sink; checkpointing
/// off) against a bare `BinaryHeap` event loop running the same queue, per record. Two forms of
/// the job: chained, as Flink runs it by default (one task; a record starts when it has arrived
/// and the one before it is done), and unchained (three tasks, every record over two network
/// channels with a zero buffer timeout). Both give M/M/1's sojourn times
/// (`tests/queueing_theory.rs`).
fn tandem() {
    println!("## tandem M/M/1: ckptsim against a bare event loop (CPU ns per record)");
    let n = 40_000_000u64;
    let bare_a = measure_child(&["tandem-bare", &(n / 2).to_string()]);
    let bare_b = measure_child(&["tandem-bare", &n.to_string()]);
    let bare_ns = (bare_b.cpu_s - bare_a.cpu_s) / (n / 2) as f64 * 1e9;
    println!("| model | CPU ns per record | ratio to the bare loop |");
    println!("|---|---|---|");
    // Runs long enough for a CPU-time slope well above /proc's 10 ms ticks.
    for (form, short_s, long_s) in [("tandem-chained", "1000", "2000"), ("tandem", "50", "100")] {
        let a = measure_child(&["run", form, short_s]);
        let b = measure_child(&["run", form, long_s]);
        // Per record that went through, counted: a tandem that does not keep up (a network
        // delay the queue does not have, say) would otherwise be credited records it never moved.
        for s in [a, b] {
            let kept_up = s.sink_records / (s.simulated_s * TANDEM_RATE);
            assert!(
                (kept_up - 1.0).abs() < 0.02,
                "the {form} job moved {:.0} records/s, not its {TANDEM_RATE}: it is not the M/M/1 model",
                s.sink_records / s.simulated_s
            );
        }
        let ns = (b.cpu_s - a.cpu_s) / (b.sink_records - a.sink_records) * 1e9;
        let label = if form == "tandem" {
            "ckptsim, unchained"
        } else {
            "ckptsim, chained"
        };
        println!("| {label} | {ns:.0} | {:.1}x |", ns / bare_ns);
    }
    println!("| bare BinaryHeap loop | {bare_ns:.0} | 1x |");
    println!("(target: 2x in instructions; see the module docs for callgrind)");
}

const TANDEM_RATE: f64 = 20_000.0;

/// A tandem M/M/1 queue at load 0.5: Poisson arrivals at `TANDEM_RATE`, exponential service
/// with mean 1 / (2 × rate); no checkpoints. Unchained, each operator is a task on a thread
/// of its own, and the channels add no delay (no latency, no hand-off to an idle consumer, a
/// zero buffer timeout): the queue alone, as the bare loop runs it. Chained, Flink's defaults.
fn tandem_scenario(duration_s: f64, chained: bool) -> String {
    let unchained = if chained {
        String::new()
    } else {
        "[pipeline]\noperator_chaining = false\n[network]\nbuffer_timeout = \"0s\"\nlocal_latency = \"0s\"\ninput_handoff_latency = \"0s\"\n".to_string()
    };
    format!(
        "{unchained}[simulation]\nduration = \"{duration_s}s\"\n[cluster]\ntaskmanagers = 1\nslots_per_taskmanager = 1\ncores_per_taskmanager = 3\n\
         [[operators]]\nname = \"source\"\nkind = \"source\"\nparallelism = 1\nrate = {{ process = \"poisson\", records_per_second = {TANDEM_RATE} }}\nservice_time = \"0us\"\n\
         [[operators]]\nname = \"server\"\nkind = \"operator\"\nparallelism = 1\ninputs = [{{ from = \"source\", partitioning = \"forward\" }}]\nservice_time = {{ dist = \"exponential\", mean = \"25us\" }}\n\
         [[operators]]\nname = \"sink\"\nkind = \"sink\"\nparallelism = 1\ninputs = [{{ from = \"server\", partitioning = \"forward\" }}]\nservice_time = \"0us\"\ndelivery_guarantee = \"none\"\n"
    )
}

fn measure(file: &str, duration_s: f64, set: &[String]) -> Sample {
    let d = duration_s.to_string();
    let mut args = vec!["run", file, &d];
    args.extend(set.iter().map(String::as_str));
    measure_child(&args)
}

fn measure_child(args: &[&str]) -> Sample {
    let exe = std::env::current_exe().expect("the bench's own path");
    let out = Command::new(exe)
        .arg("--child")
        .args(args)
        .output()
        .expect("the bench can start itself");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("MEASURED "))
        .unwrap_or_else(|| panic!("child {args:?} failed: {}", String::from_utf8_lossy(&out.stderr)));
    let f: Vec<f64> = line["MEASURED ".len()..]
        .split(' ')
        .map(|x| x.parse().expect("a number"))
        .collect();
    Sample {
        cpu_s: f[0],
        peak_rss_kb: f[1] as u64,
        simulated_s: f[2],
        sink_records: f[3],
    }
}

/// Runs one measured job in this process and prints
/// `MEASURED cpu_s peak_rss_kb simulated_s sink_records`.
fn child(args: &[String]) {
    let (simulated_s, sink_records) = match args[0].as_str() {
        "run" => {
            let duration_s: f64 = args[2].parse().expect("a duration in seconds");
            let scenario = if args[1] == "tandem" || args[1] == "tandem-chained" {
                let chained = args[1] == "tandem-chained";
                ckptsim::scenario::parse_str(&tandem_scenario(duration_s, chained), "tandem.toml")
                    .expect("the tandem scenario")
                    .scenario
            } else {
                let mut set: Vec<ckptsim::scenario::Override> = vec![
                    ckptsim::scenario::Override::parse(&format!("simulation.duration={duration_s}s"))
                        .expect("an override"),
                ];
                for a in &args[3..] {
                    set.push(ckptsim::scenario::Override::parse(a).expect("an override"));
                }
                let limits = ckptsim::scenario::Limits {
                    memory_bytes_max: u64::MAX,
                    work_steps_max: u64::MAX,
                    ..Default::default()
                };
                ckptsim::scenario::load_file_with(Path::new(&args[1]), &limits)
                    .expect("a bundled scenario")
                    .with_overrides(&set)
                    .expect("valid overrides")
            };
            let out = ckptsim::run::run(&scenario, 1);
            // Every record a sink took in, chained into a task of its own or not (the latency
            // statistics count each one; the runs here have no warm-up).
            let sink_records = out.summary.job.latency_ms.count;
            (out.summary.simulated_seconds, sink_records as f64)
        }
        "production-floor" => {
            let seconds: u64 = args[1].parse().expect("simulated seconds");
            let (made, checksum) = floor::run(seconds, 100, 50_000_000);
            std::hint::black_box(checksum);
            (seconds as f64, made as f64)
        }
        "reference-floor" => {
            let p: usize = args[1].parse().expect("a parallelism");
            let seconds: u64 = args[2].parse().expect("simulated seconds");
            let (made, checksum) = floor::run(seconds, p, 1_000_000);
            std::hint::black_box(checksum);
            (seconds as f64, made as f64)
        }
        "tandem-bare" => {
            let n: u64 = args[1].parse().expect("a record count");
            std::hint::black_box(bare_tandem(n));
            (n as f64 / TANDEM_RATE, n as f64)
        }
        other => panic!("unknown child job `{other}`"),
    };
    println!(
        "MEASURED {} {} {simulated_s} {sink_records}",
        cpu_seconds(),
        peak_rss_kb()
    );
}

/// The same tandem queue as a bare discrete-event loop: a `BinaryHeap` of (time, seq, event),
/// exponential gaps and service times from a seeded ChaCha stream. Returns the mean sojourn.
fn bare_tandem(records: u64) -> f64 {
    use rand::{Rng, SeedableRng};
    use std::cmp::Reverse;
    use std::collections::{BinaryHeap, VecDeque};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    // Uniform draws as ckptsim's streams make them (53 bits of one `next_u64`).
    let mut exp = |mean_ns: f64| -> u64 {
        let u = (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
        (-(1.0 - u).ln() * mean_ns) as u64
    };
    let (gap_ns, service_ns) = (1e9 / TANDEM_RATE, 0.5e9 / TANDEM_RATE);
    // Event 0: an arrival; event 1: a departure.
    let mut heap: BinaryHeap<Reverse<(u64, u64, u8)>> = BinaryHeap::new();
    let mut seq = 0u64;
    heap.push(Reverse((0, seq, 0)));
    let mut queue: VecDeque<u64> = VecDeque::new();
    let (mut arrived, mut done, mut sojourn_ns) = (0u64, 0u64, 0u128);
    while let Some(Reverse((t, _, kind))) = heap.pop() {
        if kind == 0 {
            arrived += 1;
            queue.push_back(t);
            if queue.len() == 1 {
                seq += 1;
                heap.push(Reverse((t + exp(service_ns), seq, 1)));
            }
            if arrived < records {
                seq += 1;
                heap.push(Reverse((t + exp(gap_ns), seq, 0)));
            }
        } else {
            let start = queue.pop_front().expect("a departure has a job");
            sojourn_ns += (t - start) as u128;
            done += 1;
            if !queue.is_empty() {
                seq += 1;
                heap.push(Reverse((t + exp(service_ns), seq, 1)));
            }
        }
    }
    sojourn_ns as f64 / done.max(1) as f64
}

/// User + system CPU time of this process (`/proc/self/stat` fields 14 and 15, in clock ticks
/// of 1/100 s, Linux's USER_HZ).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis
    // start at field 3.
    let rest = &stat[stat.rfind(')').expect("a command name") + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f[11].parse::<u64>().expect("utime") + f[12].parse::<u64>().expect("stime");
    ticks as f64 / 100.0
}

/// Peak resident set of this process (`VmHWM` in `/proc/self/status`), in kB.
fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmHWM")
}

fn mb(kb: u64) -> String {
    format!("{:.0} MB", kb as f64 / 1024.0)
}
